"""Export of the unit tree (chuyende.exports): the user's unit and every unit below it, in tree order,
one a row. The parent is named only when it is in the list (the root's parent lies outside the
user's subtree and is left out, as on the page)."""

from collections.abc import Sequence

from django.http import HttpResponseBase
from django.utils.translation import gettext_lazy as _

from chuyende.exports.tables import ExportColumn, Format, export_response, field_header
from chuyende.organisation.models import Unit


def unit_columns(units: Sequence[Unit], levels: dict[int, str]) -> list[ExportColumn]:
    listed = {unit.pk: unit for unit in units}

    def parent(unit: Unit) -> Unit | None:
        return listed.get(unit.parent_id) if unit.parent_id is not None else None

    return [
        ExportColumn(_("Code"), lambda u: u.code, width=18),
        ExportColumn(_("Name"), lambda u: u.name, width=36),
        ExportColumn(_("Level"), lambda u: levels.get(u.depth, ""), width=16),
        ExportColumn(_("Kind"), lambda u: u.get_kind_display(), width=20),
        ExportColumn(field_header(Unit, "tracking"), lambda u: u.get_tracking_display(), width=18),
        ExportColumn(_("Parent unit"), lambda u: p.code if (p := parent(u)) else "", width=18),
        ExportColumn(_("Opened on"), lambda u: u.opened_on, width=12),
        ExportColumn(_("Closed on"), lambda u: u.closed_on, width=12),
        ExportColumn(_("Sector"), lambda u: u.get_sector_display(), width=24),
    ]


def units_export(*, fmt: Format, units: Sequence[Unit], levels: dict[int, str]) -> HttpResponseBase:
    return export_response(rows=units, columns=unit_columns(units, levels), fmt=fmt, filename_stem="don-vi")
