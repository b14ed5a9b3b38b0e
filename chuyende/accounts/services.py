"""Every write of users, passwords and API tokens, and the first-run setup of an empty installation.

Each service checks its rights in `accounts.permissions`, validates (Django's password validators
included) and leaves an audit entry; password hashes and token keys never enter the change log.
"""

import datetime
import secrets
from collections.abc import Sequence
from typing import Any

from axes.utils import reset as axes_reset
from django.conf import settings
from django.contrib.auth.hashers import check_password
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from rest_framework.authtoken.models import Token

from chuyende.accounts.authentication import token_has_expired
from chuyende.accounts.models import PasswordHistory, User
from chuyende.accounts.permissions import require_edit, require_user_managed, require_user_placement
from chuyende.audit.models import AuditEntry
from chuyende.audit.services import record_change, record_event
from chuyende.core.exceptions import NotAllowed
from chuyende.core.validation import require_free
from chuyende.organisation.models import Unit

API_TOKEN_CHANGE = "api_token_created"  # the key of a token change in the change log
PASSWORD_CHANGE = "password"  # the key of a password change in the change log (never the hash)

# Lower-case letters and digits without those read alike (i/l/1, o/0): dictated over the phone.
TEMPORARY_PASSWORD_ALPHABET = "abcdefghjkmnpqrstuvwxyz23456789"
TEMPORARY_PASSWORD_GROUPS = 3  # "xxxx-xxxx-xxxx": about 59 bits


class AlreadyInstalled(ValidationError):
    """A second first-run setup: the database already holds a unit."""


# --- helpers ---------------------------------------------------------------------------------------------


def _user_record(user: User) -> dict[str, Any]:
    """The audited fields of a user (no password hash, no token)."""
    return {
        "username": user.username, "full_name": user.get_full_name(), "email": user.email,
        "role": user.role, "unit": user.unit.code if user.unit else None, "is_active": user.is_active,
    }


def _audit(*, actor: User | None, action: str, user: User, before: dict[str, Any] | None,
           after: dict[str, Any] | None) -> None:
    record_change(actor=actor, action=action, record=user, unit_path=user.unit.path if user.unit else "",
                  before=before, after=after)


def _split_name(full_name: str) -> tuple[str, str]:
    """Vietnamese names keep the given name last: "Nguyễn Văn Quản" -> ("Nguyễn Văn", "Quản")."""
    first, _sep, last = " ".join(full_name.split()).rpartition(" ")
    return first, last


def _validated_password(password: str, user: User, *, field: str) -> None:
    try:
        validate_password(password, user)
    except ValidationError as error:
        raise ValidationError({field: error.messages}) from None


def _check_not_recent(user: User, password: str, *, field: str) -> None:
    """A new password differs from the current one and from the last few the user had."""
    recent = [user.password, *PasswordHistory.objects.filter(user=user)
              .values_list("password", flat=True)[: settings.PASSWORD_HISTORY_SIZE - 1]]
    if any(encoded and check_password(password, encoded) for encoded in recent):
        raise ValidationError({field: _("This password was used recently: choose another one.")})


def _replace_password(user: User, password: str, *, must_change: bool) -> None:
    """Sets the password (the old hash goes to the history), the must-change flag, and revokes API tokens."""
    if user.pk is not None and user.has_usable_password():
        PasswordHistory.objects.create(user=user, password=user.password, replaced_at=timezone.now())
        keep = PasswordHistory.objects.filter(user=user).values_list("pk", flat=True)[
            : settings.PASSWORD_HISTORY_SIZE]
        PasswordHistory.objects.filter(user=user).exclude(pk__in=list(keep)).delete()
    user.set_password(password)
    user.must_change_password = must_change
    user.save(update_fields=["password", "must_change_password"])
    Token.objects.filter(user=user).delete()


def temporary_password() -> str:
    """A readable one-time password, e.g. "k7mq-x2pa-9wde" (always letters and digits)."""
    while True:
        groups = ["".join(secrets.choice(TEMPORARY_PASSWORD_ALPHABET) for _i in range(4))
                  for _g in range(TEMPORARY_PASSWORD_GROUPS)]
        password = "-".join(groups)
        if any(c.isalpha() for c in password) and any(c.isdigit() for c in password):
            return password


# --- users -----------------------------------------------------------------------------------------------


@transaction.atomic
def user_create(
    *,
    actor: User | None,
    username: str,
    password: str,
    unit: Unit,
    role: str,
    full_name: str = "",
    email: str = "",
    must_change_password: bool = False,
) -> User:
    """A user of the actor's subtree with a role not above the actor's; the password passes the validators."""
    require_user_placement(actor, unit=unit, role=role)
    username = username.strip()
    require_free(User.objects.filter(username__iexact=username), field="username",
                 message=_("The login name %(name)s is taken.") % {"name": username})
    first, last = _split_name(full_name)
    user = User(username=username, unit=unit, role=role, first_name=first, last_name=last,
                email=email.strip(), must_change_password=must_change_password)
    user.full_clean(exclude=["password"], validate_unique=False)
    _validated_password(password, user, field="password")
    user.set_password(password)
    user.save()
    _audit(actor=actor, action="create", user=user, before=None, after=_user_record(user))
    return user


@transaction.atomic
def user_create_with_temporary_password(
    *, actor: User | None, username: str, unit: Unit, role: str, full_name: str = "", email: str = ""
) -> tuple[User, str]:
    """A new user with a one-time password (shown once to the actor) to change at the first login."""
    password = temporary_password()
    user = user_create(actor=actor, username=username, password=password, unit=unit, role=role,
                       full_name=full_name, email=email, must_change_password=True)
    return user, password


@transaction.atomic
def user_update(
    *, actor: User | None, user: User, full_name: str, email: str, role: str, unit: Unit
) -> User:
    """Name, e-mail, role and unit. Nobody changes their own role or unit."""
    require_user_managed(actor, user)
    require_user_placement(actor, unit=unit, role=role)
    user = User.objects.select_for_update(of=("self",)).select_related("unit").get(pk=user.pk)
    if actor is not None and actor.pk == user.pk and (role != user.role or unit.pk != user.unit_id):
        raise ValidationError({"role" if role != user.role else "unit":
                               _("You cannot change your own role or unit.")})
    before = _user_record(user)
    user.first_name, user.last_name = _split_name(full_name)
    user.email, user.role, user.unit = email.strip(), role, unit
    user.full_clean(exclude=["password"], validate_unique=False)
    user.save(update_fields=["first_name", "last_name", "email", "role", "unit"])
    _audit(actor=actor, action="update", user=user, before=before, after=_user_record(user))
    return user


def _set_active(*, actor: User | None, user: User, active: bool) -> User:
    require_user_managed(actor, user)
    if actor is not None and actor.pk == user.pk:
        raise ValidationError(_("You cannot deactivate your own account."))
    user = User.objects.select_for_update(of=("self",)).select_related("unit").get(pk=user.pk)
    before = _user_record(user)
    user.is_active = active
    user.save(update_fields=["is_active"])
    if not active:
        Token.objects.filter(user=user).delete()
    _audit(actor=actor, action="update", user=user, before=before, after=_user_record(user))
    return user


@transaction.atomic
def user_deactivate(*, actor: User | None, user: User) -> User:
    """The user can no longer log in nor use an API token (theirs is deleted); their records stay."""
    return _set_active(actor=actor, user=user, active=False)


@transaction.atomic
def user_reactivate(*, actor: User | None, user: User) -> User:
    return _set_active(actor=actor, user=user, active=True)


@transaction.atomic
def user_password_reset(*, actor: User | None, user: User) -> str:
    """A one-time temporary password for the user, returned once (to show, never stored in clear).

    The user must change it at their next login; their API token and open sessions stop working.
    """
    require_user_managed(actor, user)
    if actor is not None and actor.pk == user.pk:
        raise NotAllowed  # one's own password is changed on the password page, knowing the current one
    user = User.objects.select_for_update(of=("self",)).select_related("unit").get(pk=user.pk)
    password = temporary_password()
    _replace_password(user, password, must_change=True)
    _audit(actor=actor, action="update", user=user, before={PASSWORD_CHANGE: None},
           after={PASSWORD_CHANGE: "reset"})
    return password


@transaction.atomic
def password_change(*, user: User, current_password: str, new_password: str) -> User:
    """The user's own change: the current password is checked; the new one passes the validators and
    repeats neither the current one nor a recent one. Ends the must-change state; revokes API tokens."""
    user = User.objects.select_for_update(of=("self",)).select_related("unit").get(pk=user.pk)
    if not user.check_password(current_password):
        raise ValidationError({"current_password": _("The current password is wrong.")})
    _validated_password(new_password, user, field="new_password")
    _check_not_recent(user, new_password, field="new_password")
    _replace_password(user, new_password, must_change=False)
    _audit(actor=user, action="update", user=user, before={PASSWORD_CHANGE: None},
           after={PASSWORD_CHANGE: "changed"})
    return user


# --- first run -------------------------------------------------------------------------------------------


def require_not_installed() -> None:
    if Unit.objects.exists():
        raise AlreadyInstalled(
            _("This installation is already set up: its top unit exists. Sign in, or ask its administrators.")
        )


def _clean_level_names(levels: Sequence[str]) -> list[str]:
    names = [name.strip() for name in levels]
    if not names or any(not name for name in names):
        raise ValidationError(
            {"levels": _("Give the name of every level, from the top, separated by commas.")})
    if any(len(name) > 100 for name in names):
        raise ValidationError({"levels": _("A level name has at most 100 characters.")})
    return names


@transaction.atomic
def installation_setup(
    *,
    levels: Sequence[str],
    root_code: str,
    root_name: str,
    root_kind: str,
    admin_username: str,
    admin_full_name: str,
    admin_password: str,
    admin_email: str = "",
) -> User:
    """Levels (depth 1..n), the top unit and its first administrator, on an empty database only."""
    from chuyende.organisation.services import level_set, unit_create

    require_not_installed()
    names = _clean_level_names(levels)
    for depth, name in enumerate(names, start=1):
        level_set(depth=depth, name=name)
    root = unit_create(actor=None, code=root_code.strip(), name=root_name.strip(), kind=root_kind,
                       parent=None)
    admin = user_create(actor=None, username=admin_username, password=admin_password, unit=root,
                        role=User.Role.ADMIN, full_name=admin_full_name, email=admin_email)
    record_change(actor=admin, action="create", record=root, unit_path=root.path, before=None,
                  after={"installation": {"levels": names, "root": root.code, "admin": admin.username}})
    return admin


# --- API tokens ------------------------------------------------------------------------------------------


def _record_token_change(*, user: User, old: Token | None, new: Token) -> None:
    """The audit entry of a new API token, on the user: the days the old and new tokens were made
    (never the key: it is the token's id)."""
    def made(token: Token | None) -> str | None:
        return timezone.localdate(token.created).isoformat() if token is not None else None

    record_change(actor=user, action="update", record=user, unit_path=user.unit.path if user.unit else "",
                  before={API_TOKEN_CHANGE: made(old)}, after={API_TOKEN_CHANGE: made(new)})


@transaction.atomic
def api_token_get_or_create(*, user: User) -> Token:
    """The user's API token, made (and audited) if they have none or theirs has expired."""
    token = Token.objects.filter(user=user).first()
    if token is not None and not token_has_expired(token):
        return token
    return api_token_replace(user=user)[0]


@transaction.atomic
def api_token_replace(*, user: User) -> tuple[Token, bool]:
    """A new API token for the user; the old one, if any, stops working at once. (token, replaced)."""
    if not user.is_active:
        raise NotAllowed
    old = Token.objects.filter(user=user).first()
    if old is not None:
        old.delete()
    token = Token.objects.create(user=user)
    _record_token_change(user=user, old=old, new=token)
    return token, old is not None


# --- Logins in the change log: who tried which login name, from where; never the password ---------------

LOGIN_IP = "ip_address"  # keys of a login entry's details, labelled by the change log page
LOGIN_VIA = "via"
LOCKED_UNTIL = "locked_until"
LOGIN_NAME_SHOWN = 150  # a login name is at most this long (User.username); longer text is cut


def _root_path() -> str:
    """Where attempts on names of nobody (or of a user without a unit) are shown: the top of the tree."""
    roots = Unit.objects.filter(parent__isnull=True).order_by("path")
    return roots.values_list("path", flat=True).first() or ""


def _record_login(*, action: str, username: str, ip_address: str, via: str,
                  extra: dict[str, str] | None = None) -> AuditEntry:
    name = username[:LOGIN_NAME_SHOWN]
    user = User.objects.filter(username=name).select_related("unit").first()
    details = {"username": name, LOGIN_IP: ip_address, LOGIN_VIA: via[:255], **(extra or {})}
    unit_path = user.unit.path if user is not None and user.unit is not None else _root_path()
    return record_event(
        actor=user if action == AuditEntry.Action.LOGIN else None,
        action=action,
        record_type=User._meta.label,
        record_id=str(user.pk) if user is not None else "",
        record_label=str(user) if user is not None else name,
        unit_path=unit_path,
        details=details,
    )


@transaction.atomic
def login_succeeded(*, user: User, ip_address: str, via: str) -> AuditEntry:
    """A person logged in as the user (the login page, or a token fetched with the password)."""
    return _record_login(action=AuditEntry.Action.LOGIN, username=user.get_username(),
                         ip_address=ip_address, via=via)


@transaction.atomic
def login_failed(*, username: str, ip_address: str, via: str) -> AuditEntry:
    """A wrong password (or a name of nobody) was tried."""
    return _record_login(action=AuditEntry.Action.LOGIN_FAILED, username=username,
                         ip_address=ip_address, via=via)


@transaction.atomic
def login_locked_out(*, username: str, ip_address: str, via: str,
                     until: datetime.datetime | None) -> AuditEntry:
    """The login name is locked: the failure that locked it, or an attempt refused while it is."""
    extra = {LOCKED_UNTIL: until.isoformat()} if until is not None else {}
    return _record_login(action=AuditEntry.Action.LOCKED_OUT, username=username,
                         ip_address=ip_address, via=via, extra=extra)


@transaction.atomic
def login_unlock(*, actor: User | None, user: User) -> int:
    """Opens the user's login at once (failed attempts forgotten); administrators of the user's unit
    (or above) only. Returns how many attempt records were removed."""
    if user.unit is not None:
        require_edit(actor, user.unit)
    if actor is not None and (actor.role != User.Role.ADMIN or user.unit is None):
        raise NotAllowed
    removed: int = axes_reset(username=user.get_username())
    record_change(actor=actor, action=AuditEntry.Action.UNLOCKED, record=user,
                  unit_path=user.unit.path if user.unit is not None else _root_path(),
                  before=None, after={"username": user.get_username()})
    return removed
