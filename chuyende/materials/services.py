import datetime
import math

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils.translation import gettext as _

from chuyende.accounts.models import User
from chuyende.accounts.permissions import require_edit, require_read
from chuyende.audit.services import record_change, snapshot
from chuyende.campaigns.models import Campaign
from chuyende.campaigns.services import require_in_campaign
from chuyende.core.numbers import format_number
from chuyende.figures.materials import holding_of
from chuyende.materials.models import PHYSICAL_ITEMS, MaterialTransfer
from chuyende.organisation.models import Unit

MAX_QUANTITY = 1_000_000

# Extension → the bytes such a file starts with (None: checked by `_looks_like_mp4`).
ALLOWED_UPLOADS: dict[str, tuple[bytes, ...] | None] = {
    "pdf": (b"%PDF-",),
    "docx": (b"PK\x03\x04",),
    "xlsx": (b"PK\x03\x04",),
    "pptx": (b"PK\x03\x04",),
    "jpg": (b"\xff\xd8\xff",),
    "jpeg": (b"\xff\xd8\xff",),
    "png": (b"\x89PNG\r\n\x1a\n",),
    "mp3": (b"ID3", b"\xff\xfb", b"\xff\xf3", b"\xff\xf2"),
    "mp4": None,
}


def check_upload(upload: UploadedFile, *, field: str) -> None:
    """Refuses a file that is too large, or whose name or first bytes are not an allowed type."""
    limit = settings.MATERIAL_UPLOAD_MAX_BYTES
    if upload.size is not None and upload.size > limit:
        raise ValidationError({field: _(
            "The file is %(size)s MB; the largest allowed is %(limit)s MB."
        ) % {
            # Rounded up, so a file just over the limit never reads as equal to it.
            "size": format_number(math.ceil(upload.size * 10 / 1_048_576) / 10),
            "limit": format_number(limit // 1_048_576),
        }})
    name = upload.name or ""
    extension = name.rsplit(".", 1)[-1].lower() if "." in name else ""
    allowed = ", ".join(sorted(ALLOWED_UPLOADS))
    if extension not in ALLOWED_UPLOADS:
        raise ValidationError({field: _(
            "Files of type “%(extension)s” are not accepted. Allowed types: %(allowed)s."
        ) % {"extension": extension or "?", "allowed": allowed}})
    upload.seek(0)
    head = upload.read(16)
    upload.seek(0)
    signatures = ALLOWED_UPLOADS[extension]
    matches = head[4:8] == b"ftyp" if signatures is None else head.startswith(signatures)
    if not matches:
        raise ValidationError({field: _(
            "The file is named .%(extension)s but its content is not a %(extension)s file."
        ) % {"extension": extension}})


def _check_transfer(
    *, campaign: Campaign, sender: Unit, recipient: Unit, item: str, quantity: int,
    sent_on: datetime.date, note: str, link: str, attachment: UploadedFile | None,
) -> None:
    require_in_campaign(campaign=campaign, day=sent_on, field="sent_on")
    if quantity < 1:
        raise ValidationError({"quantity": _("The quantity must be at least 1.")})
    if quantity > MAX_QUANTITY:
        raise ValidationError({"quantity": _(
            "%(quantity)s is not a plausible quantity; the largest accepted is %(limit)s."
        ) % {"quantity": format_number(quantity), "limit": format_number(MAX_QUANTITY)}})
    if not recipient.path.startswith(sender.path):
        raise ValidationError({"recipient": _(
            "%(sender)s can pass materials only to itself or to units below it; %(recipient)s is not."
        ) % {"sender": sender.name, "recipient": recipient.name}})
    if item == MaterialTransfer.Item.DIGITAL:
        if not link and attachment is None and not note.strip():
            raise ValidationError({"link": _(
                "A digital item needs a link, an uploaded file, or a note saying where it was shared."
            )})
    elif link or attachment is not None:
        raise ValidationError({"item": _("Only digital items carry a link or a file.")})
    if attachment is not None:
        check_upload(attachment, field="attachment")
    _check_holding(campaign=campaign, sender=sender, recipient=recipient, item=item,
                   quantity=quantity, sent_on=sent_on)


def _check_holding(
    *, campaign: Campaign, sender: Unit, recipient: Unit, item: str, quantity: int, sent_on: datetime.date
) -> None:
    # Digital items are copied, not handed over; the top unit is where materials enter the tree.
    if item not in PHYSICAL_ITEMS or sender.pk == recipient.pk or sender.parent_id is None:
        return
    held = holding_of(unit=sender, campaign=campaign, item=item, on=sent_on).held
    if quantity > held:
        raise ValidationError({"quantity": _(
            "%(unit)s holds %(held)s %(item)s on %(date)s and cannot pass down %(quantity)s."
        ) % {
            "unit": sender.name, "held": format_number(held), "quantity": format_number(quantity),
            "item": MaterialTransfer.Item(item).label, "date": sent_on.strftime("%d/%m/%Y"),
        }})


@transaction.atomic
def material_transfer_create(
    *,
    actor: User | None,
    campaign: Campaign,
    sender: Unit,
    recipient: Unit,
    item: str,
    quantity: int,
    sent_on: datetime.date,
    note: str = "",
    link: str = "",
    attachment: UploadedFile | None = None,
) -> MaterialTransfer:
    """Records materials passed down (or the sender's own supply when recipient is the sender)."""
    require_edit(actor, sender)
    require_read(actor, recipient)
    # Lock the sender so two transfers at once cannot both spend the same copies.
    Unit.objects.select_for_update().filter(pk=sender.pk).first()
    _check_transfer(campaign=campaign, sender=sender, recipient=recipient, item=item, quantity=quantity,
                    sent_on=sent_on, note=note, link=link, attachment=attachment)
    transfer = MaterialTransfer(campaign=campaign, sender=sender, recipient=recipient, item=item,
                                quantity=quantity, sent_on=sent_on, note=note, link=link)
    if attachment is not None:
        transfer.attachment = attachment  # type: ignore[assignment]
    transfer.full_clean()
    transfer.save()
    record_change(actor=actor, action="create", record=transfer, unit_path=sender.path, before=None,
                  after=snapshot(transfer))
    return transfer


@transaction.atomic
def material_transfer_delete(*, actor: User | None, transfer: MaterialTransfer) -> None:
    """Removes a transfer entered by mistake, unless the recipient has already passed the copies on."""
    require_edit(actor, transfer.sender)
    recipient = transfer.recipient
    # Lock the recipient as material_transfer_create locks a sender: no transfer from it meanwhile.
    Unit.objects.select_for_update().filter(pk=recipient.pk).first()
    # Own supply too: the unit may have passed those copies down already.
    if transfer.item in PHYSICAL_ITEMS:
        holding = holding_of(unit=recipient, campaign=transfer.campaign, item=transfer.item, on=None)
        if holding.held < transfer.quantity and recipient.parent_id is not None:
            raise ValidationError(_(
                "%(unit)s has already passed on part of these copies; delete its transfers first."
            ) % {"unit": recipient.name})
    before = snapshot(transfer)
    pk = transfer.pk
    transfer.delete()
    transfer.pk = pk
    record_change(actor=actor, action="delete", record=transfer, unit_path=transfer.sender.path,
                  before=before, after=None)
