from typing import Any

from django import template

from chuyende.accounts.models import User
from chuyende.notifications.selectors import unread_count

register = template.Library()


@register.simple_tag
def unread_notifications(user: Any) -> int:
    """The user's unread notifications: counted when the request loaded the user (backends.UserBackend),
    else one query."""
    if not isinstance(user, User):
        return 0
    count = getattr(user, "unread_notifications", None)
    return int(count) if count is not None else unread_count(actor=user)
