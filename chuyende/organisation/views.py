from dataclasses import dataclass, field

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _

from chuyende.accounts.models import User
from chuyende.accounts.permissions import (
    actor_of,
    can_edit,
    can_manage_structure,
    require_edit,
    require_read,
    scope_root,
)
from chuyende.core.exceptions import NotAllowed
from chuyende.core.submissions import submitted_once
from chuyende.exports.tables import requested_format
from chuyende.figures import tree as dated
from chuyende.figures.roster import roster_by_status
from chuyende.figures.rules import is_open_on
from chuyende.members.models import MemberStatusChoices
from chuyende.organisation import selectors
from chuyende.organisation.exports import units_export
from chuyende.organisation.forms import TreeDateForm, UnitForm
from chuyende.organisation.models import Unit
from chuyende.organisation.services import unit_create, unit_update


@dataclass
class Node:
    unit: Unit
    children: list["Node"] = field(default_factory=list)


def _nest(units: list[Unit]) -> list[Node]:
    """Nested nodes from units ordered by path (parents before children)."""
    nodes: dict[int, Node] = {}
    roots: list[Node] = []
    for unit in units:
        node = nodes[unit.pk] = Node(unit)
        parent = nodes.get(unit.parent_id) if unit.parent_id else None
        (parent.children if parent else roots).append(node)
    return roots


def _require_structure_edit(user: User, unit: Unit) -> None:
    require_edit(user, unit)
    if not can_manage_structure(user):
        raise NotAllowed


@login_required
def tree_page(request: HttpRequest) -> HttpResponseBase:
    """The user's subtree as it is today, or as it was on `?as_of=` (names, places, kinds of that day)."""
    user = actor_of(request)
    root = scope_root(user)
    form = TreeDateForm(request.GET)
    as_of = form.cleaned_data["as_of"] if form.is_valid() else None
    day = as_of or timezone.localdate()
    if as_of:
        units = dated.units_on(root=root, day=as_of)
    else:
        units = list(selectors.subtree(root=root).order_by("path"))
    levels = dated.level_names_on(day)
    if fmt := requested_format(request):  # every unit listed, as .xlsx or .csv
        return units_export(fmt=fmt, units=units, levels=levels)
    return render(request, "organisation/tree.html", {
        "tree": _nest(units),
        "count": len(units),
        "today": day,
        "as_of": as_of,
        "form": TreeDateForm(initial={"as_of": day}),
        "levels": levels,
        "can_create": can_manage_structure(user) and can_edit(user, root),
    })


@login_required
def unit_detail(request: HttpRequest, pk: int) -> HttpResponse:
    user = actor_of(request)
    unit = get_object_or_404(Unit.objects.select_related("parent"), pk=pk)
    require_read(user, unit)
    root = scope_root(user)
    form = TreeDateForm(request.GET)
    as_of = form.cleaned_data["as_of"] if form.is_valid() else None
    today = as_of or timezone.localdate()
    counts = roster_by_status(unit=unit, day=today)
    statuses = [
        (choice.label, counts.own[choice.value], counts.subtree[choice.value])
        for choice in MemberStatusChoices
    ]
    position = dated.position_on(unit, today)
    return render(request, "organisation/detail.html", {
        "unit": unit,
        "as_of": as_of,
        "position": position,
        "form": TreeDateForm(initial={"as_of": today}),
        "level": dated.level_names_on(today).get(position.depth, ""),
        "parent_visible": unit.parent is not None and unit.parent.is_in_subtree_of(root),
        "children": list(selectors.children(unit=unit)),
        "statuses": statuses,
        "today": today,
        "is_open": is_open_on(unit.opened_on, unit.closed_on, today),
        "can_manage": can_manage_structure(user) and can_edit(user, unit),
        "history": selectors.history(unit=unit),
    })


@login_required
@submitted_once
def unit_create_page(request: HttpRequest) -> HttpResponse:
    user = actor_of(request)
    root = scope_root(user)
    _require_structure_edit(user, root)
    initial = {}
    wanted = request.GET.get("parent", "")
    if wanted.isdigit():
        parent = get_object_or_404(Unit, pk=int(wanted))
        require_read(user, parent)
        initial["parent"] = parent.pk
    form = UnitForm(request.POST or None, initial=initial, parents=selectors.subtree(root=root))
    if request.method == "POST" and form.is_valid():
        try:
            unit = unit_create(actor=user, **form.cleaned_data)
        except ValidationError as error:
            form.add_service_error(error)
        else:
            messages.success(request, _("The unit has been created."))
            return redirect("organisation:detail", pk=unit.pk)
    return render(request, "organisation/form.html", {"form": form, "unit": None})


@login_required
def unit_edit_page(request: HttpRequest, pk: int) -> HttpResponse:
    user = actor_of(request)
    unit = get_object_or_404(Unit.objects.select_related("parent"), pk=pk)
    _require_structure_edit(user, unit)
    root = scope_root(user)
    is_root = unit.pk == root.pk
    initial = {
        "parent": unit.parent_id, "code": unit.code, "name": unit.name, "kind": unit.kind,
        "sector": unit.sector, "tracking": unit.tracking, "opened_on": unit.opened_on,
        "closed_on": unit.closed_on,
    }
    form = UnitForm(request.POST or None, initial=initial,
                    parents=None if is_root else selectors.subtree(root=root))
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        if is_root:
            data["parent"] = unit.parent
        try:
            unit_update(actor=user, unit=unit, **data)
        except ValidationError as error:
            form.add_service_error(error)
        else:
            messages.success(request, _("The unit has been saved."))
            return redirect("organisation:detail", pk=unit.pk)
    return render(request, "organisation/form.html", {"form": form, "unit": unit, "keeps_parent": is_root})
