import datetime

from django.db.models import QuerySet

from chuyende.accounts.models import User
from chuyende.campaigns.models import Campaign, GuidingDocument
from chuyende.organisation.selectors import ancestors
from chuyende.reports.models import Report


def campaigns_for(*, actor: User) -> QuerySet[Campaign]:
    """Campaigns owned by the user's unit, by a unit above it, or by a unit in its subtree."""
    unit = actor.unit
    if unit is None:
        return Campaign.objects.none()
    above = ancestors(unit=unit, include_self=False).values("pk")
    return Campaign.objects.filter(owner__path__startswith=unit.path) | Campaign.objects.filter(
        owner__in=above
    )


def reports_frozen_for(*, campaign: Campaign) -> QuerySet[Report]:
    """Reports of the campaign sent up (submitted or accepted): their figures are frozen."""
    return (
        Report.objects.filter(campaign=campaign, status__in=[Report.Status.SUBMITTED, Report.Status.ACCEPTED])
        .select_related("unit")
        .order_by("unit__path", "number")
    )


def default_campaign(*, actor: User, today: datetime.date) -> Campaign | None:
    """The campaign a new record's form starts with, when there is only one sensible choice: the one
    campaign running today, or the actor's only campaign. None when the user must choose."""
    campaigns = campaigns_for(actor=actor)
    running = list(campaigns.filter(starts__lte=today, ends__gte=today)[:2])
    if len(running) == 1:
        return running[0]
    only = list(campaigns[:2])
    return only[0] if len(only) == 1 and not running else None


def guiding_documents_by(*, campaign: Campaign, day: datetime.date) -> list[GuidingDocument]:
    """The campaign's guiding documents issued on or before `day`, oldest first (one query): those a
    report with figures as of that day cites."""
    documents = GuidingDocument.objects.filter(campaign=campaign, issued_on__lte=day)
    return list(documents.order_by("issued_on", "id"))
