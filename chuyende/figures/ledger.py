"""The maintained counters: per unit, per campaign, per day deltas that the roll-up adds up.

Every service that writes a counted record calls `track(...)` before its writes, naming the
records it touches, and `finish()` after them. `track` reads the facts those records stand for;
`finish` reads them again, and the difference, spread over each unit and its ancestors, is added
to `DailyCount` in the same transaction. The tree state of a unit (is it a leaf, does it have a
source) is recomputed and reconciled with its stored "own_" counters. `rebuild` writes every
counter from the records and `differences` compares what is stored with what the records give
(`figures_rebuild`, `figures_verify`). The counting rules applied here are those of DOMAIN.md §3
(see rollup.py).
"""

import datetime
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.db import connection, transaction
from django.db.models import Count, Max, Min

from chuyende.events.models import Event, Site, StudyRecord
from chuyende.figures import openings
from chuyende.figures.counters import COUNTERS, OWN_STRUCTURE, STATUSES
from chuyende.figures.models import EVERY_CAMPAIGN, DailyCount, OpeningCount
from chuyende.members.models import Member, MemberPlacement, MemberStatus
from chuyende.organisation.models import PATH_SEGMENT_WIDTH, Unit, UnitPeriod
from chuyende.outreach.models import Outreach
from chuyende.pledges.models import Pledge, PledgeReturn
from chuyende.returns.models import MemberReturn, NonMemberReturn

FIRST_DAY = datetime.date(1, 1, 1)  # an open start: counted on every date
CHUNK = 2000

Window = tuple[datetime.date, datetime.date | None]  # [start, end), end None = still running
RowKey = tuple[int, int, datetime.date]  # unit, campaign, day


def ancestors_or_self(path: str) -> list[int]:
    """Unit ids on a path, root first: the path is made of the ids themselves."""
    return [int(path[i:i + PATH_SEGMENT_WIDTH - 1]) for i in range(0, len(path), PATH_SEGMENT_WIDTH)]


def intersect(a: Window, b: Window) -> Window | None:
    start = max(a[0], b[0])
    ends = [end for end in (a[1], b[1]) if end is not None]
    end = min(ends) if ends else None
    return None if end is not None and end <= start else (start, end)


def union(windows: Iterable[Window]) -> list[Window]:
    merged: list[Window] = []
    for start, end in sorted(windows, key=lambda w: w[0]):
        if merged and (merged[-1][1] is None or merged[-1][1] >= start):
            last_start, last_end = merged[-1]
            merged[-1] = (last_start, None if end is None or last_end is None else max(end, last_end))
        else:
            merged.append((start, end))
    return merged


def subtract(windows: list[Window], holes: list[Window]) -> list[Window]:
    result = windows
    for hole in holes:
        cut: list[Window] = []
        for window in result:
            if intersect(window, hole) is None:
                cut.append(window)
                continue
            if window[0] < hole[0]:
                cut.append((window[0], hole[0]))
            if hole[1] is not None and (window[1] is None or window[1] > hole[1]):
                cut.append((hole[1], window[1]))
        result = cut
    return result


def unit_window(opened_on: datetime.date | None, closed_on: datetime.date | None) -> Window:
    return (opened_on or FIRST_DAY, closed_on)


class Deltas:
    """Sparse deltas by (unit, campaign, day) and counter."""

    def __init__(self) -> None:
        self.rows: dict[RowKey, dict[str, int]] = defaultdict(lambda: defaultdict(int))

    def add(self, units: Iterable[int], campaign: int, day: datetime.date, counter: str, n: int) -> None:
        if n:
            for unit_id in units:
                self.rows[(unit_id, campaign, day)][counter] += n

    def over(self, units: Iterable[int], campaign: int, window: Window, counter: str, n: int = 1) -> None:
        """`n` counted from the window's start until its end."""
        units = list(units)
        self.add(units, campaign, window[0], counter, n)
        if window[1] is not None:
            self.add(units, campaign, window[1], counter, -n)

    def step(self, tree: "_Tree", unit_id: int, campaign: int, window: Window, counter: str,
             n: int = 1) -> None:
        """`n` counted in the unit and its ancestors from the window's start until its end, on the
        tree of each day: where the unit moves, the count leaves the old ancestors for the new."""
        if n:
            for part, chain in tree.chains(unit_id, window):
                self.over(chain, campaign, part, counter, n)

    def subtract(self, other: "Deltas") -> None:
        for key, counters in other.rows.items():
            row = self.rows[key]
            for counter, n in counters.items():
                row[counter] -= n

    def nonzero(self) -> dict[RowKey, dict[str, int]]:
        result = {}
        for key, counters in self.rows.items():
            kept = {counter: n for counter, n in counters.items() if n}
            if kept:
                result[key] = kept
        return result


# --- facts: what the records say, read in a constant number of queries ---------------------------


@dataclass
class MemberFacts:
    member_id: int
    placements: list[tuple[Window, int]]  # the member's unit by period
    periods: list[tuple[Window, str]] = field(default_factory=list)
    studies: list[tuple[int, datetime.date]] = field(default_factory=list)
    pledges: list[tuple[int, datetime.date, str, datetime.date | None]] = field(default_factory=list)


@dataclass
class EventFacts:
    campaign_id: int
    held_on: datetime.date
    organiser_id: int
    format: str
    sites: list[tuple[int, int, int]]  # unit, member person-times, non-member person-times


@dataclass
class ReturnFacts:
    unit_id: int
    campaign_id: int
    members: list[tuple[datetime.date, int, int, int, int]] = field(default_factory=list)
    non_members: list[tuple[datetime.date, int, int]] = field(default_factory=list)
    pledges: list[tuple[datetime.date, int, int, int, int]] = field(default_factory=list)


@dataclass
class OutreachFacts:
    campaign_id: int
    unit_id: int
    held_on: datetime.date
    channel: str
    sessions: int
    reach: int | None


@dataclass
class Facts:
    members: list[MemberFacts] = field(default_factory=list)
    events: list[EventFacts] = field(default_factory=list)
    returns: list[ReturnFacts] = field(default_factory=list)
    outreach: list[OutreachFacts] = field(default_factory=list)

    def unit_ids(self) -> set[int]:
        ids = {unit_id for m in self.members for _, unit_id in m.placements}
        ids |= {r.unit_id for r in self.returns}
        ids |= {o.unit_id for o in self.outreach}
        for event in self.events:
            ids.add(event.organiser_id)
            ids.update(site[0] for site in event.sites)
        return ids


def _chunks(ids: Sequence[int]) -> Iterator[list[int]]:
    for start in range(0, len(ids), CHUNK):
        yield list(ids[start:start + CHUNK])


def member_facts(member_ids: Iterable[int]) -> list[MemberFacts]:
    facts: dict[int, MemberFacts] = {}
    ids = sorted(set(member_ids))
    for chunk in _chunks(ids):
        rows = Member.objects.filter(pk__in=chunk).values_list(
            "pk", "unit_id", "unit_since", "placements__unit_id", "placements__valid_from",
            "placements__valid_to",
        ).order_by()
        for pk, unit_id, since, earlier_unit, earlier_from, earlier_to in rows:
            if pk not in facts:
                facts[pk] = MemberFacts(member_id=pk, placements=[((since or FIRST_DAY, None), unit_id)])
            if earlier_unit is not None:
                facts[pk].placements.append(((earlier_from or FIRST_DAY, earlier_to), earlier_unit))
        _add_member_records(facts, MemberStatus.objects.filter(member_id__in=chunk),
                            StudyRecord.objects.filter(member_id__in=chunk),
                            Pledge.objects.filter(member_id__in=chunk))
    return list(facts.values())


def _add_member_records(facts: dict[int, MemberFacts], statuses, studies, pledges) -> None:  # type: ignore[no-untyped-def]
    for member_id, status, valid_from, valid_to in statuses.values_list(
        "member_id", "status", "valid_from", "valid_to"
    ).order_by().iterator(chunk_size=CHUNK):
        if member_id in facts and status in STATUSES:
            facts[member_id].periods.append(((valid_from or FIRST_DAY, valid_to), status))
    for member_id, campaign_id, day in studies.values_list(
        "member_id", "campaign_id", "first_studied_on"
    ).order_by().iterator(chunk_size=CHUNK):
        if member_id in facts:
            facts[member_id].studies.append((campaign_id, day))
    for member_id, campaign_id, registered_on, rating, rated_on in pledges.values_list(
        "member_id", "campaign_id", "registered_on", "rating", "rated_on"
    ).order_by().iterator(chunk_size=CHUNK):
        if member_id in facts:
            facts[member_id].pledges.append((campaign_id, registered_on, rating, rated_on))


def event_facts(event_ids: Iterable[int]) -> list[EventFacts]:
    facts: dict[int, EventFacts] = {}
    ids = sorted(set(event_ids))
    for chunk in _chunks(ids):
        for pk, campaign_id, held_on, organiser_id, event_format in Event.objects.filter(
            pk__in=chunk
        ).values_list("pk", "campaign_id", "held_on", "organiser_id", "format").order_by():
            facts[pk] = EventFacts(campaign_id=campaign_id, held_on=held_on, organiser_id=organiser_id,
                                   format=event_format, sites=[])
        _add_sites(facts, Site.objects.filter(event_id__in=chunk))
    return list(facts.values())


def _add_sites(facts: dict[int, EventFacts], sites) -> None:  # type: ignore[no-untyped-def]
    for event_id, unit_id, other_members, listed, non_members in sites.values_list(
        "event_id", "unit_id", "other_members", "listed_members", "non_members"
    ).order_by().iterator(chunk_size=CHUNK):
        if event_id in facts:
            facts[event_id].sites.append((unit_id, other_members + listed, non_members))


def return_facts(pairs: Iterable[tuple[int, int]]) -> list[ReturnFacts]:
    """Every return of each (unit, campaign) pair: which one is in force depends on the others."""
    by_unit: dict[int, set[int]] = defaultdict(set)
    for unit_id, campaign_id in pairs:
        by_unit[unit_id].add(campaign_id)
    facts = {(unit_id, campaign_id): ReturnFacts(unit_id=unit_id, campaign_id=campaign_id)
             for unit_id, campaigns in by_unit.items() for campaign_id in campaigns}
    for chunk in _chunks(sorted(by_unit)):
        _add_returns(facts, MemberReturn.objects.filter(unit_id__in=chunk),
                     NonMemberReturn.objects.filter(unit_id__in=chunk),
                     PledgeReturn.objects.filter(unit_id__in=chunk))
    return list(facts.values())


def _add_returns(facts: dict[tuple[int, int], ReturnFacts], members, non_members, pledges) -> None:  # type: ignore[no-untyped-def]
    for unit_id, campaign_id, as_of, *counts in members.values_list(
        "unit_id", "campaign_id", "as_of", "members_total", "exempt", "away", "studied"
    ).order_by().iterator(chunk_size=CHUNK):
        if (unit_id, campaign_id) in facts:
            facts[(unit_id, campaign_id)].members.append((as_of, *counts))
    for unit_id, campaign_id, as_of, *counts in non_members.values_list(
        "unit_id", "campaign_id", "as_of", "expected", "studied"
    ).order_by().iterator(chunk_size=CHUNK):
        if (unit_id, campaign_id) in facts:
            facts[(unit_id, campaign_id)].non_members.append((as_of, *counts))
    for unit_id, campaign_id, as_of, *counts in pledges.values_list(
        "unit_id", "campaign_id", "as_of", "registered", "excellent", "good", "not_met"
    ).order_by().iterator(chunk_size=CHUNK):
        if (unit_id, campaign_id) in facts:
            facts[(unit_id, campaign_id)].pledges.append((as_of, *counts))


def outreach_facts(outreach_ids: Iterable[int]) -> list[OutreachFacts]:
    ids = sorted(set(outreach_ids))
    facts = []
    for chunk in _chunks(ids):
        facts += [
            OutreachFacts(campaign_id=c, unit_id=u, held_on=h, channel=ch, sessions=s, reach=r)
            for c, u, h, ch, s, r in Outreach.objects.filter(pk__in=chunk).values_list(
                "campaign_id", "unit_id", "held_on", "channel", "sessions", "reach"
            ).order_by()
        ]
    return facts


# --- from facts to deltas ----------------------------------------------------------------------


def count_facts(facts: Facts, tree: "_Tree", into: Deltas) -> None:
    for member in facts.members:
        _count_member(member, tree, into)
    for event in facts.events:
        _count_event(event, tree, into)
    for returns in facts.returns:
        _count_returns(returns, tree, into)
    for outreach in facts.outreach:
        _count_outreach(outreach, tree, into)


def _count_member(member: MemberFacts, tree: "_Tree", into: Deltas) -> None:
    """A member counts in their unit of the day while it is open and tracked per person, by their
    status on the date."""
    for placed, unit_id in member.placements:
        for tracked in tree.tracked(unit_id, Unit.Tracking.INDIVIDUAL):
            span = intersect(placed, tracked)
            if span is not None:
                _count_member_in(member, unit_id, span, tree, into)


def _count_member_in(member: MemberFacts, unit_id: int, span: Window, tree: "_Tree", into: Deltas) -> None:
    for period, status in member.periods:
        window = intersect(period, span)
        if window is None:
            continue
        into.step(tree, unit_id, EVERY_CAMPAIGN, window, f"members_{status}")
        for campaign_id, first_studied_on in member.studies:
            studied = intersect(window, (first_studied_on, None))
            if studied is not None:
                into.step(tree, unit_id, campaign_id, studied, f"studied_{status}")
        for campaign_id, registered_on, rating, rated_on in member.pledges:
            pledged = intersect(window, (registered_on, None))
            if pledged is None:
                continue
            into.step(tree, unit_id, campaign_id, pledged, f"pledged_{status}")
            if rating and rated_on is not None:
                rated = intersect(pledged, (rated_on, None))
                if rated is not None:
                    into.step(tree, unit_id, campaign_id, rated, f"rated_{status}_{rating}")


def _count_event(event: EventFacts, tree: "_Tree", into: Deltas) -> None:
    """Events count for their organiser; bridge points for the unit that hosts them; an event is
    held once in every unit whose subtree organised it or hosted one of its points (on the tree of
    each day from the event on)."""
    since: Window = (event.held_on, None)
    organiser, campaign = event.organiser_id, event.campaign_id
    into.step(tree, organiser, campaign, since, "events_organised")
    into.step(tree, organiser, campaign, since, f"events_{event.format}")
    places = [organiser]
    for unit_id, members, non_members in event.sites:
        places.append(unit_id)
        into.step(tree, unit_id, campaign, since, "member_person_times", members)
        into.step(tree, unit_id, campaign, since, "non_member_person_times", non_members)
    for part, held in tree.union_of_chains(places, since):
        into.over(held, campaign, part, "events_held", 1)


def _in_force(as_of_days: list[datetime.date], unit: Window) -> Iterator[tuple[int, Window]]:
    """(index, window) of each return: in force from its date until the next one, while the unit is open."""
    order = sorted(range(len(as_of_days)), key=lambda i: as_of_days[i])
    for position, index in enumerate(order):
        following = as_of_days[order[position + 1]] if position + 1 < len(order) else None
        window = intersect((as_of_days[index], following), unit)
        if window is not None:
            yield index, window


def _count_returns(returns: ReturnFacts, tree: "_Tree", into: Deltas) -> None:
    """Member and pledge returns count while the unit reports counts; non-member returns while
    it is open."""
    unit, campaign = returns.unit_id, returns.campaign_id
    for reporting in tree.tracked(unit, Unit.Tracking.AGGREGATE):
        for index, window in _in_force([r[0] for r in returns.members], reporting):
            _, total, exempt, away, studied = returns.members[index]
            for counter, n in (("return_total", total), ("return_exempt", exempt), ("return_away", away),
                               ("return_studied", studied)):
                into.step(tree, unit, campaign, window, counter, n)
        for index, window in _in_force([r[0] for r in returns.pledges], reporting):
            _, registered, excellent, good, not_met = returns.pledges[index]
            for counter, n in (("pledge_return_registered", registered),
                               ("pledge_return_excellent", excellent), ("pledge_return_good", good),
                               ("pledge_return_not_met", not_met)):
                into.step(tree, unit, campaign, window, counter, n)
    for index, window in _in_force([r[0] for r in returns.non_members], tree.open[unit]):
        _, expected, studied = returns.non_members[index]
        into.step(tree, unit, campaign, window, "non_members_expected", expected)
        into.step(tree, unit, campaign, window, "non_members_studied", studied)


def _count_outreach(outreach: OutreachFacts, tree: "_Tree", into: Deltas) -> None:
    """Sessions and known reach; sessions whose reach is unknown are counted apart, never guessed."""
    unit, since = outreach.unit_id, (outreach.held_on, None)
    campaign, channel = outreach.campaign_id, outreach.channel
    into.step(tree, unit, campaign, since, f"outreach_sessions_{channel}", outreach.sessions)
    if outreach.reach is None:
        into.step(tree, unit, campaign, since, f"outreach_unknown_{channel}", outreach.sessions)
    else:
        into.step(tree, unit, campaign, since, f"outreach_reach_{channel}", outreach.reach)


# --- the tree state of units: leaves and sources --------------------------------------------------


@dataclass
class UnitState:
    """When a unit is a leaf (open, with no open sub-unit) and when it has a source of figures:
    people on its roster (tracked per person) or a member return in force (per campaign)."""

    unit_id: int
    leaf: list[Window]
    sources: dict[int, list[Window]]  # campaign (EVERY_CAMPAIGN for a roster) -> windows


def unit_states(unit_ids: Iterable[int], tree: "_Tree") -> list[UnitState]:
    """The units' leaf and source windows on the dated tree (`tree` knows every one of them)."""
    ids = sorted(set(unit_ids))
    states = []
    for chunk in _chunks(ids):
        children: dict[int, list[Window]] = defaultdict(list)
        for parent_id, valid_from, valid_to, opened_on, closed_on in UnitPeriod.objects.filter(
            parent_id__in=chunk
        ).values_list("parent_id", "valid_from", "valid_to", "unit__opened_on", "unit__closed_on").order_by():
            below = intersect((valid_from or FIRST_DAY, valid_to), unit_window(opened_on, closed_on))
            if below is not None:
                children[parent_id].append(below)
        per_person = {pk: tree.tracked(pk, Unit.Tracking.INDIVIDUAL) for pk in chunk}
        reporting = {pk: tree.tracked(pk, Unit.Tracking.AGGREGATE) for pk in chunk}
        rosters = _roster_windows([pk for pk in chunk if per_person[pk]])
        returns = _return_starts([pk for pk in chunk if reporting[pk]])
        for pk in chunk:
            sources: dict[int, list[Window]] = {}
            if per_person[pk]:
                sources[EVERY_CAMPAIGN] = _clip(rosters.get(pk, []), per_person[pk])
            for campaign, day in returns.get(pk, {}).items():
                sources[campaign] = _clip([(day, None)], reporting[pk])
            states.append(UnitState(
                unit_id=pk,
                leaf=subtract([tree.open[pk]], union(children[pk])),
                sources={c: ws for c, ws in sources.items() if ws},
            ))
    return states


def _clip(windows: list[Window], within: list[Window]) -> list[Window]:
    return union(w for w in (intersect(a, b) for a in windows for b in within) if w is not None)


def _roster_windows(unit_ids: list[int]) -> dict[int, list[Window]]:
    """When each unit had someone on its roster: a member placed in it with a counted status."""
    windows: dict[int, list[Window]] = defaultdict(list)
    if not unit_ids:
        return {}
    statuses = MemberStatus.objects.filter(status__in=STATUSES)
    for unit_id, since, valid_from, valid_to in statuses.filter(member__unit_id__in=unit_ids).values_list(
        "member__unit_id", "member__unit_since", "valid_from", "valid_to"
    ).order_by().iterator(chunk_size=CHUNK):
        both = intersect((since or FIRST_DAY, None), (valid_from or FIRST_DAY, valid_to))
        if both is not None:
            windows[unit_id].append(both)
    for unit_id, placed_from, placed_to, valid_from, valid_to in statuses.filter(
        member__placements__unit_id__in=unit_ids
    ).values_list(
        "member__placements__unit_id", "member__placements__valid_from", "member__placements__valid_to",
        "valid_from", "valid_to",
    ).order_by().iterator(chunk_size=CHUNK):
        both = intersect((placed_from or FIRST_DAY, placed_to), (valid_from or FIRST_DAY, valid_to))
        if both is not None:
            windows[unit_id].append(both)
    return {unit_id: union(ws) for unit_id, ws in windows.items()}


def _return_starts(unit_ids: list[int]) -> dict[int, dict[int, datetime.date]]:
    starts: dict[int, dict[int, datetime.date]] = defaultdict(dict)
    if unit_ids:
        for unit_id, campaign_id, first in MemberReturn.objects.filter(unit_id__in=unit_ids).values_list(
            "unit_id", "campaign_id"
        ).annotate(first=Min("as_of")).order_by():
            starts[unit_id][campaign_id] = first
    return starts


def count_state(state: UnitState, into: Deltas) -> None:
    """A unit's own tree counters (`own_…`), kept on the unit alone."""
    unit = [state.unit_id]
    for window in state.leaf:
        into.over(unit, EVERY_CAMPAIGN, window, "own_leaves")
    for campaign, windows in state.sources.items():
        for window in windows:
            into.over(unit, campaign, window, "own_sourced")
            for leaf in state.leaf:
                both = intersect(window, leaf)
                if both is not None:
                    into.over(unit, campaign, both, "own_sourced_leaves")


def spread_own(own: Deltas, tree: "_Tree", into: Deltas) -> None:
    """Adds own tree counters to the unit and, under their subtree names, to it and its ancestors."""
    for (unit_id, campaign, day), counters in own.rows.items():
        for counter, n in counters.items():
            into.add([unit_id], campaign, day, counter, n)
            into.step(tree, unit_id, campaign, (day, None), counter.removeprefix("own_"), n)


def spread(own: Deltas, tree: "_Tree", into: Deltas) -> None:
    """Adds deltas counted on their unit alone to it and its ancestors of each day."""
    for (unit_id, campaign, day), counters in own.rows.items():
        for counter, n in counters.items():
            into.step(tree, unit_id, campaign, (day, None), counter, n)


# --- writing -----------------------------------------------------------------------------------


def _upsert(rows: dict[RowKey, dict[str, int]]) -> None:
    """Adds the deltas to the stored rows, and to the openings after their days. Only the counters
    that change are named (the others keep their database default of 0): a write changes a few of
    the seventy."""
    if not rows:
        return
    table = connection.ops.quote_name(DailyCount._meta.db_table)
    counters = [c for c in COUNTERS if any(c in changes for changes in rows.values())]
    quoted = [connection.ops.quote_name(c) for c in ("unit_id", "campaign_id", "day", *counters)]
    updates = ", ".join(f"{q} = {table}.{q} + excluded.{q}" for q in quoted[3:])
    per_row = "(" + ", ".join(["%s"] * len(quoted)) + ")"
    ordered = sorted(rows.items())  # one order for every writer: no deadlock between two of them
    size = max(1, 30000 // len(quoted))
    with connection.cursor() as cursor:
        for start in range(0, len(ordered), size):
            batch = ordered[start:start + size]
            params: list[Any] = []
            for (unit_id, campaign, day), changes in batch:
                params += [unit_id, campaign, day, *(changes.get(c, 0) for c in counters)]
            values = ", ".join([per_row] * len(batch))
            cursor.execute(
                f"INSERT INTO {table} ({', '.join(quoted)}) VALUES {values} "
                f"ON CONFLICT (unit_id, campaign_id, day) DO UPDATE SET {updates}",
                params,
            )
            cursor.execute(_carry_into_openings(quoted, values), params)


def _carry_into_openings(quoted: list[str], values: str) -> str:
    """The statement adding each delta to the unit's openings after its day (several deltas may
    fall before one opening, hence the sums). The sums are a MATERIALIZED CTE: as a subquery,
    PostgreSQL may plan it again for every opening row."""
    table = connection.ops.quote_name(OpeningCount._meta.db_table)
    unit, campaign, day, *counters = quoted
    sums = ", ".join(f"SUM(d.{q}) AS {q}" for q in counters)
    updates = ", ".join(f"{q} = carried.{q} + {table}.{q}" for q in counters)
    return (
        f"WITH d ({', '.join(quoted)}) AS (VALUES {values}), "
        f"carried AS MATERIALIZED (SELECT o.id AS opening_id, {sums} FROM {table} o JOIN d "
        f"ON o.{unit} = d.{unit} AND o.{campaign} = d.{campaign} AND o.{day} > d.{day} GROUP BY o.id) "
        f"UPDATE {table} SET {updates} FROM carried WHERE {table}.id = carried.opening_id"
    )


def _insert_all(model: type[DailyCount | OpeningCount], rows: dict[RowKey, dict[str, int]]) -> None:
    """Writes rows into an emptied table or new rows: COPY on PostgreSQL (binding millions of
    parameters one by one takes hours there), many rows a statement on SQLite."""
    if not rows:
        return
    table = connection.ops.quote_name(model._meta.db_table)
    names = [connection.ops.quote_name(c) for c in ("unit_id", "campaign_id", "day", *COUNTERS)]
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            with cursor.cursor.copy(f"COPY {table} ({', '.join(names)}) FROM STDIN") as copy:
                for (unit_id, campaign, day), changes in rows.items():
                    copy.write_row((unit_id, campaign, day, *(changes.get(c, 0) for c in COUNTERS)))
            return
        per_row = "(" + ", ".join(["%s"] * len(names)) + ")"
        ordered = list(rows.items())
        size = max(1, 30000 // len(names))
        for start in range(0, len(ordered), size):
            batch = ordered[start:start + size]
            params: list[Any] = []
            for (unit_id, campaign, day), changes in batch:
                params += [unit_id, campaign, day, *(changes.get(c, 0) for c in COUNTERS)]
            values = ", ".join([per_row] * len(batch))
            cursor.execute(f"INSERT INTO {table} ({', '.join(names)}) VALUES {values}", params)


class _Tree:
    """The dated tree of some units: when each is open, and by period its ancestors-or-self and
    tracking mode (one query for all of them; units asked for later are read when first needed).
    `alone`: each unit's chain is the unit itself (counting on a unit before spreading up)."""

    def __init__(self, unit_ids: Iterable[int] | None, *, alone: bool = False) -> None:
        """`None`: every unit."""
        self.open: dict[int, Window] = {}
        self.periods: dict[int, list[tuple[Window, str, str]]] = defaultdict(list)  # window, path, tracking
        self.alone = alone
        if unit_ids is None:
            self._read(UnitPeriod.objects.all())
        else:
            self.ensure(unit_ids)

    def ensure(self, unit_ids: Iterable[int]) -> None:
        for chunk in _chunks(sorted(set(unit_ids) - self.open.keys())):
            self._read(UnitPeriod.objects.filter(unit_id__in=chunk))

    def _read(self, periods: Any) -> None:
        for unit_id, valid_from, valid_to, path, tracking, opened_on, closed_on in periods.values_list(
            "unit_id", "valid_from", "valid_to", "path", "tracking", "unit__opened_on", "unit__closed_on"
        ).order_by().iterator(chunk_size=CHUNK):
            self.open[unit_id] = unit_window(opened_on, closed_on)
            self.periods[unit_id].append(((valid_from or FIRST_DAY, valid_to), path, tracking))

    def on_own(self) -> "_Tree":
        """The same tree, every unit counting alone."""
        view = _Tree((), alone=True)
        view.open, view.periods = self.open, self.periods
        return view

    def chains(self, unit_id: int, window: Window) -> list[tuple[Window, list[int]]]:
        if self.alone:
            return [(window, [unit_id])]
        found = []
        for period, path, _ in self.periods[unit_id]:
            part = intersect(period, window)
            if part is not None:
                found.append((part, ancestors_or_self(path)))
        return found

    def union_of_chains(self, unit_ids: list[int], window: Window) -> list[tuple[Window, set[int]]]:
        """Each piece of the window where the units' chains stay the same, with all of them."""
        cuts = {window[0]}
        for unit_id in unit_ids:
            for period, _, _ in self.periods[unit_id]:
                cuts.update(day for day in period
                            if day is not None and window[0] < day and (window[1] is None or day < window[1]))
        ordered = sorted(cuts)
        pieces = []
        for index, start in enumerate(ordered):
            end = ordered[index + 1] if index + 1 < len(ordered) else window[1]
            units: set[int] = set()
            for unit_id in unit_ids:
                for _, chain in self.chains(unit_id, (start, end)):
                    units.update(chain)
            pieces.append(((start, end), units))
        return pieces

    def tracked(self, unit_id: int, mode: str) -> list[Window]:
        """When the unit was open and kept in `mode`."""
        return union(w for w in (intersect(period, self.open[unit_id])
                                 for period, _, tracking in self.periods[unit_id] if tracking == mode)
                     if w is not None)


@dataclass
class Touched:
    members: set[int] = field(default_factory=set)
    events: set[int] = field(default_factory=set)
    returns: set[tuple[int, int]] = field(default_factory=set)  # (unit, campaign)
    outreach: set[int] = field(default_factory=set)
    units: set[int] = field(default_factory=set)

    def facts(self) -> Facts:
        return Facts(members=member_facts(self.members), events=event_facts(self.events),
                     returns=return_facts(self.returns), outreach=outreach_facts(self.outreach))


class Maintenance:
    """Records touched by a write; more may be named once created (their "before" is nothing).

    Units named in `touched.units` may change place: the tree of the records' units is read before
    the write (for what they counted) and after it (for what they count), so every unit whose place
    or periods a write changes must be named with its whole subtree and the records held there."""

    def __init__(self, touched: Touched) -> None:
        self.touched = touched
        self.before = touched.facts()
        self.tree_before: _Tree | None = None
        if touched.units:
            self.tree_before = _Tree(self.before.unit_ids() | touched.units | _parents(touched.units))

    def also(self, *, members: Iterable[int] = (), events: Iterable[int] = (),
             returns: Iterable[tuple[int, int]] = (), outreach: Iterable[int] = (),
             units: Iterable[int] = ()) -> None:
        self.touched.members.update(members)
        self.touched.events.update(events)
        self.touched.returns.update(returns)
        self.touched.outreach.update(outreach)
        self.touched.units.update(units)

    def finish(self) -> None:
        after = self.touched.facts()
        state_units = self.touched.units | {r.unit_id for r in (*self.before.returns, *after.returns)}
        state_units |= _members_moved_or_restated(self.before.members, after.members)
        state_units |= _parents(state_units)
        tree = _Tree(self.before.unit_ids() | after.unit_ids() | state_units)
        tree_before = tree if self.tree_before is None else self.tree_before
        if self.tree_before is not None:
            state_units |= _parents(state_units, tree_before)
            tree.ensure(state_units)
            tree_before.ensure(self.before.unit_ids() | state_units)  # unmoved: as they are now
        deltas = Deltas()
        count_facts(after, tree, deltas)
        before = Deltas()
        count_facts(self.before, tree_before, before)
        deltas.subtract(before)
        _reconcile_states(state_units, tree, tree_before, deltas)
        _upsert(deltas.nonzero())


def _parents(unit_ids: set[int], tree: "_Tree | None" = None) -> set[int]:
    """Every unit that was ever the parent of one of the units (on `tree`, else as stored now)."""
    if not unit_ids:
        return set()
    if tree is not None:
        tree.ensure(unit_ids)
        return {ancestors_or_self(path)[-2] for unit_id in unit_ids
                for _, path, _ in tree.periods[unit_id] if len(path) > PATH_SEGMENT_WIDTH}
    parents: set[int] = set()
    for chunk in _chunks(sorted(unit_ids)):
        parents.update(UnitPeriod.objects.filter(unit_id__in=chunk, parent__isnull=False)
                       .values_list("parent_id", flat=True).order_by())
    return parents


def _members_moved_or_restated(before: list[MemberFacts], after: list[MemberFacts]) -> set[int]:
    """Units whose sources may have changed: a member's units or status periods changed (a new study
    record or pledge changes no source)."""
    def standing(facts: MemberFacts) -> tuple[object, ...]:
        return (sorted(facts.placements), sorted(facts.periods))

    def units(facts: MemberFacts) -> set[int]:
        return {unit_id for _, unit_id in facts.placements}

    was = {facts.member_id: facts for facts in before}
    found: set[int] = set()
    for facts in after:
        old = was.pop(facts.member_id, None)
        if old is None or standing(old) != standing(facts):
            found |= units(facts)
            if old is not None:
                found |= units(old)
    for facts in was.values():
        found |= units(facts)
    return found


def _reconcile_states(unit_ids: set[int], tree: _Tree, tree_before: _Tree, into: Deltas) -> None:
    """Recomputes the units' tree state: the stored own counters, spread on the tree they were
    written on, are taken away, and the fresh ones spread on the tree of now."""
    if not unit_ids:
        return
    fresh = Deltas()
    for state in unit_states(unit_ids, tree):
        count_state(state, fresh)
    stored = Deltas()
    for chunk in _chunks(sorted(unit_ids)):
        for row in DailyCount.objects.filter(unit_id__in=chunk).exclude(
            own_leaves=0, own_sourced=0, own_sourced_leaves=0
        ).values("unit_id", "campaign_id", "day", *OWN_STRUCTURE):
            for counter in OWN_STRUCTURE:
                stored.add([row["unit_id"]], row["campaign_id"], row["day"], counter, row[counter])
    taken = Deltas()
    spread_own(stored, tree_before, taken)
    spread_own(fresh, tree, into)
    into.subtract(taken)


def track(*, members: Iterable[int] = (), events: Iterable[int] = (),
          returns: Iterable[tuple[int, int]] = (), outreach: Iterable[int] = (),
          units: Iterable[int] = ()) -> Maintenance:
    """Reads the named records' facts now; the caller writes, then calls `finish()` in the same
    transaction (a service's own atomic block: if the write fails, nothing was added)."""
    return Maintenance(Touched(members=set(members), events=set(events), returns=set(returns),
                               outreach=set(outreach), units=set(units)))


# --- from scratch ------------------------------------------------------------------------------


def expected_counts(*, say: Callable[[str], None] | None = None) -> dict[RowKey, dict[str, int]]:
    """Every counter as the records give it, from scratch."""
    tree = _Tree(None)
    alone = tree.on_own()
    own = Deltas()  # members, returns and outreach counted on their own unit, then spread up once
    members = list(Member.objects.values_list("pk", flat=True).order_by("unit_id", "pk"))
    for start in range(0, len(members), 20 * CHUNK):
        count_facts(Facts(members=member_facts(members[start:start + 20 * CHUNK])), alone, own)
        if say:
            say(f"{min(start + 20 * CHUNK, len(members))} of {len(members)} members counted")
    count_facts(Facts(returns=return_facts(_return_pairs()),
                      outreach=outreach_facts(Outreach.objects.values_list("pk", flat=True))), alone, own)
    deltas = Deltas()
    spread(own, tree, deltas)
    del own
    count_facts(Facts(events=event_facts(Event.objects.values_list("pk", flat=True))), tree, deltas)
    states = Deltas()
    for state in unit_states(tree.open, tree):
        count_state(state, states)
    spread_own(states, tree, deltas)
    return deltas.nonzero()


def _return_pairs(unit_id: int | None = None) -> set[tuple[int, int]]:
    """(unit, campaign) of every return of any kind, or of one unit's."""
    pairs: set[tuple[int, int]] = set()
    for model in (MemberReturn, NonMemberReturn, PledgeReturn):
        returns = model.objects.all() if unit_id is None else model.objects.filter(unit_id=unit_id)
        pairs.update(returns.values_list("unit_id", "campaign_id").distinct().order_by())
    return pairs


def stored_counts() -> dict[RowKey, dict[str, int]]:
    stored = Deltas()
    rows = DailyCount.objects.values("unit_id", "campaign_id", "day", *COUNTERS)
    for row in rows.iterator(chunk_size=CHUNK):
        key = (row["unit_id"], row["campaign_id"], row["day"])
        for counter in COUNTERS:
            if row[counter]:
                stored.rows[key][counter] += row[counter]
    return stored.nonzero()


@transaction.atomic
def rebuild(*, say: Callable[[str], None] | None = None, min_rows: int = openings.MIN_ROWS) -> int:
    """Deletes every counter and opening and writes them again from the records; returns the
    counter rows written."""
    counts = expected_counts(say=say)
    DailyCount.objects.all().delete()
    OpeningCount.objects.all().delete()
    _insert_all(DailyCount, counts)
    opening_rows = openings.openings_of(counts, min_rows=min_rows)
    _insert_all(OpeningCount, opening_rows)
    if say:
        say(f"{len(counts)} counter rows and {len(opening_rows)} openings written")
    return len(counts)


@transaction.atomic
def add_openings(*, min_rows: int = openings.MIN_ROWS) -> int:
    """Writes the openings the stored counters call for and that are not there yet (the months
    since the last run); returns how many. Writers wait until it commits."""
    _lock_counters()
    busy = {
        (row["unit_id"], row["campaign_id"])
        for row in DailyCount.objects.values("unit_id", "campaign_id")
        .annotate(rows=Count("id"), first=Min("day"), last=Max("day")).order_by()
        .filter(rows__gte=min_rows)
        .values("unit_id", "campaign_id")
    }
    existing = set(OpeningCount.objects.values_list("unit_id", "campaign_id", "day"))
    new: dict[RowKey, dict[str, int]] = {}
    for chunk in _chunks(sorted({unit_id for unit_id, _ in busy})):
        rows = DailyCount.objects.filter(unit_id__in=chunk).values("unit_id", "campaign_id", "day", *COUNTERS)
        stored = {(row["unit_id"], row["campaign_id"], row["day"]): {c: row[c] for c in COUNTERS if row[c]}
                  for row in rows.iterator(chunk_size=CHUNK)}
        for (unit_id, campaign), days in openings.by_pair(stored).items():
            if (unit_id, campaign) not in busy:
                continue
            missing = [day for day in openings.wanted(days, min_rows=min_rows)
                       if (unit_id, campaign, day) not in existing]
            for day, totals in openings.totals_before(days, missing).items():
                new[(unit_id, campaign, day)] = totals
    _insert_all(OpeningCount, new)
    return len(new)


def _lock_counters() -> None:
    """Keeps writers out until the transaction ends (they change counters the openings add up)."""
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(f"LOCK TABLE {connection.ops.quote_name(DailyCount._meta.db_table)} IN SHARE MODE")
        else:  # a write statement takes SQLite's write lock at once, even when it changes nothing
            table = connection.ops.quote_name(OpeningCount._meta.db_table)
            cursor.execute(f"DELETE FROM {table} WHERE 1 = 0")


@dataclass(frozen=True)
class Difference:
    unit_id: int
    campaign_id: int
    day: datetime.date
    counter: str
    stored: int
    expected: int
    opening: bool = False


def differences(*, say: Callable[[str], None] | None = None) -> list[Difference]:
    """What the stored counters and openings say that the records do not."""
    expected, stored = expected_counts(say=say), stored_counts()
    found = _compare(expected, stored, opening=False)
    kept = stored_openings()
    grouped = openings.by_pair(expected)
    should: dict[RowKey, dict[str, int]] = {}
    for (unit_id, campaign), days in openings.by_pair(kept).items():
        for day, totals in openings.totals_before(grouped.get((unit_id, campaign), []),
                                                  [day for day, _ in days]).items():
            should[(unit_id, campaign, day)] = totals
    return found + _compare(should, kept, opening=True)


def _compare(expected: dict[RowKey, dict[str, int]], stored: dict[RowKey, dict[str, int]], *,
             opening: bool) -> list[Difference]:
    found = []
    for key in sorted(expected.keys() | stored.keys()):
        want, have = expected.get(key, {}), stored.get(key, {})
        for counter in sorted(want.keys() | have.keys()):
            if want.get(counter, 0) != have.get(counter, 0):
                found.append(Difference(*key, counter=counter, stored=have.get(counter, 0),
                                        expected=want.get(counter, 0), opening=opening))
    return found


def stored_openings() -> dict[RowKey, dict[str, int]]:
    """Every opening, an all-zero one included (it still marks where a roll-up starts reading)."""
    rows = OpeningCount.objects.values("unit_id", "campaign_id", "day", *COUNTERS)
    return {(row["unit_id"], row["campaign_id"], row["day"]): {c: row[c] for c in COUNTERS if row[c]}
            for row in rows.iterator(chunk_size=CHUNK)}


def sums(*, unit_ids: Iterable[int], campaign_id: int, as_of: datetime.date) -> dict[int, dict[str, int]]:
    """Every counter of each unit's subtree on `as_of` for the campaign: the unit's latest opening
    on or before the date, and its deltas from the opening's day on (two queries, their SQL written
    once: the ORM spends longer building seventy sums than the database spends adding them)."""
    ids = list(unit_ids)
    if not ids:
        return {}
    campaigns = (EVERY_CAMPAIGN, campaign_id)
    totals: dict[int, dict[str, int]] = {}
    since: dict[tuple[int, datetime.date], list[int]] = defaultdict(list)  # (campaign, day) -> units
    opened = {}
    for unit_id, campaign, day, *values in _latest_openings(ids, campaigns, as_of):
        opened[(unit_id, campaign)] = day
        _add_into(totals, unit_id, values)
    for unit_id in ids:
        for campaign in campaigns:
            since[(campaign, opened.get((unit_id, campaign), FIRST_DAY))].append(unit_id)
    for unit_id, *values in _deltas_since(since, as_of):
        _add_into(totals, unit_id, values)
    return totals


def _add_into(totals: dict[int, dict[str, int]], unit_id: int, values: Sequence[int | None]) -> None:
    row = totals.setdefault(unit_id, dict.fromkeys(COUNTERS, 0))
    for counter, n in zip(COUNTERS, values, strict=True):
        row[counter] += n or 0


def _latest_openings(ids: list[int], campaigns: tuple[int, int],
                     as_of: datetime.date) -> list[tuple[Any, ...]]:
    quote = connection.ops.quote_name
    table = quote(OpeningCount._meta.db_table)
    columns = ", ".join(f"o.{quote(c)}" for c in COUNTERS)
    sql = (
        f"SELECT o.unit_id, o.campaign_id, o.day, {columns} FROM {table} o "
        f"WHERE o.unit_id IN ({', '.join(['%s'] * len(ids))}) AND o.campaign_id IN (%s, %s) "
        f"AND o.day = (SELECT MAX(p.day) FROM {table} p WHERE p.unit_id = o.unit_id "
        f"AND p.campaign_id = o.campaign_id AND p.day <= %s)"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [*ids, *campaigns, as_of])
        rows = cursor.fetchall()
    # A raw SQLite cursor may hand the day back as text.
    return [(unit_id, campaign, _as_date(day), *values) for unit_id, campaign, day, *values in rows]


def _as_date(day: datetime.date | str) -> datetime.date:
    return day if isinstance(day, datetime.date) else datetime.date.fromisoformat(day)


def _deltas_since(since: dict[tuple[int, datetime.date], list[int]],
                  as_of: datetime.date) -> list[tuple[Any, ...]]:
    """Sums of the deltas of each group of units from the group's day to `as_of`: one index range a
    unit (a UNION ALL of IN lists, which neither database turns into a scan of the table)."""
    quote = connection.ops.quote_name
    table = quote(DailyCount._meta.db_table)
    picked = ", ".join(quote(c) for c in COUNTERS)
    columns = ", ".join(f"SUM({quote(c)})" for c in COUNTERS)
    parts: list[str] = []
    params: list[Any] = []
    for (campaign, day), units in since.items():
        listed = ", ".join(["%s"] * len(units))
        parts.append(f"SELECT unit_id, {picked} FROM {table} WHERE unit_id IN ({listed}) "
                     "AND campaign_id = %s AND day >= %s AND day <= %s")
        params += [*units, campaign, day, as_of]
    sql = f"SELECT unit_id, {columns} FROM ({' UNION ALL '.join(parts)}) AS counted GROUP BY unit_id"
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()


def records_of_units(unit_ids: Iterable[int]) -> dict[str, Any]:
    """The counted records held by units (for a change of their place, dates or tracking mode):
    members placed there at any time, events organised or hosted, returns and outreach."""
    ids = sorted(set(unit_ids))
    members: set[int] = set()
    events: set[int] = set()
    outreach: set[int] = set()
    pairs: set[tuple[int, int]] = set()
    for chunk in _chunks(ids):
        members.update(Member.objects.filter(unit_id__in=chunk).values_list("pk", flat=True))
        members.update(MemberPlacement.objects.filter(unit_id__in=chunk).values_list("member_id", flat=True))
        events.update(Event.objects.filter(organiser_id__in=chunk).values_list("pk", flat=True))
        events.update(Site.objects.filter(unit_id__in=chunk).values_list("event_id", flat=True))
        outreach.update(Outreach.objects.filter(unit_id__in=chunk).values_list("pk", flat=True))
        for model in (MemberReturn, NonMemberReturn, PledgeReturn):
            pairs.update(model.objects.filter(unit_id__in=chunk).values_list("unit_id", "campaign_id")
                         .distinct().order_by())
    return {"members": sorted(members), "events": sorted(events), "returns": sorted(pairs),
            "outreach": sorted(outreach)}


def records_of_unit(unit_id: int) -> dict[str, list[Any]]:
    """The counted records of one unit that its dates or tracking mode count (members, returns)."""
    return {"members": list(Member.objects.filter(unit_id=unit_id).values_list("pk", flat=True))
            + list(MemberPlacement.objects.filter(unit_id=unit_id).values_list("member_id", flat=True)),
            "returns": sorted(_return_pairs(unit_id))}


def sums_on_days(*, unit_id: int, campaign_id: int,
                 days: Sequence[datetime.date]) -> dict[datetime.date, dict[str, int]]:
    """Every counter of one unit's subtree on each of `days` for the campaign, as `sums` reads it on
    each day: the unit's latest opening on or before the first day, then its deltas day by day up to
    the last (two queries, whatever the number of days)."""
    if not days:
        return {}
    ordered = sorted(set(days))
    first, last = ordered[0], ordered[-1]
    campaigns = (EVERY_CAMPAIGN, campaign_id)
    running = dict.fromkeys(COUNTERS, 0)
    since = dict.fromkeys(campaigns, FIRST_DAY)
    for _unit, campaign, day, *values in _latest_openings([unit_id], campaigns, first):
        since[campaign] = day
        for counter, n in zip(COUNTERS, values, strict=True):
            running[counter] += n or 0
    quote = connection.ops.quote_name
    table = quote(DailyCount._meta.db_table)
    columns = ", ".join(f"SUM({quote(c)})" for c in COUNTERS)
    sql = (f"SELECT day, {columns} FROM {table} WHERE unit_id = %s AND day <= %s AND "
           "((campaign_id = %s AND day >= %s) OR (campaign_id = %s AND day >= %s)) "
           "GROUP BY day ORDER BY day")
    with connection.cursor() as cursor:
        cursor.execute(sql, [unit_id, last, campaigns[0], since[campaigns[0]], campaigns[1],
                             since[campaigns[1]]])
        deltas = [(_as_date(day), values) for day, *values in cursor.fetchall()]
    found: dict[datetime.date, dict[str, int]] = {}
    position = 0
    for day in ordered:
        while position < len(deltas) and deltas[position][0] <= day:
            for counter, n in zip(COUNTERS, deltas[position][1], strict=True):
                running[counter] += n or 0
            position += 1
        found[day] = dict(running)
    return found
