import datetime
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.apps import apps
from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.utils.text import capfirst
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from chuyende.accounts.models import User
from chuyende.accounts.permissions import can_edit, require_edit
from chuyende.audit.services import record_change, snapshot
from chuyende.campaigns.models import Campaign, GuidingDocument, NonPartyCategory
from chuyende.campaigns.selectors import campaigns_for, reports_frozen_for
from chuyende.core.exceptions import NotAllowed, NotInScope
from chuyende.core.validation import require_free
from chuyende.members.models import EXCLUDABLE_STATUSES
from chuyende.organisation.models import Unit

# Changing one of these after a report was sent moves the live figures away from its frozen ones.
FIGURE_FIELDS = (
    "starts", "ends", "study_deadline", "report_deadline", "target_rate", "excluded_statuses",
    "rate_precision",
)
# Records that must stay inside the campaign's period: (model label, date field).
DATED_RECORDS = (
    ("events.Event", "held_on"),
    ("returns.MemberReturn", "as_of"),
    ("returns.NonMemberReturn", "as_of"),
    ("outreach.Outreach", "held_on"),
    ("materials.MaterialTransfer", "sent_on"),
    ("pledges.Pledge", "registered_on"),
    ("pledges.PledgeReturn", "as_of"),
    ("supervision.Visit", "visited_on"),
)
NAMED_REPORTS = 5


@dataclass(frozen=True)
class GuidingDocumentData:
    number: str
    issued_on: datetime.date
    issuer: str
    title: str
    id: int | None = None  # an existing document of the campaign being edited; None: a new one


@transaction.atomic
def campaign_create(
    *,
    actor: User | None,
    owner: Unit,
    code: str,
    kind: str,
    year: int,
    title: str,
    starts: datetime.date,
    ends: datetime.date | None,
    study_deadline: datetime.date,
    report_deadline: datetime.date,
    target_rate: Decimal,
    excluded_statuses: list[str],
    rate_precision: int,
    non_party_categories: list[str],
    guiding_documents: list[GuidingDocumentData],
) -> Campaign:
    require_edit(actor, owner)
    require_free(Campaign.objects.filter(code=code), field="code",
                 message=_("A campaign with code %(code)s already exists.") % {"code": code})
    campaign = Campaign(
        owner=owner, code=code, kind=kind, year=year, title=title, starts=starts,
        ends=ends or datetime.date(year, 12, 31), study_deadline=study_deadline,
        report_deadline=report_deadline, target_rate=target_rate,
        excluded_statuses=list(excluded_statuses), rate_precision=rate_precision,
        non_party_categories=list(non_party_categories),
    )
    campaign.full_clean(validate_unique=False)
    _check_campaign_rules(campaign)
    campaign.save()
    _save_documents(campaign, guiding_documents)
    record_change(
        actor=actor, action="create", record=campaign, unit_path=owner.path, before=None,
        after=snapshot(campaign),
    )
    return campaign


@transaction.atomic
def campaign_update(
    *,
    actor: User | None,
    campaign: Campaign,
    title: str,
    starts: datetime.date,
    ends: datetime.date | None,
    study_deadline: datetime.date,
    report_deadline: datetime.date,
    target_rate: Decimal,
    excluded_statuses: list[str],
    rate_precision: int,
    non_party_categories: list[str],
    guiding_documents: list[GuidingDocumentData],
    confirm_after_submission: bool = False,
) -> Campaign:
    """Corrects a campaign; its code, kind, year and owner stay. Frozen report figures are never touched.

    When reports of the campaign were already sent, a change that moves figures (FIGURE_FIELDS) is
    refused unless `confirm_after_submission`; the reports then show which of their figures moved.
    """
    require_campaign_edit(actor, campaign)
    current = Campaign.objects.select_for_update().get(pk=campaign.pk)
    before = _campaign_snapshot(current)
    current.title, current.starts, current.ends = title, starts, ends or datetime.date(current.year, 12, 31)
    current.study_deadline, current.report_deadline = study_deadline, report_deadline
    current.target_rate, current.rate_precision = target_rate, rate_precision
    current.excluded_statuses = list(excluded_statuses)
    current.non_party_categories = list(non_party_categories)
    current.full_clean(validate_unique=False)
    _check_campaign_rules(current)
    changed = _figure_fields_changed(before, current)
    if {"starts", "ends"} & set(changed):
        _check_period_keeps_records(current)
    if not confirm_after_submission:
        _check_frozen_reports(current, changed=changed)
    current.save(update_fields=[
        "title", "starts", "ends", "study_deadline", "report_deadline", "target_rate", "rate_precision",
        "excluded_statuses", "non_party_categories",
    ])
    _save_documents(current, guiding_documents)
    record_change(
        actor=actor, action="update", record=current, unit_path=current.owner.path, before=before,
        after=_campaign_snapshot(current),
    )
    return current


def require_campaign_edit(actor: User | None, campaign: Campaign) -> None:
    """Who may edit the owning unit; a campaign the actor sees but may not change is 403, another 404."""
    if can_edit(actor, campaign.owner):
        return
    assert actor is not None
    if campaigns_for(actor=actor).filter(pk=campaign.pk).exists():
        raise NotAllowed
    raise NotInScope


def _campaign_snapshot(campaign: Campaign) -> dict[str, Any]:
    documents = [
        f"{d.number} ({d.issued_on:%d/%m/%Y}), {d.issuer}: {d.title}"
        for d in campaign.guiding_documents.all()
    ]
    return {**snapshot(campaign), "guiding_documents": documents}


def _figure_fields_changed(before: dict[str, Any], campaign: Campaign) -> list[str]:
    """The fields among FIGURE_FIELDS whose value differs between an audit snapshot and the campaign."""
    after = snapshot(campaign)
    changed = []
    for name in FIGURE_FIELDS:
        old, new = before[name], after[name]
        if name == "excluded_statuses":
            old, new = sorted(old), sorted(new)
        elif name == "target_rate":
            old, new = Decimal(old), Decimal(new)
        if old != new:
            changed.append(name)
    return changed


def _check_frozen_reports(campaign: Campaign, *, changed: list[str]) -> None:
    if not changed:
        return
    frozen = list(reports_frozen_for(campaign=campaign)[: NAMED_REPORTS + 1])
    if not frozen:
        return
    count = reports_frozen_for(campaign=campaign).count()
    names = ", ".join(f"{report.number_and_symbol} ({report.unit.name})" for report in frozen[:NAMED_REPORTS])
    if count > NAMED_REPORTS:
        names = _("%(names)s and %(more)s more") % {"names": names, "more": count - NAMED_REPORTS}
    fields = ", ".join(str(_label(name)) for name in changed)
    message = ngettext(
        "%(count)s report of this campaign has already been sent (%(reports)s); changing %(fields)s "
        "would make its figures differ from those it froze. Confirm the change to save it: the sent "
        "report keeps its frozen figures and shows what changed.",
        "%(count)s reports of this campaign have already been sent (%(reports)s); changing %(fields)s "
        "would make their figures differ from those they froze. Confirm the change to save it: the sent "
        "reports keep their frozen figures and show what changed.",
        count,
    ) % {"count": count, "reports": names, "fields": fields}
    raise ValidationError({"confirm_after_submission": message})


def _label(name: str) -> Any:
    field = Campaign._meta.get_field(name)
    assert isinstance(field, models.Field)
    return field.verbose_name


def _check_period_keeps_records(campaign: Campaign) -> None:
    """A shorter period must still cover every record already dated in the campaign."""
    errors: list[str] = []
    for label, field in DATED_RECORDS:
        model = apps.get_model(label)
        outside = model._default_manager.filter(campaign=campaign).exclude(
            **{f"{field}__range": (campaign.starts, campaign.ends)}
        )
        first = outside.order_by(field).values_list(field, flat=True).first()
        if first is not None:
            errors.append(_(
                "%(records)s dated %(date)s would fall outside the campaign (%(start)s to %(end)s)."
            ) % {
                "records": capfirst(model._meta.verbose_name_plural), "date": first.strftime("%d/%m/%Y"),
                "start": campaign.starts.strftime("%d/%m/%Y"), "end": campaign.ends.strftime("%d/%m/%Y"),
            })
    if errors:
        raise ValidationError({"starts": errors})


def _save_documents(campaign: Campaign, documents: list[GuidingDocumentData]) -> None:
    """Makes the campaign's guiding documents exactly `documents`: kept ids are updated, others removed."""
    existing = {document.pk: document for document in campaign.guiding_documents.all()}
    unknown = {d.id for d in documents if d.id is not None} - set(existing)
    if unknown:
        message = _("Unknown guiding document of this campaign: %(ids)s.") % {
            "ids": ", ".join(str(pk) for pk in sorted(unknown))
        }
        raise ValidationError({"guiding_documents": message})
    kept = {d.id for d in documents}
    GuidingDocument.objects.filter(pk__in=set(existing) - kept).delete()
    for data in documents:
        document = existing.get(data.id) if data.id is not None else GuidingDocument(campaign=campaign)
        assert document is not None
        document.number, document.issued_on, document.issuer, document.title = (
            data.number, data.issued_on, data.issuer, data.title
        )
        document.full_clean()
        document.save()


def _check_campaign_rules(campaign: Campaign) -> None:
    errors: dict[str, str] = {}
    if campaign.ends < campaign.starts:
        errors["ends"] = _("The campaign ends before it starts.")
    if campaign.study_deadline < campaign.starts:
        errors["study_deadline"] = _("The study deadline is before the campaign starts.")
    unknown = set(campaign.excluded_statuses) - set(EXCLUDABLE_STATUSES)
    if unknown:
        errors["excluded_statuses"] = _("Unknown excluded status: %(values)s.") % {
            "values": ", ".join(sorted(unknown))
        }
    unknown = set(campaign.non_party_categories) - set(NonPartyCategory.values)
    if unknown:
        errors["non_party_categories"] = _("Unknown non-member category: %(values)s.") % {
            "values": ", ".join(sorted(unknown))
        }
    if errors:
        raise ValidationError(errors)


def require_in_campaign(*, campaign: Campaign, day: datetime.date, field: str) -> None:
    """Refuses a record dated outside the campaign's period, naming the form field."""
    if not campaign.covers(day):
        raise ValidationError({field: _(
            "The date %(date)s is outside the campaign (%(start)s to %(end)s)."
        ) % {
            "date": day.strftime("%d/%m/%Y"),
            "start": campaign.starts.strftime("%d/%m/%Y"),
            "end": campaign.ends.strftime("%d/%m/%Y"),
        }})
