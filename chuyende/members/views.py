"""Member roster pages: list, detail, add, edit, status change. Reads via selectors, writes via services."""

from collections.abc import Callable
from functools import partial

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db.models import F
from django.http import HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _

from chuyende.accounts.permissions import actor_of, can_edit, require_edit
from chuyende.core.exceptions import NotAllowed
from chuyende.core.submissions import submitted_once
from chuyende.events.models import Attendance
from chuyende.events.selectors import events_visible_to
from chuyende.exports.tables import export_response, requested_format
from chuyende.members import services
from chuyende.members.exports import MEMBER_COLUMNS
from chuyende.members.forms import (
    MemberCreateForm,
    MemberFilterForm,
    MemberForm,
    MoveForm,
    StatusChangeForm,
    TransferForm,
    apply_service_errors,
    offered_units,
)
from chuyende.members.models import Member, MemberStatusChoices
from chuyende.members.selectors import matching, members_visible_to, with_status_on

PAGE_SIZE = 50



def _member_or_404(request: HttpRequest, pk: int) -> Member:
    return get_object_or_404(members_visible_to(actor=actor_of(request)), pk=pk)


@login_required
def list_page(request: HttpRequest) -> HttpResponseBase:
    actor = actor_of(request)
    today = timezone.localdate()
    form = MemberFilterForm(request.GET or None, actor=actor)
    members = with_status_on(members_visible_to(actor=actor), today).order_by("unit__path", "code")
    if form.is_valid():
        if query := form.cleaned_data["q"].strip():
            members = matching(members, query)
        if unit := form.cleaned_data["unit"]:
            members = members.filter(unit__path__startswith=unit.path)
        if status := form.cleaned_data["status"]:
            members = members.filter(**{"status_now": status})  # annotated by with_status_on
    if fmt := requested_format(request):  # every row listed, all pages, as .xlsx or .csv
        return export_response(rows=members, columns=MEMBER_COLUMNS, fmt=fmt, filename_stem="dang-vien")
    page = Paginator(members, PAGE_SIZE).get_page(request.GET.get("page"))
    labels = dict(MemberStatusChoices.choices)
    for member in page.object_list:
        member.status_label = labels.get(member.status_now, "")
    query = request.GET.copy()
    query.pop("page", None)
    can_add = bool(offered_units(MemberForm(actor=actor)))
    return render(request, "members/list.html", {
        "form": form, "page": page, "query": query.urlencode(), "today": today, "can_add": can_add,
    })


@login_required
def detail_page(request: HttpRequest, pk: int) -> HttpResponse:
    member = _member_or_404(request, pk)
    statuses = member.statuses.order_by(F("valid_from").desc(nulls_last=True))
    attendances = list(
        Attendance.objects.filter(member=member)
        .select_related("event", "event__campaign", "site__unit")
        .order_by("-event__held_on")
    )
    visible = set(
        events_visible_to(actor=actor_of(request))
        .filter(pk__in=[a.event_id for a in attendances])
        .values_list("pk", flat=True)
    )
    return render(request, "members/detail.html", {
        "member": member, "statuses": statuses, "attendances": attendances, "visible_events": visible,
        "can_edit": can_edit(actor_of(request), member.unit),
    })


def _form_page(
    request: HttpRequest, form: MemberForm, check: Callable[[], None], save: Callable[..., Member],
    done: str, *, member: Member | None = None, extra: tuple[str, ...] = (),
) -> HttpResponse:
    """The add and edit pages: validate, check the right to write, save through the service."""
    # Validate first: an id from outside the subtree is a 404 whatever the role.
    valid = request.method == "POST" and form.is_valid()
    check()
    if valid:
        data = form.cleaned_data
        try:
            saved = save(
                actor=actor_of(request), unit=data["unit"], code=data["code"].strip(),
                full_name=data["full_name"].strip(), sex=data["sex"], birth_year=data["birth_year"],
                membership=data["membership"], **{name: data[name] for name in extra},
            )
        except ValidationError as error:
            if member is not None:
                member.refresh_from_db()
            apply_service_errors(form, error)
        else:
            messages.success(request, done)
            return redirect("members:detail", pk=saved.pk)
    return render(request, "members/form.html", {"form": form, "member": member})


@login_required
@submitted_once
def create_page(request: HttpRequest) -> HttpResponse:
    form = MemberCreateForm(request.POST or None, actor=actor_of(request))

    def check() -> None:
        if not offered_units(form):
            raise NotAllowed

    return _form_page(request, form, check, services.member_create, _("The member has been added."),
                      extra=("status", "status_since"))


@login_required
def edit_page(request: HttpRequest, pk: int) -> HttpResponse:
    actor = actor_of(request)
    member = _member_or_404(request, pk)
    initial = {
        "unit": member.unit, "code": member.code, "full_name": member.full_name, "sex": member.sex,
        "birth_year": member.birth_year, "membership": member.membership,
    }
    form = MemberForm(request.POST or None, actor=actor, initial=initial)
    return _form_page(request, form, lambda: require_edit(actor, member.unit),
                      partial(services.member_update, member=member), _("The changes have been saved."),
                      member=member)


@login_required
@submitted_once
def status_page(request: HttpRequest, pk: int) -> HttpResponse:
    actor = actor_of(request)
    member = _member_or_404(request, pk)
    require_edit(actor, member.unit)
    form = StatusChangeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.member_status_change(
                actor=actor, member=member, status=form.cleaned_data["status"],
                since=form.cleaned_data["since"],
            )
        except ValidationError as error:
            apply_service_errors(form, error)
        else:
            messages.success(request, _("The new status has been recorded."))
            return redirect("members:detail", pk=member.pk)
    statuses = member.statuses.order_by(F("valid_from").desc(nulls_last=True))
    return render(request, "members/status.html", {"form": form, "member": member, "statuses": statuses})


@login_required
@submitted_once
def move_page(request: HttpRequest, pk: int) -> HttpResponse:
    """Moves the member to another unit from a day on."""
    actor = actor_of(request)
    member = _member_or_404(request, pk)
    require_edit(actor, member.unit)
    form = MoveForm(request.POST or None, actor=actor)
    if request.method == "POST" and form.is_valid():
        try:
            services.member_move(actor=actor, member=member, unit=form.cleaned_data["unit"],
                                 on=form.cleaned_data["on"])
        except ValidationError as error:
            apply_service_errors(form, error)
        else:
            messages.success(request, _("The move has been recorded."))
            return redirect("members:detail", pk=member.pk)
    return render(request, "members/move.html", {"form": form, "member": member})


@login_required
@submitted_once
def transfer_page(request: HttpRequest) -> HttpResponse:
    """Moves several members, named by code, to one unit from one day: all or none."""
    actor = actor_of(request)
    form = TransferForm(request.POST or None, actor=actor)
    if request.method == "POST" and form.is_valid():
        codes = form.cleaned_data["codes"]
        found = {m.code: m for m in members_visible_to(actor=actor).filter(code__in=codes)}
        unknown = [code for code in codes if code not in found]
        if unknown:
            form.add_error("codes", _("No member of your units has the code: %(codes)s.") % {
                "codes": ", ".join(unknown)})
        else:
            try:
                moved = services.members_transfer(actor=actor, members=[found[c] for c in codes],
                                                  unit=form.cleaned_data["unit"], on=form.cleaned_data["on"])
            except ValidationError as error:
                apply_service_errors(form, error)
            else:
                messages.success(request, _("%(count)s members have been moved.") % {"count": len(moved)})
                return redirect("members:list")
    return render(request, "members/transfer.html", {"form": form})
