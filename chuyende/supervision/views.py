"""Supervision pages: officers with their units, visits with open follow-ups first, and the forms.

Figures (units never visited, follow-ups open) come from the roll-up; the lists of records from
supervision.selectors (see there for who sees which visit). Writes go through supervision.services.
"""

import datetime
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import HttpRequest, HttpResponse, HttpResponseBase, HttpResponseRedirect
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.translation import gettext as _

from chuyende.accounts.models import User
from chuyende.accounts.permissions import actor_of, can_edit, scope_root
from chuyende.campaigns.models import Campaign
from chuyende.campaigns.selectors import campaigns_for, default_campaign
from chuyende.core.exceptions import NotAllowed
from chuyende.core.submissions import submitted_once
from chuyende.exports.tables import requested_format, requested_table
from chuyende.figures.rollup import unit_figures
from chuyende.members.forms import apply_service_errors, offered_units
from chuyende.supervision import services
from chuyende.supervision.exports import TABLES, supervision_export
from chuyende.supervision.forms import (
    AssignmentForm,
    SupervisionFilterForm,
    SupervisorForm,
    VisitEditForm,
    VisitForm,
    offered_supervisors,
)
from chuyende.supervision.models import Visit
from chuyende.supervision.selectors import supervisors_for_list, visits_for_list, visits_visible_to


def default_day(campaign: Campaign, today: datetime.date) -> datetime.date:
    """Today while the campaign runs, else its last day (visits and follow-ups go on after the
    study deadline, so the supervision page does not stop there as the dashboard does)."""
    return min(today, campaign.ends)


def latest_campaign(actor: User) -> Campaign | None:
    return campaigns_for(actor=actor).order_by("-year", "-starts", "-pk").first()


def _back_to_list(campaign: Campaign) -> HttpResponseRedirect:
    return HttpResponseRedirect(f"{reverse('supervision:list')}?{urlencode({'campaign': campaign.pk})}")


@login_required
def list_page(request: HttpRequest) -> HttpResponseBase:
    actor = actor_of(request)
    campaign = latest_campaign(actor)
    form = SupervisionFilterForm(request.GET or None, actor=actor, initial={"campaign": campaign})
    on: datetime.date | None = None
    if form.is_valid():
        campaign = form.cleaned_data["campaign"] or campaign
        on = form.cleaned_data["on"]
    context: dict[str, Any] = {
        "form": form, "campaign": campaign,
        "can_add_officer": bool(offered_units(SupervisorForm(actor=actor))),
    }
    if campaign is not None:
        on = on or default_day(campaign, timezone.localdate())
        form.initial["on"] = on
        visits = list(visits_for_list(actor=actor, campaign=campaign, on=on))
        officers = list(supervisors_for_list(actor=actor, campaign=campaign))
        if fmt := requested_format(request):  # the table asked for, as .xlsx or .csv
            return supervision_export(fmt=fmt, table=requested_table(request, TABLES), visits=visits,
                                      officers=officers)
        context.update(
            on=on, visits=visits, officers=officers,
            figures=unit_figures(unit=scope_root(actor), campaign=campaign, as_of=on).supervision,
            editable_visits={visit.pk for visit in visits if can_edit(actor, visit.supervisor.unit)},
            can_record=any(can_edit(actor, officer.unit) for officer in officers),
        )
    return render(request, "supervision/list.html", context)


def _write(request: HttpRequest, form: Any, allowed: bool, save: Any) -> bool:
    """Validates the form, checks the role, calls `save(data)`; service errors go on the form.

    Validation comes first: an id from outside the subtree is a 404 whatever the role.
    """
    valid = request.method == "POST" and form.is_valid()
    if not allowed:
        raise NotAllowed
    if not valid:
        return False
    try:
        save(form.cleaned_data)
    except ValidationError as error:
        apply_service_errors(form, error)
        return False
    return True


@login_required
@submitted_once
def supervisor_create_page(request: HttpRequest) -> HttpResponse:
    actor = actor_of(request)
    form = SupervisorForm(request.POST or None, actor=actor, initial={"unit": actor.unit})

    def save(data: dict[str, Any]) -> None:
        services.supervisor_create(actor=actor, unit=data["unit"], full_name=data["full_name"],
                                   title=data["title"])

    if _write(request, form, bool(offered_units(form)), save):
        messages.success(request, _("The officer has been added."))
        return HttpResponseRedirect(reverse("supervision:list"))
    return render(request, "supervision/form.html", {"form": form, "page": "officer"})


@login_required
@submitted_once
def assign_page(request: HttpRequest) -> HttpResponse:
    """One officer to several units at once: every unit is saved, or none."""
    actor = actor_of(request)
    campaign = default_campaign(actor=actor, today=timezone.localdate())
    form = AssignmentForm(request.POST or None, actor=actor, initial={"campaign": campaign})

    def save(data: dict[str, Any]) -> None:
        problems: list[ValidationError] = []
        with transaction.atomic():
            for unit in data["units"]:
                try:
                    services.assignment_create(actor=actor, campaign=data["campaign"],
                                               supervisor=data["supervisor"], unit=unit)
                except ValidationError as error:
                    problems.extend(ValidationError(message) for message in error.messages)
            if problems:
                transaction.set_rollback(True)
        if problems:
            raise ValidationError({"units": problems})

    allowed = bool(offered_units(SupervisorForm(actor=actor)))
    if _write(request, form, allowed, save):
        messages.success(request, _("The officer has been assigned."))
        return _back_to_list(form.cleaned_data["campaign"])
    return render(request, "supervision/form.html", {
        "form": form, "page": "assign", "no_officer": not offered_supervisors(form),
    })


@login_required
@submitted_once
def visit_create_page(request: HttpRequest) -> HttpResponse:
    actor = actor_of(request)
    campaign = default_campaign(actor=actor, today=timezone.localdate())
    initial = {"campaign": campaign, "visited_on": timezone.localdate()}
    form = VisitForm(request.POST or None, actor=actor, initial=initial)

    def save(data: dict[str, Any]) -> None:
        services.visit_create(
            actor=actor, campaign=data["campaign"], supervisor=data["supervisor"], unit=data["unit"],
            visited_on=data["visited_on"], findings=data["findings"], follow_up=data["follow_up"],
            closed_on=data["closed_on"],
        )

    allowed = bool(offered_units(SupervisorForm(actor=actor)))
    if _write(request, form, allowed, save):
        messages.success(request, _("The visit has been recorded."))
        return _back_to_list(form.cleaned_data["campaign"])
    return render(request, "supervision/form.html", {
        "form": form, "page": "visit", "no_officer": not offered_supervisors(form),
    })


@login_required
def visit_edit_page(request: HttpRequest, pk: int) -> HttpResponse:
    """Changes a visit or closes its follow-up; officer, unit and campaign stay. A user who sees
    the visit (it is in their subtree) but may not change its officer's unit gets 403."""
    actor = actor_of(request)
    visit: Visit = get_object_or_404(visits_visible_to(actor=actor), pk=pk)
    initial = {name: getattr(visit, name) for name in ("visited_on", "findings", "follow_up", "closed_on")}
    form = VisitEditForm(request.POST or None, initial=initial)

    def save(data: dict[str, Any]) -> None:
        services.visit_update(actor=actor, visit=visit, visited_on=data["visited_on"],
                              findings=data["findings"], follow_up=data["follow_up"],
                              closed_on=data["closed_on"])

    if _write(request, form, can_edit(actor, visit.supervisor.unit), save):
        messages.success(request, _("The changes have been saved."))
        return _back_to_list(visit.campaign)
    return render(request, "supervision/form.html", {"form": form, "page": "visit_edit", "visit": visit})
