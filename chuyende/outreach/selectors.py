"""Reads of outreach, limited to the user's subtree."""

import datetime
from dataclasses import dataclass

from django.db.models import QuerySet

from chuyende.accounts.models import User
from chuyende.accounts.permissions import scope_root
from chuyende.campaigns.models import Campaign
from chuyende.figures.rollup import Tally
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


@dataclass(frozen=True)
class ChannelRow:
    """One channel's figures, as the roll-up counted them."""

    label: str
    sessions: int
    reach: int
    sessions_without_reach: int


def channel_rows(tally: Tally) -> list[ChannelRow]:
    """The channels used in the tally, in the order of the channel list; nothing is counted here."""
    unknown = tally.outreach_unknown_sessions_by_channel
    return [
        ChannelRow(
            label=str(choice.label),
            sessions=tally.outreach_sessions_by_channel[choice.value],
            reach=tally.outreach_reach_by_channel[choice.value],
            sessions_without_reach=unknown[choice.value],
        )
        for choice in Outreach.Channel
        if tally.outreach_sessions_by_channel.get(choice.value)
    ]
