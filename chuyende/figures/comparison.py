"""An earlier campaign's coverage mapped onto today's tree, beside a later campaign's (DOMAIN §2.1).

A unit of the later date is compared with the units of the earlier date that its subtree of the
later date continues: each unit of that subtree stands for itself if it was open then, else for the
units merged or split into it (and for a unit closed naming it as successor, when that unit held
figures of its own: a closed unit with sub-units is represented by them), followed back step by
step. Of those, a unit whose ancestor on the earlier date is also taken is left out (the ancestor's
figures hold it). Counts are summed and the rate recomputed, never averaged; a unit split among
several successors is taken whole, with a note saying so.
"""

import datetime
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.utils.translation import gettext as _

from chuyende.campaigns.models import Campaign
from chuyende.core.numbers import compute_rate, format_number
from chuyende.figures.rollup import Tally, UnitRef, tallies
from chuyende.figures.rules import is_open_on
from chuyende.figures.tree import REF_FIELDS, periods_on
from chuyende.organisation.models import Unit
from chuyende.restructuring.models import Succession


@dataclass(frozen=True)
class Coverage:
    campaign: str
    as_of: datetime.date
    eligible: int
    studied: int
    rate: Decimal | None


@dataclass(frozen=True)
class Comparison:
    unit: UnitRef
    earlier: Coverage
    later: Coverage
    predecessors: list[UnitRef]  # the units of the earlier date whose counts make `earlier`
    split: list[UnitRef]  # those of them shared with other successors: shown whole

    @property
    def difference(self) -> Decimal | None:
        """Percentage points gained (negative: lost) from the earlier rate to the later one."""
        if self.earlier.rate is None or self.later.rate is None:
            return None
        return self.later.rate - self.earlier.rate


class _Predecessors:
    """Walks back from units of the later tree to the units of `day` they continue (the rule above)."""

    def __init__(self, day: datetime.date) -> None:
        self.day = day
        self.back: dict[int, list[tuple[int, datetime.date, str]]] = {}
        for predecessor, successor, on, kind in Succession.objects.filter(on__gt=day).values_list(
                "predecessor_id", "successor_id", "on", "kind"):
            self.back.setdefault(successor, []).append((predecessor, on, kind))
        self.then: dict[int, tuple[str, bool]] = {}  # unit -> (path on the day, open on the day)

    def _read(self, ids: set[int]) -> None:
        missing = ids - self.then.keys()
        if missing:
            rows = periods_on(self.day).filter(unit_id__in=missing).values_list(
                "unit_id", "path", "unit__opened_on", "unit__closed_on")
            for pk, path, opened_on, closed_on in rows:
                self.then[pk] = (path, is_open_on(opened_on, closed_on, self.day))

    def _had_sub_units(self, pk: int) -> bool:
        path = self.then[pk][0]
        return any(is_open_on(opened_on, closed_on, self.day) for opened_on, closed_on in
                   periods_on(self.day).filter(path__under=path).exclude(unit_id=pk).values_list(
                       "unit__opened_on", "unit__closed_on"))

    def of(self, below: set[int]) -> set[int]:
        found: set[int] = set()
        seen: set[int] = set()
        pending = set(below)
        while pending:
            self._read(pending)
            seen |= pending
            step: set[int] = set()
            for current in pending:
                if current in self.then and self.then[current][1]:
                    found.add(current)
                    continue
                step.update(predecessor for predecessor, _, kind in self.back.get(current, [])
                            if kind != Succession.Kind.CLOSE or self._kept_closed(predecessor))
            pending = step - seen
        paths = {pk: self.then[pk][0] for pk in found}
        return {pk for pk, path in paths.items()
                if not any(other != path and path.startswith(other) for other in paths.values())}

    def _kept_closed(self, pk: int) -> bool:
        self._read({pk})
        return pk in self.then and not self._had_sub_units(pk)


def _successor_counts(unit_ids: set[int]) -> dict[int, int]:
    counts: dict[int, int] = {}
    for predecessor in Succession.objects.filter(predecessor_id__in=unit_ids).values_list("predecessor_id",
                                                                                         flat=True):
        counts[predecessor] = counts.get(predecessor, 0) + 1
    return counts


def _coverage(found: dict[int, Tally], unit_ids: set[int], campaign: Campaign,
              as_of: datetime.date) -> Coverage:
    eligible = studied = 0
    for unit_id in unit_ids:
        tally = found.get(unit_id) or Tally()
        eligible += tally.eligible
        studied += tally.studied
    return Coverage(campaign=campaign.code, as_of=as_of, eligible=eligible, studied=studied,
                    rate=compute_rate(studied, eligible, precision=campaign.rate_precision))


def comparisons(*, units: Sequence[Unit], earlier: Campaign, earlier_as_of: datetime.date, later: Campaign,
                later_as_of: datetime.date) -> list[Comparison]:
    """Each unit of the later date beside what it continues of the earlier date (a constant number
    of queries for the units together, and a few a level of restructuring walked back)."""
    positions = {row[0]: row for row in periods_on(later_as_of).filter(unit_id__in=[u.pk for u in units])
                 .values_list(*REF_FIELDS)}
    top = min((row[4] for row in positions.values()), key=len)
    if not all(row[4].startswith(top) for row in positions.values()):
        top = top[:top.rstrip(".").rfind(".") + 1]  # siblings: their parent's subtree holds them all
    placed = list(periods_on(later_as_of).filter(path__under=top).values_list("unit_id", "path"))
    walk = _Predecessors(earlier_as_of)
    origins = {}
    for unit in units:
        path = positions[unit.pk][4]
        origins[unit.pk] = walk.of({pk for pk, other in placed if other.startswith(path)})
    taken = set().union(*origins.values()) if origins else set()
    shared = {pk for pk, count in _successor_counts(taken).items() if count > 1}
    before = tallies(unit_ids=taken, campaign=earlier, as_of=earlier_as_of)
    now = tallies(unit_ids=[u.pk for u in units], campaign=later, as_of=later_as_of)
    rows = periods_on(earlier_as_of).filter(unit_id__in=taken).values_list(
        *REF_FIELDS)
    refs = {pk: UnitRef(pk, code, name, kind, path) for pk, code, name, kind, path in rows}
    return [
        Comparison(
            unit=UnitRef(*positions[unit.pk]),
            earlier=_coverage(before, origins[unit.pk], earlier, earlier_as_of),
            later=_coverage(now, {unit.pk}, later, later_as_of),
            predecessors=sorted((refs[pk] for pk in origins[unit.pk]), key=lambda ref: ref.path),
            split=sorted((refs[pk] for pk in origins[unit.pk] & shared), key=lambda ref: ref.path),
        )
        for unit in units
    ]


def compare(*, unit: Unit, earlier: Campaign, earlier_as_of: datetime.date, later: Campaign,
            later_as_of: datetime.date) -> Comparison:
    return comparisons(units=[unit], earlier=earlier, earlier_as_of=earlier_as_of, later=later,
                       later_as_of=later_as_of)[0]


def change_sentence(comparison: Comparison, *, year: int, precision: int = 2) -> str:
    """"So với năm 2024, tỷ lệ đảng viên học tập tăng 1,85 điểm phần trăm." (empty without rates)."""
    points = comparison.difference
    if points is None:
        return ""
    values = {"year": year, "points": format_number(abs(points), decimals=precision)}
    if points > 0:
        return _("Compared with %(year)s, the share of party members who studied rose by %(points)s "
                 "percentage points.") % values
    if points < 0:
        return _("Compared with %(year)s, the share of party members who studied fell by %(points)s "
                 "percentage points.") % values
    return _("Compared with %(year)s, the share of party members who studied is unchanged.") % {"year": year}


def comparison_json(comparison: Comparison) -> dict[str, Any]:
    """A comparison as JSON values (rates and differences as decimal strings)."""
    def coverage_json(coverage: Coverage) -> dict[str, Any]:
        return {"campaign": coverage.campaign, "as_of": coverage.as_of.isoformat(),
                "eligible": coverage.eligible, "studied": coverage.studied,
                "rate": None if coverage.rate is None else str(coverage.rate)}

    return {
        "code": comparison.unit.code, "name": comparison.unit.name,
        "earlier": coverage_json(comparison.earlier), "later": coverage_json(comparison.later),
        "difference": None if comparison.difference is None else str(comparison.difference),
        "compared_with": [{"code": ref.code, "name": ref.name} for ref in comparison.predecessors],
        "split": [{"code": ref.code, "name": ref.name} for ref in comparison.split],
    }


def _year_before(day: datetime.date) -> datetime.date:
    try:
        return day.replace(year=day.year - 1)
    except ValueError:  # 29 February
        return day.replace(year=day.year - 1, day=28)


def last_year(*, unit: Unit, campaign: Campaign, as_of: datetime.date) -> tuple[int, Comparison] | None:
    """The unit's coverage beside that of the campaign of the same kind and owner of the year before,
    taken on the same day a year earlier and mapped onto the unit's subtree (`compare`), for a
    report's "so với năm ..." sentence; None when there is no such campaign, when the unit continues
    nothing of that day, when it continues a unit split among several successors (not comparable),
    or when either side has no rate. One query, and those of `compare` when there is a campaign."""
    earlier = (Campaign.objects.filter(kind=campaign.kind, owner_id=campaign.owner_id, year=campaign.year - 1)
               .exclude(pk=campaign.pk).order_by("-starts", "-pk").first())
    if earlier is None:
        return None
    comparison = compare(unit=unit, earlier=earlier, earlier_as_of=_year_before(as_of), later=campaign,
                         later_as_of=as_of)
    if not comparison.predecessors or comparison.split or comparison.difference is None:
        return None
    return earlier.year, comparison
