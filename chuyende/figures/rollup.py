"""The roll-up: every figure of a unit's subtree for a campaign, as of a date.

This is the only place that counts. Pages, exports, reports and the API read figures from
`unit_figures`; none of them sums or divides on its own. The rules (DOMAIN.md §3):

- coverage counts distinct people, attendance counts person-times;
- members whose status on the date is excluded by the campaign are left out of the
  denominator, and those of them who studied are counted apart;
- rates are recomputed from summed counts at every level, never averaged;
- only records dated on or before `as_of` count;
- a unit kept per person counts its roster and attendance; a unit reporting counts uses its
  latest return on or before the date; never both;
- events count for their organiser; bridge points count for the unit that hosts them;
- outreach sessions whose reach is unknown are counted and stated, never guessed;
- pledges count registered members among those expected to study, like coverage; ratings count
  once given on or before the date; units reporting counts use their latest pledge return;
- materials are per unit, not summed over the subtree: what the unit received from above, its own
  supply, what it passed down and what it holds;
- supervision lists the units assigned in the subtree, those not yet visited, and follow-ups
  still open on the date.
"""

import datetime
from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import F, Q, Sum, Value
from django.db.models.functions import Coalesce

from chuyende.campaigns.models import Campaign
from chuyende.core.numbers import compute_rate
from chuyende.events.models import Event, Site
from chuyende.figures import ledger
from chuyende.figures.counters import CHANNELS, FORMATS, RATINGS, STATUSES
from chuyende.figures.materials import Holding
from chuyende.figures.models import EVERY_CAMPAIGN, DailyCount
from chuyende.figures.rules import is_open_on
from chuyende.figures.tree import REF_FIELDS, periods_on, position_on
from chuyende.materials.models import MaterialTransfer
from chuyende.organisation.models import Unit
from chuyende.supervision.models import Assignment, Visit


@dataclass
class Tally:
    """Counts that add up from unit to unit."""

    members_total: int = 0
    exempt: int = 0
    away: int = 0
    eligible: int = 0
    studied: int = 0
    excluded_who_studied: int = 0
    non_members_expected: int = 0
    non_members_studied: int = 0
    events_organised: int = 0
    events_by_format: Counter[str] = field(default_factory=Counter)
    member_person_times: int = 0
    non_member_person_times: int = 0
    outreach_sessions: int = 0
    outreach_reach: int = 0
    outreach_sessions_without_reach: int = 0
    outreach_sessions_by_channel: Counter[str] = field(default_factory=Counter)
    outreach_reach_by_channel: Counter[str] = field(default_factory=Counter)
    outreach_unknown_sessions_by_channel: Counter[str] = field(default_factory=Counter)
    pledges_registered: int = 0
    excluded_with_pledge: int = 0
    pledge_ratings: Counter[str] = field(default_factory=Counter)

    @property
    def people_studied(self) -> int:
        """Distinct people who studied (DOMAIN §4.1): party members expected to study who did, and
        non-members who did; never person-times, and never the excluded members who studied."""
        return self.studied + self.non_members_studied

    @property
    def pledges_rated(self) -> int:
        return sum(self.pledge_ratings.values())

    @property
    def members_without_pledge(self) -> int:
        return self.eligible - self.pledges_registered



@dataclass(frozen=True)
class UnitRef:
    id: int
    code: str
    name: str
    kind: str
    path: str


@dataclass
class UnitFigures:
    unit: UnitRef
    tally: Tally
    events_held: int
    rate: Decimal | None
    non_member_rate: Decimal | None
    reached_target: bool | None
    units_without_data_count: int
    source_units: int
    pledge_rate: Decimal | None = None
    materials: dict[str, Holding] = field(default_factory=dict)
    # Filled for the unit a roll-up is asked for (its sub-units carry only the count), at most
    # UNITS_WITHOUT_DATA_LISTED of them.
    units_without_data: list[UnitRef] = field(default_factory=list)

    @property
    def attendance_person_times(self) -> int:
        return self.tally.member_person_times + self.tally.non_member_person_times

    @property
    def has_data(self) -> bool:
        return self.units_without_data_count == 0

    @property
    def organised_study(self) -> bool:
        return self.events_held > 0


@dataclass(frozen=True)
class Share:
    """`count` of `total` sub-units, with its rate (None when there are none)."""

    count: int
    total: int
    rate: Decimal | None


@dataclass(frozen=True)
class Leaf:
    """A unit holding figures of its own on the date (open, with no open sub-unit), and whether it has
    any: a roster kept per person, or a return in force."""

    unit: UnitRef
    tracking: str
    has_data: bool


@dataclass(frozen=True)
class SupervisionFigures:
    """Units assigned to an officer in the subtree, which of them were visited, and open follow-ups."""

    assigned_units: list[UnitRef]
    visited_units: list[UnitRef]
    visits: int
    open_follow_ups: int

    @property
    def never_visited(self) -> list[UnitRef]:
        visited = {ref.id for ref in self.visited_units}
        return [ref for ref in self.assigned_units if ref.id not in visited]


NO_SUPERVISION = SupervisionFigures(assigned_units=[], visited_units=[], visits=0, open_follow_ups=0)


@dataclass
class RollUp(UnitFigures):
    campaign_id: int = 0
    as_of: datetime.date = datetime.date.min
    excluded_statuses: tuple[str, ...] = ()
    target_rate: Decimal = Decimal(0)
    precision: int = 2
    children: list[UnitFigures] = field(default_factory=list)
    supervision: SupervisionFigures = field(default_factory=lambda: NO_SUPERVISION)
    own: Tally = field(default_factory=Tally)  # the unit's own records, without its sub-units'

    @property
    def children_reached_target(self) -> list[UnitFigures]:
        return [child for child in self.children if child.reached_target]

    @property
    def children_organised_study(self) -> list[UnitFigures]:
        return [child for child in self.children if child.organised_study]

    @property
    def units_organised_study(self) -> Share:
        return self._share(len(self.children_organised_study))

    @property
    def units_reached_target(self) -> Share:
        return self._share(len(self.children_reached_target))

    def _share(self, count: int) -> Share:
        total = len(self.children)
        return Share(count=count, total=total, rate=compute_rate(count, total, precision=self.precision))

    @property
    def children_without_data(self) -> list[UnitFigures]:
        return [child for child in self.children if not child.has_data]

    @property
    def children_with_data(self) -> list[UnitFigures]:
        return [child for child in self.children if child.has_data]


UNITS_WITHOUT_DATA_LISTED = 200  # beyond this many, pages say how many more there are


def unit_figures(*, unit: Unit, campaign: Campaign, as_of: datetime.date) -> RollUp:
    """The unit's figures and its sub-units', read from the maintained counters (ledger.py)."""
    family = list(
        periods_on(as_of).filter(Q(unit_id=unit.pk) | Q(parent_id=unit.pk))
        .values_list(*REF_FIELDS, "unit__opened_on", "unit__closed_on")
        .order_by("path")
    )
    refs = {row[0]: UnitRef(*row[:5]) for row in family}
    is_open = {row[0]: is_open_on(row[5], row[6], as_of) for row in family}
    sums = ledger.sums(unit_ids=refs, campaign_id=campaign.pk, as_of=as_of)
    materials = _materials(list(refs), campaign=campaign, as_of=as_of)
    whole = _figures_of(refs[unit.pk], sums.get(unit.pk, {}), campaign)
    whole.units_without_data = _units_without_data(unit, sums.get(unit.pk, {}), campaign, as_of)
    children = [_figures_of(refs[uid], sums.get(uid, {}), campaign) for uid in refs if uid != unit.pk]
    for figures in (whole, *children):
        figures.materials = materials.get(figures.unit.id, {})
    own = _tally(_own_sums(sums, unit.pk, list(refs)), campaign)
    # A sub-unit closed by the date is no longer expected; it stays listed only for its past events.
    children = [
        child for child in children if is_open[child.unit.id] or child.source_units or child.events_held
    ]
    return RollUp(
        **whole.__dict__,
        campaign_id=campaign.pk,
        as_of=as_of,
        excluded_statuses=tuple(campaign.excluded_statuses),
        target_rate=campaign.target_rate,
        precision=campaign.rate_precision,
        children=children,
        supervision=_supervision(path=refs[unit.pk].path, campaign=campaign, as_of=as_of),
        own=own,
    )


def tallies(*, unit_ids: Iterable[int], campaign: Campaign, as_of: datetime.date) -> dict[int, Tally]:
    """The tally of each unit's subtree on the date (two queries), for callers that need many units'
    counts and none of the rest of a roll-up (comparisons, previews)."""
    sums = ledger.sums(unit_ids=unit_ids, campaign_id=campaign.pk, as_of=as_of)
    return {unit_id: _tally(counters, campaign) for unit_id, counters in sums.items()}


@dataclass(frozen=True)
class ProgressPoint:
    """The unit's party members expected to study and those who had studied, as of `day`."""

    day: datetime.date
    studied: int
    eligible: int
    rate: Decimal | None


def progress(*, unit: Unit, campaign: Campaign, days: Iterable[datetime.date]) -> list[ProgressPoint]:
    """The study rate of the unit's subtree as of each day, in date order, counted as `unit_figures`
    counts it on that day (two queries, whatever the number of days)."""
    sums = ledger.sums_on_days(unit_id=unit.pk, campaign_id=campaign.pk, days=list(days))
    points = []
    for day, counters in sorted(sums.items()):
        tally = _tally(counters, campaign)
        points.append(ProgressPoint(
            day=day, studied=tally.studied, eligible=tally.eligible,
            rate=compute_rate(tally.studied, tally.eligible, precision=campaign.rate_precision)))
    return points


def _own_sums(sums: dict[int, dict[str, int]], unit_id: int, family: list[int]) -> dict[str, int]:
    own = dict(sums.get(unit_id, {}))
    for uid in family:
        if uid != unit_id:
            for counter, n in sums.get(uid, {}).items():
                own[counter] = own.get(counter, 0) - n
    return own


def _tally(sums: dict[str, int], campaign: Campaign) -> Tally:
    """The tally of one subtree from its counters, with the campaign's excluded statuses."""
    def n(counter: str) -> int:
        return sums.get(counter, 0)

    excluded = set(campaign.excluded_statuses)
    counted = [s for s in STATUSES if s not in excluded]
    left_out = [s for s in STATUSES if s in excluded]
    returned_total, returned_exempt, returned_away = n("return_total"), n("return_exempt"), n("return_away")
    tally = Tally(
        members_total=sum(n(f"members_{s}") for s in STATUSES) + returned_total,
        exempt=n("members_exempt") + returned_exempt,
        away=n("members_away") + returned_away,
        eligible=sum(n(f"members_{s}") for s in counted)
        + campaign.expected_members(total=returned_total, exempt=returned_exempt, away=returned_away),
        studied=sum(n(f"studied_{s}") for s in counted) + n("return_studied"),
        excluded_who_studied=sum(n(f"studied_{s}") for s in left_out),
        non_members_expected=n("non_members_expected"),
        non_members_studied=n("non_members_studied"),
        events_organised=n("events_organised"),
        member_person_times=n("member_person_times"),
        non_member_person_times=n("non_member_person_times"),
        pledges_registered=sum(n(f"pledged_{s}") for s in counted) + n("pledge_return_registered"),
        excluded_with_pledge=sum(n(f"pledged_{s}") for s in left_out),
    )
    for event_format in FORMATS:
        if n(f"events_{event_format}"):
            tally.events_by_format[event_format] = n(f"events_{event_format}")
    for channel in CHANNELS:
        sessions, reach, unknown = (n(f"outreach_sessions_{channel}"), n(f"outreach_reach_{channel}"),
                                    n(f"outreach_unknown_{channel}"))
        tally.outreach_sessions += sessions
        tally.outreach_reach += reach
        tally.outreach_sessions_without_reach += unknown
        if sessions:
            tally.outreach_sessions_by_channel[channel] = sessions
            tally.outreach_reach_by_channel[channel] = reach
        if unknown:
            tally.outreach_unknown_sessions_by_channel[channel] = unknown
    for rating in RATINGS:
        rated = sum(n(f"rated_{s}_{rating}") for s in counted) + n(f"pledge_return_{rating}")
        if rated:
            tally.pledge_ratings[rating] = rated
    return tally


def _figures_of(ref: UnitRef, sums: dict[str, int], campaign: Campaign) -> UnitFigures:
    tally = _tally(sums, campaign)
    rate = compute_rate(tally.studied, tally.eligible, precision=campaign.rate_precision)
    return UnitFigures(
        unit=ref,
        tally=tally,
        events_held=sums.get("events_held", 0),
        rate=rate,
        non_member_rate=compute_rate(
            tally.non_members_studied, tally.non_members_expected, precision=campaign.rate_precision
        ),
        reached_target=None if rate is None else rate >= campaign.target_rate,
        units_without_data_count=sums.get("leaves", 0) - sums.get("sourced_leaves", 0),
        source_units=sums.get("sourced", 0),
        pledge_rate=compute_rate(tally.pledges_registered, tally.eligible, precision=campaign.rate_precision),
    )


def _ref_on(unit: Unit, day: datetime.date) -> UnitRef:
    position = position_on(unit, day)
    return UnitRef(unit.pk, unit.code, position.name, position.kind, position.path)


def _units_without_data(unit: Unit, sums: dict[str, int], campaign: Campaign,
                        as_of: datetime.date) -> list[UnitRef]:
    """The leaves without a source, in tree order, found by walking down only into subtrees that
    have some (two queries a level); none listed when there are more than UNITS_WITHOUT_DATA_LISTED.
    A unit whose sub-units have all closed is a leaf itself, even with open units below a closed one."""
    def missing(counters: dict[str, int]) -> int:
        return counters.get("leaves", 0) - counters.get("sourced_leaves", 0)

    def missing_itself(counters: dict[str, int]) -> bool:
        return counters.get("own_leaves", 0) - counters.get("own_sourced_leaves", 0) > 0

    if not 0 < missing(sums) <= UNITS_WITHOUT_DATA_LISTED:
        return []  # none, or more than a page lists: the sub-units' counts lead to them
    found: list[UnitRef] = []
    refs: dict[int, UnitRef] = {unit.pk: _ref_on(unit, as_of)}
    frontier = {unit.pk: sums}
    while frontier:
        found += [refs[uid] for uid, counters in frontier.items() if missing_itself(counters)]
        rows = list(periods_on(as_of).filter(parent_id__in=list(frontier)).values_list(
            *REF_FIELDS))
        below = ledger.sums(unit_ids=[row[0] for row in rows], campaign_id=campaign.pk, as_of=as_of)
        refs.update((row[0], UnitRef(*row)) for row in rows)
        frontier = {uid: below[uid] for uid in below if missing(below[uid]) > 0}
    return sorted(found, key=lambda ref: ref.path)


@dataclass(frozen=True)
class EventFigures:
    """One event's bridge points inside a unit's subtree ("12 điểm cầu với 934 người")."""

    sites: int
    member_person_times: int
    non_member_person_times: int

    @property
    def attendance_person_times(self) -> int:
        return self.member_person_times + self.non_member_person_times


def event_figures(*, event: Event, unit: Unit) -> EventFigures:
    """Sites of `event` hosted in `unit`'s subtree on the event's day and the person-times they
    counted (two queries)."""
    path = position_on(unit, event.held_on).path
    rows = (
        Site.objects.filter(event=event, unit_id__in=periods_on(event.held_on).filter(
            path__under=path).values("unit_id"))
        .values_list("other_members", "non_members", "listed_members")
    )
    sites = members = non_members = 0
    for other_members, non_member_count, listed in rows:
        sites += 1
        members += other_members + listed
        non_members += non_member_count
    return EventFigures(sites=sites, member_person_times=members, non_member_person_times=non_members)


def _materials(ids: list[int], *, campaign: Campaign, as_of: datetime.date) -> dict[int, dict[str, Holding]]:
    """Each unit's own materials: received from above, own supply, passed down, held (one query,
    grouped by unit and item on each side of the transfers: a commune that sent to a hundred cells
    gives one row, not a hundred)."""
    transfers = MaterialTransfer.objects.filter(campaign=campaign, sent_on__lte=as_of).order_by()
    own = Q(sender_id=F("recipient_id"))
    passed = (
        transfers.filter(sender_id__in=ids).exclude(own).values("sender_id", "item")
        .annotate(passed_down=Sum("quantity"), received=Value(0), own_supply=Value(0))
        .values_list("sender_id", "item", "passed_down", "received", "own_supply")
    )
    taken = (
        transfers.filter(recipient_id__in=ids).values("recipient_id", "item")
        .annotate(passed_down=Value(0), received=Coalesce(Sum("quantity", filter=~own), 0),
                  own_supply=Coalesce(Sum("quantity", filter=own), 0))
        .values_list("recipient_id", "item", "passed_down", "received", "own_supply")
    )
    counts: dict[int, dict[str, Counter[str]]] = defaultdict(lambda: defaultdict(Counter))
    for unit_id, item, passed_down, received, own_supply in passed.union(taken, all=True):
        counts[unit_id][item].update(passed_down=passed_down, received=received, own_supply=own_supply)
    return {
        unit_id: {item: Holding(**values) for item, values in sorted(items.items())}
        for unit_id, items in counts.items()
    }


def _supervision(*, path: str, campaign: Campaign, as_of: datetime.date) -> SupervisionFigures:
    """Assigned units of the subtree (`path`: the unit's on the date, the tree of that day), those
    visited by the date, and follow-ups open on it (three queries)."""
    below = periods_on(as_of).filter(path__under=path).values("unit_id")
    assigned = set(
        Assignment.objects.filter(campaign=campaign, unit_id__in=below)
        .values_list("unit_id", flat=True).order_by()
    )
    visited: set[int] = set()
    visits = open_follow_ups = 0
    rows = Visit.objects.filter(
        campaign=campaign, unit_id__in=below, visited_on__lte=as_of
    ).values_list("unit_id", "follow_up", "closed_on").order_by()
    for unit_id, follow_up, closed_on in rows:
        visits += 1
        visited.add(unit_id)
        if follow_up and (closed_on is None or closed_on > as_of):
            open_follow_ups += 1
    if not assigned and not visited:
        return NO_SUPERVISION
    refs = {
        row[0]: UnitRef(*row)
        for row in periods_on(as_of).filter(unit_id__in=assigned | visited).values_list(
            *REF_FIELDS)
    }

    def listed(ids: set[int]) -> list[UnitRef]:
        return sorted((refs[uid] for uid in ids), key=lambda ref: ref.path)

    return SupervisionFigures(
        assigned_units=listed(assigned), visited_units=listed(visited), visits=visits,
        open_follow_ups=open_follow_ups,
    )


def subtree_leaves(*, unit: Unit, campaign: Campaign, as_of: datetime.date) -> list[Leaf]:
    """The leaves of the subtree on the date, in tree order, with whether each has figures (from the
    units' own tree counters: two queries, rows per unit of the subtree, for the pages that list
    every leaf)."""
    below = periods_on(as_of).filter(path__under=position_on(unit, as_of).path).values("unit_id")
    rows = (
        DailyCount.objects.filter(unit_id__in=below, campaign_id__in=[EVERY_CAMPAIGN, campaign.pk],
                                  day__lte=as_of)
        .values("unit_id")
        .annotate(leaf=Sum("own_leaves"), sourced=Sum("own_sourced"))
        .filter(leaf__gt=0)
        .order_by()
    )
    sourced = {row["unit_id"]: row["sourced"] > 0 for row in rows}
    units = periods_on(as_of).filter(unit_id__in=list(sourced)).values_list(
        *REF_FIELDS, "tracking").order_by("path")
    return [Leaf(unit=UnitRef(*row[:5]), tracking=row[5], has_data=sourced[row[0]]) for row in units]
