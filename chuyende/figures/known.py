"""What units know of their study and no more (DOMAIN §4.1): returns that give the number who
studied without the number expected, or a bound ("trên 60 người", "trên 95%").

These facts are never counted into a rate or a denominator: the ledger does not read them. They are
read here at report time and reported apart, each as it was stated. The latest return on or before
the date wins: a partial return is left out once the unit has sent full figures of the same people
dated on or after it.
"""

import datetime
from dataclasses import dataclass
from decimal import Decimal

from chuyende.campaigns.models import Campaign
from chuyende.figures.rollup import UnitRef
from chuyende.figures.tree import REF_FIELDS, periods_on, position_on
from chuyende.organisation.models import Unit
from chuyende.returns.models import MemberReturn, NonMemberReturn, PartialReturn


@dataclass(frozen=True)
class KnownOnly:
    """One unit's partial return in force: `kind` is `studied` (the number who studied, no number
    expected), `studied_above` (more than `value` studied) or `rate_above` (more than `value` %)."""

    unit: UnitRef
    who: str
    category: str
    kind: str
    value: int | Decimal
    as_of: datetime.date


def known_only(*, unit: Unit, campaign: Campaign, as_of: datetime.date,
               path: str | None = None) -> list[KnownOnly]:
    """The partial returns in force on the date in the unit's subtree (the tree of that day), in tree
    order (one query when there are none, four when there are; one more for the unit's place on the
    date unless `path`, the unit's path on the date, is given)."""
    below = periods_on(as_of).filter(path__under=path or position_on(unit, as_of).path)
    rows = PartialReturn.objects.filter(
        campaign=campaign, as_of__lte=as_of, unit_id__in=below.values("unit_id"),
    ).values_list("unit_id", "who", "category", "as_of", "studied", "studied_above", "rate_above").order_by()
    latest: dict[tuple[int, str, str], tuple[datetime.date, int | None, int | None, Decimal | None]] = {}
    for unit_id, who, category, day, studied, above, rate in rows:
        key = (unit_id, who, category)
        if key not in latest or latest[key][0] < day:
            latest[key] = (day, studied, above, rate)
    if not latest:
        return []
    ids = {key[0] for key in latest}
    full: dict[tuple[int, str], datetime.date] = {}
    models = ((MemberReturn, PartialReturn.Who.MEMBERS), (NonMemberReturn, PartialReturn.Who.NON_MEMBERS))
    for model, who in models:
        days = model._default_manager.filter(campaign=campaign, unit_id__in=ids, as_of__lte=as_of)
        for unit_id, day in days.values_list("unit_id", "as_of").order_by():
            full[(unit_id, who)] = max(day, full.get((unit_id, who), day))
    refs = {row[0]: UnitRef(*row) for row in below.filter(unit_id__in=ids).values_list(*REF_FIELDS)}
    found = []
    for (unit_id, who, category), (day, studied, above, rate) in latest.items():
        superseded = full.get((unit_id, who))
        if superseded is not None and superseded >= day:
            continue
        value: int | Decimal
        if rate is not None:
            kind, value = "rate_above", rate
        elif above is not None:
            kind, value = "studied_above", above
        else:
            kind, value = "studied", studied or 0
        found.append(KnownOnly(unit=refs[unit_id], who=who, category=category, kind=kind,
                               value=value, as_of=day))
    return sorted(found, key=lambda fact: (fact.unit.path, fact.who, fact.category))
