"""Logins into the change log: Django's login signals call the services.

Only logins a client made over HTTP are recorded. A login made in code (the test client's
`force_login` builds a bare request without a method) is no one's access.
"""

from typing import Any

# Imported first so that axes' receivers are connected before ours: when ours run, axes has counted the
# failure and flagged the request if it locked the account.
import axes.signals  # noqa: F401
from django.contrib.auth.signals import user_logged_in, user_login_failed
from django.dispatch import receiver

from chuyende.accounts import services
from chuyende.accounts.login_limits import client_address, locked_until, refused_while_locked


def _over_http(request: Any) -> bool:
    return request is not None and getattr(request, "method", None) is not None


@receiver(user_logged_in, dispatch_uid="chuyende.accounts.login_succeeded")
def on_logged_in(sender: Any, request: Any, user: Any, **kwargs: Any) -> None:
    if _over_http(request):
        services.login_succeeded(user=user, ip_address=client_address(request), via=request.path)


@receiver(user_login_failed, dispatch_uid="chuyende.accounts.login_failed")
def on_login_failed(sender: Any, credentials: dict[str, Any], request: Any = None, **kwargs: Any) -> None:
    if not _over_http(request):
        return
    username = str(credentials.get("username") or "")
    where = {"ip_address": client_address(request), "via": request.path}
    if not refused_while_locked(request):  # the password was checked, and was wrong
        services.login_failed(username=username, **where)
    if getattr(request, "axes_locked_out", False):  # refused, or this failure reached the limit
        services.login_locked_out(username=username, until=locked_until(username), **where)
