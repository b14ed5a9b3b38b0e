import datetime

from django.db.models import OuterRef, QuerySet, Subquery

from chuyende.accounts.models import User
from chuyende.accounts.permissions import scope_root
from chuyende.members.models import Member, MemberStatus, status_on


def members_visible_to(*, actor: User) -> QuerySet[Member]:
    root = scope_root(actor)
    return Member.objects.filter(unit__path__startswith=root.path).select_related("unit")


def with_status_on(members: QuerySet[Member], day: datetime.date) -> QuerySet[Member]:
    current = MemberStatus.objects.filter(status_on(day), member=OuterRef("pk"))
    return members.annotate(status_now=Subquery(current.values("status")[:1]))
