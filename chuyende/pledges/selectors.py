"""Reads of pledges and pledge returns, limited to the user's subtree.

Lists of records only: how many pledges a unit has, its rate and its rating distribution come
from the roll-up (chuyende.figures.rollup), never from here.
"""

import datetime
from dataclasses import dataclass

from django.db.models import QuerySet

from chuyende.accounts.models import User
from chuyende.accounts.permissions import require_read, scope_root
from chuyende.campaigns.models import Campaign
from chuyende.members.models import COUNTED_STATUSES, Member, MemberStatusChoices
from chuyende.members.selectors import members_visible_to, with_status_on
from chuyende.organisation.models import Unit
from chuyende.organisation.selectors import subtree
from chuyende.pledges.models import Pledge, PledgeReturn


def default_day(*, campaign: Campaign, today: datetime.date) -> datetime.date:
    """Today, or the campaign's last day once it is over (pledges are rated at year end)."""
    return min(today, campaign.ends)


def pledges_visible_to(*, actor: User, campaign: Campaign | None = None) -> QuerySet[Pledge]:
    pledges = Pledge.objects.filter(member__unit__path__startswith=scope_root(actor).path)
    if campaign is not None:
        pledges = pledges.filter(campaign=campaign)
    return pledges.select_related("member__unit", "campaign")


def pledge_returns_visible_to(*, actor: User, campaign: Campaign | None = None) -> QuerySet[PledgeReturn]:
    returns = PledgeReturn.objects.filter(unit__path__startswith=scope_root(actor).path)
    if campaign is not None:
        returns = returns.filter(campaign=campaign)
    return returns.select_related("unit", "campaign").order_by("unit__path", "-as_of")


def pledge_return_units(actor: User) -> QuerySet[Unit]:
    """Leaf units of the actor's subtree that report counts: they send pledge returns."""
    return subtree(root=scope_root(actor)).filter(tracking=Unit.Tracking.AGGREGATE, children__isnull=True)


def is_cell(unit: Unit) -> bool:
    """A unit kept by name with no sub-units: its members' pledges are listed one by one."""
    return unit.tracking == Unit.Tracking.INDIVIDUAL and not unit.children.exists()


@dataclass(frozen=True)
class MemberRow:
    """A member of a cell on the chosen day, with their pledge if they registered one."""

    member: Member
    status: str
    status_label: str
    excluded: bool
    pledge: Pledge | None
    registered_after_day: bool = False


@dataclass(frozen=True)
class CellPledges:
    with_pledge: list[MemberRow]
    without_pledge: list[MemberRow]


def cell_pledges(*, actor: User, campaign: Campaign, unit: Unit, day: datetime.date) -> CellPledges:
    """The cell's pledges for the campaign, and the members counted on `day` who have none (two queries).

    Every pledge of the cell's members is listed, whatever its member's status (one registered
    after the day is marked); the members without one are those counted on the day (active,
    exempt, away), the excluded ones marked.
    """
    require_read(actor, unit)
    labels = dict(MemberStatusChoices.choices)
    excluded = set(campaign.excluded_statuses)
    members = with_status_on(members_visible_to(actor=actor).filter(unit=unit), day)
    members = members.order_by("full_name", "code")
    pledges = {
        pledge.member_id: pledge
        for pledge in Pledge.objects.filter(campaign=campaign, member__unit=unit)
    }
    with_pledge: list[MemberRow] = []
    without_pledge: list[MemberRow] = []
    for member in members:
        status = str(getattr(member, "status_now", "") or "")
        pledge = pledges.get(member.pk)
        if pledge is not None:
            pledge.member = member
        row = MemberRow(member=member, status=status, status_label=str(labels.get(status, "")),
                        excluded=status in excluded, pledge=pledge,
                        registered_after_day=pledge is not None and pledge.registered_on > day)
        if pledge is not None:
            with_pledge.append(row)
        elif status in COUNTED_STATUSES:
            without_pledge.append(row)
    return CellPledges(with_pledge=with_pledge, without_pledge=without_pledge)
