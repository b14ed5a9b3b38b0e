"""Exports of the supervision list (chuyende.exports): the visits the page lists (`?table=visits`, the
default), and the officers with the units assigned to them that the user may see (`?table=officers`)."""

from collections.abc import Sequence

from django.http import HttpResponseBase
from django.utils.translation import gettext_lazy as _

from chuyende.core.numbers import format_date
from chuyende.exports.tables import ExportColumn, Format, export_response, field_header
from chuyende.supervision.models import Supervisor, Visit

TABLES = ("visits", "officers")


def _follow_up_state(visit: Visit) -> str:
    """As the page badges it: open on the chosen day (annotated `open_on_day`), closed, or none needed."""
    if not visit.follow_up:
        return str(_("No follow-up required"))
    if getattr(visit, "open_on_day", False):
        return str(_("Follow-up open"))
    return str(_("Follow-up closed on %(day)s")) % {"day": format_date(visit.closed_on)}


VISIT_COLUMNS = (
    ExportColumn(_("Visit date"), lambda v: v.visited_on, width=12),
    ExportColumn(_("Unit code"), lambda v: v.unit.code, width=18),
    ExportColumn(_("Unit"), lambda v: v.unit.name, width=32),
    ExportColumn(_("Officer"), lambda v: v.supervisor.full_name, width=24),
    ExportColumn(_("Officer's unit"), lambda v: v.supervisor.unit.name, width=32),
    ExportColumn(_("Findings"), lambda v: v.findings, width=48),
    ExportColumn(_("Follow-up"), lambda v: v.follow_up, width=40),
    ExportColumn(_("Status"), _follow_up_state, width=30),
)

OFFICER_COLUMNS = (
    ExportColumn(_("Full name"), lambda s: s.full_name, width=24),
    ExportColumn(field_header(Supervisor, "title"), lambda s: s.title, width=24),
    ExportColumn(_("Unit"), lambda s: s.unit.name, width=32),
    ExportColumn(_("Assigned units"), lambda s: "; ".join(a.unit.name for a in s.visible_assignments),
                 width=60),
)


def supervision_export(
    *, fmt: Format, table: str, visits: Sequence[Visit], officers: Sequence[Supervisor],
) -> HttpResponseBase:
    """The table asked for, as the page lists it (the rows the view read)."""
    if table == "officers":
        return export_response(rows=officers, columns=OFFICER_COLUMNS, fmt=fmt,
                               filename_stem="can-bo-kiem-tra-giam-sat")
    return export_response(rows=visits, columns=VISIT_COLUMNS, fmt=fmt, filename_stem="kiem-tra-giam-sat")
