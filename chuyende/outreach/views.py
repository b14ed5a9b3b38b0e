"""Outreach pages: the list with the roll-up's figures above it, and the add, edit and delete forms.

Figures come from the roll-up only; the list shows the records themselves.
"""

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _

from chuyende.accounts.permissions import actor_of, can_edit, require_edit, scope_root
from chuyende.campaigns.selectors import campaigns_for, default_campaign
from chuyende.core.exceptions import NotAllowed
from chuyende.core.submissions import submitted_once
from chuyende.exports.tables import export_response, requested_format
from chuyende.figures.rollup import unit_figures
from chuyende.figures.selectors import channel_rows, default_as_of
from chuyende.members.forms import apply_service_errors, offered_units
from chuyende.outreach import services
from chuyende.outreach.exports import OUTREACH_COLUMNS
from chuyende.outreach.forms import OutreachFilterForm, OutreachForm
from chuyende.outreach.models import Outreach
from chuyende.outreach.selectors import outreach_visible_to

PAGE_SIZE = 50


@login_required
def list_page(request: HttpRequest) -> HttpResponseBase:
    actor = actor_of(request)
    root = scope_root(actor)
    campaign = campaigns_for(actor=actor).first()
    today = timezone.localdate()
    as_of = default_as_of(campaign=campaign, today=today) if campaign else today
    form = OutreachFilterForm(request.GET or None, actor=actor,
                              initial={"campaign": campaign, "as_of": as_of})
    unit = root
    if form.is_valid():
        data = form.cleaned_data
        campaign = data["campaign"] or campaign
        if data["as_of"]:
            as_of = data["as_of"]
        elif campaign is not None:
            as_of = default_as_of(campaign=campaign, today=today)
        unit = data["unit"] or root
    can_add = bool(offered_units(OutreachForm(actor=actor)))
    context: dict[str, object] = {"form": form, "campaign": campaign, "unit": unit, "as_of": as_of,
                                  "can_add": can_add}
    if campaign is not None:
        records = outreach_visible_to(actor=actor, campaign=campaign, unit=unit, as_of=as_of)
        if fmt := requested_format(request):  # every record listed, all pages, as .xlsx or .csv
            return export_response(rows=records, columns=OUTREACH_COLUMNS, fmt=fmt,
                                   filename_stem="tuyen-truyen")
        rollup = unit_figures(unit=unit, campaign=campaign, as_of=as_of)
        page = Paginator(records, PAGE_SIZE).get_page(request.GET.get("page"))
        query = request.GET.copy()
        query.pop("page", None)
        context.update(
            rollup=rollup, channels=channel_rows(rollup.tally), page=page, query=query.urlencode(),
            editable_units={row.unit_id for row in page.object_list if can_edit(actor, row.unit)},
        )
    return render(request, "outreach/list.html", context)


def _form_page(request: HttpRequest, record: Outreach | None) -> HttpResponse:
    """Adds outreach (record None) or changes a saved record; the campaign of a saved one stays."""
    actor = actor_of(request)
    initial: dict[str, object]
    if record is None:
        initial = {"campaign": default_campaign(actor=actor, today=timezone.localdate()), "unit": actor.unit,
                   "held_on": timezone.localdate()}
        form = OutreachForm(request.POST or None, actor=actor, initial=initial)
    else:
        initial = {"unit": record.unit, "held_on": record.held_on, "channel": record.channel,
                   "sessions": record.sessions, "reach": record.reach, "note": record.note}
        form = OutreachForm(request.POST or None, actor=actor, fixed_campaign=True, initial=initial)
    # Validate first: a unit id from outside the subtree is a 404 whatever the role.
    valid = request.method == "POST" and form.is_valid()
    if record is not None:
        require_edit(actor, record.unit)
    elif not offered_units(form):
        raise NotAllowed
    if valid:
        data = form.cleaned_data
        values: dict[str, Any] = {
            "unit": data["unit"], "held_on": data["held_on"], "channel": data["channel"],
            "sessions": data["sessions"], "reach": data["reach"], "note": data["note"].strip(),
        }
        try:
            if record is None:
                services.outreach_create(actor=actor, campaign=data["campaign"], **values)
            else:
                services.outreach_update(actor=actor, outreach=record, **values)
        except ValidationError as error:
            apply_service_errors(form, error)
        else:
            messages.success(request, _("The outreach has been saved."))
            return redirect("outreach:list")
    return render(request, "outreach/form.html", {"form": form, "record": record})


def _record_or_404(request: HttpRequest, pk: int) -> Outreach:
    return get_object_or_404(outreach_visible_to(actor=actor_of(request)), pk=pk)


@login_required
@submitted_once
def create_page(request: HttpRequest) -> HttpResponse:
    return _form_page(request, None)


@login_required
def edit_page(request: HttpRequest, pk: int) -> HttpResponse:
    return _form_page(request, _record_or_404(request, pk))


@login_required
def delete_page(request: HttpRequest, pk: int) -> HttpResponse:
    record = _record_or_404(request, pk)
    require_edit(actor_of(request), record.unit)
    if request.method == "POST":
        services.outreach_delete(actor=actor_of(request), outreach=record)
        messages.success(request, _("The outreach has been deleted."))
        return redirect("outreach:list")
    return render(request, "outreach/delete.html", {"record": record})
