import datetime

from axes.utils import reset as axes_reset
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from rest_framework.authtoken.models import Token

from chuyende.accounts.models import User
from chuyende.accounts.permissions import require_edit
from chuyende.audit.models import AuditEntry
from chuyende.audit.services import record_change, record_event
from chuyende.core.exceptions import NotAllowed
from chuyende.core.validation import require_free
from chuyende.organisation.models import Unit

API_TOKEN_CHANGE = "api_token_created"  # the key of a token change in the change log


@transaction.atomic
def user_create(
    *, actor: User | None, username: str, password: str, unit: Unit, role: str, full_name: str = ""
) -> User:
    require_edit(actor, unit)
    if actor is not None and actor.role != User.Role.ADMIN:
        raise NotAllowed
    require_free(User.objects.filter(username=username), field="username",
                 message=_("The login name %(name)s is taken.") % {"name": username})
    first, _sep, last = full_name.rpartition(" ")
    user = User(username=username, unit=unit, role=role, first_name=first, last_name=last)
    user.set_password(password)
    user.full_clean(validate_unique=False)
    user.save()
    record_change(actor=actor, action="create", record=user, unit_path=unit.path, before=None,
                  after={"username": username, "unit": unit.code, "role": role})
    return user


def _record_token_change(*, user: User, old: Token | None, new: Token) -> None:
    """The audit entry of a new API token, on the user: the days the old and new tokens were made
    (never the key: it is the token's id)."""
    def made(token: Token | None) -> str | None:
        return timezone.localdate(token.created).isoformat() if token is not None else None

    record_change(actor=user, action="update", record=user, unit_path=user.unit.path if user.unit else "",
                  before={API_TOKEN_CHANGE: made(old)}, after={API_TOKEN_CHANGE: made(new)})


@transaction.atomic
def api_token_get_or_create(*, user: User) -> Token:
    """The user's API token, made (and audited) if they have none."""
    token, created = Token.objects.get_or_create(user=user)
    if created:
        _record_token_change(user=user, old=None, new=token)
    return token


@transaction.atomic
def api_token_replace(*, user: User) -> tuple[Token, bool]:
    """A new API token for the user; the old one, if any, stops working at once. (token, replaced)."""
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
