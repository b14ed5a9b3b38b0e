"""Random histories of writes through the services: the roll-up always agrees with the plain recount.

Each example starts from the same small tree (a province, two communes, three cells each, rosters and
counts mixed) with an opening at every month start of every unit, applies a drawn sequence of writes
through the services (a write the service refuses writes nothing and the sequence goes on; "openings"
runs the nightly job midway), then compares `unit_figures` with tests/figures/recount.py for every
unit on days before, between and after the writes' days, and runs `figures_verify` when the command
exists.

Profiles (`CHUYENDE_HYPOTHESIS_PROFILE`): `figures-ci` (40 examples, derandomized: the same ones on
every run; the default when CI is set), `figures-dev` (40 random examples; the default otherwise),
`figures-long` (400 random examples) and `figures-shrink` (figures-ci, shrinking a failure to its
smallest history; slow).
"""

import datetime
import os
import pprint
from collections.abc import Callable
from typing import Any

from django.core.exceptions import ValidationError
from hypothesis import HealthCheck, Phase, event, given, note, settings
from hypothesis import strategies as st
from hypothesis.extra.django import TestCase

from chuyende.campaigns.models import Campaign
from chuyende.events.models import Event
from chuyende.events.services import SiteData, event_create, event_delete, event_update
from chuyende.figures.ledger import add_openings
from chuyende.members.models import Member
from chuyende.members.services import member_create, member_status_change, member_update
from chuyende.organisation.models import Unit
from chuyende.organisation.services import unit_update
from chuyende.outreach.models import Outreach
from chuyende.outreach.services import outreach_create
from chuyende.pledges.models import Pledge
from chuyende.pledges.services import RatingData, cell_ratings_save, pledge_register, pledge_return_save
from chuyende.returns.services import member_return_save, non_member_return_save
from tests.builders import D, make_campaign, make_event, make_member, make_unit, site
from tests.figures.agreement import assert_agree, assert_verified

# No shrinking but in `figures-shrink`: each example takes about a second, and Hypothesis then spends
# minutes shrinking; the failing writes are printed (note) and the blob replays them (@reproduce_failure).
settings.register_profile(
    "figures-ci", max_examples=40, deadline=None, derandomize=True, database=None, print_blob=True,
    phases=[Phase.explicit, Phase.generate], suppress_health_check=[HealthCheck.too_slow],
)
settings.register_profile("figures-dev", settings.get_profile("figures-ci"), derandomize=False)
settings.register_profile("figures-long", settings.get_profile("figures-dev"), max_examples=400)
settings.register_profile("figures-shrink", settings.get_profile("figures-ci"),
                          phases=[Phase.explicit, Phase.generate, Phase.shrink])
PROFILE = os.environ.get("CHUYENDE_HYPOTHESIS_PROFILE") or (
    "figures-ci" if os.environ.get("CI") else "figures-dev"
)

# The days writes are dated on (inside the campaign, 10/01 to 31/12/2024), and the days compared:
# before the campaign, each write day and the day before it, and the end of the campaign.
DAYS = (D(2024, 1, 20), D(2024, 2, 1), D(2024, 2, 15), D(2024, 3, 1))
CHECKED_DAYS = sorted(
    {D(2024, 1, 9), D(2024, 12, 31), *DAYS, *(day - datetime.timedelta(days=1) for day in DAYS)}
)
STATUSES = ("active", "exempt", "away", "transferred_out", "deceased")
FORMATS = tuple(Event.Format.values)
CHANNELS = ("oral", "loudspeaker", "website")
RATINGS = ("", "excellent", "good", "not_met")

days = st.sampled_from(DAYS)
index = st.integers(min_value=0, max_value=30)
mask = st.integers(min_value=0, max_value=2**12 - 1)
small = st.integers(min_value=0, max_value=12)

WRITES = st.one_of(
    st.tuples(st.just("member_create"), index, st.sampled_from(STATUSES[:3]), st.none() | days),
    st.tuples(st.just("status_change"), index, st.sampled_from(STATUSES), days),
    st.tuples(st.just("event_create"), index, st.sampled_from(FORMATS), days, mask, mask, small, small),
    st.tuples(st.just("event_update"), index, days, mask, mask, small),
    st.tuples(st.just("event_delete"), index),
    st.tuples(st.just("member_return"), index, days, small, small, small, small),
    st.tuples(st.just("non_member_return"), index, days, small, small),
    st.tuples(st.just("pledge"), index, days, st.sampled_from(RATINGS), days),
    st.tuples(st.just("pledge_return"), index, days, small, small, small),
    st.tuples(st.just("outreach"), index, days, st.sampled_from(CHANNELS), st.integers(1, 5),
              st.none() | small),
    st.tuples(st.just("move_unit"), index, index),
    st.tuples(st.just("close_unit"), index, days, index),
    st.tuples(st.just("tracking"), index),
    st.tuples(st.just("openings")),
)


def build_tree() -> Campaign:
    """The starting point of every example: P > P.X, P.Y > three cells each, and a few records."""
    province = make_unit("P")
    communes = [make_unit(code, province) for code in ("P.X", "P.Y")]
    cells = {
        code: make_unit(code, communes[code[2] == "Y"], individual=individual)
        for code, individual in (("P.X.1", True), ("P.X.2", True), ("P.X.3", False),
                                 ("P.Y.1", True), ("P.Y.2", False), ("P.Y.3", True))
    }
    campaign = make_campaign(province, excluded=("exempt",), target="60", code="CPROP")
    past = D(2023, 6, 1)
    x1 = [make_member(cells["P.X.1"]), make_member(cells["P.X.1"], since=past),
          make_member(cells["P.X.1"], status="exempt", since=past)]
    x2 = [make_member(cells["P.X.2"]), make_member(cells["P.X.2"], status="away", since=past)]
    y1 = [make_member(cells["P.Y.1"], since=past), make_member(cells["P.Y.1"])]
    make_member(cells["P.Y.3"], since=past)
    make_event(campaign, province, D(2024, 2, 1), site(communes[0], other_members=4, non_members=2),
               site(cells["P.X.1"], x1[0], x1[2]), site(cells["P.Y.1"], y1[0]), format="online")
    make_event(campaign, cells["P.Y.1"], D(2024, 3, 1), site(cells["P.Y.1"], *y1, other_members=1),
               format="cell_meeting")
    for code, as_of, total, studied in (("P.X.3", D(2024, 2, 1), 9, 6), ("P.X.3", D(2024, 3, 1), 10, 8),
                                        ("P.Y.2", D(2024, 2, 15), 5, 2)):
        member_return_save(actor=None, campaign=campaign, unit=cells[code], as_of=as_of, members_total=total,
                           exempt=1, away=1, studied=studied)
    pledge_return_save(actor=None, campaign=campaign, unit=cells["P.X.3"], as_of=D(2024, 2, 15),
                       registered=7, excellent=2, good=3)
    non_member_return_save(actor=None, campaign=campaign, unit=communes[1], as_of=D(2024, 2, 1), expected=30,
                           studied=12)
    pledge_register(actor=None, campaign=campaign, member=x1[0], registered_on=D(2024, 2, 1),
                    text="Tiết kiệm")
    cell_ratings_save(actor=None, campaign=campaign, unit=cells["P.X.1"], rated_on=D(2024, 3, 1),
                      ratings=[RatingData(member=x1[0], rating="good")])
    for unit, reach in ((communes[0], 120), (cells["P.Y.2"], None)):
        outreach_create(actor=None, campaign=campaign, unit=unit, held_on=D(2024, 2, 15), channel="oral",
                        sessions=2, reach=reach)
    other = make_campaign(province, code="COTHER")
    make_event(other, cells["P.X.2"], D(2024, 1, 25), site(cells["P.X.2"], x2[0]), format="cell_meeting")
    return campaign


def pick(items: list[Any], number: int) -> Any:
    return items[number % len(items)] if items else None


def units() -> list[Unit]:
    return list(Unit.objects.order_by("pk"))


def members() -> list[Member]:
    return list(Member.objects.select_related("unit").order_by("pk"))


def chosen(items: list[Any], bits: int) -> list[Any]:
    return [item for number, item in enumerate(items) if bits >> (number % 12) & 1]


def update_unit(unit: Unit, **changes: Any) -> Unit:
    values = {name: getattr(unit, name) for name in ("code", "name", "kind", "tracking", "parent",
                                                     "opened_on", "closed_on")}
    values.update(changes)
    return unit_update(actor=None, unit=unit, **values)


class Writes:
    """Applies one drawn write through the service it names; the index numbers choose among the
    records there are at that moment, in the order they were made."""

    def __init__(self, campaign: Campaign) -> None:
        self.campaign = campaign

    def apply(self, write: tuple[Any, ...]) -> None:
        name, *arguments = write
        action: Callable[..., None] = getattr(self, name)
        try:
            action(*arguments)
        except ValidationError:
            event(f"{name}: refused")
        else:
            event(f"{name}: written")

    def member_create(self, number: int, status: str, since: datetime.date | None) -> None:
        rosters = [unit for unit in units() if unit.tracking == Unit.Tracking.INDIVIDUAL]
        unit = pick(rosters, number)
        if unit is None:
            raise ValidationError("no unit keeps a roster")
        member_create(actor=None, unit=unit, code=f"N{Member.objects.count() + 1}", full_name="Trần Thị Mới",
                      sex="female", birth_year=1990, membership="probationary", status=status,
                      status_since=since)

    def status_change(self, number: int, status: str, since: datetime.date) -> None:
        member_status_change(actor=None, member=pick(members(), number), status=status, since=since)

    def _sites(self, organiser: Unit, site_bits: int, attendee_bits: int, others: int,
               non_members: int) -> list[SiteData]:
        below = [unit for unit in units() if unit.path.startswith(organiser.path)]
        hosts = chosen(below, site_bits) or [organiser]
        listed: set[int] = set()
        sites = []
        for number, host in enumerate(hosts):
            attendees = tuple(
                member for member in chosen(members(), attendee_bits)
                if member.unit.path.startswith(host.path) and member.pk not in listed
            )
            listed.update(member.pk for member in attendees)
            sites.append(SiteData(unit=host, other_members=(others + number) % 7,
                                  non_members=(non_members * (number + 1)) % 9, attendees=attendees))
        return sites

    def event_create(self, number: int, format: str, held_on: datetime.date, site_bits: int,
                     attendee_bits: int, others: int, non_members: int) -> None:
        organiser = pick(units(), number)
        event_create(actor=None, campaign=self.campaign, organiser=organiser, held_on=held_on, format=format,
                     title="Hội nghị", sites=self._sites(organiser, site_bits, attendee_bits, others,
                                                          non_members))

    def event_update(self, number: int, held_on: datetime.date, site_bits: int, attendee_bits: int,
                     others: int) -> None:
        found = pick(list(Event.objects.filter(campaign=self.campaign).order_by("pk")), number)
        if found is None:
            raise ValidationError("no event")
        sites = self._sites(found.organiser, site_bits, attendee_bits, others, 1)
        event_update(actor=None, event=found, organiser=found.organiser, held_on=held_on,
                     format=found.format, title=found.title, sites=sites)

    def event_delete(self, number: int) -> None:
        found = pick(list(Event.objects.filter(campaign=self.campaign).order_by("pk")), number)
        if found is None:
            raise ValidationError("no event")
        event_delete(actor=None, event=found)

    def _counting_unit(self, number: int) -> Unit:
        """A unit reporting counts, mostly one without sub-units (the others' returns are refused)."""
        counting = [unit for unit in units() if unit.tracking == Unit.Tracking.AGGREGATE]
        parents = set(Unit.objects.values_list("parent_id", flat=True))
        without_sub_units = [unit for unit in counting if unit.pk not in parents]
        found = pick(without_sub_units if number % 4 else counting, number)
        if found is None:
            raise ValidationError("no unit reports counts")
        return found

    def member_return(self, number: int, as_of: datetime.date, total: int, exempt: int, away: int,
                      studied: int) -> None:
        exempt, away = min(exempt, total), min(away, total - min(exempt, total))
        member_return_save(actor=None, campaign=self.campaign, unit=self._counting_unit(number),
                           as_of=as_of, members_total=total, exempt=exempt, away=away,
                           studied=min(studied, total - exempt))

    def non_member_return(self, number: int, as_of: datetime.date, expected: int, studied: int) -> None:
        non_member_return_save(actor=None, campaign=self.campaign, unit=pick(units(), number), as_of=as_of,
                               expected=expected, studied=min(studied, expected))

    def pledge(self, number: int, registered_on: datetime.date, rating: str, rated_on: datetime.date) -> None:
        member = pick(members(), number)
        pledge = Pledge.objects.filter(campaign=self.campaign, member=member).first()
        if pledge is None:
            pledge_register(actor=None, campaign=self.campaign, member=member, registered_on=registered_on,
                            text="Làm theo gương Bác")
        cell_ratings_save(actor=None, campaign=self.campaign, unit=member.unit, rated_on=rated_on,
                          ratings=[RatingData(member=member, rating=rating)])

    def pledge_return(self, number: int, as_of: datetime.date, registered: int, excellent: int,
                      good: int) -> None:
        excellent = min(excellent, registered)
        pledge_return_save(actor=None, campaign=self.campaign, unit=self._counting_unit(number), as_of=as_of,
                           registered=registered, excellent=excellent, good=min(good, registered - excellent))

    def outreach(self, number: int, held_on: datetime.date, channel: str, sessions: int,
                 reach: int | None) -> None:
        outreach_create(actor=None, campaign=self.campaign, unit=pick(units(), number), held_on=held_on,
                        channel=channel, sessions=sessions, reach=reach)

    def move_unit(self, number: int, parent_number: int) -> None:
        below_top = [unit for unit in units() if unit.parent_id is not None]
        update_unit(pick(below_top, number), parent=pick(units(), parent_number))

    def close_unit(self, number: int, closed_on: datetime.date, heir_number: int) -> None:
        """Closes a unit on the day and moves its members to another unit keeping a roster."""
        below_top = [unit for unit in units() if unit.parent_id is not None]
        unit = update_unit(pick(below_top, number), closed_on=closed_on)
        heirs = [other for other in units() if other.tracking == Unit.Tracking.INDIVIDUAL and other != unit]
        if heir_number % 5 == 0 or not heirs:
            return  # at times its members stay where they were
        heir = pick(heirs, heir_number)
        for member in Member.objects.filter(unit=unit).order_by("pk"):
            member_update(actor=None, member=member, unit=heir, code=member.code, full_name=member.full_name,
                          sex=member.sex, birth_year=member.birth_year, membership=member.membership)

    def tracking(self, number: int) -> None:
        unit = pick(units(), number)
        flipped = (Unit.Tracking.AGGREGATE if unit.tracking == Unit.Tracking.INDIVIDUAL
                   else Unit.Tracking.INDIVIDUAL)
        update_unit(unit, tracking=flipped)

    def openings(self) -> None:
        """The nightly job in the middle of the history: openings for the months since."""
        add_openings(min_rows=1)


class RandomHistories(TestCase):
    campaign_id: int

    @classmethod
    def setUpTestData(cls) -> None:
        cls.campaign_id = build_tree().pk
        add_openings(min_rows=1)  # every later write must carry its deltas into them

    @settings(settings.get_profile(PROFILE))
    @given(writes=st.lists(WRITES, min_size=6, max_size=24))
    def test_the_roll_up_agrees_with_a_recount_after_any_history(self, writes: list[tuple[Any, ...]]) -> None:
        campaign = Campaign.objects.get(pk=self.campaign_id)
        note("writes: " + pprint.pformat(writes))
        history = Writes(campaign)
        for write in writes:
            history.apply(write)
        assert_agree(campaign, CHECKED_DAYS)
        assert_verified()

    def test_the_starting_tree_agrees_and_has_every_kind_of_record(self) -> None:
        campaign = Campaign.objects.get(pk=self.campaign_id)
        assert Unit.objects.filter(tracking=Unit.Tracking.INDIVIDUAL).count() == 4
        assert Member.objects.count() == 8
        assert Outreach.objects.filter(reach__isnull=True).count() == 1
        assert_agree(campaign, CHECKED_DAYS)
        assert_verified()
