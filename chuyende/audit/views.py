import datetime

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db.models import Q, QuerySet
from django.http import HttpRequest, HttpResponseBase
from django.shortcuts import render
from django.utils import timezone

from chuyende.accounts.permissions import actor_of, can_see_audit, scope_root
from chuyende.audit.display import action_choices, rows, type_label
from chuyende.audit.exports import AUDIT_COLUMNS
from chuyende.audit.forms import AuditFilterForm
from chuyende.audit.models import AuditEntry
from chuyende.audit.selectors import audit_entries_for
from chuyende.core.exceptions import NotAllowed
from chuyende.exports.tables import export_response, requested_format
from chuyende.organisation.models import Unit

PAGE_SIZE = 20  # entries a page: a phone's few screens


def _local_midnight(day: datetime.date) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time()))


def _filtered(entries: QuerySet[AuditEntry], form: AuditFilterForm) -> QuerySet[AuditEntry]:
    if not form.is_valid():
        return entries
    data = form.cleaned_data
    if data["unit"]:
        unit = Unit.objects.filter(code=data["unit"]).only("path", "pk").first()
        if unit is not None:
            now_below = Unit.objects.filter(path__startswith=unit.path).values("pk")
            entries = entries.filter(Q(unit_path__startswith=unit.path) | Q(unit_id__in=now_below))
    if data["actor"]:
        entries = entries.filter(actor_id=int(data["actor"]))
    if data["action"]:
        entries = entries.filter(action=data["action"])
    if data["type"]:
        entries = entries.filter(record_type=data["type"])
    if data["date_from"]:
        entries = entries.filter(at__gte=_local_midnight(data["date_from"]))
    if data["date_to"]:
        entries = entries.filter(at__lt=_local_midnight(data["date_to"] + datetime.timedelta(days=1)))
    return entries


@login_required
def list_page(request: HttpRequest) -> HttpResponseBase:
    """Changes recorded in the user's subtree, newest first, 20 a page, filtered by unit, user,
    action, kind of record and dates (admins and officers only)."""
    actor = actor_of(request)
    if not can_see_audit(actor):
        raise NotAllowed
    entries = audit_entries_for(actor=actor)
    stored_types = entries.order_by().values_list("record_type", flat=True).distinct()
    types = sorted(((t, type_label(t)) for t in stored_types), key=lambda item: item[1])
    form = AuditFilterForm(request.GET or None, root=scope_root(actor), types=types, actions=action_choices())
    entries = _filtered(entries, form)
    if fmt := requested_format(request):  # every change listed, all pages, as .xlsx or .csv
        return export_response(rows=entries, row_of=lambda entry: rows([entry], linked_names=False)[0],
                               columns=AUDIT_COLUMNS, fmt=fmt, filename_stem="nhat-ky")
    page = Paginator(entries, PAGE_SIZE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(request, "audit/list.html", {
        "page": page, "rows": rows(page), "form": form, "query": query.urlencode(),
    })
