import datetime

from django.db.models import OuterRef, QuerySet, Subquery

from chuyende.accounts.models import User
from chuyende.accounts.permissions import scope_root
from chuyende.members.models import Member, MemberStatus, status_on
from chuyende.members.search import search_key_of


def members_visible_to(*, actor: User) -> QuerySet[Member]:
    root = scope_root(actor)
    return Member.objects.filter(unit__path__startswith=root.path).select_related("unit")


def with_status_on(members: QuerySet[Member], day: datetime.date) -> QuerySet[Member]:
    current = MemberStatus.objects.filter(status_on(day), member=OuterRef("pk"))
    return members.annotate(status_now=Subquery(current.values("status")[:1]))


def matching(members: QuerySet[Member], query: str) -> QuerySet[Member]:
    """Members whose name or code has the query from a word start, ignoring case and diacritics."""
    return members.filter(search_key__contains=search_key_of(query))
