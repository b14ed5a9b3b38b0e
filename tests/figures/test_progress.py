"""The progress over time of the dashboard: the study rate as of each date, counted as the roll-up
counts it on that date (figures/rollup.progress, selectors.campaign_progress)."""

import datetime
import itertools
from decimal import Decimal

import pytest

from chuyende.figures import ledger, selectors
from chuyende.figures.rollup import progress, unit_figures
from tests.conftest import unit
from tests.figures.test_rollup_expected import SNAPSHOTS

pytestmark = pytest.mark.usefixtures("db")

DISTRICT_SNAPSHOTS = {name: snapshot for name, snapshot in SNAPSHOTS.items() if snapshot["unit"] == "BN.HA"}


def test_the_rate_on_each_snapshot_date_is_the_expected_one(scenario_module):
    days = [datetime.date.fromisoformat(snapshot["as_of"]) for snapshot in DISTRICT_SNAPSHOTS.values()]
    assert len(days) >= 3
    points = {point.day: point for point in progress(unit=unit("BN.HA"), campaign=scenario_module, days=days)}
    for snapshot in DISTRICT_SNAPSHOTS.values():
        point = points[datetime.date.fromisoformat(snapshot["as_of"])]
        members = snapshot["party_members"]
        assert (point.studied, point.eligible) == (members["studied"], members["eligible"])
        assert point.rate == Decimal(str(members["rate_percent"]))


@pytest.mark.parametrize("code", ["BN.HA", "BN.HA.HB", "BN.HA.THPT", "BN.HA.HB.DONG"])
def test_every_point_is_the_rollup_of_its_day(scenario_module, code):
    as_of = datetime.date(2024, 4, 30)
    days = selectors.progress_days(campaign=scenario_module, as_of=as_of)
    points = progress(unit=unit(code), campaign=scenario_module, days=days)
    assert [point.day for point in points] == days
    for point in points:
        rollup = unit_figures(unit=unit(code), campaign=scenario_module, as_of=point.day)
        assert (point.studied, point.eligible, point.rate) == (
            rollup.tally.studied, rollup.tally.eligible, rollup.rate), point.day


def test_every_counter_matches_the_ledger_sums_of_its_day(scenario_module):
    district = unit("BN.HA")
    days = [datetime.date(2024, 1, 9), datetime.date(2024, 2, 15), datetime.date(2024, 3, 31)]
    by_day = ledger.sums_on_days(unit_id=district.pk, campaign_id=scenario_module.pk, days=days)
    for day in days:
        assert by_day[day] == ledger.sums(unit_ids=[district.pk], campaign_id=scenario_module.pk,
                                          as_of=day)[district.pk]


def test_openings_are_read_like_the_rollup_reads_them(scenario_module):
    """With monthly openings kept (the nightly job), the points do not change."""
    district = unit("BN.HA")
    days = selectors.progress_days(campaign=scenario_module, as_of=datetime.date(2024, 4, 30))
    before = progress(unit=district, campaign=scenario_module, days=days)
    ledger.add_openings(min_rows=1)
    assert progress(unit=district, campaign=scenario_module, days=days) == before


def test_two_queries_whatever_the_number_of_days(scenario_module, django_assert_num_queries):
    district = unit("BN.HA")
    days = [datetime.date(2024, 1, 10) + datetime.timedelta(days=n) for n in range(0, 120, 3)]
    with django_assert_num_queries(2):
        points = progress(unit=district, campaign=scenario_module, days=days)
    assert len(points) == len(days)


def test_progress_days_a_week_apart_from_the_start_to_the_date(scenario_module):
    days = selectors.progress_days(campaign=scenario_module, as_of=datetime.date(2024, 3, 31))
    assert days[0] == scenario_module.starts == datetime.date(2024, 1, 10)
    assert days[-1] == datetime.date(2024, 3, 31)
    assert all((b - a).days == 7 for a, b in itertools.pairwise(days[:-1]))
    assert 0 < (days[-1] - days[-2]).days <= 7


def test_progress_days_on_a_long_campaign_are_at_most_the_limit(scenario_module):
    days = selectors.progress_days(campaign=scenario_module, as_of=datetime.date(2026, 1, 10))
    assert len(days) <= selectors.PROGRESS_POINTS + 1
    assert days == sorted(set(days))
    assert days[-1] == datetime.date(2026, 1, 10)


def test_progress_days_before_the_start_is_the_date_alone(scenario_module):
    assert selectors.progress_days(campaign=scenario_module, as_of=datetime.date(2024, 1, 1)) == [
        datetime.date(2024, 1, 1)]
