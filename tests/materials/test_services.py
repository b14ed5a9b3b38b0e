"""Materials: quantities, holdings, the sender's subtree, digital items and uploads, roles, deletion."""

from pathlib import Path
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext

from chuyende.audit.models import AuditEntry
from chuyende.core.exceptions import NotAllowed, NotInScope
from chuyende.figures.materials import Holding, holding_of, holdings_of
from chuyende.materials.models import MaterialTransfer
from chuyende.materials.services import material_transfer_create, material_transfer_delete
from tests.builders import D
from tests.conftest import unit
from tests.view_helpers import translated

pytestmark = pytest.mark.usefixtures("db")

PDF = b"%PDF-1.4\n1 0 obj\n<<>>\nendobj\ntrailer\n<<>>\n%%EOF\n"


@pytest.fixture
def media(settings, tmp_path: Path) -> Path:
    settings.MEDIA_ROOT = tmp_path / "media"
    return Path(settings.MEDIA_ROOT)


def stored_files(root: Path) -> list[Path]:
    return [path for path in root.rglob("*") if path.is_file()] if root.exists() else []


def transfer(campaign, sender: str = "BN.HA", recipient: str = "BN.HA.HB", **changes: Any) -> dict[str, Any]:
    values: dict[str, Any] = {
        "actor": None, "campaign": campaign, "sender": unit(sender), "recipient": unit(recipient),
        "item": "dvd", "quantity": 1, "sent_on": D(2024, 2, 1),
    }
    return {**values, **changes}


def counts() -> tuple[int, int]:
    return MaterialTransfer.objects.count(), AuditEntry.objects.count()


def refused_on(field: str, **kwargs: Any) -> str:
    """Calls the service expecting a ValidationError on exactly `field`, with nothing written."""
    before = counts()
    with pytest.raises(ValidationError) as caught:
        material_transfer_create(**kwargs)
    assert counts() == before
    assert list(caught.value.message_dict) == [field], caught.value.message_dict
    [text] = caught.value.message_dict[field]
    return text


# The scenario's materials ------------------------------------------------------------------------


def test_scenario_district_received_and_passed_down(scenario_module):
    """BN gives Hòa An 12 DVDs and 90 books; Hòa An passes 11 and 83 to its five grassroots units."""
    district = holdings_of(unit=unit("BN.HA"), campaign=scenario_module, on=None)
    assert district["dvd"] == Holding(received=12, own_supply=0, passed_down=11)
    assert district["book"] == Holding(received=90, own_supply=0, passed_down=83)
    assert district["digital"].own_supply == 1
    assert (district["dvd"].held, district["book"].held) == (1, 7)
    assert list(district) == ["book", "dvd", "digital"]  # the order of MaterialTransfer.Item


def test_holdings_of_is_one_query_and_agrees_with_holding_of(scenario_module):
    hoa_an = unit("BN.HA")
    with CaptureQueriesContext(connection) as queries:
        holdings = holdings_of(unit=hoa_an, campaign=scenario_module, on=None)
    assert len(queries) == 1
    for item in ("book", "dvd", "digital"):
        assert holdings[item] == holding_of(unit=hoa_an, campaign=scenario_module, item=item, on=None)


def test_holdings_of_counts_only_what_is_dated_by_the_day(scenario_module):
    # 20/01: Hòa Bình and Hòa Phú got 3 DVDs each; Thị trấn (21/01), Yên Thành and THPT (22/01) not yet.
    on_20 = holdings_of(unit=unit("BN.HA"), campaign=scenario_module, on=D(2024, 1, 20))
    assert on_20["dvd"] == Holding(received=12, own_supply=0, passed_down=6)
    assert holdings_of(unit=unit("BN.HA"), campaign=scenario_module, on=D(2024, 1, 11)) == {}
    hoa_binh = holdings_of(unit=unit("BN.HA.HB"), campaign=scenario_module, on=None)
    assert hoa_binh == {"book": Holding(received=20), "dvd": Holding(received=3)}


# Quantities ---------------------------------------------------------------------------------------


@pytest.mark.parametrize("quantity", [0, -1])
def test_quantity_below_one_is_refused(scenario_module, quantity):
    text = refused_on("quantity", **transfer(scenario_module, quantity=quantity))
    assert text == translated("The quantity must be at least 1.")


def test_implausible_quantity_is_refused(scenario_module):
    text = refused_on("quantity", **transfer(scenario_module, sender="BN", recipient="BN.HA",
                                             quantity=2_000_000))
    assert text == translated(
        "%(quantity)s is not a plausible quantity; the largest accepted is %(limit)s.",
        quantity="2.000.000", limit="1.000.000",
    )


def test_the_top_unit_may_pass_down_any_plausible_quantity(scenario_module):
    saved = material_transfer_create(**transfer(scenario_module, sender="BN", recipient="BN.HA",
                                                quantity=1_000_000))
    assert saved.quantity == 1_000_000


def test_passing_down_more_than_held_is_refused(scenario_module):
    """Hòa An received 12 DVDs and already passed 11 down: 13 is refused, and so is 2; 1 is left."""
    for quantity in (13, 2):
        text = refused_on("quantity", **transfer(scenario_module, quantity=quantity))
        assert text == translated(
            "%(unit)s holds %(held)s %(item)s on %(date)s and cannot pass down %(quantity)s.",
            unit=unit("BN.HA").name, held="1", item=translated("DVD"), date="01/02/2024",
            quantity=str(quantity),
        )
    assert material_transfer_create(**transfer(scenario_module, quantity=1)).quantity == 1
    refused_on("quantity", **transfer(scenario_module, quantity=1))


def test_copies_received_later_cannot_be_passed_down_earlier(scenario_module):
    """Hòa Bình received 3 DVDs on 20/01: on 19/01 it held none."""
    refused_on("quantity", **transfer(scenario_module, sender="BN.HA.HB", recipient="BN.HA.HB.DONG",
                                      sent_on=D(2024, 1, 19)))
    saved = material_transfer_create(**transfer(scenario_module, sender="BN.HA.HB",
                                                recipient="BN.HA.HB.DONG", quantity=3))
    assert holding_of(unit=unit("BN.HA.HB"), campaign=scenario_module, item="dvd", on=None).held == 0
    assert saved.recipient.code == "BN.HA.HB.DONG"


def test_own_supply_adds_to_what_can_be_passed_down(scenario_module):
    material_transfer_create(**transfer(scenario_module, sender="BN.HA.HB", recipient="BN.HA.HB",
                                        item="book", quantity=50))
    saved = material_transfer_create(**transfer(scenario_module, sender="BN.HA.HB",
                                                recipient="BN.HA.HB.TAY", item="book", quantity=70))
    assert saved.quantity == 70
    refused_on("quantity", **transfer(scenario_module, sender="BN.HA.HB", recipient="BN.HA.HB.TAY",
                                      item="book", quantity=1))


# Recipient ----------------------------------------------------------------------------------------


def test_recipient_outside_the_senders_subtree_is_refused(scenario_module):
    text = refused_on("recipient", **transfer(scenario_module, sender="BN.HA.HB", recipient="BN.HA.HP"))
    assert text == translated(
        "%(sender)s can pass materials only to itself or to units below it; %(recipient)s is not.",
        sender=unit("BN.HA.HB").name, recipient=unit("BN.HA.HP").name,
    )
    # Upwards too.
    refused_on("recipient", **transfer(scenario_module, sender="BN.HA.HB", recipient="BN.HA"))


# Digital items and files -----------------------------------------------------------------------


def test_digital_item_needs_a_link_a_file_or_a_note(scenario_module):
    refused_on("link", **transfer(scenario_module, item="digital"))
    refused_on("link", **transfer(scenario_module, item="digital", note="   "))
    saved = material_transfer_create(**transfer(scenario_module, item="digital",
                                                link="https://example.org/chuyen-de-2024.pdf"))
    assert saved.link == "https://example.org/chuyen-de-2024.pdf"


def test_digital_items_are_copied_not_spent(scenario_module):
    """Hòa Bình holds no digital item, yet may forward a link to its cells as often as needed."""
    for _ in range(3):
        material_transfer_create(**transfer(scenario_module, sender="BN.HA.HB", recipient="BN.HA.HB.DONG",
                                            item="digital", quantity=5, link="https://example.org/v"))


def test_physical_item_cannot_carry_a_link_or_file(scenario_module, media):
    refused_on("item", **transfer(scenario_module, link="https://example.org/x"))
    refused_on("item", **transfer(scenario_module,
                                  attachment=SimpleUploadedFile("a.pdf", PDF, "application/pdf")))
    assert stored_files(media) == []


@pytest.mark.parametrize(
    ("name", "content", "expected"),
    [
        ("chuyen-de.exe", b"MZ\x90\x00" + b"\x00" * 60,
         ("Files of type “%(extension)s” are not accepted. Allowed types: %(allowed)s.",
          {"extension": "exe", "allowed": "docx, jpeg, jpg, mp3, mp4, pdf, png, pptx, xlsx"})),
        ("chuyen-de.pdf", b"<html><script>alert(1)</script></html>",
         ("The file is named .%(extension)s but its content is not a %(extension)s file.",
          {"extension": "pdf"})),
        ("chuyen-de", PDF,
         ("Files of type “%(extension)s” are not accepted. Allowed types: %(allowed)s.",
          {"extension": "?", "allowed": "docx, jpeg, jpg, mp3, mp4, pdf, png, pptx, xlsx"})),
    ],
)
def test_bad_upload_is_refused_and_nothing_stored(scenario_module, media, name, content, expected):
    upload = SimpleUploadedFile(name, content, "application/pdf")
    text = refused_on("attachment", **transfer(scenario_module, item="digital", attachment=upload))
    assert text == translated(expected[0], **expected[1])
    assert stored_files(media) == []


def test_upload_over_the_size_limit_is_refused(scenario_module, media, settings):
    settings.MATERIAL_UPLOAD_MAX_BYTES = 1_048_576
    upload = SimpleUploadedFile("big.pdf", PDF + b"0" * 1_048_576, "application/pdf")
    text = refused_on("attachment", **transfer(scenario_module, item="digital", attachment=upload))
    assert text == translated("The file is %(size)s MB; the largest allowed is %(limit)s MB.",
                              size="1,1", limit="1")
    assert stored_files(media) == []


def test_valid_pdf_is_stored(scenario_module, media):
    upload = SimpleUploadedFile("Chuyên đề 2024.pdf", PDF, "application/pdf")
    saved = material_transfer_create(**transfer(scenario_module, item="digital", attachment=upload))
    [stored] = stored_files(media)
    assert stored.read_bytes() == PDF
    assert stored.suffix == ".pdf"
    assert saved.attachment.name.startswith("materials/")
    with saved.attachment.open("rb") as handle:
        assert handle.read() == PDF


# Roles and scope --------------------------------------------------------------------------------


def test_viewer_and_outsiders_cannot_record(actors, scenario_module):
    before = counts()
    hb_cells = transfer(scenario_module, sender="BN.HA.HB", recipient="BN.HA.HB.DONG")
    with pytest.raises(NotAllowed):
        material_transfer_create(**{**hb_cells, "actor": actors.viewer})
    for outsider in actors.outsiders.values():
        with pytest.raises(NotInScope):
            material_transfer_create(**{**hb_cells, "actor": outsider})
    # Hòa Bình's officer naming a Hòa Phú unit as the recipient.
    with pytest.raises(NotInScope):
        material_transfer_create(**{**hb_cells, "actor": actors.owner, "recipient": unit("BN.HA.HP.PM")})
    assert counts() == before
    saved = material_transfer_create(**{**hb_cells, "actor": actors.reporter})
    entry = AuditEntry.objects.get(record_type="materials.MaterialTransfer", record_id=saved.pk)
    assert (entry.action, entry.actor) == ("create", actors.reporter)


# Deletion -----------------------------------------------------------------------------------------


def test_delete_refused_once_the_recipient_passed_copies_on(scenario_module):
    received = material_transfer_create(**transfer(scenario_module, item="book", quantity=5))
    material_transfer_create(**transfer(scenario_module, sender="BN.HA.HB", recipient="BN.HA.HB.DONG",
                                        item="book", quantity=22))
    before = counts()
    with pytest.raises(ValidationError) as caught:
        material_transfer_delete(actor=None, transfer=received)
    assert caught.value.messages == [translated(
        "%(unit)s has already passed on part of these copies; delete its transfers first.",
        unit=unit("BN.HA.HB").name,
    )]
    assert counts() == before


def test_delete_of_own_supply_refused_once_passed_on(scenario_module):
    own = material_transfer_create(**transfer(scenario_module, sender="BN.HA.HB", recipient="BN.HA.HB",
                                              item="leaflet", quantity=100))
    material_transfer_create(**transfer(scenario_module, sender="BN.HA.HB", recipient="BN.HA.HB.TH",
                                        item="leaflet", quantity=40))
    with pytest.raises(ValidationError):
        material_transfer_delete(actor=None, transfer=own)
    assert MaterialTransfer.objects.filter(pk=own.pk).exists()


def test_delete_leaves_an_audit_entry(actors, scenario_module):
    saved = material_transfer_create(**transfer(scenario_module, sender="BN.HA.HB",
                                                recipient="BN.HA.HB.DONG", actor=actors.owner))
    with pytest.raises(NotAllowed):
        material_transfer_delete(actor=actors.viewer, transfer=saved)
    with pytest.raises(NotInScope):
        material_transfer_delete(actor=actors.outsiders["officer"], transfer=saved)
    material_transfer_delete(actor=actors.owner, transfer=saved)
    assert not MaterialTransfer.objects.filter(pk=saved.pk).exists()
    entry = AuditEntry.objects.filter(record_type="materials.MaterialTransfer", record_id=saved.pk,
                                      action="delete").get()
    assert entry.before is not None
    assert entry.before["quantity"] == 1
