"""Reads of aggregate returns, limited to the user's subtree."""

import datetime
from collections.abc import Iterable

from django.db.models import QuerySet

from chuyende.accounts.models import User
from chuyende.accounts.permissions import scope_root
from chuyende.campaigns.models import Campaign
from chuyende.returns.models import MemberReturn, NonMemberReturn


def member_returns_visible_to(*, actor: User, campaign: Campaign | None = None) -> QuerySet[MemberReturn]:
    returns = MemberReturn.objects.filter(unit__path__startswith=scope_root(actor).path)
    if campaign is not None:
        returns = returns.filter(campaign=campaign)
    return returns.select_related("unit", "campaign").order_by("-as_of", "unit__path")


def non_member_returns_visible_to(
    *, actor: User, campaign: Campaign | None = None
) -> QuerySet[NonMemberReturn]:
    returns = NonMemberReturn.objects.filter(unit__path__startswith=scope_root(actor).path)
    if campaign is not None:
        returns = returns.filter(campaign=campaign)
    return returns.select_related("unit", "campaign").order_by("-as_of", "unit__path")


def in_force_ids(returns: Iterable[MemberReturn | NonMemberReturn], on: datetime.date) -> set[int]:
    """Ids of the returns in force on a day: per campaign and unit, the latest dated on or before it."""
    latest: dict[tuple[int, int], MemberReturn | NonMemberReturn] = {}
    for record in returns:
        if record.as_of > on:
            continue
        key = (record.campaign_id, record.unit_id)
        if key not in latest or record.as_of > latest[key].as_of:
            latest[key] = record
    return {record.pk for record in latest.values()}
