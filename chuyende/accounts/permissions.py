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


TEMPLATE_MANAGERS = {User.Role.ADMIN, User.Role.OFFICER}


def can_manage_templates(actor: User | None, unit: Unit) -> bool:
    """Administrators and officers change the report templates of the units of their subtree."""
    return actor is None or (can_read(actor, unit) and actor.role in TEMPLATE_MANAGERS)


def require_template_manager(actor: User | None, unit: Unit) -> None:
    """Another subtree's unit: 404; a reporter or viewer of the subtree: 403."""
    require_read(actor, unit)
    if not can_manage_templates(actor, unit):
        raise NotAllowed


def require_read(actor: User | None, unit: Unit) -> None:
    if not can_read(actor, unit):
        raise NotInScope


def require_edit(actor: User | None, unit: Unit) -> None:
    require_read(actor, unit)
    if not can_edit(actor, unit):
        raise NotAllowed


# --- users and levels (the Administration pages and the API) ---------------------------------------------

ROLE_RANK = {User.Role.VIEWER: 0, User.Role.REPORTER: 1, User.Role.OFFICER: 2, User.Role.ADMIN: 3}
USER_MANAGERS = {User.Role.ADMIN, User.Role.OFFICER}


def can_manage_users(actor: User | None) -> bool:
    return actor is None or (actor.unit is not None and actor.role in USER_MANAGERS)


def require_user_manager(actor: User | None) -> None:
    """Administrators and officers manage users; reporters and viewers are refused (403)."""
    if not can_manage_users(actor):
        raise NotAllowed


def assignable_roles(actor: User | None) -> list[str]:
    """The roles the actor may give: never above their own."""
    if actor is None:
        return list(User.Role.values)
    if not can_manage_users(actor):
        return []
    rank = ROLE_RANK[User.Role(actor.role)]
    return [role for role in User.Role.values if ROLE_RANK[User.Role(role)] <= rank]


def require_user_placement(actor: User | None, *, unit: Unit, role: str) -> None:
    """A user is put only in the actor's subtree (404 otherwise), with a role not above the actor's (403)."""
    require_user_manager(actor)
    require_read(actor, unit)
    if role not in assignable_roles(actor):
        raise NotAllowed


def require_user_managed(actor: User | None, user: User) -> None:
    """The actor may change this user: one of their subtree (404 otherwise) whose role is not above theirs."""
    require_user_manager(actor)
    if user.unit is None or not can_read(actor, user.unit):
        raise NotInScope
    if user.role not in assignable_roles(actor):
        raise NotAllowed


def can_manage_levels(actor: User | None) -> bool:
    """Level names are the whole tree's: administrators, or officers of the top unit."""
    if actor is None:
        return True
    if actor.unit is None:
        return False
    return actor.role == User.Role.ADMIN or (actor.role == User.Role.OFFICER and actor.unit.parent_id is None)


def require_levels_manager(actor: User | None) -> None:
    if not can_manage_levels(actor):
        raise NotAllowed
