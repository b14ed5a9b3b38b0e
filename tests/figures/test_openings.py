"""Openings: where they go, what they hold, and that a roll-up reads a month of days through them."""

import datetime

import pytest
from django.core.management import call_command

from chuyende.figures import ledger, openings
from chuyende.figures.models import EVERY_CAMPAIGN, DailyCount, OpeningCount
from tests.conftest import unit

D = datetime.date


def test_openings_start_each_month_after_a_month_with_changes():
    days = [(D(1, 1, 1), {"a": 1}), (D(1990, 5, 3), {"a": 1}), (D(2024, 1, 20), {"a": 1}),
            (D(2024, 1, 31), {"a": 1}), (D(2024, 3, 1), {"a": 1}), (D(2024, 12, 9), {"a": 1})]
    assert openings.wanted(days, min_rows=6) == [
        D(1, 2, 1), D(1990, 6, 1), D(2024, 2, 1), D(2024, 4, 1), D(2025, 1, 1),
    ]
    assert openings.wanted(days, min_rows=7) == []
    assert openings.next_month(D(2024, 11, 30)) == D(2024, 12, 1)


def test_totals_before_an_opening_leave_out_its_own_day():
    days = [(D(2024, 1, 5), {"a": 2}), (D(2024, 2, 1), {"a": 3, "b": 1}), (D(2024, 2, 9), {"a": -2})]
    assert openings.totals_before(days, [D(2024, 3, 1), D(2024, 2, 1), D(2024, 1, 1)]) == {
        D(2024, 1, 1): {}, D(2024, 2, 1): {"a": 2}, D(2024, 3, 1): {"a": 3, "b": 1},
    }


def test_only_units_with_enough_days_get_openings():
    rows = {(1, 0, D(2024, 1, day)): {"a": 1} for day in range(1, 30)}
    rows |= {(1, 0, D(2024, 3, 2)): {"a": 1}, (2, 0, D(2024, 1, 3)): {"a": 1},
             (2, 0, D(2024, 4, 3)): {"a": 1}}
    assert openings.openings_of(rows, min_rows=30) == {
        (1, 0, D(2024, 2, 1)): {"a": 29}, (1, 0, D(2024, 4, 1)): {"a": 30},
    }


@pytest.mark.django_db
def test_the_nightly_command_adds_only_missing_openings(scenario, capsys):
    call_command("figures_openings", "--min-rows", "1")
    written = OpeningCount.objects.count()
    assert written > 0
    assert f"{written:,} openings written" in capsys.readouterr().out
    call_command("figures_openings", "--min-rows", "1")
    assert "0 openings written" in capsys.readouterr().out
    assert ledger.differences() == []


@pytest.mark.django_db
def test_a_roll_up_with_openings_reads_only_the_days_since_the_latest(scenario, django_assert_num_queries):
    ledger.add_openings(min_rows=1)
    province = unit("BN.HA")
    as_of = D(2024, 12, 31)
    with_openings = ledger.sums(unit_ids=[province.pk], campaign_id=scenario.pk, as_of=as_of)
    # The same figures once every delta before the latest opening is gone: they are not read.
    deleted = 0
    for campaign_id in (EVERY_CAMPAIGN, scenario.pk):
        pair = {"unit": province, "campaign_id": campaign_id}
        latest = OpeningCount.objects.filter(**pair, day__lte=as_of).latest("day")
        deleted += DailyCount.objects.filter(**pair, day__lt=latest.day).delete()[0]
    assert deleted > 10
    with django_assert_num_queries(2):  # the latest openings, the days since
        assert ledger.sums(unit_ids=[province.pk], campaign_id=scenario.pk, as_of=as_of) == with_openings
    OpeningCount.objects.all().delete()
    assert ledger.sums(unit_ids=[province.pk], campaign_id=scenario.pk, as_of=as_of) != with_openings


@pytest.mark.django_db
def test_a_rebuild_writes_openings_for_busy_units_only(scenario):
    ledger.rebuild(min_rows=10)
    days = openings.by_pair(ledger.stored_counts())
    busy = {pair for pair, rows in days.items() if openings.wanted(rows, min_rows=10)}
    assert busy, "the scenario has units with enough days of changes"
    assert set(OpeningCount.objects.values_list("unit_id", "campaign_id").distinct()) == busy
    assert ledger.differences() == []
