"""Aggregate returns (members, non-members, pledges): one record per campaign, unit and date."""

from collections.abc import Callable, Iterator
from typing import Any

from django.db import models

from chuyende.core.exceptions import RowsInvalid
from chuyende.imports.kinds.base import CREATED, UNCHANGED, UPDATED, Importer, Operation, Outcome, ParsedRow
from chuyende.pledges.models import PledgeReturn
from chuyende.pledges.services import pledge_return_save
from chuyende.returns.models import MemberReturn, NonMemberReturn
from chuyende.returns.services import (
    MemberReturnRow,
    NonMemberReturnRow,
    member_return_save,
    member_returns_bulk_save,
    non_member_return_save,
    non_member_returns_bulk_save,
)


class ReturnImporter(Importer):
    """A return is saved (created or replaced) by its service; equal counts are left alone.

    Member and non-member returns are saved all at once by their bulk services; pledge returns
    one by one."""

    model: type[models.Model]
    service: Callable[..., Any]
    # Saves every row at once (rows of `row_type`), if the kind has such a service; else `service`
    # saves each row.
    bulk_service: Callable[..., list[Outcome]] | None = None
    row_type: Callable[..., Any] = tuple
    counts: tuple[str, ...] = ()
    defaults: dict[str, int] = {}

    def check(self, rows: list[ParsedRow]) -> None:
        ctx = self.ctx
        self.rows: list[ParsedRow] = []
        known: list[ParsedRow] = []  # rows whose record (campaign, unit, date) is known
        for row in rows:
            campaign = ctx.campaign(row)
            unit = ctx.unit(row, "unit")
            editable = unit is not None and ctx.editable(row, "unit", unit)
            if campaign is None or unit is None:
                continue
            row.values["campaign"], row.values["unit"] = campaign, unit
            if row.intact("as_of"):
                known.append(row)
            if editable:
                self.rows.append(row)
        ctx.duplicates(
            known, lambda row: (row.values["campaign"].pk, row.values["unit"].pk, row.get("as_of")),
            "as_of", describe=lambda row: f"{row.values['unit'].code} {_date(row)}",
        )
        campaigns = {row.values["campaign"].pk for row in self.rows}
        units = {row.values["unit"].pk for row in self.rows}
        self.stored: dict[tuple[int, int, Any], Any] = {}
        if campaigns and units:
            for record in self.model._default_manager.filter(campaign_id__in=campaigns, unit_id__in=units):
                self.stored[(record.campaign_id, record.unit_id, record.as_of)] = record  # type: ignore[attr-defined]

    def operations(self) -> Iterator[Operation]:
        if type(self).bulk_service is not None:
            yield Operation(rows=self.rows, run=self._save_all)
            return
        for row in self.rows:
            yield Operation(rows=[row], run=lambda row=row: self._write(row))  # type: ignore[misc]

    def _counts(self, row: ParsedRow) -> dict[str, int]:
        """The row's counts: the stored return's (or the defaults) for columns not in the file."""
        campaign, unit, as_of = row.values["campaign"], row.values["unit"], row.values["as_of"]
        record = self.stored.get((campaign.pk, unit.pk, as_of))
        counts = {}
        for name in self.counts:
            stored = getattr(record, name) if record is not None else self.defaults.get(name)
            value = row.keep(name, stored)
            counts[name] = value if value is not None else self.defaults.get(name, 0)
        return counts

    def _save_all(self) -> dict[int, Outcome]:
        """Every row in one call of the bulk service; its refusals go on their rows."""
        values = [(row.values["campaign"], row.values["unit"], row.values["as_of"],
                   *self._counts(row).values()) for row in self.rows]
        service = type(self).bulk_service
        assert service is not None
        try:
            saved = service(actor=self.ctx.actor, rows=[self.row_type(*row) for row in values])
        except RowsInvalid as refused:
            for index, error in refused.errors.items():
                self.report_refusal(self.rows[index], error)
            return {}
        return {row.number: outcome for row, outcome in zip(self.rows, saved, strict=True)}

    def _write(self, row: ParsedRow) -> Outcome:
        campaign, unit, as_of = row.values["campaign"], row.values["unit"], row.values["as_of"]
        record = self.stored.get((campaign.pk, unit.pk, as_of))
        counts = self._counts(row)
        if record is not None and all(getattr(record, name) == value for name, value in counts.items()):
            return UNCHANGED
        type(self).service(actor=self.ctx.actor, campaign=campaign, unit=unit, as_of=as_of, **counts)
        return UPDATED if record is not None else CREATED


def _date(row: ParsedRow) -> str:
    day = row.get("as_of")
    return day.strftime("%d/%m/%Y") if day else ""


class MemberReturnImporter(ReturnImporter):
    kind = "member_returns"
    model = MemberReturn
    service = member_return_save
    bulk_service = member_returns_bulk_save
    row_type = MemberReturnRow
    counts = ("members_total", "exempt", "away", "studied")


class NonMemberReturnImporter(ReturnImporter):
    kind = "non_member_returns"
    model = NonMemberReturn
    service = non_member_return_save
    bulk_service = non_member_returns_bulk_save
    row_type = NonMemberReturnRow
    counts = ("expected", "studied")


class PledgeReturnImporter(ReturnImporter):
    kind = "pledge_returns"
    model = PledgeReturn
    service = pledge_return_save
    counts = ("registered", "excellent", "good", "not_met")
    defaults = {"excellent": 0, "good": 0, "not_met": 0}
