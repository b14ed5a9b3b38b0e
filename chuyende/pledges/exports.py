"""Exports of the pledge list (chuyende.exports). The page lists, for a cell kept by name, its members
with their pledge and then those without one (`?table=pledges`, the default), and the pledge returns
of units that report counts (`?table=returns`)."""

import datetime
from collections.abc import Callable, Sequence

from django.http import HttpResponseBase
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from chuyende.exports.tables import CellValue, ExportColumn, Format, export_response, field_header
from chuyende.figures.rules import in_force_ids
from chuyende.pledges.models import Pledge, PledgeReturn, Rating
from chuyende.pledges.selectors import CellPledges, MemberRow

TABLES = ("pledges", "returns")


def _of_pledge(header: str | Promise, read: Callable[[Pledge], CellValue], width: int = 14) -> ExportColumn:
    """A column read from the member's pledge; empty for a member without one."""

    def value(row: MemberRow) -> CellValue:
        return read(row.pledge) if row.pledge is not None else None

    return ExportColumn(header, value, width=width)


MEMBER_PLEDGE_COLUMNS = (
    ExportColumn(_("Member code"), lambda r: r.member.code, width=16),
    ExportColumn(_("Full name"), lambda r: r.member.full_name, width=28),
    ExportColumn(_("Status"), lambda r: r.status_label, width=24),
    ExportColumn(_("Left out by the campaign"), lambda r: str(_("Yes")) if r.excluded else "", width=14),
    _of_pledge(_("Registered on"), lambda p: p.registered_on),
    _of_pledge(_("Pledge"), lambda p: p.text, width=48),
    _of_pledge(field_header(Pledge, "rating"), lambda p: p.get_rating_display()),
    _of_pledge(_("Rated on"), lambda p: p.rated_on),
    _of_pledge(field_header(Pledge, "rating_note"), lambda p: p.rating_note, width=32),
)


def pledge_return_columns(in_force: set[int]) -> list[ExportColumn]:
    return [
        ExportColumn(_("Unit code"), lambda r: r.unit.code, width=18),
        ExportColumn(_("Unit"), lambda r: r.unit.name, width=32),
        ExportColumn(_("As of"), lambda r: r.as_of, width=12),
        ExportColumn(_("In force"), lambda r: str(_("Yes") if r.pk in in_force else _("No")), width=10),
        ExportColumn(field_header(PledgeReturn, "registered"), lambda r: r.registered, width=14),
        ExportColumn(Rating.EXCELLENT.label, lambda r: r.excellent, width=12),
        ExportColumn(Rating.GOOD.label, lambda r: r.good, width=12),
        ExportColumn(Rating.NOT_MET.label, lambda r: r.not_met, width=12),
    ]


def pledges_export(
    *, fmt: Format, table: str, cell: CellPledges | None, returns: Sequence[PledgeReturn],
    on: datetime.date,
) -> HttpResponseBase:
    """The table asked for, as the page lists it (the rows the view read)."""
    if table == "returns":
        return export_response(rows=returns, columns=pledge_return_columns(in_force_ids(returns, on)),
                               fmt=fmt, filename_stem="bao-cao-cam-ket")
    rows = [*cell.with_pledge, *cell.without_pledge] if cell is not None else []
    return export_response(rows=rows, columns=MEMBER_PLEDGE_COLUMNS, fmt=fmt, filename_stem="cam-ket")
