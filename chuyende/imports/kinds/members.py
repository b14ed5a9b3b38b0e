"""Party members, matched by member code: new ones through members_import, stored ones through
members_bulk_update (both in bulk)."""

import datetime
from collections.abc import Callable, Iterator

from django.utils.translation import gettext as _

from chuyende.core import bulk
from chuyende.imports.kinds.base import (
    CREATED,
    UPDATED,
    Importer,
    Operation,
    Outcome,
    ParsedRow,
    members_by_code,
)
from chuyende.members.models import Member, MemberStatus, MemberStatusChoices
from chuyende.members.services import (
    MemberChange,
    MemberRow,
    MemberRowsInvalid,
    member_codes_taken,
    members_bulk_update,
    members_import,
)
from chuyende.organisation.models import Unit

FIELDS = ("full_name", "sex", "birth_year", "membership")


class MemberImporter(Importer):
    kind = "members"
    # Set by the engine: called with the rows written so far while the new members are inserted.
    written: Callable[[int], None] | None = None

    def check(self, rows: list[ParsedRow]) -> None:
        ctx = self.ctx
        ctx.duplicates(rows, lambda row: row.get("code"), "code")
        # A new file's codes are mostly new: find the stored ones first, many codes a query.
        codes = (row.values.get("code") for row in rows)
        self.existing = members_by_code(member_codes_taken(code for code in codes if code))
        ids = [member.id for member in self.existing.values()]
        self.current: dict[int, tuple[str, datetime.date | None]] = {
            member_id: (status, since)
            for member_id, status, since, until in bulk.rows_matching(MemberStatus, "member", ids, "member",
                                                                      "status", "valid_from", "valid_to")
            if until is None}
        self.editable_units: set[int] = set()
        self.rows: list[ParsedRow] = []
        for row in rows:
            if self._check_row(row):
                self.rows.append(row)

    def _check_row(self, row: ParsedRow) -> bool:
        """Reports every fault of the row (its code, its unit, its status change); True if none."""
        ctx = self.ctx
        before = len(ctx.problems)
        code = row.values.get("code") or ""
        member = self.existing.get(code) if self.existing else None
        if member is not None and not member.unit.path.startswith(ctx.scope_path):
            ctx.problem(row, "code", _("A member with code %(code)s already exists.") % {"code": code})
            # Another organisation's member: the row's unit is checked as a new member's, if given.
            if "unit" in ctx.positions:
                self._check_unit(row, None)
        else:
            self._check_unit(row, member)
            if member is not None:
                self._check_status(row, member)
        return len(ctx.problems) == before

    def _check_unit(self, row: ParsedRow, member: Member | None) -> None:
        """The row's unit (the stored member's without a unit column): known, editable by the user, and
        keeping its members one by one; a member moved must come from a unit the user may edit."""
        ctx = self.ctx
        if "unit" in ctx.positions:
            unit = ctx.unit(row, "unit")
        elif member is not None:
            unit = member.unit
        else:
            ctx.problem(row, "code", _("A new member needs the code of their unit: add the column "
                                       "“%(header)s”.") % {"header": ctx.sheet.column("unit").header})
            return
        if unit is None:
            return
        row.values["unit"] = unit
        if unit.id not in self.editable_units and ctx.editable(row, "unit", unit):
            self.editable_units.add(unit.id)  # each unit's editing right, asked once
        if member is not None and member.unit_id != unit.id:
            ctx.editable(row, "code", member.unit)
        if unit.tracking != Unit.Tracking.INDIVIDUAL:
            ctx.problem(row, "unit", _("%(unit)s reports counts only; its members are not kept one by one.")
                        % {"unit": unit.name})

    def _check_status(self, row: ParsedRow, member: Member) -> None:
        """A stored member's change of status needs the day it starts, after the current one's."""
        ctx = self.ctx
        if not row.intact("status", "status_since"):
            return  # the change cannot be judged without both cells
        status = row.get("status", "")
        since = row.get("status_since")
        current, current_since = self.current.get(member.pk, ("", None))
        if not status or status == current:
            return
        if since is None:
            ctx.problem(row, "status_since", _(
                "The status changes from “%(old)s” to “%(new)s”: write the day the new status starts."
            ) % {"old": _label(current), "new": _label(status)})
        elif current_since is not None and since <= current_since:
            ctx.problem(row, "status_since", _(
                "The new status must start after %(date)s, when the current status began."
            ) % {"date": current_since.strftime("%d/%m/%Y")})

    def operations(self) -> Iterator[Operation]:
        new = [row for row in self.rows if row.values["code"] not in self.existing]
        if new:
            yield Operation(rows=new, run=lambda: self._create(new))
        stored = [row for row in self.rows if row.values["code"] in self.existing]
        if stored:
            yield Operation(rows=stored, run=lambda: self._update(stored))

    def _create(self, rows: list[ParsedRow]) -> Outcome:
        """All new members in one call of members_import; its refusals go on their rows."""
        active = MemberStatusChoices.ACTIVE
        members = [
            MemberRow(values["unit"], values["code"], values["full_name"], values["sex"],
                      values["birth_year"], values["membership"], values.get("status") or active,
                      values.get("status_since"))
            for values in (row.values for row in rows)
        ]
        try:
            members_import(actor=self.ctx.actor, rows=members, progress=self.written)
        except MemberRowsInvalid as refused:
            for index, error in refused.errors.items():
                self.report_refusal(rows[index], error)
        return CREATED

    def _update(self, rows: list[ParsedRow]) -> dict[int, Outcome]:
        """The stored members whose row differs, in one call of members_bulk_update; its refusals go
        on their rows. Rows equal to the stored member are unchanged and write nothing."""
        changes: list[MemberChange] = []
        changed: list[ParsedRow] = []
        for row in rows:
            change = self._change(row)
            if change is not None:
                changes.append(change)
                changed.append(row)
        try:
            members_bulk_update(actor=self.ctx.actor, changes=changes, progress=self.written)
        except MemberRowsInvalid as refused:
            for index, error in refused.errors.items():
                self.report_refusal(changed[index], error)
            return {}
        return {row.number: UPDATED for row in changed}

    def _change(self, row: ParsedRow) -> MemberChange | None:
        """The row's change of its stored member: its fields (the stored ones for columns not in the
        file) and a status that differs from the current one; None when nothing differs."""
        member = self.existing[row.values["code"]]
        values = {name: row.keep(name, getattr(member, name)) for name in FIELDS}
        status = row.get("status", "")
        current, _since = self.current.get(member.pk, ("", None))
        if status == current:
            status = ""
        change = MemberChange(member, row.values["unit"], member.code, **values, status=status,
                              status_since=row.values.get("status_since") if status else None)
        return change if status or change.edits_fields() else None


def _label(status: str) -> str:
    if status in MemberStatusChoices.values:
        return str(MemberStatusChoices(status).label)
    return status or "–"
