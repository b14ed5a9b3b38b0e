from django.db.models import QuerySet

from chuyende.organisation.models import Level, Unit


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
