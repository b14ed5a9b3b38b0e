"""A plain recount of a unit's figures from the records, to hold the roll-up to (tests only).

Written from DOMAIN.md §3 and the docstring of chuyende/figures/rollup.py, one record at a time in
Python, sharing nothing with the roll-up: the tree is walked by parent (not by path), "studied"
comes from the attendance lists (not from the derived study records), a bridge point's listed
members are its attendance rows (not its stored count), and rates are divided here.

- A unit is open on a day from its opening day (none: always) until the day before its closing day.
- A unit's own figures: its roster if it keeps members one by one, else its latest returns on or
  before the day; a closed unit has neither (its people were taken over). Events count for their
  organiser, bridge points and outreach for their own unit, whether open or not.
- A unit's figures are the sum of its own and those of every unit below it; events held are the
  distinct events organised or followed at a bridge point in it.
- A unit without data is an open unit with no open sub-unit that has neither a counted roster
  member nor a member return on the day.
- The children listed are the open sub-units, and the closed ones with data or events by then.
"""

import datetime
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

from chuyende.campaigns.models import Campaign
from chuyende.events.models import Attendance, Event, Site
from chuyende.members.models import Member, MemberStatus
from chuyende.organisation.models import Unit
from chuyende.outreach.models import Outreach
from chuyende.pledges.models import Pledge, PledgeReturn
from chuyende.returns.models import MemberReturn, NonMemberReturn

COUNTED = ("active", "exempt", "away")
COUNTS = (
    "members_total", "exempt", "away", "eligible", "studied", "excluded_who_studied",
    "non_members_expected", "non_members_studied", "events_organised", "member_person_times",
    "non_member_person_times", "outreach_sessions", "outreach_reach", "outreach_sessions_without_reach",
    "pledges_registered", "excluded_with_pledge",
)
BREAKDOWNS = (
    "events_by_format", "outreach_sessions_by_channel", "outreach_reach_by_channel",
    "outreach_unknown_sessions_by_channel", "pledge_ratings",
)


@dataclass
class Figures:
    """One unit's figures in plain values, compared field by field with the roll-up's."""

    code: str
    tally: dict[str, object]
    rate: Decimal | None
    non_member_rate: Decimal | None
    pledge_rate: Decimal | None
    reached_target: bool | None
    events_held: int
    units_without_data: list[str]
    source_units: int
    children: list["Figures"] = field(default_factory=list)
    units_without_data_count: int = -1  # the roll-up's count; the recount lists them


def rate(numerator: int, denominator: int, precision: int) -> Decimal | None:
    if denominator <= 0:
        return None
    exact = Decimal(numerator) * 100 / Decimal(denominator)
    return exact.quantize(Decimal(10) ** -precision, rounding=ROUND_HALF_UP)


def is_open(unit: Unit, day: datetime.date) -> bool:
    opened = unit.opened_on is None or unit.opened_on <= day
    return opened and (unit.closed_on is None or unit.closed_on > day)


def latest(returns: list, day: datetime.date):  # type: ignore[no-untyped-def]
    """The return with the latest date on or before `day`, or None."""
    dated = [record for record in returns if record.as_of <= day]
    return max(dated, key=lambda record: record.as_of) if dated else None


class Records:
    """Every record of the campaign the figures read, loaded once."""

    def __init__(self, campaign: Campaign) -> None:
        self.campaign = campaign
        self.units = {unit.pk: unit for unit in Unit.objects.all()}
        self.by_code = {unit.code: unit for unit in self.units.values()}
        self.children: dict[int | None, list[Unit]] = defaultdict(list)
        for unit in sorted(self.units.values(), key=lambda u: u.pk):
            self.children[unit.parent_id].append(unit)
        self.members: dict[int, list[Member]] = defaultdict(list)
        for member in Member.objects.all():
            self.members[member.unit_id].append(member)
        self.periods: dict[int, list[MemberStatus]] = defaultdict(list)
        for period in MemberStatus.objects.all():
            self.periods[period.member_id].append(period)
        self.events = list(Event.objects.filter(campaign=campaign))
        event_days = {event.pk: event.held_on for event in self.events}
        self.sites = list(Site.objects.filter(event__campaign=campaign))
        self.attendances = list(Attendance.objects.filter(event__campaign=campaign))
        self.studied_on: dict[int, list[datetime.date]] = defaultdict(list)
        self.listed: Counter[int] = Counter()
        for attendance in self.attendances:
            self.studied_on[attendance.member_id].append(event_days[attendance.event_id])
            self.listed[attendance.site_id] += 1
        self.pledges = {pledge.member_id: pledge for pledge in Pledge.objects.filter(campaign=campaign)}
        self.member_returns = self._by_unit(MemberReturn.objects.filter(campaign=campaign))
        self.non_member_returns = self._by_unit(NonMemberReturn.objects.filter(campaign=campaign))
        self.pledge_returns = self._by_unit(PledgeReturn.objects.filter(campaign=campaign))
        self.outreach = self._by_unit(Outreach.objects.filter(campaign=campaign))

    @staticmethod
    def _by_unit(records) -> dict[int, list]:  # type: ignore[no-untyped-def]
        grouped: dict[int, list] = defaultdict(list)
        for record in records:
            grouped[record.unit_id].append(record)
        return grouped

    def subtree(self, unit: Unit) -> list[Unit]:
        """The unit and every unit below it, each before its sub-units, sub-units in creation order."""
        found = [unit]
        for child in self.children[unit.pk]:
            found.extend(self.subtree(child))
        return found

    def status_on(self, member: Member, day: datetime.date) -> str | None:
        for period in self.periods[member.pk]:
            if (period.valid_from is None or period.valid_from <= day) and (
                period.valid_to is None or period.valid_to > day
            ):
                return period.status
        return None

    def studied_by(self, member: Member, day: datetime.date) -> bool:
        return any(held_on <= day for held_on in self.studied_on[member.pk])


class _Own:
    """One unit's own counts on a day, before summing the subtree."""

    def __init__(self) -> None:
        self.counts: Counter[str] = Counter()
        self.breakdowns: dict[str, Counter[str]] = {name: Counter() for name in BREAKDOWNS}
        self.events: set[int] = set()
        self.has_data = False


def _own(records: Records, unit: Unit, day: datetime.date) -> _Own:
    own = _Own()
    if is_open(unit, day):
        if unit.tracking == Unit.Tracking.INDIVIDUAL:
            _roster(records, unit, day, own)
        else:
            _member_return(records, unit, day, own)
            _pledge_return(records, unit, day, own)
        non_members = latest(records.non_member_returns[unit.pk], day)
        if non_members is not None:
            own.counts["non_members_expected"] += non_members.expected
            own.counts["non_members_studied"] += non_members.studied
    for event in records.events:
        if event.organiser_id == unit.pk and event.held_on <= day:
            own.counts["events_organised"] += 1
            own.breakdowns["events_by_format"][event.format] += 1
            own.events.add(event.pk)
    held_on = {event.pk: event.held_on for event in records.events}
    for site in records.sites:
        if site.unit_id == unit.pk and held_on[site.event_id] <= day:
            own.counts["member_person_times"] += site.other_members + records.listed[site.pk]
            own.counts["non_member_person_times"] += site.non_members
            own.events.add(site.event_id)
    _outreach(records, unit, day, own)
    return own


def _roster(records: Records, unit: Unit, day: datetime.date, own: _Own) -> None:
    excluded = records.campaign.excluded_statuses
    for member in records.members[unit.pk]:
        status = records.status_on(member, day)
        if status not in COUNTED:
            continue
        own.has_data = True
        own.counts["members_total"] += 1
        if status in ("exempt", "away"):
            own.counts[status] += 1
        studied = records.studied_by(member, day)
        pledge = records.pledges.get(member.pk)
        pledged = pledge is not None and pledge.registered_on <= day
        if status in excluded:
            own.counts["excluded_who_studied"] += studied
            own.counts["excluded_with_pledge"] += pledged
            continue
        own.counts["eligible"] += 1
        own.counts["studied"] += studied
        own.counts["pledges_registered"] += pledged
        if pledged and pledge is not None and pledge.rating and pledge.rated_on and pledge.rated_on <= day:
            own.breakdowns["pledge_ratings"][pledge.rating] += 1


def _member_return(records: Records, unit: Unit, day: datetime.date, own: _Own) -> None:
    found = latest(records.member_returns[unit.pk], day)
    if found is None:
        return
    own.has_data = True
    excluded = records.campaign.excluded_statuses
    own.counts["members_total"] += found.members_total
    own.counts["exempt"] += found.exempt
    own.counts["away"] += found.away
    own.counts["eligible"] += (
        found.members_total
        - (found.exempt if "exempt" in excluded else 0)
        - (found.away if "away" in excluded else 0)
    )
    own.counts["studied"] += found.studied


def _pledge_return(records: Records, unit: Unit, day: datetime.date, own: _Own) -> None:
    found = latest(records.pledge_returns[unit.pk], day)
    if found is None:
        return
    own.counts["pledges_registered"] += found.registered
    for rating in ("excellent", "good", "not_met"):
        own.breakdowns["pledge_ratings"][rating] += getattr(found, rating)


def _outreach(records: Records, unit: Unit, day: datetime.date, own: _Own) -> None:
    for outreach in records.outreach[unit.pk]:
        if outreach.held_on > day:
            continue
        own.counts["outreach_sessions"] += outreach.sessions
        own.breakdowns["outreach_sessions_by_channel"][outreach.channel] += outreach.sessions
        if outreach.reach is None:
            own.counts["outreach_sessions_without_reach"] += outreach.sessions
            own.breakdowns["outreach_unknown_sessions_by_channel"][outreach.channel] += outreach.sessions
        else:
            own.counts["outreach_reach"] += outreach.reach
            own.breakdowns["outreach_reach_by_channel"][outreach.channel] += outreach.reach


def recount(records: Records, unit: Unit, day: datetime.date, *, with_children: bool = True) -> Figures:
    """The figures of `unit`'s subtree on `day`, and (`with_children`) those of each listed sub-unit."""
    campaign = records.campaign
    units = records.subtree(unit)
    owns = [_own(records, member, day) for member in units]
    counts: Counter[str] = Counter()
    breakdowns: dict[str, Counter[str]] = {name: Counter() for name in BREAKDOWNS}
    events: set[int] = set()
    for own in owns:
        counts.update(own.counts)
        for name in BREAKDOWNS:
            breakdowns[name].update(own.breakdowns[name])
        events |= own.events
    tally: dict[str, object] = {name: counts[name] for name in COUNTS}
    tally.update({name: {key: n for key, n in sorted(breakdowns[name].items()) if n}
                  for name in BREAKDOWNS})
    coverage = rate(counts["studied"], counts["eligible"], campaign.rate_precision)
    children = []
    if with_children:
        for child in records.children[unit.pk]:
            figures = recount(records, child, day, with_children=False)
            if is_open(child, day) or figures.source_units or figures.events_held:
                children.append(figures)
    return Figures(
        code=unit.code,
        tally=tally,
        rate=coverage,
        non_member_rate=rate(counts["non_members_studied"], counts["non_members_expected"],
                             campaign.rate_precision),
        pledge_rate=rate(counts["pledges_registered"], counts["eligible"], campaign.rate_precision),
        reached_target=None if coverage is None else coverage >= campaign.target_rate,
        events_held=len(events),
        units_without_data=[
            each.code for each, own in zip(units, owns, strict=True)
            if _is_leaf(records, each, day) and not own.has_data
        ],
        source_units=sum(1 for own in owns if own.has_data),
        children=children,
    )


def _is_leaf(records: Records, unit: Unit, day: datetime.date) -> bool:
    """An open unit with no open sub-unit: it reports for itself."""
    return is_open(unit, day) and not any(is_open(child, day) for child in records.children[unit.pk])
