"""The first run of an empty installation and the user's own password change."""

from django.contrib import messages
from django.contrib.auth import login, update_session_auth_hash
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.debug import sensitive_post_parameters

from chuyende.accounts.forms import FirstRunForm, PasswordChangeForm, apply_service_errors
from chuyende.accounts.middleware import installation_exists
from chuyende.accounts.permissions import actor_of
from chuyende.accounts.services import AlreadyInstalled, installation_setup, password_change

MODEL_BACKEND = "chuyende.notifications.backends.UserBackend"


@sensitive_post_parameters("new_password", "new_password2")
def first_run_page(request: HttpRequest) -> HttpResponse:
    """Levels, top unit and first administrator of an empty installation; 404 once a unit exists."""
    if installation_exists():
        raise Http404
    form = FirstRunForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            admin = installation_setup(
                levels=data["levels"].split(","), root_code=data["root_code"], root_name=data["root_name"],
                root_kind=data["root_kind"], admin_username=data["admin_username"],
                admin_full_name=data["admin_full_name"], admin_email=data["admin_email"],
                admin_password=data["new_password"],
            )
        except AlreadyInstalled:
            raise Http404 from None
        except ValidationError as error:
            apply_service_errors(form, error, FirstRunForm.SERVICE_FIELDS)
        else:
            login(request, admin, backend=MODEL_BACKEND)
            messages.success(request, _("The installation is ready. Create the units and users next."))
            return redirect("accounts:admin_home")
    return render(request, "accounts/first_run.html", {"form": form})


def _next_url(request: HttpRequest) -> str:
    wanted = request.POST.get("next") or request.GET.get("next") or ""
    if wanted and url_has_allowed_host_and_scheme(wanted, allowed_hosts={request.get_host()}):
        return wanted
    return "/"


@login_required
@sensitive_post_parameters("current_password", "new_password", "new_password2")
def password_change_page(request: HttpRequest) -> HttpResponse:
    user = actor_of(request)
    form = PasswordChangeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            password_change(user=user, current_password=data["current_password"],
                            new_password=data["new_password"])
        except ValidationError as error:
            apply_service_errors(form, error)
        else:
            user.refresh_from_db()
            update_session_auth_hash(request, user)  # this session stays open; the others end
            messages.success(request, _("Your password has been changed."))
            return redirect(_next_url(request))
    return render(request, "accounts/password_change.html", {
        "form": form, "must_change": user.must_change_password, "next": _next_url(request),
    })
