import datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils.translation import gettext as _

from chuyende.accounts.models import User
from chuyende.accounts.permissions import require_edit
from chuyende.audit.services import record_change, snapshot
from chuyende.campaigns.models import Campaign
from chuyende.campaigns.services import require_in_campaign
from chuyende.organisation.models import Unit
from chuyende.organisation.selectors import ancestors
from chuyende.returns.models import MemberReturn, NonMemberReturn


def _check_not_negative(values: dict[str, int], labels: dict[str, str]) -> None:
    errors = {
        name: _("%(field)s cannot be negative.") % {"field": labels[name]}
        for name, value in values.items()
        if value < 0
    }
    if errors:
        raise ValidationError(errors)


def _check_member_counts(
    *, campaign: Campaign, members_total: int, exempt: int, away: int, studied: int
) -> None:
    _check_not_negative(
        {"members_total": members_total, "exempt": exempt, "away": away, "studied": studied},
        {
            "members_total": _("Party members in total"),
            "exempt": _("Exempt from work and party activities"),
            "away": _("Away for work"),
            "studied": _("Members who studied"),
        },
    )
    if exempt + away > members_total:
        raise ValidationError({"exempt": _(
            "Exempt (%(exempt)s) and away (%(away)s) add up to more than the %(total)s members."
        ) % {"exempt": exempt, "away": away, "total": members_total}})
    # Excluded members who studied are counted apart (DOMAIN §3.2): `studied` counts only members
    # the campaign expects to study, so it cannot exceed the total less the excluded statuses.
    expected = campaign.expected_members(total=members_total, exempt=exempt, away=away)
    if studied > expected:
        raise ValidationError({"studied": _(
            "%(studied)s members studied, more than the %(expected)s members expected to study "
            "(%(total)s members less those the campaign excludes)."
        ) % {"studied": studied, "expected": expected, "total": members_total}})


def _check_member_return_unit(unit: Unit, as_of: datetime.date) -> None:
    if unit.tracking != Unit.Tracking.AGGREGATE:
        raise ValidationError({"unit": _(
            "%(unit)s keeps its members one by one; its figures come from attendance, not returns."
        ) % {"unit": unit.name}})
    open_children = unit.children.filter(
        Q(opened_on__isnull=True) | Q(opened_on__lte=as_of),
        Q(closed_on__isnull=True) | Q(closed_on__gt=as_of),
    )
    if open_children.exists():
        raise ValidationError({"unit": _(
            "%(unit)s has sub-units; each of them sends its own return."
        ) % {"unit": unit.name}})


@transaction.atomic
def member_return_save(
    *,
    actor: User | None,
    campaign: Campaign,
    unit: Unit,
    as_of: datetime.date,
    members_total: int,
    exempt: int,
    away: int,
    studied: int,
) -> MemberReturn:
    """Records the unit's counts on a date; a second save on the same date replaces the first."""
    require_edit(actor, unit)
    _check_member_return_unit(unit, as_of)
    require_in_campaign(campaign=campaign, day=as_of, field="as_of")
    _check_member_counts(
        campaign=campaign, members_total=members_total, exempt=exempt, away=away, studied=studied
    )
    existing = MemberReturn.objects.filter(campaign=campaign, unit=unit, as_of=as_of).first()
    before = snapshot(existing) if existing else None
    record = existing or MemberReturn(campaign=campaign, unit=unit, as_of=as_of)
    record.members_total, record.exempt, record.away, record.studied = (
        members_total, exempt, away, studied,
    )
    record.full_clean(validate_constraints=False)
    record.save(update_fields=["members_total", "exempt", "away", "studied"] if existing else None)
    record_change(actor=actor, action="update" if existing else "create", record=record,
                  unit_path=unit.path, before=before, after=snapshot(record))
    return record


def _check_no_overlapping_non_member_return(campaign: Campaign, unit: Unit) -> None:
    above = ancestors(unit=unit).values("pk")
    related = NonMemberReturn.objects.filter(campaign=campaign).exclude(unit=unit)
    clash = related.filter(unit__in=above).first() or related.filter(
        unit__path__startswith=unit.path
    ).first()
    if clash is not None:
        raise ValidationError({"unit": _(
            "%(other)s already reports non-members for this part of the tree; "
            "the same people would be counted twice."
        ) % {"other": clash.unit.name}})


@transaction.atomic
def non_member_return_save(
    *,
    actor: User | None,
    campaign: Campaign,
    unit: Unit,
    as_of: datetime.date,
    expected: int,
    studied: int,
) -> NonMemberReturn:
    require_edit(actor, unit)
    require_in_campaign(campaign=campaign, day=as_of, field="as_of")
    _check_not_negative(
        {"expected": expected, "studied": studied},
        {"expected": _("Non-members expected to study"), "studied": _("Non-members who studied")},
    )
    if studied > expected:
        raise ValidationError({"studied": _(
            "%(studied)s non-members studied, more than the %(expected)s expected."
        ) % {"studied": studied, "expected": expected}})
    _check_no_overlapping_non_member_return(campaign, unit)
    existing = NonMemberReturn.objects.filter(campaign=campaign, unit=unit, as_of=as_of).first()
    before = snapshot(existing) if existing else None
    record = existing or NonMemberReturn(campaign=campaign, unit=unit, as_of=as_of)
    record.expected, record.studied = expected, studied
    record.full_clean(validate_constraints=False)
    record.save(update_fields=["expected", "studied"] if existing else None)
    record_change(actor=actor, action="update" if existing else "create", record=record,
                  unit_path=unit.path, before=before, after=snapshot(record))
    return record
