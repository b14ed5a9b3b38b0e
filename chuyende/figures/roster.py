"""Members on the rosters of a unit and of its subtree by their status on a day (the unit page)."""

import datetime
from collections import Counter
from dataclasses import dataclass, field

from django.db.models import Count

from chuyende.members.models import MemberStatus, status_on
from chuyende.organisation.models import Unit


@dataclass(frozen=True)
class RosterByStatus:
    """Members by status: on the unit's own roster, and on the rosters of its whole subtree."""

    own: Counter[str] = field(default_factory=Counter)
    subtree: Counter[str] = field(default_factory=Counter)


def roster_by_status(*, unit: Unit, day: datetime.date) -> RosterByStatus:
    """Members kept per person in the unit and its subtree by their status on `day` (one query).
    Units reporting counts keep no roster."""
    rows = (
        MemberStatus.objects.filter(status_on(day), member__unit__path__under=unit.path)
        .values_list("member__unit_id", "status")
        .annotate(n=Count("id"))
        .order_by()
    )
    counts = RosterByStatus()
    for unit_id, status, n in rows:
        counts.subtree[status] += n
        if unit_id == unit.pk:
            counts.own[status] += n
    return counts
