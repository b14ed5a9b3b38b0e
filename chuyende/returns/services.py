import datetime
from collections.abc import Callable, Sequence
from decimal import Decimal
from typing import Any, Literal, NamedTuple

from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.utils.translation import gettext as _

from chuyende.accounts.models import User
from chuyende.accounts.permissions import require_edit
from chuyende.audit.models import AuditEntry
from chuyende.audit.services import Change, record_change, record_changes, snapshot
from chuyende.campaigns.models import Campaign
from chuyende.campaigns.services import require_in_campaign
from chuyende.core import bulk
from chuyende.core.exceptions import RowsInvalid
from chuyende.core.numbers import format_date, format_number
from chuyende.figures import ledger
from chuyende.figures.rules import is_open_on, open_on
from chuyende.organisation.models import Unit
from chuyende.organisation.selectors import ancestors
from chuyende.returns.models import MemberReturn, NonMemberReturn, PartialReturn


def _check_non_member_counts(*, expected: int, studied: int) -> None:
    _check_not_negative(
        {"expected": expected, "studied": studied},
        {"expected": _("Non-members expected to study"), "studied": _("Non-members who studied")},
    )
    if studied > expected:
        raise ValidationError({"studied": _(
            "%(studied)s non-members studied, more than the %(expected)s expected."
        ) % {"studied": studied, "expected": expected}})


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


def _check_member_return_unit(unit: Unit, as_of: datetime.date, *,
                              has_open_children: bool | None = None) -> None:
    """The unit reports counts and has no sub-unit open on the day (`has_open_children`, when the
    caller knows it, else asked here)."""
    if unit.tracking != Unit.Tracking.AGGREGATE:
        raise ValidationError({"unit": _(
            "%(unit)s keeps its members one by one; its figures come from attendance, not returns."
        ) % {"unit": unit.name}})
    if has_open_children is None:
        has_open_children = unit.children.filter(open_on(as_of)).exists()
    if has_open_children:
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
    _check_no_later_partial(campaign=campaign, unit=unit, who=PartialReturn.Who.MEMBERS, as_of=as_of)
    existing = MemberReturn.objects.filter(campaign=campaign, unit=unit, as_of=as_of).first()
    before = snapshot(existing) if existing else None
    record = existing or MemberReturn(campaign=campaign, unit=unit, as_of=as_of)
    record.members_total, record.exempt, record.away, record.studied = (
        members_total, exempt, away, studied,
    )
    record.full_clean(validate_constraints=False)
    counters = ledger.track(returns=[(unit.pk, campaign.pk)])
    record.save(update_fields=["members_total", "exempt", "away", "studied"] if existing else None)
    counters.finish()
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
        _refuse_overlap(clash.unit.name)


def _refuse_overlap(other: str) -> None:
    raise ValidationError({"unit": _(
        "%(other)s already reports non-members for this part of the tree; "
        "the same people would be counted twice."
    ) % {"other": other}})


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
    _check_non_member_counts(expected=expected, studied=studied)
    _check_no_overlapping_non_member_return(campaign, unit)
    _check_no_later_partial(campaign=campaign, unit=unit, who=PartialReturn.Who.NON_MEMBERS, as_of=as_of)
    existing = NonMemberReturn.objects.filter(campaign=campaign, unit=unit, as_of=as_of).first()
    before = snapshot(existing) if existing else None
    record = existing or NonMemberReturn(campaign=campaign, unit=unit, as_of=as_of)
    record.expected, record.studied = expected, studied
    record.full_clean(validate_constraints=False)
    counters = ledger.track(returns=[(unit.pk, campaign.pk)])
    record.save(update_fields=["expected", "studied"] if existing else None)
    counters.finish()
    record_change(actor=actor, action="update" if existing else "create", record=record,
                  unit_path=unit.path, before=before, after=snapshot(record))
    return record


# --- many returns at once (imports) ------------------------------------------------------------------


class MemberReturnRow(NamedTuple):
    """One return for member_returns_bulk_save: the arguments of member_return_save."""

    campaign: Campaign
    unit: Unit
    as_of: datetime.date
    members_total: int
    exempt: int
    away: int
    studied: int


class NonMemberReturnRow(NamedTuple):
    """One return for non_member_returns_bulk_save: the arguments of non_member_return_save."""

    campaign: Campaign
    unit: Unit
    as_of: datetime.date
    expected: int
    studied: int


Saved = Literal["created", "updated", "unchanged"]
MEMBER_COUNTS = ("members_total", "exempt", "away", "studied")
NON_MEMBER_COUNTS = ("expected", "studied")
ReturnRow = MemberReturnRow | NonMemberReturnRow


@transaction.atomic
def member_returns_bulk_save(*, actor: User | None, rows: Sequence[MemberReturnRow]) -> list[Saved]:
    """member_return_save of many returns at once, all or none, in a number of queries that does
    not grow with the rows; says of each row whether it created, updated or left its return.

    Each unit's editing right is asked once; each row is checked by member_return_save's rules, in
    its order (the unit reports counts and has no sub-unit open on the day, the day is in the
    campaign, the counts add up, the fields as full_clean checks them). If any row breaks a rule,
    RowsInvalid lists every such row with that service's error and nothing is written. A row equal
    to its stored return writes nothing; of two rows of one return, the later is saved. New returns
    are inserted and changed ones updated many a statement, each with member_return_save's audit
    entry (record_changes)."""
    units = _require_edit_all(actor, rows)
    children = _open_children(units)
    errors: dict[int, ValidationError] = {}
    for index, row in enumerate(rows):
        try:
            _check_member_return_unit(row.unit, row.as_of, has_open_children=children(row.unit.id, row.as_of))
            require_in_campaign(campaign=row.campaign, day=row.as_of, field="as_of")
            _check_member_counts(campaign=row.campaign, members_total=row.members_total, exempt=row.exempt,
                                 away=row.away, studied=row.studied)
        except ValidationError as refused:
            errors[index] = refused
    _check_count_fields(MemberReturn, MEMBER_COUNTS, rows, errors)
    _check_no_later_partials(PartialReturn.Who.MEMBERS, rows, errors)
    if errors:
        raise RowsInvalid(errors)
    return _save_returns(actor, MemberReturn, MEMBER_COUNTS, rows)


@transaction.atomic
def non_member_returns_bulk_save(*, actor: User | None, rows: Sequence[NonMemberReturnRow]) -> list[Saved]:
    """non_member_return_save of many returns at once, as member_returns_bulk_save does for
    member_return_save: its rules in its order (the day in the campaign, the counts, no other unit
    above or below reporting non-members for the campaign, counting the rows above as saved), all or
    none, one audit entry per return created or changed."""
    _require_edit_all(actor, rows)
    reports = _NonMemberReporters(rows)
    errors: dict[int, ValidationError] = {}
    for index, row in enumerate(rows):
        try:
            require_in_campaign(campaign=row.campaign, day=row.as_of, field="as_of")
            _check_non_member_counts(expected=row.expected, studied=row.studied)
            reports.check(row)
        except ValidationError as refused:
            errors[index] = refused
    _check_count_fields(NonMemberReturn, NON_MEMBER_COUNTS, rows, errors)
    _check_no_later_partials(PartialReturn.Who.NON_MEMBERS, rows, errors)
    if errors:
        raise RowsInvalid(errors)
    return _save_returns(actor, NonMemberReturn, NON_MEMBER_COUNTS, rows)


def _require_edit_all(actor: User | None, rows: Sequence[ReturnRow]) -> dict[int, Unit]:
    units = {row.unit.id: row.unit for row in rows}
    for unit in units.values():
        require_edit(actor, unit)
    return units


def _open_children(units: dict[int, Unit]) -> Callable[[int, datetime.date], bool]:
    """Whether a unit has a sub-unit open on a day, for these units (one query)."""
    periods: dict[int, list[tuple[datetime.date | None, datetime.date | None]]] = {}
    for parent_id, opened_on, closed_on in Unit.objects.filter(parent_id__in=list(units)).values_list(
            "parent_id", "opened_on", "closed_on").order_by():
        periods.setdefault(parent_id, []).append((opened_on, closed_on))

    def has_open_children(unit_id: int, day: datetime.date) -> bool:
        return any(is_open_on(opened, closed, day) for opened, closed in periods.get(unit_id, ()))

    return has_open_children


class _NonMemberReporters:
    """The units reporting non-members in each campaign of the rows: stored, then the rows checked."""

    def __init__(self, rows: Sequence[NonMemberReturnRow]) -> None:
        self.reporting: dict[int, list[tuple[str, int, str, datetime.date]]] = {}
        stored = NonMemberReturn.objects.filter(campaign_id__in={row.campaign.id for row in rows}).order_by()
        for campaign_id, path, unit_id, name, as_of in stored.values_list(
                "campaign_id", "unit__path", "unit_id", "unit__name", "as_of"):
            self.reporting.setdefault(campaign_id, []).append((path, unit_id, name, as_of))

    def check(self, row: NonMemberReturnRow) -> None:
        """_check_no_overlapping_non_member_return's rule; the row then counts as reporting."""
        path = row.unit.path
        found = self.reporting.setdefault(row.campaign.id, [])
        others = [(other, -as_of.toordinal(), name)
                  for other, unit_id, name, as_of in found if unit_id != row.unit.id]
        # As that check: a unit above first, else one below; the first by path, the latest return.
        clash = (min((item for item in others if path.startswith(item[0])), default=None)
                 or min((item for item in others if item[0].startswith(path)), default=None))
        if clash is not None:
            _refuse_overlap(clash[2])
        found.append((path, row.unit.id, row.unit.name, row.as_of))


def _check_count_fields(model: type[models.Model], counts: tuple[str, ...], rows: Sequence[ReturnRow],
                        errors: dict[int, ValidationError]) -> None:
    """The counts' checks of full_clean, made on whole columns, for the rows not refused already."""
    for name in counts:
        refused = bulk.FieldColumn(model, name).check([getattr(row, name) for row in rows])[1]
        if refused:
            for index, row in enumerate(rows):
                value = getattr(row, name)
                if index not in errors and value in refused:
                    errors[index] = ValidationError({name: refused[value]})


def _save_returns(actor: User | None, model: type[MemberReturn | NonMemberReturn], counts: tuple[str, ...],
                  rows: Sequence[ReturnRow]) -> list[Saved]:
    """Inserts the new returns and updates the changed ones, with their audit entries."""
    stored = {(record.campaign_id, record.unit_id, record.as_of): record for record in (
        model._default_manager.filter(campaign_id__in={row.campaign.id for row in rows},
                                      unit_id__in={row.unit.id for row in rows})
        .select_related("unit").order_by())}
    last = {(row.campaign.id, row.unit.id, row.as_of): index for index, row in enumerate(rows)}
    outcomes: list[Saved] = []
    created: list[Any] = []
    updated: list[tuple[Any, dict[str, Any]]] = []
    for index, row in enumerate(rows):
        key = (row.campaign.id, row.unit.id, row.as_of)
        record = stored.get(key)
        values = {name: getattr(row, name) for name in counts}
        if record is None:
            outcomes.append("created")
            if last[key] == index:
                created.append(model(campaign=row.campaign, unit=row.unit, as_of=row.as_of, **values))
        elif all(getattr(record, name) == value for name, value in values.items()):
            outcomes.append("unchanged")
        else:
            outcomes.append("updated")
            if last[key] == index:
                before = snapshot(record)
                for name, value in values.items():
                    setattr(record, name, value)
                updated.append((record, before))
    counters = ledger.track(returns={(row.unit.id, row.campaign.id) for row in rows})
    model._default_manager.bulk_create(created)
    bulk.update_rows(model, "id", counts, [(record.pk, *(getattr(record, name) for name in counts))
                                           for record, _before in updated])
    counters.finish()
    record_changes(actor=actor, action=AuditEntry.Action.CREATE, changes=[
        Change(record=record, unit_path=record.unit.path, before=None, after=snapshot(record))
        for record in created])
    record_changes(actor=actor, action=AuditEntry.Action.UPDATE, changes=[
        Change(record=record, unit_path=record.unit.path, before=before, after=snapshot(record))
        for record, before in updated])
    return outcomes


# --- returns that know only part -------------------------------------------------------------------


def _refuse_partial_after(day: datetime.date, as_of: datetime.date) -> ValidationError:
    return ValidationError({"as_of": _(
        "The unit sent full figures as of %(full)s: a return that knows only part, as of %(date)s, "
        "would contradict them. Send a full return instead."
    ) % {"full": format_date(day), "date": format_date(as_of)}})


def _refuse_full_before(day: datetime.date, as_of: datetime.date) -> ValidationError:
    return ValidationError({"as_of": _(
        "The unit has a return that knows only part as of %(partial)s: full figures must be dated "
        "after it (not %(date)s), or that return deleted first."
    ) % {"partial": format_date(day), "date": format_date(as_of)}})


def _check_no_later_partial(*, campaign: Campaign, unit: Unit, who: str, as_of: datetime.date) -> None:
    """A full return may not be dated on or before a partial one of the same people: the ledger
    would count the full one while the partial one is the latest."""
    later = PartialReturn.objects.filter(campaign=campaign, unit=unit, who=who, as_of__gte=as_of).order_by(
        "-as_of").values_list("as_of", flat=True).first()
    if later is not None:
        raise _refuse_full_before(later, as_of)


def _check_no_later_partials(who: str, rows: Sequence[ReturnRow], errors: dict[int, ValidationError]) -> None:
    """_check_no_later_partial of many rows (one query)."""
    latest: dict[tuple[int, int], datetime.date] = {}
    stored = PartialReturn.objects.filter(
        who=who, campaign_id__in={row.campaign.id for row in rows}, unit_id__in={row.unit.id for row in rows},
    ).values_list("campaign_id", "unit_id", "as_of").order_by()
    for campaign_id, unit_id, as_of in stored:
        key = (campaign_id, unit_id)
        latest[key] = max(as_of, latest.get(key, as_of))
    for index, row in enumerate(rows):
        day = latest.get((row.campaign.id, row.unit.id))
        if index not in errors and day is not None and day >= row.as_of:
            errors[index] = _refuse_full_before(day, row.as_of)


def _check_partial_values(*, studied: int | None, studied_above: int | None,
                          rate_above: Decimal | None) -> None:
    labels = {"studied": _("Number who studied"), "studied_above": _("More than this many studied")}
    counts = (("studied", studied), ("studied_above", studied_above))
    _check_not_negative({name: value for name, value in counts if value is not None}, labels)
    if rate_above is not None:
        if rate_above <= 0:
            raise ValidationError({"rate_above": _(
                "Rate above (%%): %(value)s%% is not a rate above zero."
            ) % {"value": format_number(rate_above)}})
        if rate_above > 100:
            raise ValidationError({"rate_above": _(
                "Rate above (%%): %(value)s%% is more than 100%%; a rate cannot exceed 100%%."
            ) % {"value": format_number(rate_above)}})
        if studied is not None or studied_above is not None:
            raise ValidationError({"rate_above": _(
                "A rate cannot be stated without the number expected to study: give the number who "
                "studied alone, or send a full return with the number expected."
            )})
    if studied is not None and studied_above is not None:
        raise ValidationError({"studied_above": _(
            "Give either the number who studied or a lower bound of it, not both.")})
    if studied is None and studied_above is None and rate_above is None:
        raise ValidationError({"studied": _(
            "Give the number who studied, a lower bound of it (more than ... people) or a lower bound "
            "of the rate (more than ...%).")})


def _check_partial_who(*, campaign: Campaign, unit: Unit, who: str, category: str,
                       as_of: datetime.date) -> None:
    if who not in PartialReturn.Who.values:
        raise ValidationError({"who": _("“%(value)s” is neither party members nor non-members.") % {
            "value": who}})
    if who == PartialReturn.Who.MEMBERS:
        if category:
            raise ValidationError({"category": _("A category is given for non-members only.")})
        _check_member_return_unit(unit, as_of)
        full: models.QuerySet[Any] = MemberReturn.objects.filter(
            campaign=campaign, unit=unit, as_of__lte=as_of)
    else:
        if category and category not in (campaign.non_party_categories or []):
            raise ValidationError({"category": _(
                "The campaign does not count non-members of category %(category)s."
            ) % {"category": category}})
        _check_no_overlapping_non_member_return(campaign, unit)
        full = NonMemberReturn.objects.filter(campaign=campaign, unit=unit, as_of__lte=as_of)
    earlier = full.order_by("-as_of").values_list("as_of", flat=True).first()
    if earlier is not None:
        raise _refuse_partial_after(earlier, as_of)


@transaction.atomic
def partial_return_save(
    *,
    actor: User | None,
    campaign: Campaign,
    unit: Unit,
    as_of: datetime.date,
    who: str,
    category: str = "",
    studied: int | None = None,
    studied_above: int | None = None,
    rate_above: Decimal | None = None,
) -> PartialReturn:
    """Records what a unit knows of its study on a date and no more: the number who studied, or a
    lower bound of it, or a lower bound of the rate. A second save on the same date (same people)
    replaces the first. Nothing is counted into rates or denominators (the ledger is not touched)."""
    require_edit(actor, unit)
    require_in_campaign(campaign=campaign, day=as_of, field="as_of")
    _check_partial_values(studied=studied, studied_above=studied_above, rate_above=rate_above)
    _check_partial_who(campaign=campaign, unit=unit, who=who, category=category, as_of=as_of)
    existing = PartialReturn.objects.filter(campaign=campaign, unit=unit, as_of=as_of, who=who,
                                            category=category).first()
    before = snapshot(existing) if existing else None
    record = existing or PartialReturn(campaign=campaign, unit=unit, as_of=as_of, who=who, category=category)
    record.studied, record.studied_above, record.rate_above = studied, studied_above, rate_above
    record.full_clean(validate_constraints=False)
    record.save(update_fields=["studied", "studied_above", "rate_above"] if existing else None)
    record_change(actor=actor, action="update" if existing else "create", record=record,
                  unit_path=unit.path, before=before, after=snapshot(record))
    return record


@transaction.atomic
def partial_return_delete(*, actor: User | None, record: PartialReturn) -> None:
    require_edit(actor, record.unit)
    record_change(actor=actor, action="delete", record=record, unit_path=record.unit.path,
                  before=snapshot(record), after=None)
    record.delete()
