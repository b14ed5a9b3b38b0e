"""Members of a unit and of its subtree on a day: by status on the rosters (the unit page), and in
all, to bound a bridge point's attendance (the validation rules)."""

import datetime
from collections import Counter
from dataclasses import dataclass, field

from django.db.models import Count, Q

from chuyende.figures.rules import in_period, leaves_on
from chuyende.figures.tree import period_on, periods_on, position_on
from chuyende.members.models import COUNTED_STATUSES, MemberStatus, status_on
from chuyende.organisation.models import Unit, UnitPeriod
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
    start: datetime.date | None
    stop: datetime.date | None
    path: str
    parent_id: int | None
    tracking: str


class MembersOn:
    """Party members of any part of a subtree on any day up to a date, on the tree of that day, to
    bound the attendance of a bridge point on the day of its event (`of`).

    The rules are the roll-up's: open units only; a unit kept per person counts the members whose
    status that day is counted and who were in it that day; a unit reporting counts its return in
    force. Returns are often sent after the events they cover, so for a unit that has none in force
    yet, its first return sent later (up to the date) bounds the day; a leaf that has sent none at
    all makes the bound unknown. The subtree is every unit ever placed below the top unit's place on
    the date.
    """

    def __init__(self, *, path: str, campaign_id: int, as_of: datetime.date) -> None:
        """`path`: the subtree's top unit's path on `as_of`."""
        below = UnitPeriod.objects.filter(path__under=path).values("unit_id")
        self.periods: dict[int, list[_UnitPeriod]] = {}
        self.open: dict[int, tuple[datetime.date | None, datetime.date | None]] = {}
        for uid, start, stop, path, parent_id, tracking, opened_on, closed_on in UnitPeriod.objects.filter(
            unit_id__in=below
        ).values_list("unit_id", "valid_from", "valid_to", "path", "parent_id", "tracking", "unit__opened_on",
                      "unit__closed_on"):
            self.periods.setdefault(uid, []).append(_UnitPeriod(start, stop, path, parent_id, tracking))
            self.open[uid] = (opened_on, closed_on)
        self.roster: dict[int, list[tuple[datetime.date | None, datetime.date | None, int]]] = {}
        counted = MemberStatus.objects.filter(status__in=COUNTED_STATUSES)
        for unit_id, since, valid_from, valid_to, n in (
            counted.filter(member__unit_id__in=below)
            .values_list("member__unit_id", "member__unit_since", "valid_from", "valid_to")
            .annotate(n=Count("id")).order_by()
        ):
            self._add(unit_id, (since, None), (valid_from, valid_to), n)
        for unit_id, placed_from, placed_to, valid_from, valid_to, n in (
            counted.filter(member__placements__unit_id__in=below)
            .values_list("member__placements__unit_id", "member__placements__valid_from",
                         "member__placements__valid_to", "valid_from", "valid_to")
            .annotate(n=Count("id")).order_by()
        ):
            self._add(unit_id, (placed_from, placed_to), (valid_from, valid_to), n)
        self.returns: dict[int, list[tuple[datetime.date, int]]] = {}
        for unit_id, day, total in (
            MemberReturn.objects.filter(campaign_id=campaign_id, unit_id__in=below, as_of__lte=as_of)
            .order_by("unit_id", "as_of")
            .values_list("unit_id", "as_of", "members_total")
        ):
            self.returns.setdefault(unit_id, []).append((day, total))
        self._known: dict[tuple[int, datetime.date], int | None] = {}
        self._trees: dict[datetime.date, tuple[dict[int, _UnitPeriod], set[int], set[int]]] = {}

    def _add(self, unit_id: int, placed: tuple[datetime.date | None, datetime.date | None],
             status: tuple[datetime.date | None, datetime.date | None], n: int) -> None:
        starts = [day for day in (placed[0], status[0]) if day is not None]
        stops = [day for day in (placed[1], status[1]) if day is not None]
        start, stop = (max(starts) if starts else None), (min(stops) if stops else None)
        if start is None or stop is None or start < stop:
            self.roster.setdefault(unit_id, []).append((start, stop, n))

    def of(self, unit_id: int, day: datetime.date) -> int | None:
        """Members of the units under `unit_id`'s place on `day`; None when a leaf reporting counts
        has sent no return at all (or the unit is not in the subtree)."""
        if (unit_id, day) not in self._known:
            self._known[(unit_id, day)] = self._count(unit_id, day)
        return self._known[(unit_id, day)]

    def _tree_on(self, day: datetime.date) -> tuple[dict[int, _UnitPeriod], set[int], set[int]]:
        if day not in self._trees:
            places = {uid: next(p for p in periods if in_period(p.start, p.stop, day))
                      for uid, periods in self.periods.items()}
            rows = [(uid, place.parent_id, *self.open[uid]) for uid, place in places.items()]
            open_units, leaves = leaves_on(rows, day)
            self._trees[day] = (places, open_units, leaves)
        return self._trees[day]

    def _count(self, unit_id: int, day: datetime.date) -> int | None:
        places, open_units, leaves = self._tree_on(day)
        if unit_id not in places:
            return None
        path = places[unit_id].path
        total = 0
        for uid, place in places.items():
            if uid not in open_units or not place.path.startswith(path):
                continue
            if place.tracking == Unit.Tracking.INDIVIDUAL:
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
