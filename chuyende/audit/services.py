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
