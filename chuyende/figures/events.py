"""Events of a unit's subtree for a campaign as of a date, read from the records.

`event_lines` lists every event held in the subtree (organised in it, or organised above it with
bridge points in it) with its bridge points and person-times inside the subtree: the sources page
lists them. `report_events` sums them up for a report: the events attended that were organised
above, one line each, and per level of the organiser the events by format and their
person-times, so that a report's frozen figures do not grow with the number of events.
"""

import datetime
from collections import Counter
from dataclasses import dataclass, field

from chuyende.campaigns.models import Campaign
from chuyende.events.models import Event, Site
from chuyende.figures.tree import period_on, position_on
from chuyende.organisation.models import Unit


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

    @property
    def attendance_person_times(self) -> int:
        return self.member_person_times + self.non_member_person_times


@dataclass
class LevelEvents:
    """Events organised at one level of the subtree (the organiser's depth), by format, and the
    person-times counted at their bridge points inside the subtree."""

    depth: int
    events: int = 0
    by_format: Counter[str] = field(default_factory=Counter)
    member_person_times: int = 0
    non_member_person_times: int = 0

    @property
    def attendance_person_times(self) -> int:
        return self.member_person_times + self.non_member_person_times


@dataclass(frozen=True)
class ReportEvents:
    attended: list[EventLine]  # organised above the subtree, with bridge points in it
    levels: list[LevelEvents]  # organised in the subtree, top level first


def event_lines(*, unit: Unit, campaign: Campaign, as_of: datetime.date) -> list[EventLine]:
    """Every event held in the subtree by the date, on the tree of the date, by day and code (three
    queries). Organisers are named and placed as they were on the date."""
    lines: dict[int, EventLine] = {}
    path = position_on(unit, as_of).path
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
    ).values_list("event_id", "other_members", "listed_members", "non_members", "event__code", "event__title",
                  "event__held_on", "event__format", "event__organiser__periods__name",
                  "event__organiser__periods__depth").order_by()
    for (event_id, other_members, listed, non_members, code, title, held_on, event_format, organiser_name,
         depth) in sites:
        line = lines.get(event_id)
        if line is None:
            line = lines[event_id] = EventLine(
                id=event_id, code=code, title=title, held_on=held_on, format=event_format,
                organiser_name=organiser_name, organiser_depth=depth, organised_here=False,
            )
        line.sites += 1
        line.member_person_times += other_members + listed
        line.non_member_person_times += non_members
    return sorted(lines.values(), key=lambda line: (line.held_on, line.code, line.id))


def by_level(lines: list[EventLine]) -> list[LevelEvents]:
    """The events organised in the subtree summed per level of their organiser, top level first."""
    levels: dict[int, LevelEvents] = {}
    for line in lines:
        if not line.organised_here:
            continue
        level = levels.setdefault(line.organiser_depth, LevelEvents(depth=line.organiser_depth))
        level.events += 1
        level.by_format[line.format] += 1
        level.member_person_times += line.member_person_times
        level.non_member_person_times += line.non_member_person_times
    return [levels[depth] for depth in sorted(levels)]


def report_events(*, unit: Unit, campaign: Campaign, as_of: datetime.date) -> ReportEvents:
    """What a report says of the events: those attended from above, and the levels' totals."""
    lines = event_lines(unit=unit, campaign=campaign, as_of=as_of)
    return ReportEvents(attended=[line for line in lines if not line.organised_here], levels=by_level(lines))
