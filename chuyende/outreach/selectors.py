"""Reads of outreach, limited to the user's subtree."""

import datetime

from django.db.models import QuerySet

from chuyende.accounts.models import User
from chuyende.accounts.permissions import scope_root
from chuyende.campaigns.models import Campaign
from chuyende.organisation.models import Unit
from chuyende.outreach.models import Outreach


def outreach_visible_to(
    *, actor: User, campaign: Campaign | None = None, unit: Unit | None = None,
    as_of: datetime.date | None = None,
) -> QuerySet[Outreach]:
    """Outreach of units in the user's subtree; narrowed to a unit's subtree (which must lie inside the
    user's, see the filter form) and to records dated on or before `as_of`."""
    records = Outreach.objects.filter(unit__path__under=scope_root(actor).path)
    if unit is not None:
        records = records.filter(unit__path__under=unit.path)
    if campaign is not None:
        records = records.filter(campaign=campaign)
    if as_of is not None:
        records = records.filter(held_on__lte=as_of)
    return records.select_related("unit", "campaign").order_by("-held_on", "-id")
