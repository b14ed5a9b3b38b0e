"""Materials pages: the unit's holdings and transfers, the transfer form, deletion, file download."""

from pathlib import Path
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils.html import escape

from chuyende.audit.models import AuditEntry
from chuyende.figures.materials import Holding
from chuyende.materials.models import MaterialTransfer
from chuyende.materials.services import material_transfer_create
from chuyende.organisation.models import Unit
from tests.builders import D
from tests.conftest import OUTSIDER_ROLES
from tests.view_helpers import message

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.4\n1 0 obj\n<<>>\nendobj\ntrailer\n<<>>\n%%EOF\n"
LIST_QUERIES = 13


@pytest.fixture
def media(settings, tmp_path: Path) -> Path:
    settings.MEDIA_ROOT = tmp_path / "media"
    return Path(settings.MEDIA_ROOT)


def unit_id(code: str) -> int:
    return Unit.objects.get(code=code).pk


def counts() -> tuple[int, int]:
    return MaterialTransfer.objects.count(), AuditEntry.objects.count()


def stored_files(root: Path) -> list[Path]:
    return [path for path in root.rglob("*") if path.is_file()] if root.exists() else []


def form_data(campaign, **overrides: object) -> dict[str, object]:
    data: dict[str, object] = {
        "campaign": campaign.pk, "sender": unit_id("BN.HA.HB"), "recipient": unit_id("BN.HA.HB.DONG"),
        "item": "dvd", "quantity": 2, "sent_on": "2024-02-05", "note": "", "link": "",
    }
    data.update(overrides)
    return data


def hb_transfer(campaign, **changes: Any) -> MaterialTransfer:
    """Hòa Bình passes a DVD to its Đông cell (made through the service, as the system)."""
    values: dict[str, Any] = {
        "actor": None, "campaign": campaign, "sender": Unit.objects.get(code="BN.HA.HB"),
        "recipient": Unit.objects.get(code="BN.HA.HB.DONG"), "item": "dvd", "quantity": 1,
        "sent_on": D(2024, 2, 1),
    }
    return material_transfer_create(**{**values, **changes})


def hb_file_transfer(campaign) -> MaterialTransfer:
    return hb_transfer(campaign, item="digital",
                       attachment=SimpleUploadedFile("bai-giang.pdf", PDF, "application/pdf"))


def refused(client, data) -> str:
    """Posts bad input: the form comes back (200) with the error shown and nothing is written."""
    before = counts()
    response = client.post(reverse("materials:create"), data)
    assert response.status_code == 200
    form = response.context["form"]
    assert form.errors
    page = response.content.decode()
    for errors in form.errors.values():
        for error in errors:
            assert escape(error) in page
    assert counts() == before
    return page


# --- list -------------------------------------------------------------------------------------


def test_list_shows_the_users_unit_by_default(users, client_for, scenario):
    response = client_for(users.viewer).get(reverse("materials:list"))
    assert response.status_code == 200
    assert response.context["unit"].code == "BN.HA.HB"
    assert [(row.item, row.holding) for row in response.context["holdings"]] == [
        ("book", Holding(received=20)), ("dvd", Holding(received=3)),
    ]
    received = list(response.context["received"].object_list)
    assert {(r.sender.code, r.item, r.quantity) for r in received} == {
        ("BN.HA", "dvd", 3), ("BN.HA", "book", 20),
    }
    assert list(response.context["passed"].object_list) == []
    assert response.context["deletable"] == set()


def test_list_of_the_district_as_of_a_day(scenario, fast_passwords, client_for):
    from chuyende.accounts.services import user_create

    district = user_create(actor=None, username="t.ha.officer", password="x-hoaan-2024", full_name="HA",
                           unit=Unit.objects.get(code="BN.HA"), role="officer")
    client = client_for(district)
    response = client.get(reverse("materials:list"),
                          {"campaign": scenario.pk, "unit": unit_id("BN.HA"), "on": "2024-01-20"})
    assert response.status_code == 200
    holdings = {row.item: row for row in response.context["holdings"]}
    assert list(holdings) == ["book", "dvd", "digital"]
    assert holdings["dvd"].holding == Holding(received=12, own_supply=0, passed_down=6)
    assert holdings["book"].holding == Holding(received=90, own_supply=0, passed_down=40)
    assert holdings["digital"].holding == Holding(own_supply=1)
    assert not holdings["digital"].physical
    passed = list(response.context["passed"].object_list)
    assert {r.recipient.code for r in passed} == {"BN.HA.HB", "BN.HA.HP"}
    # The district may delete what it passed down, not what the province gave it.
    deletable = response.context["deletable"]
    assert {r.pk for r in passed} <= deletable
    from_province = [r for r in response.context["received"].object_list if r.sender.code == "BN"]
    assert from_province
    assert not {r.pk for r in from_province} & deletable
    page = response.content.decode()
    assert "20/01/2024" in page and "22/01/2024" not in page


def test_list_of_a_unit_of_another_subtree_is_404(users, client_for, scenario):
    client = client_for(users.outsiders["viewer"])
    assert client.get(reverse("materials:list"), {"unit": unit_id("BN.HA.HB")}).status_code == 404
    assert client.get(reverse("materials:list"), {"unit": unit_id("BN.HA")}).status_code == 404


def test_list_queries_do_not_grow_with_transfers(users, client_for, scenario, django_assert_max_num_queries):
    client = client_for(users.owner)
    url = reverse("materials:list")
    with django_assert_max_num_queries(LIST_QUERIES):
        assert client.get(url).status_code == 200
    for cell in ("BN.HA.HB.DONG", "BN.HA.HB.TAY", "BN.HA.HB.TH"):
        hb_transfer(scenario, recipient=Unit.objects.get(code=cell), item="book", quantity=5)
        hb_transfer(scenario, recipient=Unit.objects.get(code=cell), item="digital", link="https://e.org/a")
    query = {"campaign": scenario.pk, "unit": unit_id("BN.HA.HB")}
    with django_assert_max_num_queries(LIST_QUERIES):
        response = client.get(url, query)
    assert len(response.context["passed"].object_list) == 6


# --- create -----------------------------------------------------------------------------------


def test_owner_records_a_transfer(users, client_for, scenario):
    client = client_for(users.owner)
    page = client.get(reverse("materials:create"))
    assert page.status_code == 200
    offered = {u.code for u in page.context["form"].fields["sender"].offered}
    assert offered == {"BN.HA.HB", "BN.HA.HB.DONG", "BN.HA.HB.TAY", "BN.HA.HB.TH"}
    before = counts()
    response = client.post(reverse("materials:create"), form_data(scenario, note="  Giao tại hội nghị  "))
    assert response.status_code == 302
    saved = MaterialTransfer.objects.get(sender__code="BN.HA.HB", recipient__code="BN.HA.HB.DONG")
    assert (saved.item, saved.quantity, saved.sent_on) == ("dvd", 2, D(2024, 2, 5))
    assert saved.note == "Giao tại hội nghị"
    assert counts() == (before[0] + 1, before[1] + 1)
    assert response["Location"].startswith(reverse("materials:list"))


def test_quantity_zero_is_refused_on_the_field(users, client_for, scenario):
    page = refused(client_for(users.owner), form_data(scenario, quantity=0))
    assert message("The quantity must be at least 1.") in page


def test_quantity_above_the_limit_is_refused(users, client_for, scenario):
    page = refused(client_for(users.owner), form_data(scenario, quantity=2_000_000))
    assert message("%(quantity)s is not a plausible quantity; the largest accepted is %(limit)s.",
                   quantity="2.000.000", limit="1.000.000") in page


def test_more_than_held_is_refused(users, client_for, scenario):
    """Hòa Bình received 3 DVDs; it cannot pass 4 down."""
    client = client_for(users.owner)
    before = counts()
    response = client.post(reverse("materials:create"), form_data(scenario, quantity=4))
    assert response.status_code == 200
    expected = message("%(unit)s holds %(held)s %(item)s on %(date)s and cannot pass down %(quantity)s.",
                       unit="Đảng bộ xã Hòa Bình", held="3", item=str(MaterialTransfer.Item.DVD.label),
                       date="05/02/2024", quantity="4")
    assert [escape(e) for e in response.context["form"].errors["quantity"]] == [expected]
    assert expected in response.content.decode()
    assert counts() == before


def test_recipient_above_the_sender_is_refused(users, client_for, scenario):
    page = refused(client_for(users.owner),
                   form_data(scenario, sender=unit_id("BN.HA.HB.DONG"), recipient=unit_id("BN.HA.HB")))
    assert message(
        "%(sender)s can pass materials only to itself or to units below it; %(recipient)s is not.",
        sender=Unit.objects.get(code="BN.HA.HB.DONG").name, recipient="Đảng bộ xã Hòa Bình",
    ) in page


def test_digital_without_link_file_or_note_is_refused(users, client_for, scenario):
    response_page = refused(client_for(users.owner), form_data(scenario, item="digital"))
    assert message("A digital item needs a link, an uploaded file, or a note saying where it was shared.") \
        in response_page


def test_bad_upload_is_refused_and_nothing_stored(users, client_for, scenario, media):
    client = client_for(users.owner)
    refused(client, form_data(scenario, item="digital",
                              attachment=SimpleUploadedFile("virus.exe", b"MZ" + b"\0" * 100)))
    page = refused(client, form_data(scenario, item="digital",
                                     attachment=SimpleUploadedFile("bai.pdf", b"not a pdf at all")))
    assert message("The file is named .%(extension)s but its content is not a %(extension)s file.",
                   extension="pdf") in page
    assert stored_files(media) == []


def test_upload_over_the_limit_is_refused(users, client_for, scenario, media, settings):
    settings.MATERIAL_UPLOAD_MAX_BYTES = 1_048_576
    page = refused(client_for(users.owner), form_data(
        scenario, item="digital", attachment=SimpleUploadedFile("big.pdf", PDF + b"0" * 1_100_000),
    ))
    assert message("The file is %(size)s MB; the largest allowed is %(limit)s MB.",
                   size="1,1", limit="1") in page
    assert stored_files(media) == []


def test_pdf_upload_is_stored_and_downloadable(users, client_for, scenario, media):
    client = client_for(users.owner)
    response = client.post(reverse("materials:create"), form_data(
        scenario, item="digital", quantity=1,
        attachment=SimpleUploadedFile("Bài giảng chuyên đề.pdf", PDF, "application/pdf"),
    ))
    assert response.status_code == 302
    saved = MaterialTransfer.objects.get(item="digital", sender__code="BN.HA.HB")
    assert len(stored_files(media)) == 1
    listed = client.get(reverse("materials:list"))
    assert reverse("materials:file", args=[saved.pk]) in listed.content.decode()
    download = client.get(reverse("materials:file", args=[saved.pk]))
    assert download.status_code == 200
    assert b"".join(download.streaming_content) == PDF
    assert download["Content-Type"] == "application/pdf"
    disposition = download["Content-Disposition"]
    assert disposition.startswith("attachment; filename")
    assert "pdf" in disposition


# --- roles and scope --------------------------------------------------------------------------


def test_viewer_reads_but_cannot_write(users, client_for, scenario, media):
    saved = hb_file_transfer(scenario)
    client = client_for(users.viewer)
    before = counts()
    assert client.get(reverse("materials:list")).status_code == 200
    download = client.get(reverse("materials:file", args=[saved.pk]))
    assert download.status_code == 200
    assert download["Content-Disposition"] == 'attachment; filename="bai-giang.pdf"'
    assert client.get(reverse("materials:create")).status_code == 403
    assert client.post(reverse("materials:create"), form_data(scenario)).status_code == 403
    assert client.get(reverse("materials:delete", args=[saved.pk])).status_code == 403
    assert client.post(reverse("materials:delete", args=[saved.pk])).status_code == 403
    assert counts() == before


@pytest.mark.parametrize("role", OUTSIDER_ROLES)
def test_outsiders_get_404(role, users, client_for, scenario, media):
    saved = hb_file_transfer(scenario)
    client = client_for(users.outsiders[role])
    before = counts()
    assert client.get(reverse("materials:file", args=[saved.pk])).status_code == 404
    assert client.get(reverse("materials:delete", args=[saved.pk])).status_code == 404
    assert client.post(reverse("materials:delete", args=[saved.pk])).status_code == 404
    # Tampering: a Hòa Bình sender in the Hòa Phú form.
    assert client.post(reverse("materials:create"), form_data(scenario)).status_code == 404
    assert counts() == before


def test_tampered_recipient_from_another_subtree_is_404(users, client_for, scenario):
    before = counts()
    response = client_for(users.owner).post(
        reverse("materials:create"), form_data(scenario, recipient=unit_id("BN.HA.HP.PM"))
    )
    assert response.status_code == 404
    assert counts() == before
    assert not MaterialTransfer.objects.filter(recipient__code="BN.HA.HP.PM", sent_on=D(2024, 2, 5)).exists()


def test_recipient_side_reads_the_file_but_cannot_delete(users, client_for, scenario, media):
    """The district sends Hòa Bình a file: Hòa Bình downloads it; only the district may delete it."""
    from_district = hb_transfer(
        scenario, sender=Unit.objects.get(code="BN.HA"), recipient=Unit.objects.get(code="BN.HA.HB"),
        item="digital", attachment=SimpleUploadedFile("huong-dan.pdf", PDF),
    )
    client = client_for(users.owner)
    assert client.get(reverse("materials:file", args=[from_district.pk])).status_code == 200
    assert client.post(reverse("materials:delete", args=[from_district.pk])).status_code == 403
    assert MaterialTransfer.objects.filter(pk=from_district.pk).exists()


def test_no_file_is_404(users, client_for, scenario):
    saved = hb_transfer(scenario)
    assert client_for(users.owner).get(reverse("materials:file", args=[saved.pk])).status_code == 404


# --- delete -----------------------------------------------------------------------------------


def test_owner_deletes_a_transfer(users, client_for, scenario):
    saved = hb_transfer(scenario)
    client = client_for(users.owner)
    assert client.get(reverse("materials:delete", args=[saved.pk])).status_code == 200
    response = client.post(reverse("materials:delete", args=[saved.pk]))
    assert response.status_code == 302
    assert not MaterialTransfer.objects.filter(pk=saved.pk).exists()


def test_delete_refused_once_the_copies_were_passed_on(users, client_for, scenario):
    """The district's 3 DVDs to Hòa Bình cannot go once Hòa Bình passed 2 of them to a cell."""
    hb_transfer(scenario, quantity=2)
    district_row = MaterialTransfer.objects.get(sender__code="BN.HA", recipient__code="BN.HA.HB", item="dvd")
    from chuyende.accounts.services import user_create

    district = user_create(actor=None, username="t.ha.officer", password="x-hoaan-2024", full_name="HA",
                           unit=Unit.objects.get(code="BN.HA"), role="officer")
    before = counts()
    response = client_for(district).post(reverse("materials:delete", args=[district_row.pk]))
    assert response.status_code == 200
    assert message("%(unit)s has already passed on part of these copies; delete its transfers first.",
                   unit="Đảng bộ xã Hòa Bình") in response.content.decode()
    assert counts() == before
