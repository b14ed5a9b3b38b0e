"""The inbox ("Thông báo"): the user's notifications, newest first, 20 a page; opening one marks it read."""

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponseBase
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST

from chuyende.accounts.permissions import actor_of
from chuyende.notifications.selectors import notifications_for
from chuyende.notifications.services import notification_mark_read, notifications_mark_all_read

PAGE_SIZE = 20


@login_required
def inbox_page(request: HttpRequest) -> HttpResponseBase:
    page = Paginator(notifications_for(actor=actor_of(request)), PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "notifications/inbox.html", {"page": page})


@login_required
@require_POST
def open_notification(request: HttpRequest, pk: int) -> HttpResponseBase:
    """Marks the notification read and goes to what it is about (the inbox if nothing)."""
    actor = actor_of(request)
    notification = get_object_or_404(notifications_for(actor=actor), pk=pk)
    notification = notification_mark_read(actor=actor, notification=notification)
    if notification.link and url_has_allowed_host_and_scheme(notification.link, allowed_hosts=None):
        return redirect(notification.link)
    return redirect("notifications:inbox")


@login_required
@require_POST
def mark_all_read(request: HttpRequest) -> HttpResponseBase:
    notifications_mark_all_read(actor=actor_of(request))
    return redirect("notifications:inbox")
