from django.db import transaction
from django.utils.translation import gettext as _

from chuyende.accounts.models import User
from chuyende.accounts.permissions import require_edit
from chuyende.audit.services import record_change
from chuyende.core.exceptions import NotAllowed
from chuyende.core.validation import require_free
from chuyende.organisation.models import Unit


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
