import datetime
from dataclasses import dataclass
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from chuyende.accounts.models import User
from chuyende.accounts.permissions import require_edit
from chuyende.audit.services import record_change, snapshot
from chuyende.campaigns.models import Campaign, GuidingDocument, NonPartyCategory
from chuyende.core.validation import require_free
from chuyende.members.models import EXCLUDABLE_STATUSES
from chuyende.organisation.models import Unit


@dataclass(frozen=True)
class GuidingDocumentData:
    number: str
    issued_on: datetime.date
    issuer: str
    title: str


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
    for document in guiding_documents:
        guiding = GuidingDocument(campaign=campaign, **document.__dict__)
        guiding.full_clean()
        guiding.save()
    record_change(
        actor=actor, action="create", record=campaign, unit_path=owner.path, before=None,
        after=snapshot(campaign),
    )
    return campaign


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
