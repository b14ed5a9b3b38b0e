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
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Count, FilteredRelation, Q, Sum

from chuyende.campaigns.models import Campaign
from chuyende.core.numbers import compute_rate
from chuyende.events.models import Event, Site
from chuyende.figures.events import EventLine
from chuyende.figures.materials import Holding
from chuyende.figures.rules import leaves_on
from chuyende.materials.models import MaterialTransfer
from chuyende.members.models import COUNTED_STATUSES, MemberStatus, status_on
from chuyende.organisation.models import PATH_SEGMENT_WIDTH, Unit
from chuyende.outreach.models import Outreach
from chuyende.pledges.models import PledgeReturn, Rating
from chuyende.returns.models import MemberReturn, NonMemberReturn
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
    def pledges_rated(self) -> int:
        return sum(self.pledge_ratings.values())

    @property
    def members_without_pledge(self) -> int:
        return self.eligible - self.pledges_registered

    def add(self, other: "Tally") -> None:
        for name in (
            "members_total", "exempt", "away", "eligible", "studied", "excluded_who_studied",
            "non_members_expected", "non_members_studied", "events_organised",
            "member_person_times", "non_member_person_times", "outreach_sessions", "outreach_reach",
            "outreach_sessions_without_reach", "pledges_registered", "excluded_with_pledge",
        ):
            setattr(self, name, getattr(self, name) + getattr(other, name))
        self.events_by_format.update(other.events_by_format)
        self.outreach_sessions_by_channel.update(other.outreach_sessions_by_channel)
        self.outreach_reach_by_channel.update(other.outreach_reach_by_channel)
        self.outreach_unknown_sessions_by_channel.update(other.outreach_unknown_sessions_by_channel)
        self.pledge_ratings.update(other.pledge_ratings)


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
    units_without_data: list[UnitRef]
    source_units: int
    pledge_rate: Decimal | None = None
    materials: dict[str, Holding] = field(default_factory=dict)

    @property
    def attendance_person_times(self) -> int:
        return self.tally.member_person_times + self.tally.non_member_person_times

    @property
    def has_data(self) -> bool:
        return not self.units_without_data

    @property
    def organised_study(self) -> bool:
        return self.events_held > 0


@dataclass(frozen=True)
class Leaf:
    """A unit holding figures of its own on the date (open, with no open sub-unit), and whether it has
    any: a roster kept per person, or a return in force."""

    unit: UnitRef
    tracking: str
    has_data: bool


@dataclass(frozen=True)
class Share:
    """`count` of `total` sub-units, with its rate (None when there are none)."""

    count: int
    total: int
    rate: Decimal | None


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
    leaves: list[Leaf] = field(default_factory=list)  # in tree order

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


@dataclass
class _SubtreeData:
    units: dict[int, UnitRef]
    open_units: set[int]
    tracking: dict[int, str]
    leaves: set[int]
    tallies: dict[int, Tally]
    events_by_unit: dict[int, set[int]]
    has_source: set[int]
    materials: dict[int, dict[str, Holding]]
    supervision: SupervisionFigures = field(default_factory=lambda: NO_SUPERVISION)
    event_lines: dict[int, EventLine] = field(default_factory=dict)


def unit_figures(*, unit: Unit, campaign: Campaign, as_of: datetime.date) -> RollUp:
    data = _load_subtree(unit=unit, campaign=campaign, as_of=as_of)
    child_width = len(unit.path) + PATH_SEGMENT_WIDTH
    child_ids = [uid for uid, ref in data.units.items() if len(ref.path) == child_width]
    groups: dict[str, list[int]] = defaultdict(list)
    for uid, ref in data.units.items():
        if len(ref.path) >= child_width:
            groups[ref.path[:child_width]].append(uid)
    children = [
        _figures_of(data.units[cid], groups[data.units[cid].path], data, campaign)
        for cid in sorted(child_ids, key=lambda c: data.units[c].path)
    ]
    # A sub-unit closed by the date is no longer expected; it stays listed only for its past events.
    children = [
        child for child in children
        if child.unit.id in data.open_units or child.source_units or child.events_held
    ]
    whole = _figures_of(data.units[unit.pk], list(data.units), data, campaign)
    return RollUp(
        **whole.__dict__,
        campaign_id=campaign.pk,
        as_of=as_of,
        excluded_statuses=tuple(campaign.excluded_statuses),
        target_rate=campaign.target_rate,
        precision=campaign.rate_precision,
        children=children,
        supervision=data.supervision,
        own=data.tallies.get(unit.pk) or Tally(),
        leaves=[
            Leaf(unit=data.units[uid], tracking=data.tracking[uid], has_data=uid in data.has_source)
            for uid in sorted(data.leaves, key=lambda uid: data.units[uid].path)
        ],
    )


def _figures_of(ref: UnitRef, unit_ids: list[int], data: _SubtreeData, campaign: Campaign) -> UnitFigures:
    tally = Tally()
    events: set[int] = set()
    for uid in unit_ids:
        if uid in data.tallies:
            tally.add(data.tallies[uid])
        events |= data.events_by_unit.get(uid, set())
    rate = compute_rate(tally.studied, tally.eligible, precision=campaign.rate_precision)
    without_data = [
        data.units[uid]
        for uid in sorted(unit_ids, key=lambda u: data.units[u].path)
        if uid in data.leaves and uid not in data.has_source
    ]
    return UnitFigures(
        unit=ref,
        tally=tally,
        events_held=len(events),
        rate=rate,
        non_member_rate=compute_rate(
            tally.non_members_studied, tally.non_members_expected, precision=campaign.rate_precision
        ),
        reached_target=None if rate is None else rate >= campaign.target_rate,
        units_without_data=without_data,
        source_units=sum(1 for uid in unit_ids if uid in data.has_source),
        pledge_rate=compute_rate(tally.pledges_registered, tally.eligible, precision=campaign.rate_precision),
        materials=data.materials.get(ref.id, {}),
    )


def _load_subtree(*, unit: Unit, campaign: Campaign, as_of: datetime.date) -> _SubtreeData:
    units: dict[int, UnitRef] = {}
    tracking: dict[int, str] = {}
    periods = []
    rows = Unit.objects.filter(path__under=unit.path).values_list(
        "id", "code", "name", "kind", "path", "parent_id", "tracking", "opened_on", "closed_on"
    )
    for uid, code, name, kind, path, parent_id, mode, opened_on, closed_on in rows:
        units[uid] = UnitRef(id=uid, code=code, name=name, kind=kind, path=path)
        tracking[uid] = mode
        periods.append((uid, parent_id, opened_on, closed_on))
    open_units, leaves = leaves_on(periods, as_of)
    data = _SubtreeData(
        units=units,
        open_units=open_units,
        tracking=tracking,
        leaves=leaves,
        tallies=defaultdict(Tally),
        events_by_unit=defaultdict(set),
        has_source=set(),
        materials={},
    )
    _count_rosters(data, unit=unit, campaign=campaign, as_of=as_of)
    _count_member_returns(data, unit=unit, campaign=campaign, as_of=as_of)
    _count_non_member_returns(data, unit=unit, campaign=campaign, as_of=as_of)
    _count_events(data, unit=unit, campaign=campaign, as_of=as_of)
    _count_sites(data, unit=unit, campaign=campaign, as_of=as_of)
    _count_outreach(data, unit=unit, campaign=campaign, as_of=as_of)
    _count_pledge_returns(data, unit=unit, campaign=campaign, as_of=as_of)
    _count_materials(data, unit=unit, campaign=campaign, as_of=as_of)
    _count_supervision(data, unit=unit, campaign=campaign, as_of=as_of)
    return data


def _count_rosters(data: _SubtreeData, *, unit: Unit, campaign: Campaign, as_of: datetime.date) -> None:
    """Roster members by unit and status on the date, with who had studied and who had registered a
    pledge by then (and how it was rated), in one pass: each member has at most one study record
    and one pledge per campaign, so the two left joins never multiply rows."""
    studied_by_then = FilteredRelation(
        "member__study_records",
        condition=Q(
            member__study_records__campaign=campaign,
            member__study_records__first_studied_on__lte=as_of,
        ),
    )
    pledged_by_then = FilteredRelation(
        "member__pledges",
        condition=Q(member__pledges__campaign=campaign, member__pledges__registered_on__lte=as_of),
    )
    rated = {
        rating: Count("pledge__id", filter=Q(pledge__rating=rating, pledge__rated_on__lte=as_of))
        for rating in Rating.values
    }
    rows = (
        MemberStatus.objects.filter(
            status_on(as_of),
            status__in=COUNTED_STATUSES,
            member__unit__in=Unit.objects.filter(
                path__under=unit.path, tracking=Unit.Tracking.INDIVIDUAL
            ).values("pk"),
        )
        .annotate(studied_record=studied_by_then, pledge=pledged_by_then)
        .values_list("member__unit_id", "status")
        .annotate(n=Count("id"), studied=Count("studied_record__id"), registered=Count("pledge__id"), **rated)
        .order_by()
    )
    excluded = set(campaign.excluded_statuses)
    for unit_id, status, n, studied, registered, *ratings in rows:
        if unit_id not in data.open_units:
            continue  # after closing, its people are counted by the unit that took them over
        tally = data.tallies[unit_id]
        data.has_source.add(unit_id)
        tally.members_total += n
        if status == "exempt":
            tally.exempt += n
        elif status == "away":
            tally.away += n
        if status in excluded:
            tally.excluded_who_studied += studied
            tally.excluded_with_pledge += registered
            continue
        tally.eligible += n
        tally.studied += studied
        tally.pledges_registered += registered
        for rating, count in zip(Rating.values, ratings, strict=True):
            if count:
                tally.pledge_ratings[rating] += count


def _count_member_returns(
    data: _SubtreeData, *, unit: Unit, campaign: Campaign, as_of: datetime.date
) -> None:
    rows = (
        MemberReturn.objects.filter(
            campaign=campaign,
            unit__path__under=unit.path,
            unit__tracking=Unit.Tracking.AGGREGATE,
            as_of__lte=as_of,
        )
        .order_by("unit_id", "-as_of")
        .values_list("unit_id", "members_total", "exempt", "away", "studied")
    )
    seen: set[int] = set()
    for unit_id, total, exempt, away, studied in rows:
        if unit_id in seen or unit_id not in data.open_units:
            continue  # an older return, or a unit closed by the date whose people moved on
        seen.add(unit_id)
        data.has_source.add(unit_id)
        tally = data.tallies[unit_id]
        tally.members_total += total
        tally.exempt += exempt
        tally.away += away
        tally.eligible += campaign.expected_members(total=total, exempt=exempt, away=away)
        tally.studied += studied


def _count_non_member_returns(
    data: _SubtreeData, *, unit: Unit, campaign: Campaign, as_of: datetime.date
) -> None:
    rows = (
        NonMemberReturn.objects.filter(
            campaign=campaign, unit__path__under=unit.path, as_of__lte=as_of
        )
        .order_by("unit_id", "-as_of")
        .values_list("unit_id", "expected", "studied")
    )
    seen: set[int] = set()
    for unit_id, expected, studied in rows:
        if unit_id in seen or unit_id not in data.open_units:
            continue
        seen.add(unit_id)
        data.tallies[unit_id].non_members_expected += expected
        data.tallies[unit_id].non_members_studied += studied


def _count_events(data: _SubtreeData, *, unit: Unit, campaign: Campaign, as_of: datetime.date) -> None:
    rows = Event.objects.filter(
        campaign=campaign, held_on__lte=as_of, organiser__path__under=unit.path
    ).values_list("id", "organiser_id", "format", "code", "title", "held_on", "organiser__name",
                  "organiser__depth").order_by()
    for event_id, organiser_id, event_format, code, title, held_on, organiser_name, depth in rows:
        tally = data.tallies[organiser_id]
        tally.events_organised += 1
        tally.events_by_format[event_format] += 1
        data.events_by_unit[organiser_id].add(event_id)
        data.event_lines[event_id] = EventLine(
            id=event_id, code=code, title=title, held_on=held_on, format=event_format,
            organiser_name=organiser_name, organiser_depth=depth, organised_here=True,
        )


def _count_sites(data: _SubtreeData, *, unit: Unit, campaign: Campaign, as_of: datetime.date) -> None:
    rows = (
        Site.objects.filter(
            event__campaign=campaign, event__held_on__lte=as_of, unit__path__under=unit.path
        )
        .values_list("event_id", "unit_id", "other_members", "non_members", "listed_members",
                     "event__code", "event__title", "event__held_on", "event__format",
                     "event__organiser__name", "event__organiser__depth")
        .order_by()
    )
    for (event_id, unit_id, other_members, non_members, listed, code, title, held_on, event_format,
         organiser_name, depth) in rows:
        tally = data.tallies[unit_id]
        tally.member_person_times += other_members + listed
        tally.non_member_person_times += non_members
        data.events_by_unit[unit_id].add(event_id)
        line = data.event_lines.get(event_id)
        if line is None:  # organised above the subtree, with a bridge point in it
            line = data.event_lines[event_id] = EventLine(
                id=event_id, code=code, title=title, held_on=held_on, format=event_format,
                organiser_name=organiser_name, organiser_depth=depth, organised_here=False,
            )
        line.sites += 1
        line.member_person_times += other_members + listed
        line.non_member_person_times += non_members


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
    """Sites of `event` hosted in `unit`'s subtree and the person-times they counted (one query)."""
    rows = (
        Site.objects.filter(event=event, unit__path__under=unit.path)
        .values_list("other_members", "non_members", "listed_members")
    )
    sites = members = non_members = 0
    for other_members, non_member_count, listed in rows:
        sites += 1
        members += other_members + listed
        non_members += non_member_count
    return EventFigures(sites=sites, member_person_times=members, non_member_person_times=non_members)


def _count_outreach(data: _SubtreeData, *, unit: Unit, campaign: Campaign, as_of: datetime.date) -> None:
    """Sessions and known reach; sessions whose reach is unknown are counted apart, never guessed."""
    rows = (
        Outreach.objects.filter(campaign=campaign, held_on__lte=as_of, unit__path__under=unit.path)
        .values_list("unit_id", "channel")
        .annotate(
            total_sessions=Sum("sessions"),
            known_reach=Sum("reach"),
            unknown=Sum("sessions", filter=Q(reach__isnull=True)),
        )
        .order_by()
    )
    for unit_id, channel, sessions, reach, unknown in rows:
        tally = data.tallies[unit_id]
        tally.outreach_sessions += sessions
        tally.outreach_reach += reach or 0
        tally.outreach_sessions_without_reach += unknown or 0
        tally.outreach_sessions_by_channel[channel] += sessions
        tally.outreach_reach_by_channel[channel] += reach or 0
        if unknown:
            tally.outreach_unknown_sessions_by_channel[channel] += unknown


def _count_pledge_returns(
    data: _SubtreeData, *, unit: Unit, campaign: Campaign, as_of: datetime.date
) -> None:
    rows = (
        PledgeReturn.objects.filter(
            campaign=campaign, unit__path__under=unit.path, unit__tracking=Unit.Tracking.AGGREGATE,
            as_of__lte=as_of,
        )
        .order_by("unit_id", "-as_of")
        .values_list("unit_id", "registered", "excellent", "good", "not_met")
    )
    seen: set[int] = set()
    for unit_id, registered, excellent, good, not_met in rows:
        if unit_id in seen or unit_id not in data.open_units:
            continue
        seen.add(unit_id)
        tally = data.tallies[unit_id]
        tally.pledges_registered += registered
        for rating, n in ((Rating.EXCELLENT, excellent), (Rating.GOOD, good), (Rating.NOT_MET, not_met)):
            if n:
                tally.pledge_ratings[rating] += n


def _count_materials(data: _SubtreeData, *, unit: Unit, campaign: Campaign, as_of: datetime.date) -> None:
    """Each unit's own materials: received from above, own supply, passed down, held (one query)."""
    rows = (
        MaterialTransfer.objects.filter(campaign=campaign, sent_on__lte=as_of)
        .filter(Q(sender__path__under=unit.path) | Q(recipient__path__under=unit.path))
        .values_list("sender_id", "recipient_id", "item")
        .annotate(quantity=Sum("quantity"))
        .order_by()
    )
    counts: dict[int, dict[str, Counter[str]]] = defaultdict(lambda: defaultdict(Counter))
    for sender_id, recipient_id, item, quantity in rows:
        if sender_id == recipient_id:
            counts[sender_id][item]["own_supply"] += quantity
            continue
        counts[recipient_id][item]["received"] += quantity
        counts[sender_id][item]["passed_down"] += quantity
    for unit_id, items in counts.items():
        if unit_id in data.units:
            data.materials[unit_id] = {
                item: Holding(**values) for item, values in sorted(items.items())
            }


def _count_supervision(data: _SubtreeData, *, unit: Unit, campaign: Campaign, as_of: datetime.date) -> None:
    """Assigned units of the subtree, those visited by the date, and follow-ups open on it (two queries)."""
    assigned = set(
        Assignment.objects.filter(campaign=campaign, unit__path__under=unit.path)
        .values_list("unit_id", flat=True).order_by()
    )
    visited: set[int] = set()
    visits = open_follow_ups = 0
    rows = Visit.objects.filter(
        campaign=campaign, unit__path__under=unit.path, visited_on__lte=as_of
    ).values_list("unit_id", "follow_up", "closed_on").order_by()
    for unit_id, follow_up, closed_on in rows:
        visits += 1
        visited.add(unit_id)
        if follow_up and (closed_on is None or closed_on > as_of):
            open_follow_ups += 1

    def refs(ids: set[int]) -> list[UnitRef]:
        return sorted((data.units[uid] for uid in ids if uid in data.units), key=lambda ref: ref.path)

    data.supervision = SupervisionFigures(
        assigned_units=refs(assigned), visited_units=refs(visited), visits=visits,
        open_follow_ups=open_follow_ups,
    )
