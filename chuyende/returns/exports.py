"""Exports of the aggregate return list (chuyende.exports): the page lists two tables, party member
returns and non-member returns; `?table=non_member` picks the second. Each row says whether the
return is in force on the chosen day, as the page marks it."""

import datetime
from collections.abc import Sequence

from django.http import HttpResponseBase
from django.utils.translation import gettext_lazy as _

from chuyende.exports.tables import ExportColumn, Format, export_response
from chuyende.figures.rules import in_force_ids
from chuyende.returns.models import MemberReturn, NonMemberReturn

TABLES = ("member", "non_member")


def _common(in_force: set[int]) -> list[ExportColumn]:
    return [
        ExportColumn(_("Unit code"), lambda r: r.unit.code, width=18),
        ExportColumn(_("Unit"), lambda r: r.unit.name, width=32),
        ExportColumn(_("As of"), lambda r: r.as_of, width=12),
        ExportColumn(_("In force"), lambda r: str(_("Yes") if r.pk in in_force else _("No")), width=10),
    ]


def member_return_columns(in_force: set[int]) -> list[ExportColumn]:
    return [
        *_common(in_force),
        ExportColumn(_("Total"), lambda r: r.members_total, width=10),
        ExportColumn(_("Exempt"), lambda r: r.exempt, width=10),
        ExportColumn(_("Away"), lambda r: r.away, width=10),
        ExportColumn(_("Studied"), lambda r: r.studied, width=10),
    ]


def non_member_return_columns(in_force: set[int]) -> list[ExportColumn]:
    return [
        *_common(in_force),
        ExportColumn(_("Expected"), lambda r: r.expected, width=10),
        ExportColumn(_("Studied"), lambda r: r.studied, width=10),
    ]


def returns_export(
    *, fmt: Format, table: str, member_returns: Sequence[MemberReturn],
    non_member_returns: Sequence[NonMemberReturn], on: datetime.date,
) -> HttpResponseBase:
    """The table the page lists (the rows the view read), with the returns in force on `on` marked."""
    if table == "non_member":
        columns = non_member_return_columns(in_force_ids(non_member_returns, on))
        return export_response(rows=non_member_returns, columns=columns, fmt=fmt,
                               filename_stem="bao-cao-so-lieu-ngoai-dang")
    columns = member_return_columns(in_force_ids(member_returns, on))
    return export_response(rows=member_returns, columns=columns, fmt=fmt,
                           filename_stem="bao-cao-so-lieu-dang-vien")
