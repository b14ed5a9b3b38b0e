import datetime
from decimal import Decimal
from typing import Any

from django.db import models
from django.db.models.fields.files import FieldFile

from chuyende.audit.models import AuditEntry


def snapshot(record: models.Model) -> dict[str, Any]:
    """The record's own field values, JSON-ready, for the before/after of an audit entry."""
    values: dict[str, Any] = {}
    for field in record._meta.concrete_fields:
        value = getattr(record, field.attname)
        if isinstance(value, datetime.date | Decimal):
            value = str(value)
        elif isinstance(value, FieldFile):
            value = value.name or ""
        values[field.attname] = value
    return values


def record_change(
    *,
    actor: Any,
    action: str,
    record: models.Model,
    unit_path: str,
    before: dict[str, Any] | None,
    after: dict[str, Any] | None,
) -> AuditEntry:
    return AuditEntry.objects.create(
        actor=actor,
        action=action,
        record_type=record._meta.label,
        record_id=str(record.pk),
        record_label=str(record)[:255],
        unit_path=unit_path,
        before=before,
        after=after,
    )


def record_event(
    *,
    actor: Any,
    action: str,
    record_type: str,
    record_id: str,
    record_label: str,
    unit_path: str,
    details: dict[str, Any],
) -> AuditEntry:
    """An entry of something that happened rather than a change of a stored record (a login tried
    with a name that may belong to nobody): what is known of it goes in `after`."""
    return AuditEntry.objects.create(
        actor=actor,
        action=action,
        record_type=record_type,
        record_id=record_id,
        record_label=record_label[:255],
        unit_path=unit_path,
        before=None,
        after=details,
    )
