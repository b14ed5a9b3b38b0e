"""Acceptance: export Hòa An to the templates, import into an empty database, same roll-up figures."""

import datetime
import json
from typing import Any

import pytest
from django.apps import apps
from django.conf import settings

from chuyende.accounts.models import User
from chuyende.campaigns.models import Campaign
from chuyende.campaigns.services import campaign_create
from chuyende.events.models import Event, StudyRecord
from chuyende.figures.rollup import event_figures, unit_figures
from chuyende.imports import dump, engine
from chuyende.organisation.models import Unit
from chuyende.organisation.services import unit_create
from tests.builders import WRITTEN_MODELS

pytestmark = pytest.mark.usefixtures("db")


ORDER = ("units", "members", "member_returns", "non_member_returns", "presenters", "events", "attendance",
         "outreach", "materials", "pledges", "pledge_returns")
EXPECTED_FILE = settings.DEMO_SCENARIO.with_name(
    settings.DEMO_SCENARIO.name.removesuffix(".yaml") + ".expected.json"
)
EXPECTED: dict = json.loads(EXPECTED_FILE.read_text(encoding="utf-8"))
SNAPSHOTS = {key: value for key, value in EXPECTED.items() if isinstance(value, dict) and "as_of" in value}
RATINGS = ("excellent", "good", "not_met")


def _snapshot(code: str, day: datetime.date, campaign: Campaign) -> dict:
    figures = unit_figures(unit=Unit.objects.get(code=code), campaign=campaign, as_of=day)
    tally = figures.tally
    return {
        "party_members": {
            "total": tally.members_total, "exempt": tally.exempt, "away": tally.away,
            "eligible": tally.eligible, "studied": tally.studied,
            "rate_percent": None if figures.rate is None else float(figures.rate),
            "excluded_who_studied": tally.excluded_who_studied,
        },
        "non_party": {
            "eligible": tally.non_members_expected, "studied": tally.non_members_studied,
            "rate_percent": None if figures.non_member_rate is None else float(figures.non_member_rate),
        },
        "events_organised": tally.events_organised,
        "events_by_format": {fmt: n for fmt, n in tally.events_by_format.items() if n},
        "events_held_in_unit": figures.events_held,
        "attendance_person_times": figures.attendance_person_times,
        "party_member_person_times": tally.member_person_times,
        "outreach": {
            "sessions": tally.outreach_sessions, "reach_person_times": tally.outreach_reach,
            "sessions_without_reach": tally.outreach_sessions_without_reach,
        },
    }


def _other_figures(campaign: Campaign) -> dict:
    district = Unit.objects.get(code="BN.HA")
    at_deadline = unit_figures(unit=district, campaign=campaign, as_of=datetime.date(2024, 3, 31))
    at_end = unit_figures(unit=district, campaign=campaign, as_of=campaign.ends)
    year_end = unit_figures(unit=district, campaign=campaign, as_of=datetime.date(campaign.year, 12, 31))
    e1 = Event.objects.get(campaign=campaign, code="E1")
    e1_figures = event_figures(event=e1, unit=district)
    return {
        "grassroots": [(child.unit.code, child.tally.eligible, child.tally.studied)
                       for child in at_deadline.children],
        "received": {item: h.received for item, h in at_end.materials.items() if h.received},
        "passed_down": {item: h.passed_down for item, h in at_end.materials.items() if h.passed_down},
        "pledges": (year_end.tally.pledges_registered, year_end.tally.eligible,
                    {key: year_end.tally.pledge_ratings.get(key, 0) for key in RATINGS}),
        "e1": {"sites": e1_figures.sites, "attendance": e1_figures.attendance_person_times},
    }


def _empty_database() -> None:
    """Every domain row and user deleted (children before parents), as in a fresh installation."""
    for label in reversed(WRITTEN_MODELS):
        if label != "organisation.Unit":
            apps.get_model(label).objects.all().delete()
    StudyRecord.objects.all().delete()
    User.objects.all().delete()
    for depth in sorted(set(Unit.objects.values_list("depth", flat=True)), reverse=True):
        Unit.objects.filter(depth=depth).delete()


def test_round_trip_into_an_empty_database_gives_the_expected_figures(scenario):
    admin = User.objects.create(username="bn.admin", unit=Unit.objects.get(code="BN"), role="admin")
    snapshots = SNAPSHOTS
    before = {key: _snapshot(value["unit"], datetime.date.fromisoformat(value["as_of"]), scenario)
              for key, value in snapshots.items()}
    before_other = _other_figures(scenario)
    files = {kind: dump.dump_workbook(kind, actor=admin) for kind in ORDER}
    top = Unit.objects.get(code="BN")
    top_values: dict[str, Any] = {name: getattr(top, name) for name in ("code", "name", "kind", "tracking")}
    campaign_values = {name: getattr(scenario, name) for name in (
        "code", "kind", "year", "title", "starts", "ends", "study_deadline", "report_deadline", "target_rate",
        "excluded_statuses", "rate_precision", "non_party_categories")}

    _empty_database()
    assert Unit.objects.count() == 0
    top = unit_create(actor=None, parent=None, **top_values)
    campaign = campaign_create(actor=None, owner=top, guiding_documents=[], **campaign_values)
    admin = User.objects.create(username="bn.admin", unit=top, role="admin")
    for kind in ORDER:
        result = engine.run_import(actor=admin, kind=kind, file=files[kind], filename=f"{kind}.xlsx")
        assert result.problems == [], kind
        assert result.created > 0 or kind == "units", (kind, result)

    for key, value in snapshots.items():
        after = _snapshot(value["unit"], datetime.date.fromisoformat(value["as_of"]), campaign)
        assert after == before[key], key
        assert after == {figure: value[figure] for figure in after}, key
    assert _other_figures(campaign) == before_other
    assert before_other["e1"] == EXPECTED["event_E1_sites_in_district"]
    assert before_other["received"] == EXPECTED["materials_district_received"]
