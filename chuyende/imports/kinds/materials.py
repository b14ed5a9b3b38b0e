"""Materials: deliveries have no code, so rows are paired with stored ones by campaign, units, item and
day. The materials service only adds and deletes deliveries, so a paired row that differs replaces
the stored delivery (deleted, then added, both checked by the service). Rows are written by date,
higher units first on a day, so a unit receives copies before it passes them on."""

import datetime
from collections.abc import Iterator
from typing import Any

from django.utils.translation import gettext as _

from chuyende.imports.kinds.base import CREATED, UNCHANGED, UPDATED, Importer, Operation, Outcome, ParsedRow
from chuyende.imports.kinds.matching import pair_rows
from chuyende.materials.models import MaterialTransfer
from chuyende.materials.services import material_transfer_create, material_transfer_delete

FIELDS = ("quantity", "note", "link")


def _values(row: ParsedRow, record: MaterialTransfer | None) -> dict[str, Any]:
    return {
        "quantity": row.keep("quantity", record.quantity if record else None),
        "note": row.keep("note", record.note if record else "") or "",
        "link": row.keep("link", record.link if record else "") or "",
    }


def _equal(row: ParsedRow, record: MaterialTransfer) -> bool:
    values = _values(row, record)
    return all(values[name] == getattr(record, name) for name in FIELDS)


class MaterialImporter(Importer):
    kind = "materials"

    def check(self, rows: list[ParsedRow]) -> None:
        ctx = self.ctx
        checked = []
        for row in rows:
            campaign = ctx.campaign(row)
            sender = ctx.unit(row, "sender")
            recipient = ctx.unit(row, "recipient")
            editable = sender is not None and ctx.editable(row, "sender", sender)
            if campaign is None or recipient is None or not editable:
                continue
            row.values.update(campaign=campaign, sender=sender, recipient=recipient)
            checked.append(row)
        records = MaterialTransfer.objects.filter(
            campaign_id__in={row.values["campaign"].pk for row in checked},
            sender_id__in={row.values["sender"].pk for row in checked},
        ).select_related("sender", "recipient", "campaign").order_by("id")
        pairs = pair_rows(
            checked, records,
            row_key=lambda row: (row.values["campaign"].pk, row.values["sender"].pk,
                                 row.values["recipient"].pk, row.get("item"), row.get("sent_on")),
            record_key=lambda r: (r.campaign_id, r.sender_id, r.recipient_id, r.item, r.sent_on),
            equal=_equal,
        )
        for row, record, equal in pairs:
            if record is not None and not equal and record.attachment:
                ctx.problem(row, "quantity", _(
                    "The stored delivery has an attached file, so the import cannot replace it; change it "
                    "on the materials page."
                ))
        # A day that could not be read sorts first; the import stops at the check then anyway.
        self.pairs = sorted(pairs, key=lambda pair: (
            pair[0].get("sent_on", datetime.date.min), pair[0].values["sender"].depth, pair[0].number))

    def operations(self) -> Iterator[Operation]:
        for row, record, equal in self.pairs:
            yield Operation(rows=[row], run=lambda r=row, rec=record, eq=equal: self._write(r, rec, eq))  # type: ignore[misc]

    def _write(self, row: ParsedRow, record: MaterialTransfer | None, equal: bool) -> Outcome:
        if equal:
            return UNCHANGED
        values = _values(row, record)
        if record is not None:
            material_transfer_delete(actor=self.ctx.actor, transfer=record)
        material_transfer_create(
            actor=self.ctx.actor, campaign=row.values["campaign"], sender=row.values["sender"],
            recipient=row.values["recipient"], item=row.values["item"], quantity=values["quantity"] or 0,
            sent_on=row.values["sent_on"], note=str(values["note"]), link=str(values["link"]),
        )
        return UPDATED if record is not None else CREATED
