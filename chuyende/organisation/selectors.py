import datetime

from django.db.models import QuerySet

from chuyende.organisation.models import Level, Unit


def subtree(*, root: Unit, include_root: bool = True) -> QuerySet[Unit]:
    units = Unit.objects.filter(path__startswith=root.path)
    return units if include_root else units.exclude(pk=root.pk)


def ancestors(*, unit: Unit, include_self: bool = False) -> QuerySet[Unit]:
    width = len(unit.path) // unit.depth
    prefixes = [unit.path[: width * d] for d in range(1, unit.depth + (1 if include_self else 0))]
    return Unit.objects.filter(path__in=prefixes)


def children(*, unit: Unit) -> QuerySet[Unit]:
    return Unit.objects.filter(parent=unit).order_by("kind", "name")


def is_open_on(unit: Unit, day: datetime.date) -> bool:
    opened = unit.opened_on is None or unit.opened_on <= day
    return opened and (unit.closed_on is None or unit.closed_on > day)


def level_names() -> dict[int, str]:
    return dict(Level.objects.values_list("depth", "name"))
