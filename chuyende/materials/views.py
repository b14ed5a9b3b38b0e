"""Materials pages: what a unit received, supplied, passed down and holds; recording and removing a
transfer; downloading its file. Reads via selectors, writes via materials.services."""

import os
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Page, Paginator
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from chuyende.accounts.permissions import actor_of, can_edit, scope_root
from chuyende.campaigns.selectors import campaigns_for, default_campaign
from chuyende.core.exceptions import NotAllowed
from chuyende.core.submissions import submitted_once
from chuyende.exports.tables import requested_format, requested_table
from chuyende.figures.materials import Holding, holdings_of
from chuyende.materials import services
from chuyende.materials.exports import TABLES, materials_export
from chuyende.materials.forms import MaterialFilterForm, MaterialTransferForm
from chuyende.materials.models import PHYSICAL_ITEMS, MaterialTransfer
from chuyende.materials.selectors import transfers_visible_to
from chuyende.members.forms import apply_service_errors, offered_units

PAGE_SIZE = 50


@dataclass(frozen=True)
class HoldingRow:
    """One item of the chosen unit as the list page shows it."""

    item: str
    label: str
    holding: Holding
    physical: bool  # digital items are copied, not handed over: nothing is "held"


def _page(request: HttpRequest, rows: Any, name: str) -> Page[MaterialTransfer]:
    return Paginator(rows, PAGE_SIZE).get_page(request.GET.get(name))


def _list_url(transfer: MaterialTransfer) -> str:
    query = urlencode({"campaign": transfer.campaign_id, "unit": transfer.sender_id})
    return f"{reverse('materials:list')}?{query}"


@login_required
def list_page(request: HttpRequest) -> HttpResponseBase:
    actor = actor_of(request)
    campaign = campaigns_for(actor=actor).first()
    unit = scope_root(actor)
    on = timezone.localdate()
    form = MaterialFilterForm(request.GET or None, actor=actor,
                              initial={"campaign": campaign, "unit": unit, "on": on})
    if form.is_valid():
        campaign = form.cleaned_data["campaign"] or campaign
        unit = form.cleaned_data["unit"] or unit
        on = form.cleaned_data["on"] or on
    context: dict[str, Any] = {"form": form, "campaign": campaign, "unit": unit, "on": on,
                               "can_add": can_edit(actor, unit)}
    if campaign is not None:
        rows = transfers_visible_to(actor=actor, campaign=campaign).filter(sent_on__lte=on)
        received_rows = rows.filter(recipient=unit)
        passed_rows = rows.filter(sender=unit).exclude(recipient=unit)
        if fmt := requested_format(request):  # the table asked for, all pages, as .xlsx or .csv
            return materials_export(fmt=fmt, table=requested_table(request, TABLES), received=received_rows,
                                    passed=passed_rows)
        holdings = holdings_of(unit=unit, campaign=campaign, on=on)
        received = _page(request, received_rows, "received_page")
        passed = _page(request, passed_rows, "passed_page")
        shown = [*received.object_list, *passed.object_list]
        query = request.GET.copy()
        context.update({
            "holdings": [
                HoldingRow(item=item, label=str(label), holding=holdings[item],
                           physical=item in PHYSICAL_ITEMS)
                for item, label in MaterialTransfer.Item.choices if item in holdings
            ],
            "received": received,
            "passed": passed,
            "deletable": {row.pk for row in shown if can_edit(actor, row.sender)},
            "received_query": _without(query, "received_page"),
            "passed_query": _without(query, "passed_page"),
        })
    return render(request, "materials/list.html", context)


def _without(query: Any, name: str) -> str:
    query = query.copy()
    query.pop(name, None)
    return str(query.urlencode())


@login_required
@submitted_once
def create_page(request: HttpRequest) -> HttpResponse:
    actor = actor_of(request)
    initial = {
        "campaign": default_campaign(actor=actor, today=timezone.localdate()),
        "sender": request.GET.get("sender") or actor.unit,
        "sent_on": timezone.localdate(),
    }
    form = MaterialTransferForm(request.POST or None, request.FILES or None, actor=actor, initial=initial)
    # Validate first: an id from outside the subtree is a 404 whatever the role.
    valid = request.method == "POST" and form.is_valid()
    if not offered_units(form, "sender"):
        raise NotAllowed
    if valid:
        data = form.cleaned_data
        try:
            transfer = services.material_transfer_create(
                actor=actor, campaign=data["campaign"], sender=data["sender"], recipient=data["recipient"],
                item=data["item"], quantity=data["quantity"], sent_on=data["sent_on"],
                note=data["note"].strip(), link=data["link"], attachment=data["attachment"],
            )
        except ValidationError as error:
            apply_service_errors(form, error)
        else:
            messages.success(request, _("The transfer has been saved."))
            return redirect(_list_url(transfer))
    return render(request, "materials/form.html", {"form": form})


def _transfer_or_404(request: HttpRequest, pk: int) -> MaterialTransfer:
    """A transfer sent or received by a unit of the user's subtree; any other is a 404."""
    return get_object_or_404(transfers_visible_to(actor=actor_of(request)), pk=pk)


@login_required
def delete_page(request: HttpRequest, pk: int) -> HttpResponse:
    actor = actor_of(request)
    transfer = _transfer_or_404(request, pk)
    if not can_edit(actor, transfer.sender):
        raise NotAllowed
    error = None
    if request.method == "POST":
        back = _list_url(transfer)
        try:
            services.material_transfer_delete(actor=actor, transfer=transfer)
        except ValidationError as refusal:
            error = " ".join(refusal.messages)
        else:
            messages.success(request, _("The transfer has been deleted."))
            return redirect(back)
    return render(request, "materials/delete.html", {"transfer": transfer, "error": error})


@require_GET
@login_required
def file_page(request: HttpRequest, pk: int) -> FileResponse:
    """The transfer's file, to users who can read its sender or its recipient; MEDIA_ROOT is never
    served as such."""
    transfer = _transfer_or_404(request, pk)
    if not transfer.attachment:
        raise Http404
    try:
        handle = transfer.attachment.open("rb")
    except FileNotFoundError as missing:
        raise Http404 from missing
    return FileResponse(handle, as_attachment=True, filename=os.path.basename(transfer.attachment.name))

