"""Columns of the change log's export (chuyende.exports). A row is what the page shows of one entry
(audit.display.Row: the entry, its record type's name, its changed fields as people read them); the
changes go in one cell, a line per field."""

from typing import Any

from django.utils.translation import gettext_lazy as _

from chuyende.audit.models import AuditEntry
from chuyende.exports.tables import ExportColumn, field_header


def _changes(row: Any) -> str:
    return "\n".join(f"{change.field}: {change.before} → {change.after}" for change in row.changes)


AUDIT_COLUMNS = (
    ExportColumn(field_header(AuditEntry, "at"), lambda row: row.entry.at, width=18),
    ExportColumn(field_header(AuditEntry, "actor"), lambda row: row.actor_label, width=24),
    ExportColumn(field_header(AuditEntry, "action"), lambda row: row.action_label, width=12),
    ExportColumn(_("Record type"), lambda row: row.type_label, width=24),
    ExportColumn(field_header(AuditEntry, "record_label"), lambda row: row.entry.record_label, width=36),
    ExportColumn(_("Changes"), _changes, width=60),
)
