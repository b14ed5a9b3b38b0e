"""The change log as people read it: actions and fields by their Vietnamese names, values as the pages
show them (numbers 1.234,5, dates dd/mm/yyyy, times local, Có/Không, choices by their label, linked
records by their name), the changed fields first and the rest folded.

`rows(entries)` builds the rows of one page with one query per kind of linked record on it.
"""

import datetime
import re
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any

from django.apps import apps
from django.db import models
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from chuyende.accounts.services import API_TOKEN_CHANGE, LOCKED_UNTIL, LOGIN_IP, LOGIN_VIA, PASSWORD_CHANGE
from chuyende.audit.models import AuditEntry
from chuyende.core.numbers import format_date, format_number

ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
ISO_DATETIME = re.compile(r"^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}")
# Entries of logins: who tried is not known, only the name typed (shown as the record).
ACCESS_ACTIONS = {AuditEntry.Action.LOGIN, AuditEntry.Action.LOGIN_FAILED, AuditEntry.Action.LOCKED_OUT}
LONG_TEXT = 160  # characters of a long text shown before "…" (the whole text stays in the export)
# Fields of a stored record no reader needs: kept in the entry, not shown.
HIDDEN_FIELDS = {"id", "version", "snapshot", "content", "sha256"}
# The field of a linked record that names it, tried in this order.
NAME_FIELDS = ("name", "full_name", "title", "username", "code")

ACTION_LABELS: dict[str, Promise] = {
    **{str(value): label for value, label in AuditEntry.Action.choices},
    "submit": gettext_lazy("Submitted"),
    "accept": gettext_lazy("Accepted"),
    "return": gettext_lazy("Returned for correction"),
    "apply": gettext_lazy("Applied"),
    "undo": gettext_lazy("Undone"),
    "move": gettext_lazy("Moved"),
}


def action_label(action: str) -> str:
    label = ACTION_LABELS.get(action)
    return str(label) if label is not None else action


def action_choices() -> list[tuple[str, str]]:
    return [(value, str(label)) for value, label in ACTION_LABELS.items()]


def _extra_labels() -> dict[str, str]:
    """Names of the values kept in entries that are not a model's fields."""
    return {
        API_TOKEN_CHANGE: _("API token made on"),
        LOGIN_IP: _("IP address"),
        LOGIN_VIA: _("Through"),
        LOCKED_UNTIL: _("Locked until"),
        PASSWORD_CHANGE: _("Password"),
        "full_name": _("Full name"),
    }


def model_of(record_type: str) -> type[models.Model] | None:
    try:
        return apps.get_model(record_type)
    except (LookupError, ValueError):
        return None


def type_label(record_type: str) -> str:
    """The model's verbose name for a stored "app.Model" label; the label itself if unknown."""
    model = model_of(record_type)
    return str(model._meta.verbose_name).capitalize() if model else record_type


def _field(model: type[models.Model] | None, name: str) -> models.Field[Any, Any] | None:
    if model is None:
        return None
    for candidate in model._meta.concrete_fields:
        if name in (candidate.attname, candidate.name):
            return candidate  # type: ignore[return-value]
    return None


def field_label(model: type[models.Model] | None, name: str) -> str:
    found = _field(model, name)
    if found is not None:
        return str(found.verbose_name).capitalize()
    return _extra_labels().get(name, name)


def show_moment(value: str) -> str:
    """A stored date and time as dd/mm/yyyy HH:MM, local; text that only looks like one, as it is."""
    try:
        moment = datetime.datetime.fromisoformat(value)
    except ValueError:
        return value
    return (timezone.localtime(moment) if timezone.is_aware(moment) else moment).strftime("%d/%m/%Y %H:%M")


def show(value: Any) -> str:
    """A stored value of no known field as people read it: dates dd/mm/yyyy, numbers 1.234,5, lists
    joined, an empty value as a dash."""
    if value is None or value == "" or value == [] or value == {}:
        return "–"
    if isinstance(value, bool):
        return _("Yes") if value else _("No")
    if isinstance(value, int | float | Decimal):
        return format_number(value)
    if isinstance(value, str) and ISO_DATE.match(value):
        return format_date(datetime.date.fromisoformat(value))
    if isinstance(value, str) and ISO_DATETIME.match(value):
        return show_moment(value)
    if isinstance(value, list):
        return ", ".join(show(item) for item in value)
    if isinstance(value, dict):
        return _("(%(count)s values)") % {"count": format_number(len(value))}
    text = str(value)
    return text if len(text) <= LONG_TEXT else text[:LONG_TEXT].rstrip() + "…"


def _number(value: Any) -> str | None:
    try:
        return format_number(Decimal(str(value)))
    except (InvalidOperation, ValueError):
        return None


def _password_values() -> dict[str, str]:
    return {"reset": _("Reset to a temporary password"), "changed": _("Changed by the user")}


def show_field(found: models.Field[Any, Any] | None, value: Any, names: dict[Any, str]) -> str:
    """A stored value of a model's field: by its choice's label, its linked record's name, as a number."""
    if found is not None and found.attname == PASSWORD_CHANGE and isinstance(value, str):
        return _password_values().get(value, value)
    if found is None or value is None or value == "":
        return show(value)
    if found.choices:
        labels = {str(key): str(label) for key, label in found.flatchoices}
        if isinstance(value, list):
            return ", ".join(labels.get(str(item), str(item)) for item in value)
        return labels.get(str(value), show(value))
    if isinstance(found, models.ForeignKey):
        return names.get(value) or show(value)
    if isinstance(found, models.BooleanField):
        return show(bool(value))
    if isinstance(found, models.DecimalField | models.IntegerField | models.FloatField) \
            and not isinstance(found, models.AutoField):
        return _number(value) or show(value)
    return show(value)


@dataclass
class Change:
    field: str
    before: str
    after: str


@dataclass
class Row:
    entry: AuditEntry
    type_label: str
    action_label: str
    changes: list[Change]  # the fields changed (created or deleted records: every field with a value)
    actor_label: str
    local_time: str
    folded: list[Change] = field(default_factory=list)  # the fields shown folded

    @property
    def shown(self) -> list[Change]:
        """The changes shown unfolded: those of a change; for a record created or deleted, none (all
        its values are folded)."""
        return [] if self.whole_record else self.changes

    @property
    def whole_record(self) -> bool:
        return self.entry.before is None or self.entry.after is None


def _actor_label(entry: AuditEntry) -> str:
    if entry.actor is not None:
        return entry.actor.get_full_name() or entry.actor.username
    return _("Not logged in") if entry.action in ACCESS_ACTIONS else _("System")


def _linked_names(entries: Sequence[AuditEntry]) -> dict[type[models.Model], dict[Any, str]]:
    """The names of the records the page's entries link to (foreign keys), one query a related model."""
    wanted: dict[type[models.Model], set[Any]] = defaultdict(set)
    for entry in entries:
        model = model_of(entry.record_type)
        if model is None:
            continue
        for values in (entry.before or {}, entry.after or {}):
            for name, value in values.items():
                found = _field(model, name)
                if isinstance(found, models.ForeignKey) and value is not None and not isinstance(value, str):
                    wanted[found.related_model].add(value)  # type: ignore[index]
    names: dict[type[models.Model], dict[Any, str]] = {}
    for related, keys in wanted.items():
        label = next((n for n in NAME_FIELDS if _field(related, n) is not None), None)
        if label is None:
            continue
        names[related] = {pk: str(text) for pk, text in
                          related._default_manager.filter(pk__in=keys).values_list("pk", label)}
    return names


def _changes(entry: AuditEntry, model: type[models.Model] | None,
             names: dict[type[models.Model], dict[Any, str]]) -> tuple[list[Change], list[Change]]:
    before, after = entry.before or {}, entry.after or {}
    changed: list[Change] = []
    unchanged: list[Change] = []
    ordering = {f.attname: i for i, f in enumerate(model._meta.concrete_fields)} if model else {}
    for name in sorted(set(before) | set(after), key=lambda n: (ordering.get(n, 999), n)):
        if name in HIDDEN_FIELDS:
            continue
        found = _field(model, name)
        if found is not None and str(found.verbose_name) == found.name.replace("_", " "):
            continue  # a field of the machinery (no name for people): the tree's depth, a time stamp
        related = names.get(found.related_model, {}) if isinstance(found, models.ForeignKey) else {}  # type: ignore[arg-type]
        old, new = before.get(name), after.get(name)
        change = Change(field=field_label(model, name), before=show_field(found, old, related),
                        after=show_field(found, new, related))
        whole = entry.before is None or entry.after is None
        if whole and (old in (None, "", [], {}) and new in (None, "", [], {})):
            continue
        (changed if whole or old != new else unchanged).append(change)
    return changed, unchanged


def rows(entries: Iterable[AuditEntry], *, linked_names: bool = True) -> list[Row]:
    """The rows of these entries (a page), with one query a kind of linked record (none without
    `linked_names`: linked records by their id)."""
    entries = list(entries)
    names = _linked_names(entries) if linked_names else {}
    result = []
    for entry in entries:
        model = model_of(entry.record_type)
        changed, unchanged = _changes(entry, model, names)
        whole = entry.before is None or entry.after is None
        result.append(Row(
            entry=entry, type_label=type_label(entry.record_type), action_label=action_label(entry.action),
            actor_label=_actor_label(entry), changes=changed,
            local_time=timezone.localtime(entry.at).strftime("%d/%m/%Y %H:%M"),
            folded=changed if whole else unchanged,
        ))
    return result
