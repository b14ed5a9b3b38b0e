"""Each counting rule of DOMAIN.md §3 on small hand-built data, through the services and the roll-up."""

from decimal import Decimal

import pytest

from chuyende.figures.rollup import unit_figures
from chuyende.members.services import member_status_change
from chuyende.returns.models import MemberReturn
from chuyende.returns.services import member_return_save
from tests.builders import D, make_campaign, make_event, make_member, make_unit, site

pytestmark = pytest.mark.django_db


def figures(unit, campaign, day):
    return unit_figures(unit=unit, campaign=campaign, as_of=day)


def child(rollup, unit):
    return next(c for c in rollup.children if c.unit.id == unit.pk)


def member_return(campaign, unit, day, total, studied, exempt=0, away=0):
    return member_return_save(actor=None, campaign=campaign, unit=unit, as_of=day, members_total=total,
                              exempt=exempt, away=away, studied=studied)


# 3.1 Coverage is distinct people; attendance is person-times.

def test_coverage_counts_people_once_and_attendance_counts_person_times():
    root = make_unit("R")
    cell = make_unit("R.A", root, individual=True)
    campaign = make_campaign(root)
    a1, _a2 = make_member(cell), make_member(cell)
    make_event(campaign, cell, D(2024, 1, 20), site(cell, a1))
    make_event(campaign, cell, D(2024, 2, 20), site(cell, a1, other_members=3, non_members=2),
               format="cell_meeting")

    result = figures(root, campaign, D(2024, 3, 31))

    assert (result.tally.eligible, result.tally.studied) == (2, 1)  # a1 once, though at two events
    assert result.tally.member_person_times == 1 + 1 + 3
    assert result.tally.non_member_person_times == 2
    assert result.attendance_person_times == 7


# 3.2 Denominators are a campaign rule.

@pytest.mark.parametrize(
    ("excluded", "eligible", "studied", "excluded_who_studied", "rate"),
    [
        # roster: active a (studied), exempt e (studied), away w;
        # return: 10 total, 2 exempt, 1 away, 7 studied
        ((), 3 + 10, 2 + 7, 0, Decimal("69.23")),
        (("exempt",), 2 + 8, 1 + 7, 1, Decimal("80.00")),
        (("exempt", "away"), 1 + 7, 1 + 7, 1, Decimal("100.00")),
    ],
    ids=["excluding-nobody", "excluding-exempt", "excluding-exempt-and-away"],
)
def test_the_campaign_decides_who_is_expected(excluded, eligible, studied, excluded_who_studied, rate):
    root = make_unit("R")
    roster = make_unit("R.A", root, individual=True)
    counts = make_unit("R.B", root)
    campaign = make_campaign(root, excluded=excluded)
    active = make_member(roster)
    exempt = make_member(roster, status="exempt", since=D(2023, 6, 1))
    make_member(roster, status="away", since=D(2023, 6, 1))
    make_event(campaign, roster, D(2024, 2, 1), site(roster, active, exempt))
    member_return(campaign, counts, D(2024, 3, 1), total=10, exempt=2, away=1, studied=7)

    result = figures(root, campaign, D(2024, 3, 31))

    assert (result.tally.members_total, result.tally.exempt, result.tally.away) == (13, 3, 2)
    assert result.tally.eligible == eligible
    assert result.tally.studied == studied
    assert result.tally.excluded_who_studied == excluded_who_studied
    assert result.rate == rate


def test_an_excluded_member_who_studied_is_counted_apart_and_never_in_the_rate():
    root = make_unit("R")
    cell = make_unit("R.A", root, individual=True)
    campaign = make_campaign(root)
    studied, _idle = make_member(cell), make_member(cell)
    exempt = make_member(cell, status="exempt", since=D(2023, 6, 1))
    make_event(campaign, cell, D(2024, 2, 1), site(cell, studied, exempt))

    result = figures(root, campaign, D(2024, 3, 31))

    assert (result.tally.eligible, result.tally.studied, result.tally.excluded_who_studied) == (2, 1, 1)
    assert result.rate == Decimal("50.00")


# 3.3 Rates are recomputed from summed counts, never averaged.

def test_rates_are_recomputed_from_sums_not_averaged():
    root = make_unit("R")
    small, big = make_unit("R.S", root), make_unit("R.B", root)
    campaign = make_campaign(root)
    member_return(campaign, small, D(2024, 3, 1), total=1, studied=1)
    member_return(campaign, big, D(2024, 3, 1), total=100, studied=50)

    result = figures(root, campaign, D(2024, 3, 31))

    assert [c.rate for c in result.children] == [Decimal("100.00"), Decimal("50.00")]
    assert (result.tally.studied, result.tally.eligible) == (51, 101)
    assert result.rate == Decimal("50.50")  # an average of the children would say 75,00


# 3.4 Everything is as of a date.

def test_events_returns_and_status_changes_count_only_on_or_before_the_date():
    root = make_unit("R")
    roster = make_unit("R.A", root, individual=True)
    counts = make_unit("R.B", root)
    campaign = make_campaign(root)
    early, late = make_member(roster), make_member(roster)
    make_event(campaign, roster, D(2024, 2, 10), site(roster, early))
    make_event(campaign, roster, D(2024, 3, 20), site(roster, late, non_members=4))
    member_status_change(actor=None, member=early, status="exempt", since=D(2024, 3, 1))
    member_return(campaign, counts, D(2024, 2, 1), total=10, studied=5)
    member_return(campaign, counts, D(2024, 3, 15), total=10, studied=9)

    before_anything = figures(root, campaign, D(2024, 1, 31))
    assert (before_anything.tally.eligible, before_anything.tally.studied) == (2, 0)
    assert [u.code for u in before_anything.units_without_data] == ["R.B"]
    assert before_anything.tally.events_organised == 0

    february = figures(root, campaign, D(2024, 2, 15))
    # `early` becomes exempt only on 01/03: on 15/02 he is still expected, and studied.
    assert (february.tally.exempt, february.tally.eligible, february.tally.studied) == (0, 2 + 10, 1 + 5)
    assert february.tally.events_organised == 1
    assert february.attendance_person_times == 1

    on_the_event_day = figures(root, campaign, D(2024, 3, 20))
    assert on_the_event_day.tally.events_organised == 2  # "on or before" includes the day itself

    march = figures(root, campaign, D(2024, 3, 31))
    assert (march.tally.exempt, march.tally.eligible, march.tally.studied) == (1, 1 + 10, 1 + 9)
    assert march.tally.excluded_who_studied == 1
    assert march.attendance_person_times == 1 + 1 + 4


# 3.5 Mixed tracking: the latest return on or before the date wins.

def test_the_latest_return_wins_and_a_replaced_return_is_ignored():
    root = make_unit("R")
    cell = make_unit("R.A", root)
    campaign = make_campaign(root)
    member_return(campaign, cell, D(2024, 2, 1), total=10, studied=3)
    member_return(campaign, cell, D(2024, 3, 1), total=12, studied=8)
    member_return(campaign, cell, D(2024, 3, 1), total=12, studied=11)  # same date: replaces

    assert MemberReturn.objects.filter(unit=cell).count() == 2
    earlier = figures(root, campaign, D(2024, 2, 29))
    assert (earlier.tally.eligible, earlier.tally.studied) == (10, 3)
    latest = figures(root, campaign, D(2024, 3, 31))
    assert (latest.tally.members_total, latest.tally.eligible, latest.tally.studied) == (12, 12, 11)


def test_a_unit_without_a_return_is_listed_not_counted_as_zero():
    root = make_unit("R")
    reported, silent = make_unit("R.A", root), make_unit("R.B", root)
    campaign = make_campaign(root)
    member_return(campaign, reported, D(2024, 3, 1), total=10, studied=10)

    result = figures(root, campaign, D(2024, 3, 31))

    assert [u.code for u in result.units_without_data] == ["R.B"]
    assert [c.unit.code for c in result.children_without_data] == ["R.B"]
    assert (result.tally.eligible, result.tally.studied, result.rate) == (10, 10, Decimal("100.00"))
    quiet = child(result, silent)
    assert (quiet.rate, quiet.reached_target, quiet.has_data) == (None, None, False)


# 3.6 Events belong to their organiser; sites belong to their unit.

def test_events_count_for_the_organiser_and_sites_for_their_unit():
    root = make_unit("R")
    commune = make_unit("R.A", root, individual=True)
    other = make_unit("R.B", root)
    campaign = make_campaign(root)
    person = make_member(commune)
    make_event(campaign, root, D(2024, 1, 15),
               site(commune, person, other_members=2, non_members=3), site(other, other_members=5),
               format="online")
    make_event(campaign, commune, D(2024, 2, 1), site(commune, person), format="video")

    top = figures(root, campaign, D(2024, 3, 31))
    assert top.tally.events_organised == 2
    assert dict(top.tally.events_by_format) == {"online": 1, "video": 1}
    assert top.events_held == 2  # the online event counts once although it had two sites here
    assert top.attendance_person_times == (1 + 2 + 3) + 5 + 1

    at_commune = child(top, commune)
    assert at_commune.tally.events_organised == 1  # the video event only
    assert at_commune.events_held == 2  # and the province event it followed
    assert at_commune.attendance_person_times == 1 + 2 + 3 + 1
    assert at_commune.tally.member_person_times == 1 + 2 + 1

    at_other = child(top, other)
    assert at_other.tally.events_organised == 0
    assert (at_other.events_held, at_other.attendance_person_times) == (1, 5)
    assert at_other.organised_study is True
    assert len(top.children_organised_study) == 2


# 3.7 Completion of units: closed units are not expected to report.

def test_closed_and_not_yet_opened_units_are_not_expected_to_report():
    root = make_unit("R")
    make_unit("R.CLOSED", root, opened_on=D(2020, 1, 1), closed_on=D(2024, 2, 1))
    make_unit("R.NEW", root, opened_on=D(2024, 4, 1))
    make_unit("R.OPEN", root)
    campaign = make_campaign(root)

    def expected_but_missing(day):
        return [u.code for u in figures(root, campaign, day).units_without_data]

    assert expected_but_missing(D(2024, 1, 20)) == ["R.CLOSED", "R.OPEN"]
    assert expected_but_missing(D(2024, 2, 1)) == ["R.OPEN"]  # closed on that day
    assert expected_but_missing(D(2024, 3, 31)) == ["R.OPEN"]
    assert expected_but_missing(D(2024, 4, 30)) == ["R.NEW", "R.OPEN"]


def test_a_closed_unit_counts_until_its_closing_day_and_then_leaves_the_table():
    root = make_unit("R")
    gone = make_unit("R.GONE", root, opened_on=D(2020, 1, 1), closed_on=D(2024, 2, 1))
    make_unit("R.OPEN", root)
    campaign = make_campaign(root)
    member_return(campaign, gone, D(2024, 1, 20), total=10, studied=9)

    def listed(day):
        return [c.unit.code for c in figures(root, campaign, day).children]

    assert listed(D(2024, 1, 25)) == ["R.GONE", "R.OPEN"]
    assert figures(root, campaign, D(2024, 1, 25)).tally.studied == 9
    # After closing, the unit that took its members over reports them: no double count.
    assert listed(D(2024, 3, 31)) == ["R.OPEN"]
    assert figures(root, campaign, D(2024, 3, 31)).tally.studied == 0


def test_reached_target_compares_the_rate_with_the_campaign_target():
    root = make_unit("R")
    below, at = make_unit("R.A", root), make_unit("R.B", root)
    campaign = make_campaign(root, target="95")
    member_return(campaign, below, D(2024, 3, 1), total=100, studied=94)
    member_return(campaign, at, D(2024, 3, 1), total=20, studied=19)

    result = figures(root, campaign, D(2024, 3, 31))

    assert [c.reached_target for c in result.children] == [False, True]
    assert [c.unit.code for c in result.children_reached_target] == ["R.B"]


# 3.3 Precision: one or two decimals, rounded half up.

@pytest.mark.parametrize(
    ("precision", "total", "studied", "rate"),
    [
        (2, 3, 2, Decimal("66.67")),
        (1, 3, 2, Decimal("66.7")),
        (1, 16, 1, Decimal("6.3")),  # 6,25 -> 6,3 (half-even would say 6,2)
        (2, 160, 1, Decimal("0.63")),  # 0,625 -> 0,63 (half-even would say 0,62)
        (1, 160, 1, Decimal("0.6")),
        (2, 101, 51, Decimal("50.50")),
    ],
)
def test_rate_precision_and_half_up_rounding(precision, total, studied, rate):
    root = make_unit("R")
    cell = make_unit("R.A", root)
    campaign = make_campaign(root, precision=precision, excluded=())
    member_return(campaign, cell, D(2024, 3, 1), total=total, studied=studied)

    result = figures(root, campaign, D(2024, 3, 31))

    assert result.rate == rate
    assert str(result.rate) == str(rate)  # exactly `precision` decimals


def test_a_commune_whose_cells_all_closed_reports_itself():
    root = make_unit("R")
    commune = make_unit("R.C", root)
    make_unit("R.C.1", commune, opened_on=D(2020, 1, 1), closed_on=D(2024, 2, 1))
    campaign = make_campaign(root)

    assert [u.code for u in figures(root, campaign, D(2024, 1, 20)).units_without_data] == ["R.C.1"]
    assert [u.code for u in figures(root, campaign, D(2024, 3, 1)).units_without_data] == ["R.C"]
    member_return(campaign, commune, D(2024, 3, 1), total=10, studied=9)
    assert figures(root, campaign, D(2024, 3, 1)).tally.studied == 9
