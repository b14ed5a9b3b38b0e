"""Outreach: no code, so rows are paired with stored records by campaign, unit, day and channel."""

from collections.abc import Iterator
from typing import Any

from chuyende.imports.kinds.base import CREATED, UNCHANGED, UPDATED, Importer, Operation, Outcome, ParsedRow
from chuyende.imports.kinds.matching import pair_rows
from chuyende.outreach.models import Outreach
from chuyende.outreach.services import outreach_create, outreach_update

FIELDS = ("sessions", "reach", "note")


def _values(row: ParsedRow, record: Outreach | None) -> dict[str, Any]:
    return {
        "sessions": row.keep("sessions", record.sessions if record else None),
        "reach": row.keep("reach", record.reach if record else None),
        "note": row.keep("note", record.note if record else ""),
    }


class OutreachImporter(Importer):
    kind = "outreach"

    def check(self, rows: list[ParsedRow]) -> None:
        ctx = self.ctx
        checked = []
        for row in rows:
            campaign = ctx.campaign(row)
            unit = ctx.unit(row, "unit")
            editable = unit is not None and ctx.editable(row, "unit", unit)
            if campaign is None or not editable:
                continue
            row.values["campaign"], row.values["unit"] = campaign, unit
            checked.append(row)
        records = Outreach.objects.filter(
            campaign_id__in={row.values["campaign"].pk for row in checked},
            unit_id__in={row.values["unit"].pk for row in checked},
        ).order_by("id")
        self.pairs = pair_rows(
            checked, records,
            row_key=lambda row: (row.values["campaign"].pk, row.values["unit"].pk, row.get("held_on"),
                                 row.get("channel")),
            record_key=lambda record: (record.campaign_id, record.unit_id, record.held_on, record.channel),
            equal=lambda row, record: all(
                _values(row, record)[name] == getattr(record, name) for name in FIELDS),
        )

    def operations(self) -> Iterator[Operation]:
        for row, record, equal in self.pairs:
            yield Operation(rows=[row], run=lambda r=row, rec=record, eq=equal: self._write(r, rec, eq))  # type: ignore[misc]

    def _write(self, row: ParsedRow, record: Outreach | None, equal: bool) -> Outcome:
        if equal:
            return UNCHANGED
        values = _values(row, record)
        sessions = values["sessions"] if values["sessions"] is not None else 0
        note = values["note"] or ""
        if record is None:
            outreach_create(actor=self.ctx.actor, campaign=row.values["campaign"], unit=row.values["unit"],
                            held_on=row.values["held_on"], channel=row.values["channel"], sessions=sessions,
                            reach=values["reach"], note=note)
            return CREATED
        outreach_update(actor=self.ctx.actor, outreach=record, unit=row.values["unit"],
                        held_on=row.values["held_on"], channel=row.values["channel"], sessions=sessions,
                        reach=values["reach"], note=note)
        return UPDATED
