import datetime
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from chuyende.accounts.models import User
from chuyende.accounts.permissions import require_edit
from chuyende.audit.services import record_change, snapshot
from chuyende.campaigns.models import Campaign
from chuyende.campaigns.services import require_in_campaign
from chuyende.figures import ledger
from chuyende.figures.rules import in_force_of, open_on
from chuyende.members.models import COUNTED_STATUSES, Member, MemberStatus, status_on
from chuyende.organisation.models import Unit
from chuyende.pledges.models import Pledge, PledgeReturn, Rating
from chuyende.returns.models import MemberReturn


def _status_on(*, member: Member, day: datetime.date) -> str | None:
    return MemberStatus.objects.filter(status_on(day), member=member).values_list("status", flat=True).first()


def excluded_status_of(*, member: Member, campaign: Campaign, day: datetime.date) -> str | None:
    """The member's status on `day` when the campaign leaves it out of the members expected, else None.

    Such a pledge is kept, with a warning, but never counted among the registered."""
    status = _status_on(member=member, day=day)
    return status if status in campaign.excluded_statuses else None


def _check_member(*, member: Member, day: datetime.date) -> None:
    if member.unit.tracking != Unit.Tracking.INDIVIDUAL:
        raise ValidationError({"member": _(
            "%(unit)s reports pledges as counts; enter them in its pledge return."
        ) % {"unit": member.unit.name}})
    _check_counted(member=member, day=day, field="member")


def _check_counted(*, member: Member, day: datetime.date, field: str) -> None:
    """The member belongs to the unit on `day` (active, exempt or away)."""
    status = _status_on(member=member, day=day)
    if status not in COUNTED_STATUSES:
        raise ValidationError({field: _(
            "%(member)s is not a member of %(unit)s on %(date)s."
        ) % {"member": member.full_name, "unit": member.unit.name, "date": day.strftime("%d/%m/%Y")}})


@transaction.atomic
def pledge_register(
    *, actor: User | None, campaign: Campaign, member: Member, registered_on: datetime.date, text: str
) -> Pledge:
    require_edit(actor, member.unit)
    require_in_campaign(campaign=campaign, day=registered_on, field="registered_on")
    _check_member(member=member, day=registered_on)
    if not text.strip():
        raise ValidationError({"text": _("Write what the member pledges to do.")})
    if Pledge.objects.filter(campaign=campaign, member=member).exists():
        raise ValidationError({"member": _(
            "%(member)s has already registered a pledge for this campaign; edit it instead."
        ) % {"member": member.full_name}})
    pledge = Pledge(campaign=campaign, member=member, registered_on=registered_on, text=text.strip())
    pledge.full_clean()
    counters = ledger.track(members=[member.pk])
    pledge.save()
    counters.finish()
    record_change(actor=actor, action="create", record=pledge, unit_path=member.unit.path, before=None,
                  after=snapshot(pledge))
    return pledge


@transaction.atomic
def pledge_update(*, actor: User | None, pledge: Pledge, registered_on: datetime.date, text: str) -> Pledge:
    require_edit(actor, pledge.member.unit)
    require_in_campaign(campaign=pledge.campaign, day=registered_on, field="registered_on")
    if not text.strip():
        raise ValidationError({"text": _("Write what the member pledges to do.")})
    if pledge.rated_on is not None and registered_on > pledge.rated_on:
        raise ValidationError({"registered_on": _(
            "The pledge was rated on %(date)s; it cannot be registered after that."
        ) % {"date": pledge.rated_on.strftime("%d/%m/%Y")}})
    _check_counted(member=pledge.member, day=registered_on, field="registered_on")
    before = snapshot(pledge)
    pledge.registered_on, pledge.text = registered_on, text.strip()
    pledge.full_clean()
    counters = ledger.track(members=[pledge.member_id])
    pledge.save(update_fields=["registered_on", "text"])
    counters.finish()
    record_change(actor=actor, action="update", record=pledge, unit_path=pledge.member.unit.path,
                  before=before, after=snapshot(pledge))
    return pledge


@dataclass(frozen=True)
class RatingData:
    """One row of a cell's year-end rating page; an empty rating clears the rating."""

    member: Member
    rating: str
    note: str = ""


def _check_rating(*, pledge: Pledge, rating: str, rated_on: datetime.date, field: str) -> None:
    if rating and rating not in Rating.values:
        raise ValidationError({field: _("“%(value)s” is not a rating.") % {"value": rating}})
    if rating and rated_on < pledge.registered_on:
        raise ValidationError({field: _(
            "%(member)s registered the pledge on %(registered)s; it cannot be rated on %(date)s, before that."
        ) % {"member": pledge.member.full_name, "registered": pledge.registered_on.strftime("%d/%m/%Y"),
             "date": rated_on.strftime("%d/%m/%Y")}})


@transaction.atomic
def cell_ratings_save(
    *, actor: User | None, campaign: Campaign, unit: Unit, rated_on: datetime.date, ratings: list[RatingData]
) -> int:
    """Rates the pledges of a cell's members in one go; any bad row refuses them all.

    Errors are keyed `member-<id>` so the page can put each next to its row. Returns how many changed."""
    require_edit(actor, unit)
    require_in_campaign(campaign=campaign, day=rated_on, field="rated_on")
    pledges = {
        pledge.member_id: pledge
        for pledge in Pledge.objects.filter(campaign=campaign, member__unit=unit).select_related("member")
    }
    errors: dict[str, str] = {}
    for row in ratings:
        field = f"member-{row.member.pk}"
        if row.member.unit_id != unit.pk:
            errors[field] = _("%(member)s is not a member of %(unit)s.") % {
                "member": row.member.full_name, "unit": unit.name}
        elif row.member.pk not in pledges:
            if row.rating:
                errors[field] = _("%(member)s has not registered a pledge yet, so it cannot be rated.") % {
                    "member": row.member.full_name}
        else:
            try:
                _check_rating(pledge=pledges[row.member.pk], rating=row.rating, rated_on=rated_on,
                              field=field)
            except ValidationError as error:
                errors.update({key: " ".join(value) for key, value in error.message_dict.items()})
    if errors:
        raise ValidationError(errors)
    changed = 0
    counters = ledger.track(members=[row.member.pk for row in ratings if row.member.pk in pledges])
    for row in ratings:
        pledge = pledges.get(row.member.pk)
        if pledge is None:
            continue
        new = (row.rating, rated_on if row.rating else None, row.note.strip() if row.rating else "")
        if (pledge.rating, pledge.rated_on, pledge.rating_note) == new:
            continue
        before = snapshot(pledge)
        pledge.rating, pledge.rated_on, pledge.rating_note = new
        pledge.save(update_fields=["rating", "rated_on", "rating_note"])
        record_change(actor=actor, action="update", record=pledge, unit_path=unit.path, before=before,
                      after=snapshot(pledge))
        changed += 1
    counters.finish()
    return changed


def _check_pledge_return(*, campaign: Campaign, unit: Unit, as_of: datetime.date, registered: int,
                         excellent: int, good: int, not_met: int) -> None:
    if unit.tracking != Unit.Tracking.AGGREGATE:
        raise ValidationError({"unit": _(
            "%(unit)s keeps its members one by one; enter each member's pledge instead."
        ) % {"unit": unit.name}})
    if unit.children.filter(open_on(as_of)).exists():
        raise ValidationError({"unit": _(
            "%(unit)s has sub-units; each of them sends its own pledge return."
        ) % {"unit": unit.name}})
    labels = {"registered": _("Members who registered a pledge"), "excellent": _("Rated excellent"),
              "good": _("Rated good"), "not_met": _("Rated not met")}
    values = {"registered": registered, "excellent": excellent, "good": good, "not_met": not_met}
    negative = {name: _("%(field)s cannot be negative.") % {"field": labels[name]}
                for name, value in values.items() if value < 0}
    if negative:
        raise ValidationError(negative)
    if excellent + good + not_met > registered:
        raise ValidationError({"excellent": _(
            "%(rated)s pledges are rated but only %(registered)s were registered."
        ) % {"rated": excellent + good + not_met, "registered": registered}})
    latest = in_force_of(MemberReturn.objects.filter(campaign=campaign, unit=unit), as_of)
    if latest is not None:
        expected = campaign.expected_members(
            total=latest.members_total, exempt=latest.exempt, away=latest.away
        )
        if registered > expected:
            raise ValidationError({"registered": _(
                "%(registered)s pledges is more than the %(expected)s members expected in the unit's "
                "return of %(date)s."
            ) % {"registered": registered, "expected": expected, "date": latest.as_of.strftime("%d/%m/%Y")}})


@transaction.atomic
def pledge_return_save(
    *, actor: User | None, campaign: Campaign, unit: Unit, as_of: datetime.date, registered: int,
    excellent: int = 0, good: int = 0, not_met: int = 0,
) -> PledgeReturn:
    """Pledge counts of a unit reporting counts; a second save on the same date replaces the first."""
    require_edit(actor, unit)
    require_in_campaign(campaign=campaign, day=as_of, field="as_of")
    _check_pledge_return(campaign=campaign, unit=unit, as_of=as_of, registered=registered,
                         excellent=excellent, good=good, not_met=not_met)
    existing = PledgeReturn.objects.filter(campaign=campaign, unit=unit, as_of=as_of).first()
    before = snapshot(existing) if existing else None
    record = existing or PledgeReturn(campaign=campaign, unit=unit, as_of=as_of)
    record.registered, record.excellent, record.good, record.not_met = registered, excellent, good, not_met
    record.full_clean(validate_constraints=False)
    counters = ledger.track(returns=[(unit.pk, campaign.pk)])
    record.save(update_fields=["registered", "excellent", "good", "not_met"] if existing else None)
    counters.finish()
    record_change(actor=actor, action="update" if existing else "create", record=record,
                  unit_path=unit.path, before=before, after=snapshot(record))
    return record
