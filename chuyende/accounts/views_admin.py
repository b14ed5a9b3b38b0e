"""The Administration pages: users of the actor's subtree, and the level names. Units have their own pages
(chuyende.organisation), linked from here."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from chuyende.accounts import services
from chuyende.accounts.exports import USER_COLUMNS
from chuyende.accounts.forms import LevelForm, UserCreateForm, UserFilterForm, UserForm, apply_service_errors
from chuyende.accounts.models import User
from chuyende.accounts.permissions import (
    actor_of,
    assignable_roles,
    can_manage_levels,
    require_levels_manager,
    require_user_managed,
    require_user_manager,
)
from chuyende.accounts.selectors import users_matching, users_visible_to
from chuyende.exports.tables import export_response, requested_format
from chuyende.organisation.models import Level
from chuyende.organisation.services import level_create, level_rename

PAGE_SIZE = 50


@login_required
def admin_home(request: HttpRequest) -> HttpResponse:
    actor = actor_of(request)
    require_user_manager(actor)
    return render(request, "accounts/admin_home.html", {"can_manage_levels": can_manage_levels(actor)})


@login_required
def user_list(request: HttpRequest) -> HttpResponseBase:
    actor = actor_of(request)
    users = users_visible_to(actor=actor).order_by("unit__path", "username")
    form = UserFilterForm(request.GET or None, actor=actor)
    if form.is_valid():
        users = users_matching(users, query=form.cleaned_data["q"], unit=form.cleaned_data["unit"],
                               role=form.cleaned_data["role"], active=form.active_value())
    if fmt := requested_format(request):  # every row listed, all pages, as .xlsx or .csv
        return export_response(rows=users, columns=USER_COLUMNS, fmt=fmt, filename_stem="nguoi-dung")
    page = Paginator(users, PAGE_SIZE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(request, "accounts/user_list.html",
                  {"form": form, "page": page, "query": query.urlencode()})


def _user_or_404(request: HttpRequest, pk: int) -> User:
    return get_object_or_404(users_visible_to(actor=actor_of(request)), pk=pk)


@login_required
def user_create_page(request: HttpRequest) -> HttpResponse:
    actor = actor_of(request)
    require_user_manager(actor)
    form = UserCreateForm(request.POST or None, actor=actor)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            user, password = services.user_create_with_temporary_password(
                actor=actor, username=data["username"], unit=data["unit"], role=data["role"],
                full_name=data["full_name"], email=data["email"],
            )
        except ValidationError as error:
            apply_service_errors(form, error, {"first_name": "full_name", "last_name": "full_name"})
        else:
            # Shown once, in this answer only: never stored in clear nor put in a message.
            return render(request, "accounts/temporary_password.html", {
                "user_shown": user, "password": password, "created": True,
            })
    return render(request, "accounts/user_form.html", {"form": form, "user_shown": None})


@login_required
def user_edit_page(request: HttpRequest, pk: int) -> HttpResponse:
    actor = actor_of(request)
    user = _user_or_404(request, pk)
    can_change = user.role in assignable_roles(actor)
    initial = {"full_name": user.get_full_name(), "email": user.email, "role": user.role, "unit": user.unit}
    form = UserForm(request.POST or None, actor=actor, initial=initial)
    if request.method == "POST":
        require_user_managed(actor, user)
        if form.is_valid():
            try:
                services.user_update(actor=actor, user=user, **form.cleaned_data)
            except ValidationError as error:
                apply_service_errors(form, error, {"first_name": "full_name", "last_name": "full_name"})
            else:
                messages.success(request, _("The changes have been saved."))
                return redirect("accounts:user_edit", pk=user.pk)
    return render(request, "accounts/user_form.html", {
        "form": form, "user_shown": user, "can_change": can_change, "is_self": user.pk == actor.pk,
    })


def _user_action(request: HttpRequest, pk: int, action: str) -> HttpResponse:
    actor = actor_of(request)
    user = _user_or_404(request, pk)
    try:
        if action == "deactivate":
            services.user_deactivate(actor=actor, user=user)
            messages.success(request, _("The account has been deactivated."))
        else:
            services.user_reactivate(actor=actor, user=user)
            messages.success(request, _("The account has been reactivated."))
    except ValidationError as error:
        for text in error.messages:
            messages.error(request, text)
    return redirect("accounts:user_edit", pk=user.pk)


@login_required
@require_POST
def user_deactivate_view(request: HttpRequest, pk: int) -> HttpResponse:
    return _user_action(request, pk, "deactivate")


@login_required
@require_POST
def user_reactivate_view(request: HttpRequest, pk: int) -> HttpResponse:
    return _user_action(request, pk, "reactivate")


@login_required
@require_POST
def user_password_reset_view(request: HttpRequest, pk: int) -> HttpResponse:
    actor = actor_of(request)
    user = _user_or_404(request, pk)
    password = services.user_password_reset(actor=actor, user=user)
    return render(request, "accounts/temporary_password.html", {
        "user_shown": user, "password": password, "created": False,
    })


@login_required
def level_list(request: HttpRequest) -> HttpResponse:
    actor = actor_of(request)
    require_levels_manager(actor)
    form = LevelForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            level = level_create(actor=actor, name=form.cleaned_data["name"])
        except ValidationError as error:
            apply_service_errors(form, error)
        else:
            messages.success(request, _("The level %(name)s has been added.") % {"name": level.name})
            return redirect("accounts:levels")
    return render(request, "accounts/level_list.html", {"levels": Level.objects.all(), "form": form})


@login_required
def level_edit(request: HttpRequest, pk: int) -> HttpResponse:
    actor = actor_of(request)
    require_levels_manager(actor)
    level = get_object_or_404(Level, pk=pk)
    form = LevelForm(request.POST or None, initial={"name": level.name})
    if request.method == "POST" and form.is_valid():
        try:
            level_rename(actor=actor, level=level, name=form.cleaned_data["name"])
        except ValidationError as error:
            apply_service_errors(form, error)
        else:
            messages.success(request, _("The level has been renamed."))
            return redirect("accounts:levels")
    return render(request, "accounts/level_form.html", {"form": form, "level": level})
