import datetime

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


def is_open_on(unit: Unit, day: datetime.date) -> bool:
    opened = unit.opened_on is None or unit.opened_on <= day
    return opened and (unit.closed_on is None or unit.closed_on > day)


def level_names() -> dict[int, str]:
    return dict(Level.objects.values_list("depth", "name"))


def roster_counts(*, unit: Unit, day: datetime.date) -> dict[str, dict[str, int]]:
    """Members on the rosters of the unit itself ("own") and of its whole subtree ("subtree"),
    by their status on `day` (one query). Units reporting aggregate returns keep no roster."""
    from django.db.models import Count

    from chuyende.members.models import MemberStatus, status_on

    rows = (
        MemberStatus.objects.filter(status_on(day), member__unit__path__startswith=unit.path)
        .values_list("member__unit_id", "status")
        .annotate(n=Count("id"))
        .order_by()
    )
    counts: dict[str, dict[str, int]] = {"own": {}, "subtree": {}}
    for unit_id, status, n in rows:
        counts["subtree"][status] = counts["subtree"].get(status, 0) + n
        if unit_id == unit.pk:
            counts["own"][status] = counts["own"].get(status, 0) + n
    return counts
