"""The roll-up against every figure of scenario-hoa-an-2024.expected.json that the tracker owns.

Values are read from the file, so this test follows the file when it is regenerated. A new key
in the file fails `test_every_key_is_accounted_for`.
"""

import datetime
import json
from decimal import Decimal

import pytest
from django.conf import settings

from chuyende.accounts.models import User
from chuyende.events.models import Event
from chuyende.events.selectors import sites_visible_to
from chuyende.events.services import SiteData, event_create
from chuyende.figures.rollup import event_figures, unit_figures
from chuyende.members.services import member_create
from chuyende.organisation.models import Unit
from chuyende.organisation.services import unit_create
from chuyende.reports.submissions import completeness_of
from chuyende.returns.services import member_return_save, non_member_return_save
from tests.conftest import unit

EXPECTED_FILE = settings.DEMO_SCENARIO.with_name(
    settings.DEMO_SCENARIO.name.removesuffix(".yaml") + ".expected.json"
)
EXPECTED: dict = json.loads(EXPECTED_FILE.read_text(encoding="utf-8"))

# Snapshots: {"as_of": ..., "unit": ..., <figure>: ...}.
SNAPSHOTS = {key: value for key, value in EXPECTED.items() if isinstance(value, dict) and "as_of" in value}
SNAPSHOT_FIGURES = (
    "party_members", "non_party", "events_organised", "events_by_format", "events_held_in_unit",
    "attendance_person_times", "party_member_person_times", "outreach",
)
GRASSROOTS_KEY = next(key for key in EXPECTED if key.startswith("grassroots_units_as_of_"))
REACHED_KEY = next(key for key in EXPECTED if key.startswith("grassroots_reached_target_as_of_"))
ORGANISED_KEY = "grassroots_that_organised_or_attended_study"
E1_KEY = "event_E1_sites_in_district"
MATERIALS_RECEIVED_KEY = "materials_district_received"
MATERIALS_DISTRIBUTED_KEY = "materials_district_distributed"
PLEDGES_KEY = "pledges"
SUBMISSIONS_KEY = "submissions"
DISTRICT = "BN.HA"

pytestmark = pytest.mark.usefixtures("db")


def _date_of(key: str) -> datetime.date:
    return datetime.date.fromisoformat(key.rsplit("_", 1)[-1])


def _rate(value: float | None) -> Decimal | None:
    return None if value is None else Decimal(str(value))


def _figures(code: str, as_of: str | datetime.date, campaign):
    day = as_of if isinstance(as_of, datetime.date) else datetime.date.fromisoformat(as_of)
    return unit_figures(unit=unit(code), campaign=campaign, as_of=day)


def test_every_key_is_accounted_for():
    handled = set(SNAPSHOTS) | {
        GRASSROOTS_KEY, REACHED_KEY, ORGANISED_KEY, E1_KEY, MATERIALS_RECEIVED_KEY, MATERIALS_DISTRIBUTED_KEY,
        PLEDGES_KEY, SUBMISSIONS_KEY,
    }
    assert set(EXPECTED) == handled
    for name, snapshot in SNAPSHOTS.items():
        figures = set(snapshot) - {"as_of", "unit"}
        assert figures == set(SNAPSHOT_FIGURES), name


@pytest.mark.parametrize(
    ("snapshot", "figure"),
    [(name, figure) for name in SNAPSHOTS for figure in SNAPSHOT_FIGURES],
)
def test_snapshot_figure(scenario_module, snapshot, figure):
    expected = SNAPSHOTS[snapshot]
    figures = _figures(expected["unit"], expected["as_of"], scenario_module)
    tally = figures.tally
    want = expected[figure]
    if figure == "party_members":
        got = {
            "total": tally.members_total,
            "exempt": tally.exempt,
            "away": tally.away,
            "eligible": tally.eligible,
            "studied": tally.studied,
            "rate_percent": figures.rate,
            "excluded_who_studied": tally.excluded_who_studied,
        }
        want = {**want, "rate_percent": _rate(want["rate_percent"])}
    elif figure == "non_party":
        got = {
            "eligible": tally.non_members_expected,
            "studied": tally.non_members_studied,
            "rate_percent": figures.non_member_rate,
        }
        want = {**want, "rate_percent": _rate(want["rate_percent"])}
    elif figure == "events_organised":
        got = tally.events_organised
    elif figure == "events_by_format":
        got = {fmt: n for fmt, n in tally.events_by_format.items() if n}
    elif figure == "events_held_in_unit":
        got = figures.events_held
    elif figure == "attendance_person_times":
        got = figures.attendance_person_times
    elif figure == "outreach":
        got = {
            "sessions": tally.outreach_sessions,
            "reach_person_times": tally.outreach_reach,
            "sessions_without_reach": tally.outreach_sessions_without_reach,
        }
    else:
        got = tally.member_person_times
    assert got == want


GRASSROOTS = EXPECTED[GRASSROOTS_KEY]


def test_grassroots_units_are_the_district_children_in_order(scenario_module):
    figures = _figures(DISTRICT, _date_of(GRASSROOTS_KEY), scenario_module)
    assert [child.unit.code for child in figures.children] == [row["unit"] for row in GRASSROOTS]


@pytest.mark.parametrize("row", GRASSROOTS, ids=[row["unit"] for row in GRASSROOTS])
def test_grassroots_unit(scenario_module, row):
    figures = _figures(DISTRICT, _date_of(GRASSROOTS_KEY), scenario_module)
    child = next(c for c in figures.children if c.unit.code == row["unit"])
    assert {
        "unit": child.unit.code,
        "name": child.unit.name,
        "eligible": child.tally.eligible,
        "studied": child.tally.studied,
        "rate_percent": child.rate,
        "reached_target": child.reached_target,
    } == {**row, "rate_percent": _rate(row["rate_percent"])}


def test_grassroots_reached_target(scenario_module):
    figures = _figures(DISTRICT, _date_of(REACHED_KEY), scenario_module)
    assert len(figures.children_reached_target) == EXPECTED[REACHED_KEY]
    share = figures.units_reached_target
    assert (share.count, share.total) == (EXPECTED[REACHED_KEY], len(GRASSROOTS))
    assert share.rate == Decimal(EXPECTED[REACHED_KEY] * 100) / len(GRASSROOTS)


def test_grassroots_that_organised_or_attended_study(scenario_module):
    # The key carries no date: it is the figure at the campaign's study deadline.
    figures = _figures(DISTRICT, scenario_module.study_deadline, scenario_module)
    assert len(figures.children_organised_study) == EXPECTED[ORGANISED_KEY]


def test_event_e1_sites_in_district(scenario_module):
    e1 = Event.objects.get(campaign=scenario_module, code="E1")
    figures = event_figures(event=e1, unit=unit(DISTRICT))
    assert {"sites": figures.sites, "attendance": figures.attendance_person_times} == EXPECTED[E1_KEY]


def test_event_e1_sites_agree_with_the_events_selector(scenario_module):
    """The district's bridge points are the ones a district user sees (selector and roll-up agree)."""
    district_user = User.objects.create(username="t.district", unit=unit(DISTRICT), role="officer")
    e1 = Event.objects.get(campaign=scenario_module, code="E1")
    assert sites_visible_to(actor=district_user, event=e1).count() == EXPECTED[E1_KEY]["sites"]


def test_materials_the_district_received_and_passed_down(scenario_module):
    # Materials carry no as-of date in the file: every transfer of the campaign, at its end.
    figures = _figures(DISTRICT, scenario_module.ends, scenario_module)
    received = {item: holding.received for item, holding in figures.materials.items() if holding.received}
    passed_down = {
        item: holding.passed_down for item, holding in figures.materials.items() if holding.passed_down
    }
    assert received == EXPECTED[MATERIALS_RECEIVED_KEY]
    assert passed_down == EXPECTED[MATERIALS_DISTRIBUTED_KEY]


def test_pledges_registered_and_rated_at_year_end(scenario_module):
    expected = EXPECTED[PLEDGES_KEY]
    figures = _figures(DISTRICT, datetime.date(scenario_module.year, 12, 31), scenario_module)
    assert (figures.tally.pledges_registered, figures.tally.eligible) == (
        expected["registered"], expected["eligible"]
    )
    ratings = expected["individual_ratings_at_year_end"]
    assert {key: figures.tally.pledge_ratings.get(key, 0) for key in ratings} == ratings


def test_pledges_registered_by_the_study_deadline_are_not_yet_rated(scenario_module):
    figures = _figures(DISTRICT, scenario_module.study_deadline, scenario_module)
    assert figures.tally.pledges_registered == EXPECTED[PLEDGES_KEY]["registered"]
    assert figures.tally.pledges_rated == 0


def test_report_submissions_at_the_study_deadline(scenario_module):
    # The key carries no date: the district's report completeness at the study deadline.
    expected = EXPECTED[SUBMISSIONS_KEY]
    completeness = completeness_of(unit=unit(DISTRICT), campaign=scenario_module,
                                       as_of=scenario_module.study_deadline)
    assert (len(completeness.expected), len(completeness.submitted), len(completeness.on_time)) == (
        expected["expected"], expected["submitted"], expected["on_time"]
    )
    assert [ref.code for ref in completeness.missing] == expected["missing"]
    assert [submission.unit.code for submission in completeness.late] == expected["late"]


# --- Query counts ---------------------------------------------------------------------------

# The unit and its children, the counters (latest month openings, then the days since), materials,
# supervision: the same whatever the members, events and returns below.
ROLLUP_QUERIES = 7


def test_rollup_query_count_at_district(scenario_module, django_assert_num_queries):
    district = unit(DISTRICT)
    with django_assert_num_queries(ROLLUP_QUERIES):
        unit_figures(unit=district, campaign=scenario_module, as_of=datetime.date(2024, 3, 31))


def _grow_district(campaign) -> int:
    """A second, bigger grassroots subtree built through the services; returns units added."""
    district = unit(DISTRICT)
    day = datetime.date(2024, 3, 20)
    added = 0
    for c in range(3):
        committee = unit_create(actor=None, code=f"BN.HA.X{c}", name=f"Xã thử {c}", kind="party_committee",
                                parent=district, tracking=Unit.Tracking.INDIVIDUAL)
        added += 1
        sites = [SiteData(unit=committee, non_members=2)]
        for k in range(4):
            cell = unit_create(actor=None, code=f"BN.HA.X{c}.C{k}", name=f"Chi bộ {c}.{k}", kind="cell",
                               parent=committee, tracking=Unit.Tracking.INDIVIDUAL)
            added += 1
            members = tuple(
                member_create(actor=None, unit=cell, code=f"X{c}-{k}-{m}", full_name=f"Người {m}",
                              sex="male", birth_year=1980, membership="full",
                              status="exempt" if m == 0 else "active")
                for m in range(6)
            )
            sites.append(SiteData(unit=cell, other_members=1, attendees=members[:4]))
        event_create(actor=None, campaign=campaign, organiser=committee, held_on=day, format="in_person",
                     title="Hội nghị", sites=sites)
        non_member_return_save(actor=None, campaign=campaign, unit=committee, as_of=day, expected=10,
                               studied=9)
    aggregate = unit_create(actor=None, code="BN.HA.XA", name="Xã tổng hợp", kind="party_committee",
                            parent=district)
    added += 1
    for k in range(5):
        cell = unit_create(actor=None, code=f"BN.HA.XA.C{k}", name=f"Chi bộ A{k}", kind="cell",
                           parent=aggregate)
        added += 1
        for as_of in (datetime.date(2024, 2, 1), day):
            member_return_save(actor=None, campaign=campaign, unit=cell, as_of=as_of, members_total=20,
                               exempt=1, away=1, studied=17)
    return added


def test_rollup_query_count_does_not_grow_with_units_and_members(scenario_module, django_assert_num_queries):
    as_of = datetime.date(2024, 3, 31)
    before = unit_figures(unit=unit(DISTRICT), campaign=scenario_module, as_of=as_of)
    added = _grow_district(scenario_module)
    district = unit(DISTRICT)
    with django_assert_num_queries(ROLLUP_QUERIES):
        after = unit_figures(unit=district, campaign=scenario_module, as_of=as_of)
    assert len(after.children) == len(before.children) + 4
    assert added == 3 * 5 + 6
    # The new subtree is really counted: 3 x 4 cells x 5 eligible members + 5 cells x 18 eligible.
    assert after.tally.eligible == before.tally.eligible + 3 * 4 * 5 + 5 * 18
