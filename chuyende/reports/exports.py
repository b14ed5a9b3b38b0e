"""Columns of the report list's export (chuyende.exports): the reports the list shows, one a row, with
the status and the timeliness the page badges."""

from django.utils.translation import gettext_lazy as _

from chuyende.exports.tables import ExportColumn, field_header
from chuyende.reports.models import Report
from chuyende.reports.selectors import is_late


def _timeliness(report: Report) -> str:
    late = is_late(report)
    if late is None:
        return str(_("Not sent yet"))
    return str(_("Late") if late else _("On time"))


REPORT_COLUMNS = (
    ExportColumn(_("Number and symbol"), lambda r: r.number_and_symbol, width=22),
    ExportColumn(_("Unit code"), lambda r: r.unit.code, width=18),
    ExportColumn(_("Unit"), lambda r: r.unit.name, width=32),
    ExportColumn(_("As of"), lambda r: r.as_of, width=12),
    ExportColumn(field_header(Report, "issued_on"), lambda r: r.issued_on, width=12),
    ExportColumn(_("Status"), lambda r: r.get_status_display(), width=16),
    ExportColumn(field_header(Report, "first_submitted_on"), lambda r: r.first_submitted_on, width=14),
    ExportColumn(field_header(Report, "submitted_on"), lambda r: r.submitted_on, width=14),
    ExportColumn(_("Timeliness"), _timeliness, width=14),
    ExportColumn(field_header(Report, "summary"), lambda r: r.summary, width=48),
)
