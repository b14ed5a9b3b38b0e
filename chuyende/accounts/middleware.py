"""Request gates of the accounts: the first run of an empty installation, then the state of the account
(a user with no unit sees why; a user holding a temporary password is led to the password change)."""

from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import urlencode

from chuyende.organisation.models import Unit

_installed = False  # once a unit exists the installation never goes back to empty: no query per request


def installation_exists() -> bool:
    global _installed
    if not _installed:
        _installed = Unit.objects.exists()
    return _installed


def forget_installation() -> None:
    """Asks the database again at the next request (tests that empty it)."""
    global _installed
    _installed = False


def _outside_pages(path: str) -> bool:
    """Static files, uploads, the API's JSON (never a redirect: it has its own rules) and the service
    worker with its offline pages (a redirect would break its installation) pass every gate."""
    prefixes = ("/" + settings.STATIC_URL.lstrip("/"), "/media/", "/api/v1/", "/api/schema/", "/sw.js",
                "/ngoai-tuyen/")
    return path.startswith(prefixes)


class FirstRunMiddleware:
    """While the database holds no unit, every page leads to the first-run page."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if not _outside_pages(request.path) and not installation_exists():
            first_run = reverse("accounts:first_run")
            if request.path != first_run:
                return redirect(first_run)
        return self.get_response(request)


class AccountStateMiddleware:
    """A signed-in user without a unit sees a page saying so; one holding a temporary password is sent to
    the password change on every page until it is changed."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = request.user
        if not user.is_authenticated or _outside_pages(request.path):
            return self.get_response(request)
        free = {reverse("logout"), reverse("accounts:password_change")}
        if request.path in free:
            return self.get_response(request)
        if getattr(user, "unit_id", None) is None:
            return render(request, "accounts/no_unit.html", status=403)
        if getattr(user, "must_change_password", False):
            target = reverse("accounts:password_change")
            return redirect(f"{target}?{urlencode({'next': request.get_full_path()})}")
        return self.get_response(request)
