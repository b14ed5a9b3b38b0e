"""Writing the dated tree: each unit's periods (parent, name, kind, sector, tracking, path).

Writes go through `change_from`, which splits the unit's period at the day, sets the new values
from then on and recomputes the paths of the unit and of every unit ever below it; the `Unit` row
then repeats the last period. The tree as of a day is read through `chuyende.figures.tree`.
"""

import datetime
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, replace

from django.db import connections

from chuyende.organisation.models import Unit, UnitPeriod, path_segment

ATTRIBUTES = ("parent_id", "name", "kind", "tracking", "sector")


# --- writing -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Span:
    """A period as plain values, while periods are being recomputed."""

    valid_from: datetime.date | None
    valid_to: datetime.date | None
    parent_id: int | None
    name: str
    kind: str
    tracking: str
    path: str = ""
    depth: int = 0
    decision_id: int | None = None
    sector: str = Unit.Sector.OTHER

    def covers(self, day: datetime.date) -> bool:
        return (self.valid_from is None or self.valid_from <= day) and (
            self.valid_to is None or self.valid_to > day)


def _spans(unit_ids: Iterable[int]) -> dict[int, list[Span]]:
    spans: dict[int, list[Span]] = defaultdict(list)
    rows = UnitPeriod.objects.filter(unit_id__in=list(unit_ids)).values_list(
        "unit_id", "valid_from", "valid_to", "parent_id", "name", "kind", "tracking", "path", "depth",
        "decision_id", "sector")
    for (unit_id, valid_from, valid_to, parent_id, name, kind, tracking, path, depth, decision_id,
         sector) in rows:
        spans[unit_id].append(Span(valid_from, valid_to, parent_id, name, kind, tracking, path, depth,
                                   decision_id, sector))
    for periods in spans.values():
        periods.sort(key=_start)
    return spans


def _start(span: Span) -> datetime.date:
    return span.valid_from or datetime.date.min


def start_periods(unit: Unit) -> None:
    """The first period of a new unit: its row, over the whole time line."""
    UnitPeriod.objects.create(unit=unit, parent_id=unit.parent_id, name=unit.name, kind=unit.kind,
                              sector=unit.sector, tracking=unit.tracking, path=unit.path, depth=unit.depth)


def start_missing_periods(using: str = "default") -> None:
    """A first period for every unit written in bulk without one (generated trees)."""
    quote = connections[using].ops.quote_name
    periods, units = quote(UnitPeriod._meta.db_table), quote(Unit._meta.db_table)
    columns = ("unit_id", "parent_id", "name", "kind", "sector", "tracking", "path", "depth")
    picked = ("id", "parent_id", "name", "kind", "sector", "tracking", "path", "depth")
    with connections[using].cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {periods} ({', '.join(quote(c) for c in columns)}) "
            f"SELECT {', '.join('u.' + quote(c) for c in picked)} FROM {units} u "
            f"WHERE NOT EXISTS (SELECT 1 FROM {periods} p WHERE p.unit_id = u.id)"
        )


def change_from(unit: Unit | int, day: datetime.date | None, *, decision_id: int | None = None,
                **changes: object) -> None:
    """Sets `changes` (of ATTRIBUTES) from `day` on (over every period when `day` is None), then
    recomputes the paths below. Every later period takes the new values too."""
    unit_id = unit if isinstance(unit, int) else unit.pk
    spans = _spans([unit_id])[unit_id]
    if day is not None:
        spans = _split(spans, day)
    changed = []
    for span in spans:
        if day is None or _start(span) >= day:
            new = replace(span, **changes)  # type: ignore[arg-type]
            if day is not None and span.valid_from == day and decision_id is not None:
                new = replace(new, decision_id=decision_id)
            changed.append(new)
        else:
            changed.append(span)
    _recompute({unit_id: changed})


def _split(spans: list[Span], day: datetime.date) -> list[Span]:
    result = []
    for span in spans:
        if span.covers(day) and span.valid_from != day:
            result += [replace(span, valid_to=day), replace(span, valid_from=day, decision_id=None)]
        else:
            result.append(span)
    return result


def _recompute(own: dict[int, list[Span]]) -> None:
    """Writes the units' periods with paths from their parents' periods, then does the same for
    every unit that was ever below them (one level at a time)."""
    written: dict[int, list[Span]] = {}
    pending = own
    while pending:
        parents = {span.parent_id for spans in pending.values() for span in spans if span.parent_id}
        known = _spans(parents - written.keys() - pending.keys())
        known.update(written)
        for unit_id, spans in pending.items():
            written[unit_id] = _merge(_placed(unit_id, spans, known))
            known[unit_id] = written[unit_id]
        below = set(UnitPeriod.objects.filter(parent_id__in=list(pending)).values_list(
            "unit_id", flat=True)) - written.keys()
        pending = _spans(below)
    _write(written)


def _placed(unit_id: int, spans: list[Span], known: dict[int, list[Span]]) -> list[Span]:
    """The spans cut where the parent's path changes, each with its path and depth."""
    placed = []
    for span in spans:
        if span.parent_id is None:
            placed.append(replace(span, path=path_segment(unit_id), depth=1))
            continue
        for parent in known[span.parent_id]:
            start = max(_start(span), _start(parent))
            ends = [end for end in (span.valid_to, parent.valid_to) if end is not None]
            end = min(ends) if ends else None
            if end is not None and end <= start:
                continue
            placed.append(replace(
                span, valid_from=None if start == datetime.date.min else start, valid_to=end,
                path=parent.path + path_segment(unit_id), depth=parent.depth + 1,
                decision_id=span.decision_id if start == _start(span) else None,
            ))
    return placed


def _merge(spans: list[Span]) -> list[Span]:
    """Joins neighbours that say the same (keeping the first one's decision)."""
    merged: list[Span] = []
    for span in sorted(spans, key=_start):
        last = merged[-1] if merged else None
        if last is not None and last.valid_to == span.valid_from and replace(
            last, valid_from=None, valid_to=None, decision_id=None
        ) == replace(span, valid_from=None, valid_to=None, decision_id=None):
            merged[-1] = replace(last, valid_to=span.valid_to)
        else:
            merged.append(span)
    return merged


def _write(spans: dict[int, list[Span]]) -> None:
    UnitPeriod.objects.filter(unit_id__in=list(spans)).delete()
    UnitPeriod.objects.bulk_create([
        UnitPeriod(unit_id=unit_id, valid_from=s.valid_from, valid_to=s.valid_to, parent_id=s.parent_id,
                   name=s.name, kind=s.kind, sector=s.sector, tracking=s.tracking, path=s.path,
                   depth=s.depth, decision_id=s.decision_id)
        for unit_id, periods in spans.items() for s in periods
    ])
    units = Unit.objects.in_bulk(list(spans))
    for unit_id, periods in spans.items():
        last = periods[-1]
        unit = units[unit_id]
        unit.parent_id, unit.name, unit.kind = last.parent_id, last.name, last.kind
        unit.tracking, unit.sector = last.tracking, last.sector
        unit.path, unit.depth = last.path, last.depth
    # Each path ends with the unit's own id: two units never hold one path, even in between.
    Unit.objects.bulk_update(list(units.values()),
                             ["parent", "name", "kind", "sector", "tracking", "path", "depth"])


def snapshot_periods(unit_ids: Iterable[int]) -> dict[str, list[list[object]]]:
    """The units' periods as JSON-ready lists (for putting them back)."""
    return {
        str(unit_id): [[s.valid_from and s.valid_from.isoformat(), s.valid_to and s.valid_to.isoformat(),
                        s.parent_id, s.name, s.kind, s.tracking, s.path, s.depth, s.decision_id, s.sector]
                       for s in spans]
        for unit_id, spans in _spans(unit_ids).items()
    }


def restore_periods(saved: dict[str, list[list[object]]]) -> None:
    """Puts back what `snapshot_periods` saved; a snapshot saved before units had a sector keeps
    each unit's sector of today."""
    def day(value: object) -> datetime.date | None:
        return None if value is None else datetime.date.fromisoformat(str(value))

    ids = [int(unit_id) for unit_id in saved]
    sectors = dict(Unit.objects.filter(pk__in=ids).values_list("id", "sector"))
    _write({
        int(unit_id): [Span(day(r[0]), day(r[1]), r[2], str(r[3]), str(r[4]), str(r[5]), str(r[6]),  # type: ignore[arg-type]
                            int(r[7]), r[8],  # type: ignore[arg-type,call-overload]
                            str(r[9]) if len(r) > 9 else sectors.get(int(unit_id), Unit.Sector.OTHER))
                       for r in rows]
        for unit_id, rows in saved.items()
    })
