"""Exports of the materials list (chuyende.exports): the page lists the chosen unit's transfers in two
tables, received (with its own supply) and passed down; `?table=passed` picks the second."""

from django.db.models import QuerySet
from django.http import HttpResponseBase
from django.utils.translation import gettext_lazy as _

from chuyende.exports.tables import ExportColumn, Format, export_response
from chuyende.materials.models import MaterialTransfer

TABLES = ("received", "passed")


def _other(unit_of: str) -> ExportColumn:
    """The unit at the other end: the sender of what was received, the recipient of what was passed."""
    header = _("From unit") if unit_of == "sender" else _("To unit")

    def other(row: MaterialTransfer) -> str:
        if row.is_own_supply:
            return str(_("Own supply"))
        return str(getattr(row, unit_of).name)

    return ExportColumn(header, other, width=32)


def transfer_columns(unit_of: str) -> list[ExportColumn]:
    return [
        ExportColumn(_("Date"), lambda t: t.sent_on, width=12),
        _other(unit_of),
        ExportColumn(_("Item"), lambda t: t.get_item_display(), width=24),
        ExportColumn(_("Quantity"), lambda t: t.quantity, width=10),
        ExportColumn(_("Note"), lambda t: t.note, width=40),
        ExportColumn(_("Link"), lambda t: t.link, width=30),
    ]


def materials_export(
    *, fmt: Format, table: str, received: QuerySet[MaterialTransfer], passed: QuerySet[MaterialTransfer],
) -> HttpResponseBase:
    """The table asked for, every row of it (the querysets the page paginates)."""
    if table == "passed":
        return export_response(rows=passed, columns=transfer_columns("recipient"), fmt=fmt,
                               filename_stem="tai-lieu-cap-cho-cap-duoi")
    return export_response(rows=received, columns=transfer_columns("sender"), fmt=fmt,
                           filename_stem="tai-lieu-da-nhan")
