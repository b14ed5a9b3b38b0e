"""The returns the roll-up counts: those in force on a date, of the units open on it.

The validation rules check these records one by one and the sources page lists them; both read
them here, so "the return in force" of an open unit means the same everywhere (one query each).
"""

import datetime
from typing import TypeVar

from chuyende.campaigns.models import Campaign
from chuyende.figures.rules import in_force, open_on
from chuyende.figures.tree import period_on, position_on
from chuyende.organisation.models import Unit
from chuyende.pledges.models import PledgeReturn
from chuyende.returns.models import MemberReturn, NonMemberReturn

R = TypeVar("R", MemberReturn, NonMemberReturn, PledgeReturn)


def _in_force(model: type[R], *, unit: Unit, campaign: Campaign, as_of: datetime.date,
              aggregate_only: bool, path: str | None) -> dict[int, R]:
    """The returns in force of the units open on the date in the subtree of that day (`path`: the
    unit's path on the date, read when not given), kept per person or not as they were that day."""
    records = model._default_manager.filter(
        open_on(as_of, "unit__"), period_on(as_of, "unit__periods__"), campaign=campaign,
        unit__periods__path__under=path or position_on(unit, as_of).path, as_of__lte=as_of,
    )
    if aggregate_only:
        records = records.filter(unit__periods__tracking=Unit.Tracking.AGGREGATE)
    latest = in_force(records.select_related("unit").order_by(), as_of)
    return {record.unit_id: record for record in latest.values()}


def member_returns_in_force(
    *, unit: Unit, campaign: Campaign, as_of: datetime.date, path: str | None = None
) -> dict[int, MemberReturn]:
    """By unit id: the member return in force of each open unit reporting counts in the subtree."""
    return _in_force(MemberReturn, unit=unit, campaign=campaign, as_of=as_of, aggregate_only=True, path=path)


def non_member_returns_in_force(
    *, unit: Unit, campaign: Campaign, as_of: datetime.date, path: str | None = None
) -> dict[int, NonMemberReturn]:
    """By unit id: the non-member return in force of each open unit of the subtree."""
    return _in_force(NonMemberReturn, unit=unit, campaign=campaign, as_of=as_of, aggregate_only=False,
                     path=path)


def pledge_returns_in_force(
    *, unit: Unit, campaign: Campaign, as_of: datetime.date, path: str | None = None
) -> dict[int, PledgeReturn]:
    """By unit id: the pledge return in force of each open unit reporting counts in the subtree."""
    return _in_force(PledgeReturn, unit=unit, campaign=campaign, as_of=as_of, aggregate_only=True, path=path)

