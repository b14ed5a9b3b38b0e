"""Events of a unit's subtree for a campaign as of a date, read from the records.

`event_lines` lists every event held in the subtree (organised in it, or organised above it with
bridge points in it) with its bridge points and person-times inside the subtree, per level of the
units hosting them: the sources page lists them. `report_events` sums them up for a report
(DOMAIN §3.6, §4.1):

- per level of the tree, every event counts once at each level where it has bridge points in the
  subtree, with the person-times of that level's bridge points (a site's level is the depth of its
  unit on the report's date). The province's online conference followed at the district's centre
  and at the communes is one conference at the district level, with the centre's attendance, and
  one at the grassroots level, with the communes'. An event without any bridge point counts at its
  organiser's level. Each level is split by format and by whether the event was organised above
  that level (`LevelPart`), so a level's parts add up to the level;
- the conferences (in person, online, with a recorded lecture) organised at or above the report's
  unit, one line each with their bridge points split by level (the centre point, the grassroots
  points, ...);
- the events held by kind: conferences, cell meetings, self-study (they add up to the events held);
- the events attended that were organised above the unit, one line each.

A report's frozen figures therefore do not grow with the number of cell meetings.
"""

import datetime
from collections import Counter
from dataclasses import dataclass, field

from chuyende.campaigns.models import Campaign
from chuyende.events.models import Event, Site
from chuyende.figures.tree import period_on, position_on
from chuyende.organisation.models import Unit

# Formats that make a conference (hội nghị); the other two are cell meetings and self-study.
CONFERENCE_FORMATS = ("in_person", "online", "video")
# The kinds of study events a report counts apart: conferences, cell meetings, self-study.
EVENT_KINDS = {"in_person": "conferences", "online": "conferences", "video": "conferences",
               "cell_meeting": "cell_meetings", "self_study": "self_study"}


@dataclass
class SiteTally:
    """The bridge points of one event at one level of the tree, and their person-times."""

    sites: int = 0
    member_person_times: int = 0
    non_member_person_times: int = 0

    @property
    def attendance_person_times(self) -> int:
        return self.member_person_times + self.non_member_person_times


@dataclass
class EventLine:
    """One event held in the subtree: organised in it, or organised above with bridge points in it."""

    id: int
    code: str
    title: str
    held_on: datetime.date
    format: str
    organiser_name: str
    organiser_depth: int
    organised_here: bool
    sites: int = 0
    member_person_times: int = 0
    non_member_person_times: int = 0
    # The bridge points inside the subtree by the depth of their unit on the date.
    by_depth: dict[int, SiteTally] = field(default_factory=dict)

    @property
    def attendance_person_times(self) -> int:
        return self.member_person_times + self.non_member_person_times

    @property
    def is_conference(self) -> bool:
        return self.format in CONFERENCE_FORMATS

    @property
    def host_depths(self) -> list[int]:
        """The levels the event counts at: those of its bridge points, else its organiser's."""
        return sorted(self.by_depth) or [self.organiser_depth]


@dataclass
class LevelPart:
    """The events of one format counted at one level, organised at or below it (`from_above`
    false) or above it and followed at the level's bridge points (`from_above` true)."""

    format: str
    from_above: bool
    events: int = 0
    member_person_times: int = 0
    non_member_person_times: int = 0

    @property
    def code(self) -> str:
        return f"{self.format}-above" if self.from_above else self.format

    @property
    def attendance_person_times(self) -> int:
        return self.member_person_times + self.non_member_person_times


@dataclass
class LevelEvents:
    """The events counted at one level of the subtree: each event held at the level's bridge points
    once, with those bridge points' person-times (see the module's docstring)."""

    depth: int
    events: int = 0
    by_format: Counter[str] = field(default_factory=Counter)
    member_person_times: int = 0
    non_member_person_times: int = 0
    parts: list[LevelPart] = field(default_factory=list)

    @property
    def attendance_person_times(self) -> int:
        return self.member_person_times + self.non_member_person_times


@dataclass(frozen=True)
class ReportEvents:
    attended: list[EventLine]  # organised above the subtree, with bridge points in it
    levels: list[LevelEvents]  # every level of the subtree with events, top level first
    conferences: list[EventLine] = field(default_factory=list)  # organised at or above the unit
    by_kind: dict[str, int] = field(default_factory=dict)  # conferences, cell meetings, self-study
    depth: int = 0  # the depth of the report's unit on the date


def event_lines(
    *, unit: Unit, campaign: Campaign, as_of: datetime.date, path: str | None = None
) -> list[EventLine]:
    """Every event held in the subtree by the date, on the tree of the date, by day and code (two
    queries, and one for the unit's position unless its `path` on the date is given). Organisers and
    sites are named and placed as they were on the date."""
    lines: dict[int, EventLine] = {}
    path = path or position_on(unit, as_of).path
    organised = Event.objects.filter(
        period_on(as_of, "organiser__periods__"), campaign=campaign, held_on__lte=as_of,
        organiser__periods__path__under=path,
    ).values_list("id", "code", "title", "held_on", "format", "organiser__periods__name",
                  "organiser__periods__depth")
    for event_id, code, title, held_on, event_format, organiser_name, depth in organised.order_by():
        lines[event_id] = EventLine(id=event_id, code=code, title=title, held_on=held_on, format=event_format,
                                    organiser_name=organiser_name, organiser_depth=depth, organised_here=True)
    sites = Site.objects.filter(
        period_on(as_of, "unit__periods__"), period_on(as_of, "event__organiser__periods__"),
        event__campaign=campaign, event__held_on__lte=as_of, unit__periods__path__under=path,
    ).values_list("event_id", "other_members", "listed_members", "non_members", "unit__periods__depth",
                  "event__code", "event__title", "event__held_on", "event__format",
                  "event__organiser__periods__name", "event__organiser__periods__depth").order_by()
    for (event_id, other_members, listed, non_members, site_depth, code, title, held_on, event_format,
         organiser_name, depth) in sites:
        line = lines.get(event_id)
        if line is None:
            line = lines[event_id] = EventLine(
                id=event_id, code=code, title=title, held_on=held_on, format=event_format,
                organiser_name=organiser_name, organiser_depth=depth, organised_here=False,
            )
        line.sites += 1
        line.member_person_times += other_members + listed
        line.non_member_person_times += non_members
        level = line.by_depth.setdefault(site_depth, SiteTally())
        level.sites += 1
        level.member_person_times += other_members + listed
        level.non_member_person_times += non_members
    for line in lines.values():
        line.by_depth = dict(sorted(line.by_depth.items()))
    return sorted(lines.values(), key=lambda line: (line.held_on, line.code, line.id))


def by_level(lines: list[EventLine]) -> list[LevelEvents]:
    """The events held in the subtree counted per level hosting them, top level first: an event
    counts once at each level of its bridge points with their person-times, or at its organiser's
    level when it has none."""
    levels: dict[int, LevelEvents] = {}
    parts: dict[tuple[int, str, bool], LevelPart] = {}
    for line in lines:
        for depth in line.host_depths:
            hosted = line.by_depth.get(depth, SiteTally())
            level = levels.setdefault(depth, LevelEvents(depth=depth))
            level.events += 1
            level.by_format[line.format] += 1
            level.member_person_times += hosted.member_person_times
            level.non_member_person_times += hosted.non_member_person_times
            from_above = line.organiser_depth < depth
            part = parts.get((depth, line.format, from_above))
            if part is None:
                part = parts[(depth, line.format, from_above)] = LevelPart(format=line.format,
                                                                           from_above=from_above)
                level.parts.append(part)
            part.events += 1
            part.member_person_times += hosted.member_person_times
            part.non_member_person_times += hosted.non_member_person_times
    order = {name: position for position, name in enumerate(EVENT_KINDS)}
    for level in levels.values():
        level.parts.sort(key=lambda part: (not part.from_above, order.get(part.format, len(order)),
                                           part.format))
    return [levels[depth] for depth in sorted(levels)]


def reported_conferences(lines: list[EventLine], depth: int) -> list[EventLine]:
    """The conferences a report of a unit at `depth` lists one by one: organised at or above it."""
    return [line for line in lines if line.is_conference and line.organiser_depth <= depth]


def level_part_lines(lines: list[EventLine], depth: int, event_format: str | None = None,
                     from_above: bool | None = None) -> list[EventLine]:
    """The events counted at a level (of a format, organised above it or not): `by_level`'s rule."""
    return [line for line in lines if depth in line.host_depths
            and (event_format is None or line.format == event_format)
            and (from_above is None or (line.organiser_depth < depth) == from_above)]


def events_by_kind(lines: list[EventLine]) -> dict[str, int]:
    """The events held (each once) by kind: conferences, cell meetings, self-study, other."""
    kinds: Counter[str] = Counter(EVENT_KINDS.get(line.format, "other") for line in lines)
    return {kind: kinds[kind] for kind in ("conferences", "cell_meetings", "self_study", "other")}


def report_events(*, unit: Unit, campaign: Campaign, as_of: datetime.date) -> ReportEvents:
    """What a report says of the events: the levels' totals with bridge points counted where held,
    the conferences organised at or above the unit, the events by kind and those attended from
    above."""
    position = position_on(unit, as_of)
    depth = position.depth
    lines = event_lines(unit=unit, campaign=campaign, as_of=as_of, path=position.path)
    return ReportEvents(
        attended=[line for line in lines if not line.organised_here],
        levels=by_level(lines),
        conferences=reported_conferences(lines, depth),
        by_kind=events_by_kind(lines),
        depth=depth,
    )
