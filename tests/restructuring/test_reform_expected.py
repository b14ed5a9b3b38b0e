"""Every figure of scenario-hoa-an-2025-reform.expected.json after loading both scenario files, and
every figure of the 2024 file again: the restructuring changes nothing computed for dates before it."""

import datetime
import json
from decimal import Decimal

import pytest
from django.conf import settings
from django.db import transaction

from chuyende.campaigns.models import Campaign
from chuyende.demo.scenario import load_scenario
from chuyende.figures import tree
from chuyende.figures.comparison import compare
from chuyende.figures.rollup import unit_figures
from chuyende.figures.roster import roster_by_status
from chuyende.reports.submissions import completeness_of
from tests.conftest import unit
from tests.figures import test_rollup_expected as earlier

REFORM = settings.DEMO_SCENARIO.with_name("scenario-hoa-an-2025-reform.yaml")
EXPECTED_FILE = REFORM.with_name("scenario-hoa-an-2025-reform.expected.json")
EXPECTED = json.loads(EXPECTED_FILE.read_text(encoding="utf-8"))

pytestmark = pytest.mark.usefixtures("db")


@pytest.fixture(scope="module")
def reformed(django_db_setup, django_db_blocker):
    """Both files loaded once for the module; returns (CD2024, NQ14)."""
    with django_db_blocker.unblock(), transaction.atomic():
        first = load_scenario(settings.DEMO_SCENARIO)
        second = load_scenario(REFORM)
        yield first, second
        transaction.set_rollback(True)


def day(text: str) -> datetime.date:
    return datetime.date.fromisoformat(text)


def rate(value: float | None) -> Decimal | None:
    return None if value is None else Decimal(str(value))


def test_every_key_is_accounted_for():
    assert set(EXPECTED) == {
        "note", "CD2024_unchanged", "children_of_BN_as_of_2024-03-31", "children_of_BN_as_of_2026-03-31",
        "level_name_of_BN.HA.TT", "name_of_BN.HA.TT", "tracking_of_BN.HA.HB.DONG", "roster_size",
        "NQ14_as_of_2026-03-31", "NQ14_grassroots_of_BN_as_of_2026-03-31", "NQ14_submissions_at_BN",
        "comparison_with_CD2024_on_the_2026_tree",
    }


@pytest.mark.parametrize("key", ["children_of_BN_as_of_2024-03-31", "children_of_BN_as_of_2026-03-31"])
def test_children_of_the_province(reformed, key):
    on = day(key.rsplit("_", 1)[-1])
    figures = unit_figures(unit=unit("BN"), campaign=reformed[1], as_of=on)
    assert sorted(child.unit.code for child in figures.children) == EXPECTED[key]


def test_names_levels_and_tracking_by_date(reformed):
    town = unit("BN.HA.TT")
    for on, name in EXPECTED["name_of_BN.HA.TT"].items():
        assert tree.position_on(town, day(on)).name == name
    for on, level in EXPECTED["level_name_of_BN.HA.TT"].items():
        assert tree.level_names_on(day(on))[tree.position_on(town, day(on)).depth] == level
    for on, tracking in EXPECTED["tracking_of_BN.HA.HB.DONG"].items():
        assert tree.position_on(unit("BN.HA.HB.DONG"), day(on)).tracking == tracking


def test_roster_sizes_by_date(reformed):
    for code, sizes in EXPECTED["roster_size"].items():
        for on, size in sizes.items():
            assert sum(roster_by_status(unit=unit(code), day=day(on)).own.values()) == size, (code, on)


@pytest.mark.parametrize("want", EXPECTED["NQ14_as_of_2026-03-31"], ids=lambda row: row["unit"])
def test_resolution_figures_on_the_new_tree(reformed, want):
    figures = unit_figures(unit=unit(want["unit"]), campaign=reformed[1], as_of=day(want["as_of"]))
    tally = figures.tally
    assert {
        "unit": want["unit"], "campaign": "NQ14", "as_of": want["as_of"],
        "party_members": {
            "total": tally.members_total, "exempt": tally.exempt, "away": tally.away,
            "eligible": tally.eligible, "studied": tally.studied,
            "excluded_who_studied": tally.excluded_who_studied, "rate_percent": figures.rate,
        },
        "non_party": {"eligible": tally.non_members_expected, "studied": tally.non_members_studied,
                      "rate_percent": figures.non_member_rate},
        "events_organised": tally.events_organised,
        "events_by_format": dict(tally.events_by_format),
        "events_held_in_unit": figures.events_held,
        "attendance_person_times": figures.attendance_person_times,
        "party_member_person_times": tally.member_person_times,
    } == {
        **want,
        "party_members": {**want["party_members"],
                          "rate_percent": rate(want["party_members"]["rate_percent"])},
        "non_party": {**want["non_party"], "rate_percent": rate(want["non_party"]["rate_percent"])},
    }


def test_grassroots_of_the_province(reformed):
    figures = unit_figures(unit=unit("BN"), campaign=reformed[1], as_of=day("2026-03-31"))
    assert [
        {"unit": c.unit.code, "eligible": c.tally.eligible, "studied": c.tally.studied,
         "rate_percent": c.rate, "reached_target": c.reached_target}
        for c in figures.children
    ] == [{**row, "rate_percent": rate(row["rate_percent"])}
          for row in EXPECTED["NQ14_grassroots_of_BN_as_of_2026-03-31"]]


def test_submissions_at_the_province(reformed):
    campaign: Campaign = reformed[1]
    completeness = completeness_of(unit=unit("BN"), campaign=campaign, as_of=campaign.report_deadline)
    assert {
        "expected": len(completeness.expected), "submitted": len(completeness.submitted),
        "on_time": len(completeness.on_time), "late": len(completeness.late),
        "missing": [ref.code for ref in completeness.missing],
    } == EXPECTED["NQ14_submissions_at_BN"]


@pytest.mark.parametrize("want", EXPECTED["comparison_with_CD2024_on_the_2026_tree"],
                         ids=lambda row: row["unit"])
def test_comparison_with_2024_on_todays_tree(reformed, want):
    found = compare(unit=unit(want["unit"]), earlier=reformed[0], earlier_as_of=day("2024-03-31"),
                    later=reformed[1], later_as_of=day("2026-03-31"))
    assert {
        "unit": want["unit"],
        "CD2024_as_of_2024-03-31": {"eligible": found.earlier.eligible, "studied": found.earlier.studied,
                                    "rate_percent": found.earlier.rate},
        "NQ14_as_of_2026-03-31": {"eligible": found.later.eligible, "studied": found.later.studied,
                                  "rate_percent": found.later.rate},
    } == {key: {**value, "rate_percent": rate(value["rate_percent"])} if isinstance(value, dict) else value
          for key, value in want.items()}


# --- every 2024 figure again, after the reform ------------------------------------------------------


@pytest.mark.parametrize(("snapshot", "figure"), [
    (name, figure) for name in earlier.SNAPSHOTS for figure in earlier.SNAPSHOT_FIGURES])
def test_2024_snapshot_figure_after_the_reform(reformed, snapshot, figure):
    earlier.test_snapshot_figure(reformed[0], snapshot, figure)


def test_2024_grassroots_after_the_reform(reformed):
    earlier.test_grassroots_units_are_the_district_children_in_order(reformed[0])
    for row in earlier.GRASSROOTS:
        earlier.test_grassroots_unit(reformed[0], row)


@pytest.mark.parametrize("check", [
    earlier.test_grassroots_reached_target, earlier.test_grassroots_that_organised_or_attended_study,
    earlier.test_event_e1_sites_in_district, earlier.test_materials_the_district_received_and_passed_down,
    earlier.test_pledges_registered_and_rated_at_year_end,
    earlier.test_pledges_registered_by_the_study_deadline_are_not_yet_rated,
    earlier.test_report_submissions_at_the_study_deadline,
], ids=lambda check: check.__name__.removeprefix("test_"))
def test_2024_district_figure_after_the_reform(reformed, check):
    check(reformed[0])


def test_a_bridge_point_is_bounded_by_the_members_of_its_day(reformed):
    from chuyende.figures.roster import MembersOn

    province = unit("BN")
    bound = MembersOn(path=tree.position_on(province, day("2025-12-31")).path, campaign_id=reformed[0].pk,
                      as_of=day("2025-12-31"))
    assert bound.of(unit("BN.HA.HB.DONG").pk, day("2024-03-31")) == 18
    assert bound.of(unit("BN.HA.HB.DONG").pk, day("2025-12-31")) == 17
    assert bound.of(unit("BN.HA.HB.TAY").pk, day("2025-12-31")) == 16
