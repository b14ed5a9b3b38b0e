"""`figures_verify` finds a counter that no longer matches the records; `figures_rebuild` mends it."""

import io

import pytest
from django.core.management import call_command
from django.db.models import F

from chuyende.figures.models import DailyCount, OpeningCount

pytestmark = pytest.mark.django_db


def verify() -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    try:
        call_command("figures_verify", stdout=out, stderr=err)
    except SystemExit as exit_status:
        return int(exit_status.code or 0), out.getvalue(), err.getvalue()
    return 0, out.getvalue(), err.getvalue()


def test_verify_is_clean_after_the_scenario_and_names_a_corrupted_counter(scenario):
    status, out, _err = verify()
    assert status == 0
    assert "The counters match the records" in out

    row = DailyCount.objects.filter(studied_active__gt=0).order_by("unit_id", "day").values(
        "pk", "unit_id", "campaign_id", "day", "studied_active")[0]
    DailyCount.objects.filter(pk=row["pk"]).update(studied_active=F("studied_active") + 2)
    status, out, err = verify()
    assert status == 1
    assert f"unit {row['unit_id']} campaign {row['campaign_id']} day {row['day']:%d/%m/%Y} studied_active: " \
           f"stored {row['studied_active'] + 2}, records give {row['studied_active']}" in out
    assert "1 differences" in err

    rebuilt = io.StringIO()
    call_command("figures_rebuild", stdout=rebuilt)
    assert "openings written" in rebuilt.getvalue()
    assert verify()[0] == 0


def test_verify_names_an_opening_that_no_longer_matches(scenario):
    call_command("figures_openings", "--min-rows", "1", stdout=io.StringIO())
    opening = OpeningCount.objects.filter(members_active__gt=0).order_by("unit_id", "day").values(
        "pk", "unit_id", "campaign_id", "day", "members_active")[0]
    OpeningCount.objects.filter(pk=opening["pk"]).update(members_active=F("members_active") - 1)
    status, out, err = verify()
    assert status == 1
    assert (f"unit {opening['unit_id']} campaign {opening['campaign_id']} opening {opening['day']:%d/%m/%Y} "
            f"members_active: stored {opening['members_active'] - 1}, "
            f"records give {opening['members_active']}") in out
    assert "1 differences" in err


def test_rebuild_of_an_empty_database_writes_nothing(db):
    out = io.StringIO()
    call_command("figures_rebuild", stdout=out)
    assert out.getvalue().startswith("0 counter rows and 0 openings written")
    assert verify()[0] == 0
