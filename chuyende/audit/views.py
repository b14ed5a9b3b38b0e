import datetime
import re
from dataclasses import dataclass
from typing import Any

from django.apps import apps
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db import models
from django.http import HttpRequest, HttpResponseBase
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _

from chuyende.accounts.permissions import actor_of, can_see_audit
from chuyende.accounts.services import API_TOKEN_CHANGE, LOCKED_UNTIL, LOGIN_IP, LOGIN_VIA
from chuyende.audit.exports import AUDIT_COLUMNS
from chuyende.audit.models import AuditEntry
from chuyende.audit.selectors import audit_entries_for
from chuyende.core.exceptions import NotAllowed
from chuyende.core.numbers import format_date
from chuyende.exports.tables import export_response, requested_format

PAGE_SIZE = 50
ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
ISO_DATETIME = re.compile(r"^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}")
# Entries of logins: who tried is not known, only the name typed (shown as the record).
ACCESS_ACTIONS = {AuditEntry.Action.LOGIN, AuditEntry.Action.LOGIN_FAILED, AuditEntry.Action.LOCKED_OUT}


def _extra_labels() -> dict[str, str]:
    """Names of the values kept in entries that are not a model's fields."""
    return {
        API_TOKEN_CHANGE: _("API token made on"),
        LOGIN_IP: _("IP address"),
        LOGIN_VIA: _("Through"),
        LOCKED_UNTIL: _("Locked until"),
    }


def _model(record_type: str) -> type[models.Model] | None:
    try:
        return apps.get_model(record_type)
    except (LookupError, ValueError):
        return None


def _type_label(record_type: str) -> str:
    """The model's verbose name for a stored "app.Model" label; the label itself if unknown."""
    model = _model(record_type)
    return str(model._meta.verbose_name).capitalize() if model else record_type


def _field_label(model: type[models.Model] | None, attname: str) -> str:
    if model is not None:
        for field in model._meta.concrete_fields:
            if attname in (field.attname, field.name):
                return str(field.verbose_name).capitalize()
    return _extra_labels().get(attname, attname)


def _show(value: Any) -> str:
    """A stored before/after value as people read it: dates dd/mm/yyyy, lists joined, empty as a dash."""
    if value is None or value == "" or value == []:
        return "–"
    if isinstance(value, bool):
        return _("Yes") if value else _("No")
    if isinstance(value, str) and ISO_DATE.match(value):
        return format_date(datetime.date.fromisoformat(value))
    if isinstance(value, str) and ISO_DATETIME.match(value):
        return _show_moment(value)
    if isinstance(value, list):
        return ", ".join(str(item) for item in value)
    return str(value)


def _show_moment(value: str) -> str:
    """A stored date and time as HH:MM dd/mm/yyyy, local; text that only looks like one, as it is."""
    try:
        moment = datetime.datetime.fromisoformat(value)
    except ValueError:
        return value
    return (timezone.localtime(moment) if timezone.is_aware(moment) else moment).strftime("%H:%M %d/%m/%Y")


@dataclass
class Change:
    field: str
    before: str
    after: str


@dataclass
class Row:
    entry: AuditEntry
    type_label: str
    changes: list[Change]
    actor_label: str


def _actor_label(entry: AuditEntry) -> str:
    if entry.actor is not None:
        return entry.actor.get_full_name() or entry.actor.username
    return _("Not logged in") if entry.action in ACCESS_ACTIONS else _("System")


def _row(entry: AuditEntry) -> Row:
    model = _model(entry.record_type)
    return Row(
        entry=entry,
        type_label=_type_label(entry.record_type),
        actor_label=_actor_label(entry),
        changes=[
            Change(field=_field_label(model, name), before=_show(before), after=_show(after))
            for name, before, after in entry.changed_fields()
        ],
    )


@login_required
def list_page(request: HttpRequest) -> HttpResponseBase:
    """Changes recorded in the user's subtree, newest first, 50 a page (admins and officers only)."""
    if not can_see_audit(actor_of(request)):
        raise NotAllowed
    entries = audit_entries_for(actor=actor_of(request))
    stored_types = entries.order_by().values_list("record_type", flat=True).distinct()
    types = sorted(((t, _type_label(t)) for t in stored_types), key=lambda item: item[1])
    chosen = request.GET.get("type", "")
    if chosen:
        entries = entries.filter(record_type=chosen)
    if fmt := requested_format(request):  # every change listed, all pages, as .xlsx or .csv
        return export_response(rows=entries, row_of=_row, columns=AUDIT_COLUMNS, fmt=fmt,
                               filename_stem="nhat-ky")
    page = Paginator(entries, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "audit/list.html", {
        "page": page,
        "rows": [_row(entry) for entry in page],
        "types": types,
        "chosen": chosen,
    })
