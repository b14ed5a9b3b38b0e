"""Reads of notifications: always those of one user, never anyone else's."""

from django.db.models import Count, OuterRef, QuerySet, Subquery
from django.db.models.functions import Coalesce

from chuyende.accounts.models import User
from chuyende.notifications.models import Notification


def notifications_for(*, actor: User) -> QuerySet[Notification]:
    """The user's notifications, newest first."""
    return Notification.objects.filter(recipient=actor)


def unread_count(*, actor: User) -> int:
    """How many of the user's notifications are unread (one query on the (recipient, read_at) index)."""
    return Notification.objects.filter(recipient=actor, read_at__isnull=True).count()


def with_unread_count(users: QuerySet[User]) -> QuerySet[User]:
    """The users with `unread_notifications` annotated (a subquery of the same query): how the
    authentication backend loads the user of each request, so the top bar's badge costs no query."""
    unread = (Notification.objects.filter(recipient=OuterRef("pk"), read_at__isnull=True).order_by()
              .values("recipient").annotate(count=Count("pk")).values("count"))
    return users.annotate(unread_notifications=Coalesce(Subquery(unread), 0))
