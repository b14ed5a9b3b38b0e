"""Aggregate return pages: the list with the return in force, and the member and non-member forms."""

import datetime
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _

from chuyende.accounts.permissions import can_edit, require_edit
from chuyende.campaigns.selectors import campaigns_for
from chuyende.core.exceptions import NotAllowed
from chuyende.members.forms import apply_service_errors, offered_units
from chuyende.members.views import actor_of
from chuyende.returns import services
from chuyende.returns.forms import (
    MemberReturnForm,
    NonMemberReturnForm,
    ReturnFilterForm,
)
from chuyende.returns.models import MemberReturn, NonMemberReturn
from chuyende.returns.selectors import (
    in_force_ids,
    member_returns_visible_to,
    non_member_returns_visible_to,
)

MEMBER_COUNTS = ("members_total", "exempt", "away", "studied")
NON_MEMBER_COUNTS = ("expected", "studied")


@login_required
def list_page(request: HttpRequest) -> HttpResponse:
    actor = actor_of(request)
    campaign = campaigns_for(actor=actor).first()
    on = datetime.date.today()
    form = ReturnFilterForm(request.GET or None, actor=actor, initial={"campaign": campaign, "on": on})
    if form.is_valid():
        campaign = form.cleaned_data["campaign"] or campaign
        on = form.cleaned_data["on"] or on
    member_returns = list(member_returns_visible_to(actor=actor, campaign=campaign)) if campaign else []
    non_member_returns = (
        list(non_member_returns_visible_to(actor=actor, campaign=campaign)) if campaign else []
    )
    units = {row.unit for row in member_returns} | {row.unit for row in non_member_returns}
    return render(request, "returns/list.html", {
        "form": form, "campaign": campaign, "on": on, "member_returns": member_returns,
        "non_member_returns": non_member_returns,
        "member_in_force": in_force_ids(member_returns, on),
        "non_member_in_force": in_force_ids(non_member_returns, on),
        "editable_units": {unit.pk for unit in units if can_edit(actor, unit)},
        "can_add_member_return": bool(offered_units(MemberReturnForm(actor=actor))),
        "can_add_non_member_return": bool(offered_units(NonMemberReturnForm(actor=actor))),
    })


def _save(
    request: HttpRequest, form: Any, save: Any, fixed: dict[str, Any], names: tuple[str, ...], *,
    record: MemberReturn | NonMemberReturn | None = None,
) -> bool:
    # Validate first: an id from outside the subtree is a 404 whatever the role.
    valid = request.method == "POST" and form.is_valid()
    if record is not None:
        require_edit(actor_of(request), record.unit)
    elif not offered_units(form):
        raise NotAllowed
    if not valid:
        return False
    values = {**{name: form.cleaned_data[name] for name in names}, **fixed}
    for name in ("campaign", "unit", "as_of"):
        values.setdefault(name, form.cleaned_data.get(name))
    try:
        save(actor=actor_of(request), **values)
    except ValidationError as error:
        apply_service_errors(form, error)
        return False
    messages.success(request, _("The return has been saved."))
    return True


@login_required
def member_create_page(request: HttpRequest) -> HttpResponse:
    form = MemberReturnForm(request.POST or None, actor=actor_of(request),
                            initial={"as_of": datetime.date.today()})
    if _save(request, form, services.member_return_save, {}, MEMBER_COUNTS):
        return redirect("returns:list")
    return render(request, "returns/form.html", {"form": form, "record": None, "kind": "member"})


@login_required
def member_edit_page(request: HttpRequest, pk: int) -> HttpResponse:
    record: MemberReturn = get_object_or_404(member_returns_visible_to(actor=actor_of(request)), pk=pk)
    initial = {name: getattr(record, name) for name in MEMBER_COUNTS}
    form = MemberReturnForm(request.POST or None, actor=actor_of(request), fixed=True, initial=initial)
    fixed = {"campaign": record.campaign, "unit": record.unit, "as_of": record.as_of}
    if _save(request, form, services.member_return_save, fixed, MEMBER_COUNTS, record=record):
        return redirect("returns:list")
    return render(request, "returns/form.html", {"form": form, "record": record, "kind": "member"})


@login_required
def non_member_create_page(request: HttpRequest) -> HttpResponse:
    form = NonMemberReturnForm(request.POST or None, actor=actor_of(request),
                               initial={"as_of": datetime.date.today()})
    if _save(request, form, services.non_member_return_save, {}, NON_MEMBER_COUNTS):
        return redirect("returns:list")
    return render(request, "returns/form.html", {"form": form, "record": None, "kind": "non_member"})


@login_required
def non_member_edit_page(request: HttpRequest, pk: int) -> HttpResponse:
    record: NonMemberReturn = get_object_or_404(non_member_returns_visible_to(actor=actor_of(request)), pk=pk)
    initial = {name: getattr(record, name) for name in NON_MEMBER_COUNTS}
    form = NonMemberReturnForm(request.POST or None, actor=actor_of(request), fixed=True, initial=initial)
    fixed = {"campaign": record.campaign, "unit": record.unit, "as_of": record.as_of}
    if _save(request, form, services.non_member_return_save, fixed, NON_MEMBER_COUNTS, record=record):
        return redirect("returns:list")
    return render(request, "returns/form.html", {"form": form, "record": record, "kind": "non_member"})
