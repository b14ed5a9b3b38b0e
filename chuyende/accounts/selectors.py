"""Reads of users, always limited to the actor's subtree."""

from django.db.models import Q, QuerySet

from chuyende.accounts.models import User
from chuyende.accounts.permissions import require_user_manager, scope_root
from chuyende.organisation.models import Unit


def users_visible_to(*, actor: User) -> QuerySet[User]:
    """Users of the actor's subtree (administrators and officers only: others are refused, 403)."""
    require_user_manager(actor)
    return User.objects.filter(unit__path__under=scope_root(actor).path).select_related("unit")


def users_matching(
    users: QuerySet[User], *, query: str = "", unit: Unit | None = None, role: str = "",
    active: bool | None = None,
) -> QuerySet[User]:
    """The list's filters: words of the login name, name or e-mail; a unit and its subtree; role; active."""
    for word in query.split():
        users = users.filter(Q(username__icontains=word) | Q(first_name__icontains=word)
                             | Q(last_name__icontains=word) | Q(email__icontains=word))
    if unit is not None:
        users = users.filter(unit__path__under=unit.path)
    if role:
        users = users.filter(role=role)
    if active is not None:
        users = users.filter(is_active=active)
    return users
