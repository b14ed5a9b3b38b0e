"""Materials at one unit: what it received from above, its own supply, what it passed down and holds.

The materials pages and the transfer services read these; the roll-up counts the same per unit.
"""

import datetime
from dataclasses import dataclass

from django.db.models import Q, Sum
from django.db.models.functions import Coalesce

from chuyende.campaigns.models import Campaign
from chuyende.materials.models import MaterialTransfer
from chuyende.organisation.models import Unit


@dataclass(frozen=True)
class Holding:
    """One item at one unit: received from above, own supply, passed down, and what is left."""

    received: int = 0
    own_supply: int = 0
    passed_down: int = 0

    @property
    def held(self) -> int:
        return self.received + self.own_supply - self.passed_down


def holding_of(*, unit: Unit, campaign: Campaign, item: str, on: datetime.date | None) -> Holding:
    """What `unit` holds of `item`: copies in by `on` (any date if None), less every copy passed down.

    Copies passed down at any date count, so a transfer dated earlier cannot spend copies a
    later transfer already gave away.
    """
    rows = MaterialTransfer.objects.filter(campaign=campaign, item=item).filter(
        Q(sender=unit) | Q(recipient=unit)
    )
    incoming = rows.filter(recipient=unit) if on is None else rows.filter(recipient=unit, sent_on__lte=on)
    received = incoming.exclude(sender=unit).aggregate(n=Sum("quantity"))["n"] or 0
    own = incoming.filter(sender=unit).aggregate(n=Sum("quantity"))["n"] or 0
    passed = rows.filter(sender=unit).exclude(recipient=unit).aggregate(n=Sum("quantity"))["n"] or 0
    return Holding(received=received, own_supply=own, passed_down=passed)


def holdings_of(*, unit: Unit, campaign: Campaign, on: datetime.date | None) -> dict[str, Holding]:
    """Every item's Holding at `unit` from transfers dated on or before `on` (any date if None).

    One query grouped by item. Unlike `holding_of` (the rule the services check), copies passed
    down after `on` are not subtracted: the page shows the unit as it stood on that day. Items
    the unit never touched are absent; the dict follows the order of MaterialTransfer.Item.
    """
    rows = MaterialTransfer.objects.filter(campaign=campaign).filter(Q(sender=unit) | Q(recipient=unit))
    if on is not None:
        rows = rows.filter(sent_on__lte=on)
    own = Q(sender=unit, recipient=unit)
    totals = {
        row["item"]: row
        for row in rows.values("item").order_by().annotate(
            received=Coalesce(Sum("quantity", filter=Q(recipient=unit) & ~own), 0),
            own_supply=Coalesce(Sum("quantity", filter=own), 0),
            passed_down=Coalesce(Sum("quantity", filter=Q(sender=unit) & ~own), 0),
        )
    }
    return {
        item: Holding(received=row["received"], own_supply=row["own_supply"], passed_down=row["passed_down"])
        for item in MaterialTransfer.Item.values
        for row in [totals.get(item)]
        if row is not None
    }
