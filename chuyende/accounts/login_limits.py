"""Login limits (django-axes, configured in settings): when a locked account may log in again, and what
the login page and the token endpoint answer meanwhile.

An account is locked by its login name alone: settings.AXES_FAILURE_LIMIT failures, none older than
settings.AXES_COOLOFF_TIME before the next, lock it until the cool-off time has passed since the last of
them. Attempts refused during the lock do not push that time back (AXES_RESET_COOL_OFF_ON_FAILURE_DURING_
LOCKOUT is off), so the time the message gives holds.
"""

import datetime
import math
from typing import Any

from axes.backends import AxesStandaloneBackend
from axes.helpers import get_client_username
from axes.models import AccessAttempt
from django.conf import settings
from django.contrib.auth.forms import AuthenticationForm
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

MINUTE = datetime.timedelta(minutes=1)


class LoginLimitBackend(AxesStandaloneBackend):
    """Axes' check before the password is: a locked account is refused whatever the password.

    Every login of a person comes through a request (the login page, the token endpoint), and is checked.
    A login made in code without one (a management command, the test client's `login()`) has no client to
    limit: it goes on to the next backend instead of failing as axes' own backend makes it.
    """

    def authenticate(self, request: Any, username: str | None = None, password: str | None = None,
                     **kwargs: Any) -> None:
        if request is None:
            return None
        return super().authenticate(request, username, password, **kwargs)  # type: ignore[no-any-return]


def locked_until(username: str, *, now: datetime.datetime | None = None) -> datetime.datetime | None:
    """When the lock of this login name ends (a login a moment later is checked again); None if it is
    not locked now.

    Axes keeps one row per name, address and browser with its failure count and the time of its last
    failure; a row stops counting once that time is older than the cool-off time. The lock lasts while
    the rows still counting hold at least the failure limit."""
    now = now or timezone.now()
    cool_off: datetime.timedelta = settings.AXES_COOLOFF_TIME
    rows = list(
        AccessAttempt.objects.filter(username=username, attempt_time__gte=now - cool_off)
        .order_by("attempt_time")
        .values_list("attempt_time", "failures_since_start")
    )
    counted = sum(failures for _at, failures in rows)
    until = None
    for at, failures in rows:
        if counted < settings.AXES_FAILURE_LIMIT:
            break
        until = at + cool_off
        counted -= failures
    return until


def retry_from(until: datetime.datetime) -> datetime.datetime:
    """The first whole minute (local time) after the lock's end: the time the message gives."""
    local = timezone.localtime(until)
    return local.replace(second=0, microsecond=0) + MINUTE


def lockout_message(username: str, *, now: datetime.datetime | None = None) -> str:
    """The Vietnamese message a locked-out person reads, with the time they may try again."""
    now = now or timezone.now()
    until = locked_until(username, now=now)
    if until is None:  # the lock ended between the refusal and this message
        return _("Too many failed logins. Please try again now.")
    opens = retry_from(until)
    minutes = math.ceil((opens - now).total_seconds() / 60)
    return ngettext(
        "This account is locked after too many failed logins. You may try again from %(time)s on "
        "%(date)s (in %(minutes)d minute).",
        "This account is locked after too many failed logins. You may try again from %(time)s on "
        "%(date)s (in %(minutes)d minutes).",
        minutes,
    ) % {"time": opens.strftime("%H:%M"), "date": opens.strftime("%d/%m/%Y"), "minutes": minutes}


def seconds_to_retry(username: str) -> int:
    """For the Retry-After header: whole seconds until the retry minute the message gives."""
    now = timezone.now()
    until = locked_until(username, now=now)
    return max(0, math.ceil((retry_from(until) - now).total_seconds())) if until else 0


def locked_out_json(username: str) -> JsonResponse:
    """The API's answer to a locked account: 429 with `detail` (the message) and Retry-After."""
    response = JsonResponse({"detail": lockout_message(username)}, status=429)
    response["Retry-After"] = str(seconds_to_retry(username))
    return response


def lockout_response(request: HttpRequest, original_response: HttpResponse | None = None,
                     credentials: dict[str, Any] | None = None) -> HttpResponse:
    """settings.AXES_LOCKOUT_CALLABLE: the login page again, with the lockout message, as HTTP 429."""
    username = get_client_username(request, credentials) or ""
    if request.path.startswith("/api/"):
        return locked_out_json(username)
    form = AuthenticationForm(request, initial={"username": username})
    context = {"form": form, "lockout": lockout_message(username), "next": request.POST.get("next", "")}
    response = render(request, "accounts/login.html", context, status=429)
    response["Retry-After"] = str(seconds_to_retry(username))
    return response


def client_address(request: Any) -> str:
    """The client's IP address (settings.AXES_CLIENT_IP_CALLABLE; the change log's): REMOTE_ADDR, or behind
    settings.PROXY_COUNT proxies the address the farthest of them added to X-Forwarded-For (what the
    client itself wrote there is not trusted), as DRF's throttles count with NUM_PROXIES."""
    remote = str(request.META.get("REMOTE_ADDR") or "")
    if not settings.PROXY_COUNT:
        return remote
    header = request.META.get("HTTP_X_FORWARDED_FOR", "")
    forwarded = [part.strip() for part in header.split(",") if part.strip()]
    return forwarded[-min(settings.PROXY_COUNT, len(forwarded))] if forwarded else remote


def refused_while_locked(request: Any) -> bool:
    """True when axes refused this login because the account was already locked (the password was never
    checked); False for a failure axes counted, the one that locks the account included."""
    return bool(getattr(request, "axes_locked_out", False)) and getattr(
        request, "axes_failures_since_start", None) is None
