import datetime
from dataclasses import dataclass

from django.db.models import QuerySet

from chuyende.organisation.models import Level, Unit, UnitPeriod


def subtree(*, root: Unit, include_root: bool = True) -> QuerySet[Unit]:
    units = Unit.objects.filter(path__startswith=root.path)
    return units if include_root else units.exclude(pk=root.pk)


def codes_and_names(*, root: Unit | None) -> list[tuple[str, str]]:
    """(code, name) of every unit of the subtree of `root` (the whole tree for None), in tree order:
    one query, no model instances, so a province of 10,000 units stays cheap."""
    units = Unit.objects.all() if root is None else subtree(root=root)
    return list(units.order_by("path").values_list("code", "name"))


def ancestors(*, unit: Unit, include_self: bool = False) -> QuerySet[Unit]:
    width = len(unit.path) // unit.depth
    prefixes = [unit.path[: width * d] for d in range(1, unit.depth + (1 if include_self else 0))]
    return Unit.objects.filter(path__in=prefixes)


def children(*, unit: Unit) -> QuerySet[Unit]:
    return Unit.objects.filter(parent=unit).order_by("kind", "name")


def level_names() -> dict[int, str]:
    return dict(Level.objects.values_list("depth", "name"))


@dataclass(frozen=True)
class HistoryEntry:
    """One period of a unit: from, until, name, parent, kind, tracking, and the decision that began it."""

    period: UnitPeriod
    parent_name: str
    decision: str  # "215-QĐ/TU (27/06/2025)", or "" for a period no decision began


@dataclass(frozen=True)
class UnitHistory:
    periods: list[HistoryEntry]
    predecessors: list[tuple[Unit, str, datetime.date]]  # unit, how (merged, split, closed), from
    successors: list[tuple[Unit, str, datetime.date]]


def history(*, unit: Unit) -> UnitHistory:
    """The unit's periods with their decisions, the units it continues and those that continue it
    (three queries)."""
    from chuyende.restructuring.models import Succession

    periods = list(UnitPeriod.objects.filter(unit=unit).select_related("parent", "decision"))
    entries = [HistoryEntry(period=p, parent_name=p.parent.name if p.parent else "",
                            decision=str(p.decision) if p.decision else "") for p in periods]
    before = Succession.objects.filter(successor=unit).select_related("predecessor")
    after = Succession.objects.filter(predecessor=unit).select_related("successor")
    return UnitHistory(
        periods=entries,
        predecessors=[(s.predecessor, s.get_kind_display(), s.on) for s in before],
        successors=[(s.successor, s.get_kind_display(), s.on) for s in after],
    )
