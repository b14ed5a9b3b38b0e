import datetime
import functools
import json
import operator
from collections.abc import Callable, Sequence
from decimal import Decimal
from typing import Any, NamedTuple

from django.db import connection, models
from django.db.models.fields.files import FieldFile
from django.utils import timezone

from chuyende.audit.models import AuditEntry, unit_id_of
from chuyende.core import bulk


def snapshot(record: models.Model) -> dict[str, Any]:
    """The record's own field values, JSON-ready, for the before/after of an audit entry."""
    names, values_of, converted = _snapshot_fields(type(record))
    values = dict(zip(names, values_of(record), strict=True))
    for name in converted:
        value = values[name]
        if isinstance(value, datetime.date | Decimal):
            values[name] = str(value)
        elif isinstance(value, FieldFile):
            values[name] = value.name or ""
    return values


Getter = Callable[[models.Model], tuple[Any, ...]]


@functools.cache
def _snapshot_fields(model: type[models.Model]) -> tuple[tuple[str, ...], Getter, tuple[str, ...]]:
    """The concrete fields' attribute names, a getter of their values, and the names of the fields
    whose values need converting (dates, decimals, files): looked up once a model."""
    fields = model._meta.concrete_fields
    names = tuple(field.attname for field in fields)
    getter = operator.attrgetter(*names)
    values_of = getter if len(names) > 1 else lambda record: (getter(record),)
    converted = tuple(field.attname for field in fields
                      if isinstance(field, models.DateField | models.DecimalField | models.FileField))
    return names, values_of, converted


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
        unit_id=unit_id_of(unit_path),
        before=before,
        after=after,
    )


class Change(NamedTuple):
    """One record's change for record_changes: record_change's arguments but the actor and action."""

    record: models.Model
    unit_path: str
    before: dict[str, Any] | None
    after: dict[str, Any] | None


ENTRY_COLUMNS = ("at", "actor", "action", "record_type", "record_id", "record_label", "unit_path",
                 "unit_id", "before", "after")
ENTRIES_A_BATCH = 4000  # entries written between two progress reports


def record_changes(
    *,
    actor: Any,
    action: str,
    changes: Sequence[Change],
    progress: Callable[[int], None] | None = None,
) -> int:
    """record_change of many records at once, for the bulk paths of the services: one entry per
    change, equal to record_change's but for the time (one for all, the time they are written),
    inserted many rows a statement (core.bulk.insert_rows: COPY on PostgreSQL) rather than built as
    model instances. `progress(done)` is called every ENTRIES_A_BATCH entries. Returns how many
    entries were written."""
    at = connection.ops.adapt_datetimefield_value(timezone.now())
    actor_id = actor.pk if actor is not None else None
    dumps = json.dumps
    rows = [
        (at, actor_id, action, change.record._meta.label, str(change.record.pk), str(change.record)[:255],
         change.unit_path, unit_id_of(change.unit_path),
         None if change.before is None else dumps(change.before),
         None if change.after is None else dumps(change.after))
        for change in changes
    ]
    for start in range(0, len(rows), ENTRIES_A_BATCH):
        bulk.insert_rows(AuditEntry, ENTRY_COLUMNS, rows[start:start + ENTRIES_A_BATCH])
        if progress is not None:
            progress(min(start + ENTRIES_A_BATCH, len(rows)))
    return len(rows)


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
        unit_id=unit_id_of(unit_path),
        before=None,
        after=details,
    )
