"""Members of a unit and of its subtree on a day: by status on the rosters (the unit page), and in
all, to bound a bridge point's attendance (the validation rules)."""

import bisect
import datetime
from collections import Counter
from dataclasses import dataclass, field

from django.db.models import Count, Q

from chuyende.figures.rules import in_period, leaves_on
from chuyende.figures.tree import period_on, periods_on, position_on
from chuyende.members.models import COUNTED_STATUSES, MemberStatus, status_on
from chuyende.organisation.models import Unit
from chuyende.returns.models import MemberReturn


@dataclass(frozen=True)
class RosterByStatus:
    """Members by status: on the unit's own roster, and on the rosters of its whole subtree."""

    own: Counter[str] = field(default_factory=Counter)
    subtree: Counter[str] = field(default_factory=Counter)


def roster_by_status(*, unit: Unit, day: datetime.date) -> RosterByStatus:
    """Members kept per person in the unit and its subtree, on the tree and in the units of `day`,
    by their status that day (three queries: members in their unit of today, members then in an
    earlier unit). Units reporting counts keep no roster."""
    below = periods_on(day).filter(path__under=position_on(unit, day).path).values("unit_id")
    statuses = MemberStatus.objects.filter(status_on(day))
    now = statuses.filter(Q(member__unit_since__isnull=True) | Q(member__unit_since__lte=day),
                          member__unit_id__in=below).values_list("member__unit_id", "status")
    then = statuses.filter(period_on(day, "member__placements__"), member__placements__unit_id__in=below
                           ).values_list("member__placements__unit_id", "status")
    counts = RosterByStatus()
    for rows in (now, then):
        for unit_id, status, n in rows.annotate(n=Count("id")).order_by():
            counts.subtree[status] += n
            if unit_id == unit.pk:
                counts.own[status] += n
    return counts


@dataclass(frozen=True)
class _UnitPeriod:
    path: str
    tracking: str
    opened_on: datetime.date | None
    closed_on: datetime.date | None


class MembersOn:
    """Party members of any part of a subtree on any day up to a date, to bound the attendance of
    a bridge point on the day of its event (`of`).

    The rules are the roll-up's: open units only; a unit kept per person counts the members whose
    status that day is counted; a unit reporting counts its return in force. Returns are often sent
    after the events they cover, so for a unit that has none in force yet, its first return sent
    later (up to the date) bounds the day; a leaf that has sent none at all makes the bound unknown.
    """

    def __init__(self, *, unit: Unit, campaign_id: int, as_of: datetime.date) -> None:
        self.units: dict[int, _UnitPeriod] = {}
        parents: dict[int, int | None] = {}
        for uid, path, parent_id, tracking, opened_on, closed_on in Unit.objects.filter(
            path__under=unit.path
        ).values_list("id", "path", "parent_id", "tracking", "opened_on", "closed_on"):
            self.units[uid] = _UnitPeriod(path=path, tracking=tracking, opened_on=opened_on,
                                          closed_on=closed_on)
            parents[uid] = parent_id
        self.parents = parents
        self.roster: dict[int, list[tuple[datetime.date | None, datetime.date | None, int]]] = {}
        for unit_id, valid_from, valid_to, n in (
            MemberStatus.objects.filter(
                status__in=COUNTED_STATUSES,
                member__unit__in=Unit.objects.filter(
                    path__under=unit.path, tracking=Unit.Tracking.INDIVIDUAL
                ).values("pk"),
            )
            .values_list("member__unit_id", "valid_from", "valid_to")
            .annotate(n=Count("id"))
            .order_by()
        ):
            self.roster.setdefault(unit_id, []).append((valid_from, valid_to, n))
        self.returns: dict[int, list[tuple[datetime.date, int]]] = {}
        for unit_id, day, total in (
            MemberReturn.objects.filter(
                campaign_id=campaign_id, unit__path__under=unit.path, as_of__lte=as_of
            )
            .order_by("unit_id", "as_of")
            .values_list("unit_id", "as_of", "members_total")
        ):
            self.returns.setdefault(unit_id, []).append((day, total))
        self.paths = sorted((u.path, uid) for uid, u in self.units.items())
        self._known: dict[tuple[str, datetime.date], int | None] = {}
        self._trees: dict[datetime.date, tuple[set[int], set[int]]] = {}

    def of(self, path: str, day: datetime.date) -> int | None:
        """Members of the units under `path` on `day`; None when a leaf reporting counts has sent no
        return at all."""
        if (path, day) not in self._known:
            self._known[(path, day)] = self._count(path, day)
        return self._known[(path, day)]

    def _tree_on(self, day: datetime.date) -> tuple[set[int], set[int]]:
        if day not in self._trees:
            periods = [(uid, self.parents[uid], u.opened_on, u.closed_on) for uid, u in self.units.items()]
            self._trees[day] = leaves_on(periods, day)
        return self._trees[day]

    def _under(self, path: str) -> list[int]:
        low = bisect.bisect_left(self.paths, (path, 0))
        high = bisect.bisect_left(self.paths, (path[:-1] + chr(ord(path[-1]) + 1), 0))
        return [uid for _path, uid in self.paths[low:high]]

    def _count(self, path: str, day: datetime.date) -> int | None:
        open_units, leaves = self._tree_on(day)
        total = 0
        for uid in self._under(path):
            if uid not in open_units:
                continue
            if self.units[uid].tracking == Unit.Tracking.INDIVIDUAL:
                total += sum(n for start, stop, n in self.roster.get(uid, ()) if in_period(start, stop, day))
                continue
            returns = self.returns.get(uid)
            if not returns:
                if uid in leaves:
                    return None
                continue
            in_force = [total_then for sent, total_then in returns if sent <= day]
            total += in_force[-1] if in_force else returns[0][1]
        return total
