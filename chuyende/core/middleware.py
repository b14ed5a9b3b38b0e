from collections.abc import Callable

from django.core.exceptions import PermissionDenied
from django.db import IntegrityError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render

from chuyende.core.conflicts import conflict_message, log_conflict
from chuyende.core.exceptions import NotAllowed, NotInScope


class NotInScopeMiddleware:
    """Turns scope and role refusals raised by services into 404 and 403 responses, and a write that
    lost a unique-constraint race into the 409 conflict page."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        from django.views.defaults import page_not_found, permission_denied

        if isinstance(exception, NotInScope):
            return page_not_found(request, Http404())
        if isinstance(exception, NotAllowed):
            return permission_denied(request, PermissionDenied())
        if isinstance(exception, IntegrityError):
            log_conflict(exception, path=request.path)
            return render(request, "409.html", {"message": conflict_message()}, status=409)
        return None
