"""Who may read and change what. Every service and selector asks here, nowhere else.

A user reads their unit's whole subtree. Admins and officers change the subtree; reporters
change their own unit and its direct children (the cells); viewers change nothing.
`actor=None` is the system itself (demo loading, migrations) and may do anything.
"""

from django.http import HttpRequest

from chuyende.accounts.models import User
from chuyende.core.exceptions import NotAllowed, NotInScope
from chuyende.organisation.models import Unit

EDITING_ROLES = {User.Role.ADMIN, User.Role.OFFICER, User.Role.REPORTER}


def actor_of(request: HttpRequest) -> User:
    """The logged-in user of a view behind login_required, typed for the services."""
    user = request.user
    assert isinstance(user, User)
    return user


def scope_root(actor: User) -> Unit:
    if actor.unit is None:
        raise NotInScope
    return actor.unit


def can_read(actor: User | None, unit: Unit) -> bool:
    if actor is None:
        return True
    return actor.unit is not None and unit.path.startswith(actor.unit.path)


def can_edit(actor: User | None, unit: Unit) -> bool:
    if actor is None:
        return True
    if not can_read(actor, unit) or actor.role not in EDITING_ROLES:
        return False
    if actor.role == User.Role.REPORTER:
        return unit.pk == actor.unit_id or unit.parent_id == actor.unit_id
    return True


def can_see_audit(actor: User) -> bool:
    return actor.role in {User.Role.ADMIN, User.Role.OFFICER}


def can_manage_structure(actor: User | None) -> bool:
    return actor is None or actor.role in {User.Role.ADMIN, User.Role.OFFICER}


def require_read(actor: User | None, unit: Unit) -> None:
    if not can_read(actor, unit):
        raise NotInScope


def require_edit(actor: User | None, unit: Unit) -> None:
    require_read(actor, unit)
    if not can_edit(actor, unit):
        raise NotAllowed
