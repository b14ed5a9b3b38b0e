"""Aggregate return pages: the list with the return in force, and the member and non-member forms."""

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _

from chuyende.accounts.permissions import actor_of, can_edit, require_edit
from chuyende.campaigns.selectors import campaigns_for, default_campaign
from chuyende.core.exceptions import NotAllowed
from chuyende.core.submissions import submitted_once
from chuyende.exports.tables import requested_format, requested_table
from chuyende.figures.rules import in_force_ids
from chuyende.members.forms import apply_service_errors, offered_units
from chuyende.returns import services
from chuyende.returns.exports import TABLES, returns_export
from chuyende.returns.forms import (
    MemberReturnForm,
    NonMemberReturnForm,
    PartialReturnForm,
    ReturnFilterForm,
)
from chuyende.returns.models import MemberReturn, NonMemberReturn
from chuyende.returns.selectors import (
    member_returns_visible_to,
    non_member_returns_visible_to,
)

MEMBER_COUNTS = ("members_total", "exempt", "away", "studied")
NON_MEMBER_COUNTS = ("expected", "studied")


@login_required
def list_page(request: HttpRequest) -> HttpResponseBase:
    actor = actor_of(request)
    campaign = campaigns_for(actor=actor).first()
    on = timezone.localdate()
    form = ReturnFilterForm(request.GET or None, actor=actor, initial={"campaign": campaign, "on": on})
    if form.is_valid():
        campaign = form.cleaned_data["campaign"] or campaign
        on = form.cleaned_data["on"] or on
    member_returns = list(member_returns_visible_to(actor=actor, campaign=campaign)) if campaign else []
    non_member_returns = (
        list(non_member_returns_visible_to(actor=actor, campaign=campaign)) if campaign else []
    )
    if fmt := requested_format(request):  # the table asked for, as .xlsx or .csv
        return returns_export(fmt=fmt, table=requested_table(request, TABLES), member_returns=member_returns,
                              non_member_returns=non_member_returns, on=on)
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


@dataclass(frozen=True)
class _Kind:
    """What differs between the member and the non-member return pages."""

    name: str
    form: type[MemberReturnForm] | type[NonMemberReturnForm]
    save: Callable[..., Any]
    counts: tuple[str, ...]
    visible: Callable[..., QuerySet[Any]]


MEMBER = _Kind("member", MemberReturnForm, services.member_return_save, MEMBER_COUNTS,
               member_returns_visible_to)
NON_MEMBER = _Kind("non_member", NonMemberReturnForm, services.non_member_return_save, NON_MEMBER_COUNTS,
                   non_member_returns_visible_to)


def _form_page(request: HttpRequest, kind: _Kind, pk: int | None = None) -> HttpResponse:
    """Adds a return (pk None) or changes the counts of a saved one; campaign, unit and day stay."""
    actor = actor_of(request)
    record: MemberReturn | NonMemberReturn | None = None
    if pk is None:
        form = kind.form(request.POST or None, actor=actor, initial={
            "as_of": timezone.localdate(),
            "campaign": default_campaign(actor=actor, today=timezone.localdate()),
            # From the home's list of units without figures (?don_vi=): dropped unless offered.
            "unit": request.GET.get("don_vi") or None,
        })
        fixed: dict[str, Any] = {}
    else:
        record = get_object_or_404(kind.visible(actor=actor), pk=pk)
        initial = {name: getattr(record, name) for name in kind.counts}
        form = kind.form(request.POST or None, actor=actor, fixed=True, initial=initial)
        fixed = {"campaign": record.campaign, "unit": record.unit, "as_of": record.as_of}
    if _save(request, form, kind.save, fixed, kind.counts, record=record):
        return redirect("returns:list")
    return render(request, "returns/form.html", {"form": form, "record": record, "kind": kind.name})


@login_required
@submitted_once
def member_create_page(request: HttpRequest) -> HttpResponse:
    return _form_page(request, MEMBER)


@login_required
def member_edit_page(request: HttpRequest, pk: int) -> HttpResponse:
    return _form_page(request, MEMBER, pk)


@login_required
@submitted_once
def non_member_create_page(request: HttpRequest) -> HttpResponse:
    return _form_page(request, NON_MEMBER)


@login_required
def non_member_edit_page(request: HttpRequest, pk: int) -> HttpResponse:
    return _form_page(request, NON_MEMBER, pk)


@login_required
@submitted_once
def partial_create_page(request: HttpRequest) -> HttpResponse:
    """A return that knows only part (a count without the number expected, or a bound)."""
    actor = actor_of(request)
    form = PartialReturnForm(request.POST or None, actor=actor, initial={
        "as_of": timezone.localdate(), "campaign": default_campaign(actor=actor, today=timezone.localdate()),
    })
    if _save(request, form, services.partial_return_save, {},
             ("who", "category", "studied", "studied_above", "rate_above")):
        return redirect("returns:list")
    return render(request, "returns/form.html", {"form": form, "record": None, "kind": "partial"})
