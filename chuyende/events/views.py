"""Study event pages. Reads via selectors, writes via events.services.

Creating an event is two steps: the event with its bridge points (counts), then, per bridge
point, the members who attended by name. Both steps call the service with every site.
"""

from dataclasses import dataclass
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _

from chuyende.accounts.permissions import actor_of, can_edit, scope_root
from chuyende.campaigns.models import Campaign, NonPartyCategory
from chuyende.campaigns.selectors import campaigns_for, default_campaign
from chuyende.core.exceptions import NotAllowed
from chuyende.core.submissions import submitted_once
from chuyende.events import services
from chuyende.events.exports import EVENT_COLUMNS
from chuyende.events.forms import (
    AttendeesForm,
    CellMeetingForm,
    EventFilterForm,
    EventForm,
    SiteFormSet,
    category_choices,
)
from chuyende.events.models import Event, Site
from chuyende.events.selectors import events_visible_to, meeting_cells, meeting_members, sites_visible_to
from chuyende.events.services import SiteData
from chuyende.exports.tables import export_response, requested_format
from chuyende.members.forms import apply_service_errors, offered_units
from chuyende.members.models import Member, MemberStatusChoices
from chuyende.members.selectors import members_visible_to, with_status_on
from chuyende.organisation.selectors import subtree

PAGE_SIZE = 50


@dataclass(frozen=True)
class SiteRow:
    """A bridge point as the detail page shows it."""

    site: Site
    named: list[Member]
    categories: list[tuple[str, int]]
    person_times: int


def _event_or_404(request: HttpRequest, pk: int) -> Event:
    return get_object_or_404(events_visible_to(actor=actor_of(request)), pk=pk)


def _require_edit_event(request: HttpRequest, event: Event) -> None:
    """The user sees the event (it is in their subtree or has a bridge point there); changing it
    needs the right to change its organiser. Refused with 403, never 404, since it is visible."""
    if not can_edit(actor_of(request), event.organiser):
        raise NotAllowed


@login_required
def list_page(request: HttpRequest) -> HttpResponseBase:
    actor = actor_of(request)
    form = EventFilterForm(request.GET or None, actor=actor)
    events = events_visible_to(actor=actor).order_by("-held_on", "-id")
    if form.is_valid():
        data = form.cleaned_data
        if data["campaign"]:
            events = events.filter(campaign=data["campaign"])
        if data["format"]:
            events = events.filter(format=data["format"])
        if data["date_from"]:
            events = events.filter(held_on__gte=data["date_from"])
        if data["date_to"]:
            events = events.filter(held_on__lte=data["date_to"])
    if fmt := requested_format(request):  # every row listed, all pages, as .xlsx or .csv
        return export_response(rows=events, columns=EVENT_COLUMNS, fmt=fmt, filename_stem="hoi-nghi")
    page = Paginator(events, PAGE_SIZE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    can_add = bool(offered_units(EventForm(actor=actor), "organiser"))
    return render(request, "events/list.html", {
        "form": form, "page": page, "query": query.urlencode(), "can_add": can_add,
    })


@login_required
def detail_page(request: HttpRequest, pk: int) -> HttpResponse:
    event = _event_or_404(request, pk)
    labels = dict(NonPartyCategory.choices)
    sites = []
    totals = {"named": 0, "other_members": 0, "non_members": 0, "all": 0}
    for site in sites_visible_to(actor=actor_of(request), event=event):
        named = sorted((a.member for a in site.attendances.all()), key=lambda m: m.full_name)
        row = SiteRow(
            site=site, named=named,
            categories=[(labels.get(k, k), n) for k, n in site.non_members_by_category.items()],
            person_times=len(named) + site.other_members + site.non_members,
        )
        sites.append(row)
        totals["named"] += len(named)
        totals["other_members"] += site.other_members
        totals["non_members"] += site.non_members
        totals["all"] += row.person_times
    editable = can_edit(actor_of(request), event.organiser)
    return render(request, "events/detail.html", {
        "event": event, "sites": sites, "totals": totals, "can_edit": editable,
        "presenters": event.presenters.all(),
    })


def _sites_initial(event: Event) -> list[dict[str, Any]]:
    initial = []
    for site in event.sites.select_related("unit").order_by("unit__path"):
        row: dict[str, Any] = {
            "unit": site.unit, "other_members": site.other_members, "non_members": site.non_members,
        }
        for key, count in site.non_members_by_category.items():
            row[f"category_{key}"] = count
        initial.append(row)
    return initial


def _current_attendees(event: Event) -> dict[int, tuple[Member, ...]]:
    by_unit: dict[int, list[Member]] = {}
    for site in event.sites.prefetch_related("attendances__member__unit"):
        by_unit[site.unit_id] = [a.member for a in site.attendances.all()]
    return {unit_id: tuple(members) for unit_id, members in by_unit.items()}


def _event_form_page(request: HttpRequest, event: Event | None) -> HttpResponse:
    actor = actor_of(request)
    if event is not None:
        campaigns = Campaign.objects.filter(pk=event.campaign_id)
    else:
        campaigns = campaigns_for(actor=actor)
    categories = category_choices(campaigns)
    if request.method == "POST":
        form = EventForm(request.POST, actor=actor, event=event)
        formset = SiteFormSet(request.POST, prefix="sites", actor=actor, categories=categories)
    else:
        # A new event: the latest campaign and the user's own unit, the usual case.
        initial: dict[str, Any] = {
            "campaign": default_campaign(actor=actor, today=timezone.localdate()), "organiser": actor.unit,
        }
        if event is not None:
            initial = {
                "organiser": event.organiser, "held_on": event.held_on, "format": event.format,
                "title": event.title, "code": event.code, "presenters": list(event.presenters.all()),
                "is_make_up": event.is_make_up, "audience": event.audience,
                "partners": list(event.partners),
            }
        form = EventForm(actor=actor, event=event, initial=initial)
        formset = SiteFormSet(prefix="sites", actor=actor, categories=categories,
                              initial=_sites_initial(event) if event else [{"unit": actor.unit}])
    # Validate first: an id from outside the subtree is a 404 whatever the role.
    valid = request.method == "POST" and all([form.is_valid(), formset.is_valid()])
    if event is not None:
        _require_edit_event(request, event)
    if not offered_units(form, "organiser"):
        raise NotAllowed
    if valid:
        attendees = _current_attendees(event) if event is not None else {}
        sites = [
            SiteData(
                unit=site_form.cleaned_data["unit"],
                other_members=site_form.cleaned_data["other_members"] or 0,
                non_members=site_form.cleaned_data["non_members"] or 0,
                non_members_by_category=site_form.by_category(),
                attendees=attendees.get(site_form.cleaned_data["unit"].pk, ()),
            )
            for site_form in formset.forms
            if site_form.has_changed() and not site_form.cleaned_data.get("DELETE")
            and site_form.cleaned_data.get("unit")
        ]
        data = form.cleaned_data
        values = {
            "organiser": data["organiser"], "held_on": data["held_on"], "format": data["format"],
            "title": data["title"].strip(), "sites": sites, "presenters": list(data["presenters"]),
            "is_make_up": data["is_make_up"], "code": data["code"].strip(),
            # Left empty: the default for a new event, the stored one for an event changed.
            "audience": data.get("audience") or None, "partners": list(data["partners"]),
        }
        try:
            if event is None:
                saved = services.event_create(actor=actor, campaign=data["campaign"], **values)
            else:
                saved = services.event_update(actor=actor, event=event, **values)
        except ValidationError as error:
            if event is not None:
                event.refresh_from_db()
            apply_service_errors(form, error)
        else:
            if event is None:
                messages.success(request, _("The event has been saved. Now tick the members who attended."))
            else:
                messages.success(request, _("The changes have been saved."))
            return redirect("events:detail", pk=saved.pk)
    return render(request, "events/form.html", {
        "form": form, "formset": formset, "event": event,
    })


@login_required
@submitted_once
def create_page(request: HttpRequest) -> HttpResponse:
    return _event_form_page(request, None)


@login_required
def edit_page(request: HttpRequest, pk: int) -> HttpResponse:
    return _event_form_page(request, _event_or_404(request, pk))


@login_required
def delete_page(request: HttpRequest, pk: int) -> HttpResponse:
    event = _event_or_404(request, pk)
    _require_edit_event(request, event)
    if request.method == "POST":
        services.event_delete(actor=actor_of(request), event=event)
        messages.success(request, _("The event has been deleted."))
        return redirect("events:list")
    return render(request, "events/delete.html", {"event": event})


@login_required
@submitted_once
def attendees_page(request: HttpRequest, pk: int, unit_pk: int) -> HttpResponse:
    """Members named at the event's bridge point of one unit (sites are rewritten on each save,
    so the unit, not the site id, names the bridge point in the address)."""
    actor = actor_of(request)
    event = _event_or_404(request, pk)
    site: Site = get_object_or_404(sites_visible_to(actor=actor, event=event), unit_id=unit_pk)
    current = {a.member_id for a in site.attendances.all()}
    form = AttendeesForm(request.POST or None, actor=actor)
    valid = request.method == "POST" and form.is_valid()
    _require_edit_event(request, event)
    if valid:
        chosen = tuple(form.cleaned_data["members"])
        sites = [
            SiteData(
                unit=other.unit, other_members=other.other_members, non_members=other.non_members,
                non_members_by_category=dict(other.non_members_by_category),
                attendees=(
                    chosen if other.unit_id == site.unit_id
                    else tuple(a.member for a in other.attendances.all())
                ),
            )
            for other in event.sites.select_related("unit").prefetch_related("attendances__member__unit")
        ]
        try:
            services.event_update(
                actor=actor, event=event, organiser=event.organiser, held_on=event.held_on,
                format=event.format, title=event.title, sites=sites,
                presenters=list(event.presenters.all()), is_make_up=event.is_make_up, code=event.code,
            )
        except ValidationError as error:
            apply_service_errors(form, error)
        else:
            messages.success(request, _("The attendees have been saved."))
            return redirect("events:detail", pk=event.pk)
        current = {m.pk for m in chosen}
    # Members under the bridge point, with their status on the day of the event (an exempt or
    # away member may still attend; the figures count them apart).
    labels = dict(MemberStatusChoices.choices)
    under_site = members_visible_to(actor=actor).filter(unit__path__startswith=site.unit.path)
    members = [
        (member, "" if status == MemberStatusChoices.ACTIVE else labels.get(str(status), ""))
        for member in with_status_on(under_site, event.held_on).order_by("unit__path", "full_name")
        for status in [getattr(member, "status_now", None)]
    ]
    return render(request, "events/attendees.html", {
        "event": event, "site": site, "form": form, "members": members, "current": current,
    })


@login_required
@submitted_once
def cell_meeting_page(request: HttpRequest) -> HttpResponse:
    """A cell meeting in one screen (day, topic, who attended), recorded by the same service as the
    full event form: a cell-meeting event organised by the cell with one bridge point, the cell, and
    the members ticked as its attendees. A user with several cells first chooses one (?don_vi=)."""
    actor = actor_of(request)
    cells = meeting_cells(actor=actor)
    chosen = request.GET.get("don_vi", "")
    if chosen:
        cell = next((cell for cell in cells if str(cell.pk) == chosen), None)
        if cell is None:  # another subtree's unit or none: 404; a unit of the subtree: 403
            get_object_or_404(subtree(root=scope_root(actor)), pk=chosen if chosen.isdigit() else 0)
            raise NotAllowed
    elif len(cells) == 1:
        cell = cells[0]
    elif cells:
        return render(request, "events/cell_meeting_choose.html", {"cells": cells})
    else:
        raise NotAllowed
    today = timezone.localdate()
    form = CellMeetingForm(request.POST or None, actor=actor, cell=cell, today=today)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        campaign = data["campaign"]
        try:
            event = services.event_create(
                actor=actor, campaign=campaign, organiser=cell, held_on=data["held_on"],
                format=Event.Format.CELL_MEETING, title=meeting_title(campaign),
                sites=[SiteData(unit=cell, attendees=tuple(data["members"]))],
            )
        except ValidationError as error:
            apply_service_errors(form, error)
        else:
            messages.success(request, _(
                "The cell meeting has been recorded: %(count)s party members attended."
            ) % {"count": len(data["members"])})
            return redirect("events:detail", pk=event.pk)
    on = form.cleaned_data.get("held_on") if form.is_bound else None
    members = meeting_members(actor=actor, cell=cell, on=on or today)
    ticked = {str(value) for value in form["members"].value() or ()}
    return render(request, "events/cell_meeting.html", {
        "form": form, "cell": cell, "members": members, "ticked": ticked, "several": len(cells) > 1,
    })


def meeting_title(campaign: Campaign) -> str:
    return _("Cell meeting on the %(topic)s") % {"topic": f"{campaign.get_kind_display()} {campaign.year}"}
