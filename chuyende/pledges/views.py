"""Pledge pages: a unit's pledges with its figures, a member's pledge, a cell's year-end rating
and the pledge returns of units that report counts. Reads via selectors and the roll-up,
writes via pledges.services."""

from typing import Any
from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from chuyende.accounts.models import User
from chuyende.accounts.permissions import actor_of, can_edit, require_edit, scope_root
from chuyende.campaigns.models import Campaign
from chuyende.campaigns.selectors import default_campaign
from chuyende.core.exceptions import NotAllowed
from chuyende.core.submissions import submitted_once
from chuyende.exports.tables import requested_format, requested_table
from chuyende.figures.rollup import Tally, unit_figures
from chuyende.figures.rules import in_force_ids
from chuyende.figures.selectors import campaign_choices
from chuyende.members.forms import apply_service_errors, offered_units
from chuyende.members.models import Member, MemberStatusChoices
from chuyende.organisation.models import Unit
from chuyende.organisation.selectors import subtree
from chuyende.pledges import services
from chuyende.pledges.exports import TABLES, pledges_export
from chuyende.pledges.forms import (
    CellRatingForm,
    PledgeEditForm,
    PledgeFilterForm,
    PledgeRegisterForm,
    PledgeReturnForm,
)
from chuyende.pledges.models import Pledge, PledgeReturn, Rating
from chuyende.pledges.selectors import (
    cell_pledges,
    default_day,
    is_cell,
    pledge_returns_visible_to,
    pledges_visible_to,
)
from chuyende.pledges.services import RatingData

RETURN_COUNTS = ("registered", "excellent", "good", "not_met")


def _list_url(campaign: Campaign, unit: Unit) -> str:
    return f"{reverse('pledges:list')}?{urlencode({'campaign': campaign.pk, 'unit': unit.pk})}"


def _campaign_of(request: HttpRequest, actor: User) -> Campaign:
    """The campaign named by `?campaign=` among the user's, else the newest; 404 if there is none."""
    campaigns = campaign_choices(actor=actor)
    if not campaigns:
        raise Http404
    wanted = request.GET.get("campaign", "")
    return next((campaign for campaign in campaigns if str(campaign.pk) == wanted), campaigns[0])


def _cell_or_404(actor: User, unit_id: int) -> Unit:
    """A unit of the user's subtree kept by name with no sub-units (404 otherwise)."""
    cell = get_object_or_404(subtree(root=scope_root(actor)), pk=unit_id)
    if not is_cell(cell):
        raise Http404
    return cell


def _warn_if_excluded(request: HttpRequest, pledge: Pledge) -> None:
    """A pledge of a member the campaign leaves out is kept; the user is told it does not count."""
    status = services.excluded_status_of(member=pledge.member, campaign=pledge.campaign,
                                         day=pledge.registered_on)
    if status is None:
        return
    messages.warning(request, _(
        "%(member)s is “%(status)s” on %(date)s. The campaign leaves such members out of those "
        "expected, so the pledge has been saved but is not counted among the pledges registered."
    ) % {"member": pledge.member.full_name, "status": dict(MemberStatusChoices.choices).get(status, status),
         "date": pledge.registered_on.strftime("%d/%m/%Y")})


def _ratings(tally: Tally) -> list[tuple[str, int]]:
    """(label, count) of every rating, in the order of the choices, as the roll-up counted them."""
    return [(str(label), tally.pledge_ratings.get(value, 0)) for value, label in Rating.choices]


@login_required
def list_page(request: HttpRequest) -> HttpResponseBase:
    actor = actor_of(request)
    campaigns = campaign_choices(actor=actor)
    campaign = campaigns[0] if campaigns else None
    unit = scope_root(actor)
    today = timezone.localdate()
    on = default_day(campaign=campaign, today=today) if campaign else today
    form = PledgeFilterForm(request.GET or None, actor=actor,
                            initial={"campaign": campaign, "unit": unit, "on": on})
    if form.is_valid():
        campaign = form.cleaned_data["campaign"] or campaign
        unit = form.cleaned_data["unit"] or unit
        if form.cleaned_data["on"]:
            on = form.cleaned_data["on"]
        elif campaign is not None:
            on = default_day(campaign=campaign, today=today)
    context: dict[str, Any] = {"form": form, "campaign": campaign, "unit": unit, "on": on}
    if campaign is None:
        return render(request, "pledges/list.html", context)
    returns = list(pledge_returns_visible_to(actor=actor, campaign=campaign)
                   .filter(unit__path__startswith=unit.path))
    cell = is_cell(unit)
    cell_rows = cell_pledges(actor=actor, campaign=campaign, unit=unit, day=on) if cell else None
    if fmt := requested_format(request):  # the table asked for, as .xlsx or .csv
        return pledges_export(fmt=fmt, table=requested_table(request, TABLES), cell=cell_rows,
                              returns=returns, on=on)
    rollup = unit_figures(unit=unit, campaign=campaign, as_of=on)
    context.update(
        rollup=rollup,
        ratings=_ratings(rollup.tally),
        child_rows=[
            {"figures": child, "ratings": _ratings(child.tally)}
            for child in rollup.children
        ],
        cell=cell_rows,
        can_edit_cell=cell and can_edit(actor, unit),
        returns=returns,
        in_force=in_force_ids(returns, on),
        editable_units={record.unit_id for record in returns if can_edit(actor, record.unit)},
        can_add_return=bool(offered_units(PledgeReturnForm(actor=actor))),
    )
    return render(request, "pledges/list.html", context)


@login_required
@submitted_once
def register_page(request: HttpRequest, unit_id: int) -> HttpResponse:
    """A new pledge of a member of the cell (the member may be named by `?member=`)."""
    actor = actor_of(request)
    cell = _cell_or_404(actor, unit_id)
    campaign = _campaign_of(request, actor)
    today = timezone.localdate()
    with_pledge = Pledge.objects.filter(campaign=campaign, member__unit=cell).values("member_id")
    offered = list(Member.objects.filter(unit=cell).exclude(pk__in=with_pledge).order_by("full_name", "code"))
    initial = {"registered_on": default_day(campaign=campaign, today=today),
               "member": request.GET.get("member")}
    form = PledgeRegisterForm(request.POST or None, actor=actor, cell=cell, offered=offered, initial=initial)
    # Validate first: a member from outside the subtree is a 404 whatever the role.
    valid = request.method == "POST" and form.is_valid()
    require_edit(actor, cell)
    if valid:
        data = form.cleaned_data
        try:
            pledge = services.pledge_register(actor=actor, campaign=campaign, member=data["member"],
                                              registered_on=data["registered_on"], text=data["text"])
        except ValidationError as error:
            apply_service_errors(form, error)
        else:
            messages.success(request, _("The pledge of %(member)s has been saved.") % {
                "member": pledge.member.full_name})
            _warn_if_excluded(request, pledge)
            return redirect(_list_url(campaign, cell))
    return render(request, "pledges/form.html", {
        "form": form, "cell": cell, "campaign": campaign, "pledge": None,
    })


@login_required
def edit_page(request: HttpRequest, pk: int) -> HttpResponse:
    actor = actor_of(request)
    pledge = get_object_or_404(pledges_visible_to(actor=actor), pk=pk)
    form = PledgeEditForm(request.POST or None,
                          initial={"registered_on": pledge.registered_on, "text": pledge.text})
    require_edit(actor, pledge.member.unit)
    if request.method == "POST" and form.is_valid():
        try:
            services.pledge_update(actor=actor, pledge=pledge, text=form.cleaned_data["text"],
                                   registered_on=form.cleaned_data["registered_on"])
        except ValidationError as error:
            pledge.refresh_from_db()
            apply_service_errors(form, error)
        else:
            messages.success(request, _("The pledge of %(member)s has been saved.") % {
                "member": pledge.member.full_name})
            _warn_if_excluded(request, pledge)
            return redirect(_list_url(pledge.campaign, pledge.member.unit))
    return render(request, "pledges/form.html", {
        "form": form, "cell": pledge.member.unit, "campaign": pledge.campaign, "pledge": pledge,
    })


@login_required
def rate_cell_page(request: HttpRequest, unit_id: int) -> HttpResponse:
    """The cell's year-end rating: every pledge on one page, saved together or not at all."""
    actor = actor_of(request)
    cell = _cell_or_404(actor, unit_id)
    campaign = _campaign_of(request, actor)
    require_edit(actor, cell)
    day = default_day(campaign=campaign, today=timezone.localdate())
    rows = cell_pledges(actor=actor, campaign=campaign, unit=cell, day=day)
    pledges = [row.pledge for row in rows.with_pledge if row.pledge is not None]
    rated_on = next((pledge.rated_on for pledge in pledges if pledge.rated_on), day)
    form = CellRatingForm(request.POST or None, pledges=pledges, initial={"rated_on": rated_on})
    if request.method == "POST" and form.is_valid():
        ratings = [RatingData(member=member, rating=rating, note=note)
                   for member, rating, note in form.ratings()]
        try:
            changed = services.cell_ratings_save(actor=actor, campaign=campaign, unit=cell,
                                                 rated_on=form.cleaned_data["rated_on"], ratings=ratings)
        except ValidationError as error:
            apply_service_errors(form, error)
        else:
            messages.success(request, _("The ratings of %(unit)s have been saved (%(count)s changed).") % {
                "unit": cell.name, "count": changed})
            return redirect(_list_url(campaign, cell))
    return render(request, "pledges/rate_cell.html", {
        "form": form, "cell": cell, "campaign": campaign, "rows": rows,
    })


def _return_page(request: HttpRequest, record: PledgeReturn | None) -> HttpResponse:
    actor = actor_of(request)
    if record is None:
        initial: dict[str, Any] = {
            "as_of": timezone.localdate(), "unit": request.GET.get("unit"),
            "campaign": default_campaign(actor=actor, today=timezone.localdate()),
        }
        form = PledgeReturnForm(request.POST or None, actor=actor, initial=initial)
    else:
        initial = {name: getattr(record, name) for name in RETURN_COUNTS}
        form = PledgeReturnForm(request.POST or None, actor=actor, fixed=True, initial=initial)
    # Validate first: a unit from outside the subtree is a 404 whatever the role.
    valid = request.method == "POST" and form.is_valid()
    if record is not None:
        require_edit(actor, record.unit)
    elif not offered_units(form):
        raise NotAllowed
    if valid:
        values: dict[str, Any] = {name: form.cleaned_data[name] for name in RETURN_COUNTS}
        where: dict[str, Any] = (
            {"campaign": record.campaign, "unit": record.unit, "as_of": record.as_of} if record is not None
            else {name: form.cleaned_data[name] for name in ("campaign", "unit", "as_of")}
        )
        try:
            saved = services.pledge_return_save(actor=actor, **where, **values)
        except ValidationError as error:
            apply_service_errors(form, error)
        else:
            messages.success(request, _("The pledge return has been saved."))
            return redirect(_list_url(saved.campaign, saved.unit))
    return render(request, "pledges/return_form.html", {"form": form, "record": record})


@login_required
@submitted_once
def return_page(request: HttpRequest) -> HttpResponse:
    return _return_page(request, None)


@login_required
def return_edit_page(request: HttpRequest, pk: int) -> HttpResponse:
    return _return_page(request, get_object_or_404(pledge_returns_visible_to(actor=actor_of(request)), pk=pk))
