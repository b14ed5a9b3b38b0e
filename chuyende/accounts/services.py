from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from rest_framework.authtoken.models import Token

from chuyende.accounts.models import User
from chuyende.accounts.permissions import require_edit
from chuyende.audit.services import record_change
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
