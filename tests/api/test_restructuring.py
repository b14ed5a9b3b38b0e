"""API: restructuring decisions drafted, previewed, applied and undone through the services, and the
comparison of two campaigns on today's tree."""

import pytest
from django.conf import settings

from chuyende.campaigns.models import Campaign
from chuyende.demo.scenario import load_scenario
from chuyende.restructuring.models import Decision
from tests.api.conftest import api_url, errors_of
from tests.builders import nothing_written
from tests.conftest import unit

pytestmark = pytest.mark.django_db

DECISIONS = api_url("restructuring-decisions/")
RENAME = {"kind": "change", "details": {"unit": "BN.HA.HB.DONG", "name": "Chi bộ thôn Đông Hòa"}}
BODY = {"number": "07-QĐ/ĐU", "issued_on": "2024-06-20", "issuer": "Đảng ủy xã Hòa Bình", "title": "Đổi tên",
        "effective_on": "2024-07-01", "operations": [RENAME]}


def test_a_decision_drafted_previewed_applied_and_undone(users, api_for):
    api = api_for(users.owner)
    created = api.post(DECISIONS, BODY, format="json")
    assert created.status_code == 201, created.content
    pk = created.json()["id"]
    assert created.json()["unit_code"] == "BN.HA.HB" and created.json()["state"] == "draft"
    preview = api.post(f"{DECISIONS}{pk}/preview/", {}, format="json")
    assert preview.status_code == 200 and preview.json()["errors"] == {}
    assert any(change["code"] == "BN.HA.HB.DONG" for change in preview.json()["units"])
    assert api.post(f"{DECISIONS}{pk}/apply/", {}, format="json").json()["state"] == "applied"
    assert api.post(f"{DECISIONS}{pk}/undo/", {}, format="json").json()["state"] == "undone"


def test_an_operation_that_cannot_apply_is_named_and_nothing_written(users, api_for):
    api = api_for(users.owner)
    body = {**BODY, "operations": [RENAME, {"kind": "close", "details": {"unit": "BN.HA.HB.TAY"}}]}
    pk = api.post(DECISIONS, body, format="json").json()["id"]
    with nothing_written():
        response = api.post(f"{DECISIONS}{pk}/apply/", {}, format="json")
    assert response.status_code == 400
    assert list(errors_of(response)) == ["operations[1]"]
    assert Decision.objects.get(pk=pk).state == Decision.State.DRAFT


def test_other_subtrees_get_404_and_a_reporter_403(users, api_for):
    pk = api_for(users.owner).post(DECISIONS, BODY, format="json").json()["id"]
    outsider = api_for(users.outsiders["officer"])
    assert outsider.get(f"{DECISIONS}{pk}/").status_code == 404
    assert outsider.post(f"{DECISIONS}{pk}/apply/", {}, format="json").status_code == 404
    assert api_for(users.reporter).post(f"{DECISIONS}{pk}/apply/", {}, format="json").status_code == 403


def test_the_comparison_maps_2024_onto_the_2026_tree(users, api_for):
    load_scenario(settings.DEMO_REFORM)
    earlier, later = Campaign.objects.get(code="CD2024"), Campaign.objects.get(code="NQ14")
    from chuyende.accounts.services import user_create

    officer = user_create(actor=None, username="t.hbp", password="x-Very-long-pass-1", unit=unit("BN.HBP"),
                          role="officer", full_name="t.hbp")
    response = api_for(officer).get(api_url("comparison/"), {
        "earlier": earlier.pk, "earlier_as_of": "2024-03-31", "later": later.pk, "later_as_of": "2026-03-31"})
    assert response.status_code == 200, response.content
    whole = response.json()["unit"]
    def coverage(figures: dict) -> tuple:
        return figures["studied"], figures["eligible"], figures["rate"]

    assert coverage(whole["earlier"]) == (104, 108, "96.30")
    assert coverage(whole["later"]) == (106, 108, "98.15")
    assert [ref["code"] for ref in whole["compared_with"]] == ["BN.HA.HB", "BN.HA.HP"]
    assert response.json()["sentence"] == "So với năm 2024, tỷ lệ đảng viên học tập tăng 1,85 điểm phần trăm."


def test_the_units_as_of_a_day_and_a_unit_history(users, api_for):
    load_scenario(settings.DEMO_REFORM)
    from chuyende.accounts.services import user_create

    officer = user_create(actor=None, username="t.bn", password="x-Very-long-pass-1", unit=unit("BN"),
                          role="officer", full_name="t.bn")
    api = api_for(officer)
    then = api.get(api_url("units/as-of/"), {"as_of": "2024-03-31"})
    assert then.status_code == 200, then.content
    names = {row["code"]: row["name"] for row in then.json()["results"]}
    assert names["BN.HA.TT"] == "Đảng bộ thị trấn Hòa An" and "BN.HBP" not in names
    history = api.get(api_url(f"units/{unit('BN.HA.TT').pk}/history/")).json()
    assert [period["name"] for period in history["periods"]] == [
        "Đảng bộ thị trấn Hòa An", "Đảng bộ xã Hòa An"]
    assert history["periods"][1]["decision"].startswith("215-QĐ/TU")
    assert api.get(api_url("units/as-of/"), {"as_of": "31/03/2024"}).status_code == 400
