"""API: the unit's sector, the event's audience and partners, and returns that know only part."""

import pytest

from tests.api.conftest import api_url
from tests.builders import make_campaign, nothing_written
from tests.conftest import unit

pytestmark = pytest.mark.django_db


def test_the_units_api_reads_and_writes_the_sector(actors, api_for):
    client = api_for(actors.owner)
    listed = client.get(api_url("units/")).json()["results"]
    assert {row["code"]: row["sector"] for row in listed}["BN.HA.HB.TH"] == "school"
    created = client.post(api_url("units/"), {
        "code": "BN.HA.HB.YT", "name": "Chi bộ Trạm Y tế", "kind": "cell", "parent": unit("BN.HA.HB").pk,
        "sector": "health"}, format="json")
    assert created.status_code == 201, created.content
    assert created.json()["sector"] == "health"
    changed = client.patch(api_url(f"units/{unit('BN.HA.HB.YT').pk}/"), {"name": "Trạm Y tế xã"},
                           format="json")
    assert changed.json()["sector"] == "health"
    with nothing_written():
        bad = client.post(api_url("units/"), {"code": "BN.HA.HB.X", "name": "X", "kind": "cell",
                                               "parent": unit("BN.HA.HB").pk, "sector": "moon"},
                          format="json")
    assert bad.status_code == 400
    history = client.get(api_url(f"units/{unit('BN.HA.HB.TH').pk}/history/")).json()
    assert history["periods"][0]["sector"] == "school"

def test_the_events_api_reads_and_writes_audience_and_partners(actors, api_for, scenario_module):
    client = api_for(actors.owner)
    data = {"campaign": scenario_module.pk, "organiser": unit("BN.HA.HB").pk, "held_on": "2024-03-18",
            "format": "in_person", "title": "Lớp cho công nhân", "audience": "workers",
            "partners": ["trade_union"], "sites": [{"unit": unit("BN.HA.HB").pk, "non_members": 30}]}
    created = client.post(api_url("events/"), data, format="json")
    assert created.status_code == 201, created.content
    assert (created.json()["audience"], created.json()["partners"]) == ("workers", ["trade_union"])
    pk = created.json()["id"]
    changed = client.patch(api_url(f"events/{pk}/"), {"title": "Lớp mới"}, format="json")
    assert (changed.json()["audience"], changed.json()["partners"]) == ("workers", ["trade_union"])
    with nothing_written():
        bad = client.patch(api_url(f"events/{pk}/"), {"partners": ["trade_union", "trade_union"]},
                           format="json")
    assert bad.status_code == 400 and "partners" in bad.content.decode()

def test_the_api_saves_lists_and_refuses_partial_returns(scenario_module, actors, api_for):
    client = api_for(actors.owner)
    # A campaign of its own: in the scenario's, every commune reports its non-members in full.
    campaign = make_campaign(unit("BN"), code="P2024")
    body = {"campaign": campaign.pk, "unit": unit("BN.HA.HB.TH").pk, "as_of": "2024-03-10",
            "who": "non_members", "category": "religious", "studied_above": 60}
    created = client.post(api_url("partial-returns/"), body, format="json")
    assert created.status_code == 201, created.content
    assert (created.json()["kind"], created.json()["studied_above"]) == ("studied_above", 60)
    assert client.post(api_url("partial-returns/"), body, format="json").status_code == 200
    listed = client.get(api_url("partial-returns/")).json()
    assert [row["unit_code"] for row in listed["results"]] == ["BN.HA.HB.TH"]
    with nothing_written():
        too_high = client.post(api_url("partial-returns/"),
                               {**body, "studied_above": None, "rate_above": "101"}, format="json")
    assert too_high.status_code == 400 and "rate_above" in too_high.content.decode()
    with nothing_written():
        both = client.post(api_url("partial-returns/"), {**body, "rate_above": "95"}, format="json")
    assert both.status_code == 400 and "rate_above" in both.content.decode()
    with nothing_written():
        elsewhere = client.post(api_url("partial-returns/"), {**body, "unit": unit("BN.HA.HP").pk},
                                format="json")
    assert elsewhere.status_code == 404
    outsider = api_for(actors.outsiders["officer"]).get(api_url("partial-returns/")).json()
    assert outsider["results"] == []
