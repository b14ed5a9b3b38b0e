"""Units: created with unit_create, changed (and moved) with unit_update, parents before children."""

from collections.abc import Iterator

from django.utils.translation import gettext as _

from chuyende.accounts.permissions import can_manage_structure
from chuyende.imports.kinds.base import CREATED, UNCHANGED, UPDATED, Importer, Operation, Outcome, ParsedRow
from chuyende.organisation.models import Unit
from chuyende.organisation.services import unit_create, unit_update

FIELDS = ("name", "kind", "tracking", "sector", "opened_on", "closed_on")


class UnitImporter(Importer):
    kind = "units"

    def check(self, rows: list[ParsedRow]) -> None:
        ctx = self.ctx
        ctx.duplicates(rows, lambda row: row.get("code"), "code")
        self.rows = rows
        in_file = {row.get("code"): row for row in rows if row.get("code")}
        codes = [code for code in in_file if code not in ctx.units]
        taken = set(Unit.objects.filter(code__in=codes).values_list("code", flat=True)) if codes else set()
        manage = can_manage_structure(ctx.actor)
        self.code_by_pk = {unit.pk: unit.code for unit in ctx.units.values()}
        for row in rows:
            if row.has("tracking") and not row.values["tracking"]:
                row.values["tracking"] = Unit.Tracking.AGGREGATE
            if row.has("sector") and not row.values["sector"]:
                del row.values["sector"]  # empty: "other" for a new unit, the stored one kept
            code = row.get("code", "")
            if not code:  # its problem is reported; the row's unit is not known, its parent code may be
                if row.intact("parent") and row.get("parent"):
                    self._check_parent_exists(row, in_file)
                continue
            existing = ctx.units.get(code)
            if existing is None and code in taken:
                ctx.problem(row, "code", _("A unit with code %(code)s already exists.") % {"code": code})
            self._check_parent(row, existing, in_file)
            if (existing is None or self._changes(row, existing)) and not manage:
                ctx.problem(row, "code", _("Your role does not allow adding or changing units."))
        self._order(rows, in_file)

    def _parent_code_of(self, existing: Unit | None) -> str:
        if existing is None or existing.parent_id is None:
            return ""
        if existing.parent_id not in self.code_by_pk:  # the parent of the user's own unit
            self.code_by_pk[existing.parent_id] = Unit.objects.only("code").get(pk=existing.parent_id).code
        return self.code_by_pk[existing.parent_id]

    def _check_parent(self, row: ParsedRow, existing: Unit | None, in_file: dict[str, ParsedRow]) -> None:
        """The parent named is the stored one, or a unit of the user's organisation or of the file."""
        ctx = self.ctx
        if "parent" in row.failed:
            return
        if not row.has("parent"):
            if existing is None:
                ctx.problem(row, "code", _(
                    "A new unit needs the code of its parent unit: add the column “%(header)s”."
                ) % {"header": ctx.sheet.column("parent").header})
            else:
                row.values["parent"] = self._parent_code_of(existing)
            return
        parent_code = row.get("parent", "")
        if parent_code == self._parent_code_of(existing) and existing is not None:
            return  # unchanged, even when the parent is above the user's own unit
        if not parent_code:
            ctx.problem(row, "parent", _("Write the code of the unit directly above this one."))
        elif parent_code == row.get("code"):
            ctx.problem(row, "parent", _("A unit cannot be its own parent."))
        else:
            self._check_parent_exists(row, in_file)

    def _check_parent_exists(self, row: ParsedRow, in_file: dict[str, ParsedRow]) -> None:
        parent_code = row.get("parent", "")
        if parent_code not in in_file and parent_code not in self.ctx.units:
            self.ctx.problem(row, "parent", _(
                "There is no unit with code “%(code)s” in your organisation or in this file."
            ) % {"code": parent_code})

    def _changes(self, row: ParsedRow, unit: Unit) -> bool:
        """The row differs from the stored unit (a cell that could not be read is no difference)."""
        if any(row.intact(name) and row.keep(name, getattr(unit, name)) != getattr(unit, name)
               for name in FIELDS):
            return True
        return row.intact("parent") and row.get("parent", "") != self._parent_code_of(unit)

    def _order(self, rows: list[ParsedRow], in_file: dict[str, ParsedRow]) -> None:
        """Parents before children; a loop of parents inside the file is a problem of each of its rows."""
        depth: dict[str, int] = {}

        def depth_of(code: str, seen: tuple[str, ...]) -> int:
            if code in depth:
                return depth[code]
            parent = in_file[code].get("parent", "")
            if parent in seen:
                raise _Loop
            value = depth_of(parent, (*seen, code)) + 1 if parent in in_file else 0
            depth[code] = value
            return value

        ordered: list[tuple[int, int, ParsedRow]] = []
        for index, row in enumerate(rows):
            code = row.get("code", "")
            try:
                level = depth_of(code, (code,)) if code in in_file else 0
            except _Loop:
                self.ctx.problem(row, "parent", _("The parent units in this file go round in a loop."))
                continue
            ordered.append((level, index, row))
        self.ordered = [row for _level, _index, row in sorted(ordered, key=lambda item: item[:2])]

    def operations(self) -> Iterator[Operation]:
        for row in self.ordered:
            yield Operation(rows=[row], run=lambda row=row: self._write(row))  # type: ignore[misc]

    def _write(self, row: ParsedRow) -> Outcome:
        ctx = self.ctx
        code = row.values["code"]
        cached = ctx.units.get(code)
        parent_code = row.get("parent", "")
        parent = Unit.objects.get(code=parent_code) if parent_code else None
        if cached is None:
            unit = unit_create(
                actor=ctx.actor, code=code, name=row.values["name"], kind=row.values["kind"], parent=parent,
                tracking=row.get("tracking") or Unit.Tracking.AGGREGATE,
                sector=row.get("sector") or Unit.Sector.OTHER,
                opened_on=row.get("opened_on"), closed_on=row.get("closed_on"),
            )
            ctx.units[code] = unit
            self.code_by_pk[unit.pk] = code
            return CREATED
        unit = Unit.objects.get(pk=cached.pk)  # fresh: a move above may have changed its path
        if not self._changes(row, unit) and (parent.pk if parent else None) == unit.parent_id:
            return UNCHANGED
        tracking = row.keep("tracking", unit.tracking) or Unit.Tracking.AGGREGATE
        updated = unit_update(
            actor=ctx.actor, unit=unit, code=code, name=row.keep("name", unit.name),
            kind=row.keep("kind", unit.kind), tracking=tracking, parent=parent,
            sector=row.keep("sector", unit.sector),
            opened_on=row.keep("opened_on", unit.opened_on), closed_on=row.keep("closed_on", unit.closed_on),
        )
        ctx.units[code] = updated
        return UPDATED


class _Loop(Exception):
    pass
