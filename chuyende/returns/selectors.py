"""Reads of aggregate returns, limited to the user's subtree."""

from django.db.models import QuerySet

from chuyende.accounts.models import User
from chuyende.accounts.permissions import scope_root
from chuyende.campaigns.models import Campaign
from chuyende.returns.models import MemberReturn, NonMemberReturn, PartialReturn


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


def partial_returns_visible_to(*, actor: User, campaign: Campaign | None = None) -> QuerySet[PartialReturn]:
    returns = PartialReturn.objects.filter(unit__path__startswith=scope_root(actor).path)
    if campaign is not None:
        returns = returns.filter(campaign=campaign)
    return returns.select_related("unit", "campaign").order_by("-as_of", "unit__path")
