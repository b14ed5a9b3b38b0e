from django.db.models import QuerySet

from chuyende.accounts.models import User
from chuyende.campaigns.models import Campaign
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
