"""The tree as it was on a day: which units were where, under which names, kinds and levels.

Every page, export, report and API answer that shows the tree as of a date reads it here, from the
units' periods (written by `chuyende.organisation.tree`).
"""

import datetime

from django.db.models import Q, QuerySet

from chuyende.organisation.models import Level, LevelName, Unit, UnitPeriod

# The fields of a period a `figures.rollup.UnitRef` is made of, in its order (the unit as it was).
REF_FIELDS = ("unit_id", "unit__code", "name", "kind", "path")


def period_on(day: datetime.date, prefix: str = "") -> Q:
    """Periods (of units, members, level names) in force on `day`."""
    start = Q(**{f"{prefix}valid_from__isnull": True}) | Q(**{f"{prefix}valid_from__lte": day})
    end = Q(**{f"{prefix}valid_to__isnull": True}) | Q(**{f"{prefix}valid_to__gt": day})
    return start & end


def periods_on(day: datetime.date) -> QuerySet[UnitPeriod]:
    return UnitPeriod.objects.filter(period_on(day))


def position_on(unit: Unit | int, day: datetime.date) -> UnitPeriod:
    unit_id = unit if isinstance(unit, int) else unit.pk
    return periods_on(day).get(unit_id=unit_id)


def name_on(unit: Unit, day: datetime.date) -> str:
    """The unit's name on `day` (its name of today when it had no period then)."""
    return periods_on(day).filter(unit_id=unit.pk).values_list("name", flat=True).first() or unit.name


def subtree_on(root: Unit, day: datetime.date, *, include_root: bool = True) -> QuerySet[UnitPeriod]:
    """The periods in force on `day` of the units below `root` as the tree was that day."""
    path = position_on(root, day).path
    periods = periods_on(day).filter(path__under=path)
    return periods if include_root else periods.exclude(unit_id=root.pk)


def children_on(unit: Unit, day: datetime.date) -> QuerySet[UnitPeriod]:
    return periods_on(day).filter(parent_id=unit.pk)


def level_names_on(day: datetime.date) -> dict[int, str]:
    """The level names in force on `day`: the latest dated one of each depth, else today's."""
    names = dict(Level.objects.values_list("depth", "name"))
    dated: dict[int, tuple[datetime.date, str]] = {}
    for depth, name, since in LevelName.objects.values_list("depth", "name", "valid_from"):
        start = since or datetime.date.min
        if start <= day and (depth not in dated or dated[depth][0] < start):
            dated[depth] = (start, name)
    names.update({depth: name for depth, (_, name) in dated.items()})
    return names


def units_on(*, root: Unit, day: datetime.date) -> list[Unit]:
    """The units of `root`'s subtree as they were on `day` (those opened by then, closed ones
    included), in tree order, as unsaved `Unit` values carrying that day's parent, name, kind,
    sector, tracking and path (for pages and exports; two queries)."""
    rows = subtree_on(root, day).exclude(unit__opened_on__gt=day).select_related("unit").order_by("path")
    return [Unit(pk=p.unit_id, code=p.unit.code, name=p.name, kind=p.kind, sector=p.sector,
                 tracking=p.tracking,
                 parent_id=p.parent_id, path=p.path, depth=p.depth, opened_on=p.unit.opened_on,
                 closed_on=p.unit.closed_on) for p in rows]
