"""API: transfers of materials (list with filters, create as JSON, delete), roles and subtree scope.

Hòa Bình received 3 DVDs and 20 books from the district on 20/01/2024; Hòa Phú the same."""

import pytest

from chuyende.campaigns.models import Campaign
from chuyende.materials.models import MaterialTransfer
from chuyende.materials.services import material_transfer_create
from chuyende.organisation.models import Unit
from tests.api.conftest import api_url
from tests.api.test_activity_common import audit_count, make_user, refused_with, rows, uid
from tests.builders import nothing_written
from tests.conftest import OUTSIDER_ROLES

pytestmark = pytest.mark.django_db

LIST = api_url("material-transfers/")


def received_by_hb(item: str = "book") -> MaterialTransfer:
    return MaterialTransfer.objects.get(recipient__code="BN.HA.HB", item=item)


def post(client, data: object):
    return client.post(LIST, data, format="json")


def detail(transfer: MaterialTransfer) -> str:
    return api_url(f"material-transfers/{transfer.pk}/")


def hb_passes_a_dvd_down(the_campaign: Campaign) -> MaterialTransfer:
    return material_transfer_create(
        actor=None, campaign=the_campaign, sender=Unit.objects.get(code="BN.HA.HB"),
        recipient=Unit.objects.get(code="BN.HA.HB.TAY"), item="dvd", quantity=1,
        sent_on=received_by_hb().sent_on,
    )


def new_transfer(the_campaign: Campaign, **overrides: object) -> dict[str, object]:
    data: dict[str, object] = {
        "campaign": the_campaign.pk, "sender": uid("BN.HA.HB"), "recipient": uid("BN.HA.HB.DONG"),
        "item": "book", "quantity": 5, "sent_on": "2024-02-01", "note": " Sách chuyên đề ",
    }
    data.update(overrides)
    return data


# --- reading ---------------------------------------------------------------------------------------------


def test_owner_reads_the_transfers_of_the_subtree(actors, api_for, scenario_module):
    listed = rows(api_for(actors.viewer).get(LIST))
    got = sorted((row["sender_code"], row["recipient_code"], row["item"], row["quantity"]) for row in listed)
    assert got == [
        ("BN.HA", "BN.HA.HB", "book", 20), ("BN.HA", "BN.HA.HB", "dvd", 3),
    ]
    book = api_for(actors.viewer).get(detail(received_by_hb())).json()
    assert book == {
        "id": received_by_hb().pk, "campaign": scenario_module.pk, "sender": uid("BN.HA"),
        "sender_code": "BN.HA",
        "recipient": uid("BN.HA.HB"), "recipient_code": "BN.HA.HB", "item": "book", "quantity": 20,
        "sent_on": "2024-01-20", "note": "", "link": "", "has_file": False,
    }


def test_district_filters_by_unit_item_campaign_and_dates(actors, api_for, scenario_module):
    client = api_for(make_user("s.ha.officer", "BN.HA", "officer"))

    def listed(**params: object) -> list[tuple[str, str, str]]:
        return [(row["sender_code"], row["recipient_code"], row["item"])
                for row in rows(client.get(LIST, {"page_size": 100, **params}))]

    assert len(listed()) == 13
    assert sorted(listed(unit=uid("BN.HA.HB"))) == [
        ("BN.HA", "BN.HA.HB", "book"), ("BN.HA", "BN.HA.HB", "dvd"),
    ]
    assert listed(item="digital") == [("BN.HA", "BN.HA", "digital")]
    assert len(listed(sent_on="2024-01-12", campaign=scenario_module.pk)) == 2
    assert len(listed(date_from="2024-01-21", date_to="2024-01-22")) == 6
    page = client.get(LIST, {"page_size": 5, "page": 3}).json()
    assert page["count"] == 13 and len(page["results"]) == 3
    refused_with(client.get(LIST, {"item": "vhs"}), "item")


@pytest.mark.parametrize("role", OUTSIDER_ROLES)
def test_hoa_phu_never_sees_hoa_binh_transfers(role, actors, api_for):
    client = api_for(actors.outsiders[role])
    assert {row["recipient_code"] for row in rows(client.get(LIST))} == {"BN.HA.HP"}
    assert client.get(detail(received_by_hb())).status_code == 404
    assert client.get(LIST, {"unit": uid("BN.HA.HB")}).status_code == 404


def test_list_queries_are_pinned(actors, api_for, scenario_module, django_assert_max_num_queries):
    client = api_for(make_user("s.ha.officer", "BN.HA", "officer"))
    client.get(LIST)
    with django_assert_max_num_queries(4):
        assert len(rows(client.get(LIST))) == 13


# --- writing ---------------------------------------------------------------------------------------------


def test_owner_passes_materials_down_and_deletes_a_mistake(actors, api_for, scenario_module):
    client = api_for(actors.owner)
    before = audit_count()
    response = post(client, new_transfer(scenario_module))
    assert response.status_code == 201, response.content
    body = response.json()
    assert (body["sender_code"], body["recipient_code"], body["quantity"], body["note"]) == (
        "BN.HA.HB", "BN.HA.HB.DONG", 5, "Sách chuyên đề")
    link = new_transfer(scenario_module, item="digital", quantity=1, recipient=uid("BN.HA.HB"),
                        link="https://zalo.me/g/hoabinh", note="")
    response = post(client, link)
    assert response.status_code == 201, response.content
    assert response.json()["link"] == "https://zalo.me/g/hoabinh" and response.json()["has_file"] is False
    assert client.delete(detail(MaterialTransfer.objects.get(pk=body["id"]))).status_code == 204
    assert not MaterialTransfer.objects.filter(pk=body["id"]).exists()
    assert audit_count() == before + 3


def test_viewer_changes_nothing(actors, api_for, scenario_module):
    own = hb_passes_a_dvd_down(scenario_module)
    client = api_for(actors.viewer)
    with nothing_written():
        assert post(client, new_transfer(scenario_module)).status_code == 403
        assert client.delete(detail(own)).status_code == 403
        # Transfers are recorded and deleted, never changed.
        assert api_for(actors.owner).patch(detail(own), {"quantity": 2}, format="json").status_code == 405


def test_a_transfer_from_above_is_read_only_here(actors, api_for):
    with nothing_written():
        response = api_for(actors.owner).delete(detail(received_by_hb()))
        assert response.status_code == 403


@pytest.mark.parametrize("role", ("admin", "officer"))
def test_hoa_phu_cannot_delete_hoa_binh_transfers(role, actors, api_for, scenario_module):
    own = hb_passes_a_dvd_down(scenario_module)
    with nothing_written():
        assert api_for(actors.outsiders[role]).delete(detail(own)).status_code == 404


def test_ids_of_another_subtree_are_404_and_nothing_is_written(actors, api_for, scenario_module):
    client = api_for(actors.owner)
    with nothing_written():
        for data in (new_transfer(scenario_module, recipient=uid("BN.HA.HP")),
                     new_transfer(scenario_module, sender=uid("BN.HA.HP"), recipient=uid("BN.HA.HP.PM")),
                     new_transfer(scenario_module, sender=uid("BN.HA")),
                     new_transfer(scenario_module, recipient=uid("BN.HA.HP.YT"), quantity="x")):
            assert post(client, data).status_code == 404, data
        response = post(api_for(actors.outsiders["officer"]),
                        new_transfer(scenario_module, sender=uid("BN.HA.HP"), recipient=uid("BN.HA.HB")))
        assert response.status_code == 404


def test_rules_of_the_service_are_400_naming_the_field(actors, api_for, scenario_module):
    client = api_for(actors.owner)
    with nothing_written():
        errors = refused_with(post(client, new_transfer(scenario_module, quantity=25)),
                              "quantity")
        assert "20" in errors["quantity"][0]  # what Hòa Bình holds
        refused_with(post(client, new_transfer(scenario_module, quantity=0)), "quantity")
        refused_with(post(client, new_transfer(scenario_module, sender=uid("BN.HA.HB.DONG"),
                                                    recipient=uid("BN.HA.HB"))), "recipient")
        refused_with(post(client, new_transfer(scenario_module, link="https://zalo.me/x")),
                     "item")
        refused_with(post(client, new_transfer(scenario_module, item="digital", note="")),
                     "link")
        refused_with(post(client, new_transfer(scenario_module, sent_on="2023-02-01")),
                     "sent_on")
    # The district cannot delete the 20 books once Hòa Bình has passed 5 of them down.
    assert post(client, new_transfer(scenario_module)).status_code == 201
    district = api_for(make_user("s.ha.officer", "BN.HA", "officer"))
    with nothing_written():
        errors = refused_with(district.delete(detail(received_by_hb())), "non_field_errors")
    assert "Đảng bộ xã Hòa Bình" in errors["non_field_errors"][0]
    assert district.delete(detail(received_by_hb("dvd"))).status_code == 204


def test_wrong_types_and_unknown_fields_are_400_naming_them(actors, api_for, scenario_module):
    client = api_for(actors.owner)
    with nothing_written():
        refused_with(post(client, new_transfer(scenario_module, item="vhs")), "item")
        refused_with(post(client, new_transfer(scenario_module, quantity=2.5)), "quantity")
        refused_with(post(client, new_transfer(scenario_module, item="digital", link="zalo nhóm chi bộ")),
                     "link")
        refused_with(post(client, new_transfer(scenario_module, attachment="c2FjaA==")),
                     "attachment")
        refused_with(post(client, new_transfer(scenario_module, sent_on=None)), "sent_on")
        refused_with(post(client, {"item": "book"}),
                     "campaign", "sender", "recipient", "quantity", "sent_on")
        # JSON only: a form with a file is refused whole.
        form = {**new_transfer(scenario_module, item="digital"), "attachment": b"%PDF-1.4"}
        form.pop("note")
        assert client.post(LIST, form).status_code == 415
