"""API: outreach records (list with filters, create, change, delete), roles and subtree scope.

Hòa Bình's scenario outreach: 12 oral sessions on 15/03/2024 reaching 640 person-times."""

import pytest

from chuyende.campaigns.models import Campaign
from chuyende.organisation.models import Unit
from chuyende.outreach.models import Outreach
from tests.api.conftest import api_url
from tests.api.test_activity_common import audit_count, make_user, refused_with, rows, uid
from tests.builders import make_campaign, nothing_written
from tests.conftest import OUTSIDER_ROLES
from tests.view_helpers import translated

pytestmark = pytest.mark.django_db

LIST = api_url("outreach/")


def hb_outreach() -> Outreach:
    return Outreach.objects.get(unit__code="BN.HA.HB")


def detail(record: Outreach | None = None) -> str:
    return api_url(f"outreach/{(record or hb_outreach()).pk}/")


def new_outreach(the_campaign: Campaign, **overrides: object) -> dict[str, object]:
    data: dict[str, object] = {
        "campaign": the_campaign.pk, "unit": uid("BN.HA.HB.TAY"), "held_on": "2024-03-25",
        "channel": "loudspeaker", "sessions": 4, "reach": None, "note": "Loa truyền thanh thôn Tây",
    }
    data.update(overrides)
    return data


def changes(**overrides: object) -> dict[str, object]:
    data: dict[str, object] = {"unit": uid("BN.HA.HB"), "held_on": "2024-03-15", "channel": "oral",
                               "sessions": 14, "reach": 700, "note": ""}
    data.update(overrides)
    return data


# --- reading ---------------------------------------------------------------------------------------------


def test_owner_reads_the_outreach_of_the_subtree(actors, api_for, scenario_module):
    listed = rows(api_for(actors.viewer).get(LIST))
    assert listed == [{
        "id": hb_outreach().pk, "campaign": scenario_module.pk, "unit": uid("BN.HA.HB"),
        "unit_code": "BN.HA.HB", "held_on": "2024-03-15", "channel": "oral", "sessions": 12, "reach": 640,
        "note": "",
    }]
    assert api_for(actors.viewer).get(detail()).json()["reach"] == 640


def test_district_filters_by_unit_campaign_channel_and_dates(actors, api_for, scenario_module):
    client = api_for(make_user("s.ha.officer", "BN.HA", "officer"))

    def listed(**params: object) -> list[tuple[str, str]]:
        return [(row["unit_code"], row["held_on"]) for row in rows(client.get(LIST, params))]

    assert len(listed()) == 6
    assert listed(date_to="2024-03-31") == [
        ("BN.HA.TT", "2024-03-20"), ("BN.HA", "2024-03-18"), ("BN.HA.HP", "2024-03-16"),
        ("BN.HA.HB", "2024-03-15"), ("BN.HA", "2024-03-10"),
    ]
    assert listed(unit=uid("BN.HA.TT")) == [("BN.HA.TT", "2024-04-10"), ("BN.HA.TT", "2024-03-20")]
    assert listed(channel="radio_tv") == [("BN.HA", "2024-03-10")]
    assert listed(held_on="2024-03-16", campaign=scenario_module.pk) == [("BN.HA.HP", "2024-03-16")]
    assert listed(date_from="2024-04-01") == [("BN.HA.TT", "2024-04-10")]
    # The one of unknown reach reads null, never 0.
    assert [row["reach"] for row in rows(client.get(LIST, {"channel": "radio_tv"}))] == [None]
    page = client.get(LIST, {"page_size": 4, "page": 2}).json()
    assert page["count"] == 6 and len(page["results"]) == 2 and page["previous"]
    refused_with(client.get(LIST, {"channel": "tiktok"}), "channel")


@pytest.mark.parametrize("role", OUTSIDER_ROLES)
def test_hoa_phu_never_sees_hoa_binh_outreach(role, actors, api_for):
    client = api_for(actors.outsiders[role])
    assert [row["unit_code"] for row in rows(client.get(LIST))] == ["BN.HA.HP"]
    assert client.get(detail()).status_code == 404
    assert client.get(LIST, {"unit": uid("BN.HA.HB")}).status_code == 404


def test_list_queries_are_pinned(actors, api_for, scenario_module, django_assert_max_num_queries):
    client = api_for(actors.owner)
    client.get(LIST)
    for day in range(20, 28):
        assert client.post(LIST, new_outreach(scenario_module, held_on=f"2024-03-{day}"),
                           format="json").status_code == 201
    with django_assert_max_num_queries(4):
        assert len(rows(client.get(LIST))) == 9


# --- writing ---------------------------------------------------------------------------------------------


def test_owner_records_changes_and_deletes_outreach(actors, api_for, scenario_module):
    client = api_for(actors.owner)
    before = audit_count()
    response = client.post(LIST, new_outreach(scenario_module), format="json")
    assert response.status_code == 201, response.content
    created = Outreach.objects.get(pk=response.json()["id"])
    assert (created.unit.code, created.sessions, created.reach, created.note) == (
        "BN.HA.HB.TAY", 4, None, "Loa truyền thanh thôn Tây")
    response = client.put(detail(created), changes(unit=uid("BN.HA.HB.TAY"), reach=300), format="json")
    assert response.status_code == 200, response.content
    assert response.json()["sessions"] == 14 and response.json()["reach"] == 300
    response = client.patch(detail(created), {"reach": None}, format="json")
    assert response.status_code == 200 and response.json()["reach"] is None
    assert response.json()["sessions"] == 14
    assert client.delete(detail(created)).status_code == 204
    assert not Outreach.objects.filter(pk=created.pk).exists()
    assert audit_count() == before + 4


def test_reporter_records_outreach_of_a_cell(actors, api_for, scenario_module):
    response = api_for(actors.reporter).post(LIST, new_outreach(scenario_module), format="json")
    assert response.status_code == 201, response.content


def test_viewer_changes_nothing(actors, api_for, scenario_module):
    client = api_for(actors.viewer)
    with nothing_written():
        assert client.post(LIST, new_outreach(scenario_module), format="json").status_code == 403
        assert client.put(detail(), changes(), format="json").status_code == 403
        assert client.patch(detail(), {"sessions": 1}, format="json").status_code == 403
        assert client.delete(detail()).status_code == 403


@pytest.mark.parametrize("role", ("admin", "officer", "reporter"))
def test_hoa_phu_cannot_change_hoa_binh_outreach(role, actors, api_for):
    client = api_for(actors.outsiders[role])
    with nothing_written():
        assert client.put(detail(), changes(unit=uid("BN.HA.HP")), format="json").status_code == 404
        assert client.patch(detail(), {"sessions": 1}, format="json").status_code == 404
        assert client.delete(detail()).status_code == 404


def test_ids_of_another_subtree_are_404_and_nothing_is_written(actors, api_for, scenario_module):
    client = api_for(actors.owner)
    foreign_campaign = make_campaign(Unit.objects.get(code="BN.HA.HP"), code="HP-2024")
    with nothing_written():
        for data in (new_outreach(scenario_module, unit=uid("BN.HA.HP.PL")),
                     new_outreach(scenario_module, unit=uid("BN.HA")),
                     new_outreach(scenario_module, campaign=foreign_campaign.pk),
                     new_outreach(scenario_module, unit=uid("BN.HA.HP"), sessions="many")):
            assert client.post(LIST, data, format="json").status_code == 404, data
        # Moving Hòa Bình's record to Hòa Phú.
        assert client.put(detail(), changes(unit=uid("BN.HA.HP")), format="json").status_code == 404
        assert client.patch(detail(), {"unit": uid("BN.HA.HP")}, format="json").status_code == 404
        response = api_for(actors.viewer).patch(detail(), {"unit": uid("BN.HA.HP")}, format="json")
        assert response.status_code == 404


def test_rules_of_the_service_are_400_naming_the_field(actors, api_for, scenario_module):
    client = api_for(actors.owner)
    with nothing_written():
        errors = refused_with(client.post(LIST, new_outreach(scenario_module, sessions=0), format="json"),
                              "sessions")
        assert errors["sessions"] == [translated("Sessions must be at least 1.")]
        refused_with(client.post(LIST, new_outreach(scenario_module, reach=-5), format="json"), "reach")
        refused_with(client.post(LIST, new_outreach(scenario_module, reach=20_000_000), format="json"),
                     "reach")
        refused_with(client.post(LIST, new_outreach(scenario_module, held_on="2025-01-05"), format="json"),
                     "held_on")
        refused_with(client.put(detail(), changes(sessions=-1), format="json"), "sessions")
        refused_with(client.patch(detail(), {"held_on": "2023-06-01"}, format="json"), "held_on")
    assert hb_outreach().sessions == 12


def test_wrong_types_and_unknown_fields_are_400_naming_them(actors, api_for, scenario_module):
    client = api_for(actors.owner)
    with nothing_written():
        refused_with(client.post(LIST, new_outreach(scenario_module, channel="tiktok"), format="json"),
                     "channel")
        refused_with(client.post(LIST, new_outreach(scenario_module, sessions="twelve", reach="a lot"),
                                 format="json"), "sessions", "reach")
        refused_with(client.post(LIST, new_outreach(scenario_module, held_on=20240325), format="json"),
                     "held_on")
        refused_with(client.post(LIST, new_outreach(scenario_module, note={"text": "x"}), format="json"),
                     "note")
        refused_with(client.post(LIST, new_outreach(scenario_module, audience="youth"), format="json"),
                     "audience")
        refused_with(client.post(LIST, {}, format="json"),
                     "campaign", "unit", "held_on", "channel", "sessions")
        # The campaign of a record stays: naming it in a change is an unknown field.
        refused_with(client.patch(detail(), {"campaign": scenario_module.pk}, format="json"), "campaign")
        refused_with(client.put(detail(), {"sessions": 3}, format="json"), "unit", "held_on", "channel")
        refused_with(client.post(LIST, [new_outreach(scenario_module)], format="json"), "non_field_errors")
