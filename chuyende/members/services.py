import datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F
from django.utils.translation import gettext as _

from chuyende.accounts.models import User
from chuyende.accounts.permissions import require_edit
from chuyende.audit.services import record_change, snapshot
from chuyende.core.validation import require_free
from chuyende.members.models import Member, MemberStatus
from chuyende.members.search import search_key_of
from chuyende.organisation.models import Unit


def _check_unit_tracks_people(unit: Unit) -> None:
    if unit.tracking != Unit.Tracking.INDIVIDUAL:
        raise ValidationError(
            {"unit": _("%(unit)s reports counts only; its members are not kept one by one.")
             % {"unit": unit.name}}
        )


def _check_code_free(code: str, *, exclude_pk: int | None = None) -> None:
    require_free(Member.objects.filter(code=code), field="code", exclude_pk=exclude_pk,
                 message=_("A member with code %(code)s already exists.") % {"code": code})


def _member_snapshot(member: Member) -> dict[str, object]:
    values = snapshot(member)
    values.pop("search_key", None)  # derived from the name and code, not a change of its own
    values["statuses"] = [
        [s.status, str(s.valid_from) if s.valid_from else None, str(s.valid_to) if s.valid_to else None]
        # An open start (NULL) is the earliest period on every database (PostgreSQL sorts NULL last).
        for s in member.statuses.order_by(F("valid_from").asc(nulls_first=True))
    ]
    return values


@transaction.atomic
def member_create(
    *,
    actor: User | None,
    unit: Unit,
    code: str,
    full_name: str,
    sex: str,
    birth_year: int,
    membership: str,
    status: str = "active",
    status_since: datetime.date | None = None,
) -> Member:
    require_edit(actor, unit)
    _check_unit_tracks_people(unit)
    _check_code_free(code)
    member = Member(
        unit=unit, code=code, full_name=full_name, sex=sex, birth_year=birth_year,
        membership=membership,
    )
    member.search_key = search_key_of(full_name, code)
    member.full_clean(validate_unique=False)
    _check_birth_year(birth_year)
    member.save()
    period = MemberStatus(member=member, status=status, valid_from=status_since)
    period.full_clean()
    period.save()
    record_change(
        actor=actor, action="create", record=member, unit_path=unit.path, before=None,
        after=_member_snapshot(member),
    )
    return member


def _check_birth_year(birth_year: int) -> None:
    this_year = datetime.date.today().year
    if not 1900 <= birth_year <= this_year - 16:
        raise ValidationError({"birth_year": _("The birth year %(year)s is not plausible.")
                               % {"year": birth_year}})


@transaction.atomic
def member_update(
    *,
    actor: User | None,
    member: Member,
    unit: Unit,
    code: str,
    full_name: str,
    sex: str,
    birth_year: int,
    membership: str,
) -> Member:
    require_edit(actor, member.unit)
    require_edit(actor, unit)
    _check_unit_tracks_people(unit)
    _check_code_free(code, exclude_pk=member.pk)
    before = _member_snapshot(member)
    member.unit, member.code, member.full_name = unit, code, full_name
    member.sex, member.birth_year, member.membership = sex, birth_year, membership
    member.search_key = search_key_of(full_name, code)
    member.full_clean(validate_unique=False)
    _check_birth_year(birth_year)
    member.save(update_fields=[
        "unit", "code", "full_name", "sex", "birth_year", "membership", "search_key",
    ])
    record_change(
        actor=actor, action="update", record=member, unit_path=unit.path, before=before,
        after=_member_snapshot(member),
    )
    return member


@transaction.atomic
def member_status_change(
    *, actor: User | None, member: Member, status: str, since: datetime.date
) -> MemberStatus:
    """Closes the open status period on `since` and opens a new one from that day."""
    require_edit(actor, member.unit)
    before = _member_snapshot(member)
    current = (
        MemberStatus.objects.select_for_update().filter(member=member, valid_to__isnull=True).first()
    )
    if current is not None:
        if current.valid_from is not None and since <= current.valid_from:
            raise ValidationError({"since": _(
                "The new status must start after %(date)s, when the current status began."
            ) % {"date": current.valid_from.strftime("%d/%m/%Y")}})
        if current.status == status:
            raise ValidationError({"status": _("The member already has this status.")})
        current.valid_to = since
        current.save(update_fields=["valid_to"])
    period = MemberStatus(member=member, status=status, valid_from=since)
    period.full_clean()
    period.save()
    record_change(
        actor=actor, action="update", record=member, unit_path=member.unit.path, before=before,
        after=_member_snapshot(member),
    )
    return period
