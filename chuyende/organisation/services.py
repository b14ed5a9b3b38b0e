import datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max
from django.utils.translation import gettext as _

from chuyende.accounts.models import User
from chuyende.accounts.permissions import (
    can_manage_structure,
    require_edit,
    require_levels_manager,
    require_read,
)
from chuyende.audit.services import record_change, snapshot
from chuyende.core.exceptions import NotAllowed
from chuyende.core.validation import require_free
from chuyende.figures import ledger
from chuyende.organisation import tree
from chuyende.organisation.models import Level, Unit, UnitPeriod, path_segment


@transaction.atomic
def level_set(*, depth: int, name: str) -> Level:
    level, _created = Level.objects.update_or_create(depth=depth, defaults={"name": name})
    return level


def _top_path() -> str:
    """Levels belong to the whole tree: their audit entries are seen from the top unit."""
    return Unit.objects.filter(parent=None).values_list("path", flat=True).order_by("path").first() or ""


def _clean_level_name(name: str) -> str:
    name = name.strip()
    if not name:
        raise ValidationError({"name": _("Give the level's name.")})
    return name


@transaction.atomic
def level_create(*, actor: User | None, name: str) -> Level:
    """A level below the deepest one (administrators, or officers of the top unit)."""
    require_levels_manager(actor)
    deepest = Level.objects.select_for_update().order_by("-depth").first()
    level = Level(depth=(deepest.depth + 1) if deepest else 1, name=_clean_level_name(name))
    level.full_clean()
    level.save()
    record_change(actor=actor, action="create", record=level, unit_path=_top_path(), before=None,
                  after=snapshot(level))
    return level


@transaction.atomic
def level_rename(*, actor: User | None, level: Level, name: str) -> Level:
    require_levels_manager(actor)
    level = Level.objects.select_for_update().get(pk=level.pk)
    before = snapshot(level)
    level.name = _clean_level_name(name)
    level.full_clean()
    level.save(update_fields=["name"])
    record_change(actor=actor, action="update", record=level, unit_path=_top_path(), before=before,
                  after=snapshot(level))
    return level


def _check_code_free(code: str, *, exclude_pk: int | None = None) -> None:
    require_free(Unit.objects.filter(code=code), field="code", exclude_pk=exclude_pk,
                 message=_("A unit with code %(code)s already exists.") % {"code": code})


@transaction.atomic
def unit_create(
    *,
    actor: User | None,
    code: str,
    name: str,
    kind: str,
    parent: Unit | None,
    tracking: str = Unit.Tracking.AGGREGATE,
    opened_on: datetime.date | None = None,
    closed_on: datetime.date | None = None,
    sector: str | None = None,
) -> Unit:
    """Creates a unit (`sector` None: "other") with its first period."""
    if parent is None:
        if actor is not None:
            raise NotAllowed
    else:
        require_edit(actor, parent)
        if not can_manage_structure(actor):
            raise NotAllowed
    _check_code_free(code)
    unit = Unit(
        code=code,
        name=name,
        kind=kind,
        sector=sector or Unit.Sector.OTHER,
        tracking=tracking,
        parent=parent,
        opened_on=opened_on,
        closed_on=closed_on,
        path="pending",
        depth=(parent.depth + 1) if parent else 1,
    )
    unit.full_clean(exclude=["path", "depth"])
    _check_dates(unit)
    counters = ledger.track()
    unit.save()
    unit.path = (parent.path if parent else "") + path_segment(unit.pk)
    unit.save(update_fields=["path"])
    tree.start_periods(unit)
    counters.also(units=[unit.pk])
    counters.finish()
    record_change(
        actor=actor, action="create", record=unit, unit_path=unit.path, before=None,
        after=snapshot(unit),
    )
    return unit


def _check_dates(unit: Unit) -> None:
    if unit.opened_on and unit.closed_on and unit.closed_on < unit.opened_on:
        raise ValidationError({"closed_on": _("The closing date is before the opening date.")})


@transaction.atomic
def unit_update(
    *,
    actor: User | None,
    unit: Unit,
    code: str,
    name: str,
    kind: str,
    tracking: str,
    parent: Unit | None,
    opened_on: datetime.date | None,
    closed_on: datetime.date | None,
    sector: str | None = None,
) -> Unit:
    """Corrects the unit; `sector` None keeps the unit's sector."""
    require_edit(actor, unit)
    if not can_manage_structure(actor):
        raise NotAllowed
    unit = Unit.objects.select_for_update().get(pk=unit.pk)
    before = snapshot(unit)
    _check_code_free(code, exclude_pk=unit.pk)
    moved = (parent.pk if parent else None) != unit.parent_id
    if moved and parent is not None:
        require_read(actor, parent)  # keeping the current parent needs no sight of it (top of scope)
    if moved:
        _check_move(actor=actor, unit=unit, parent=parent)
    counted = moved or (unit.tracking, unit.opened_on, unit.closed_on) != (tracking, opened_on, closed_on)
    held = _units_placed_under(unit) if moved else {unit.pk}
    counters = ledger.track(units=held, **(ledger.records_of_units(held) if counted else {}))
    unit.code, unit.opened_on, unit.closed_on = code, opened_on, closed_on
    unit.name, unit.kind, unit.tracking = name, kind, tracking
    unit.sector = unit.sector if sector is None else sector
    unit.full_clean(exclude=["path", "depth", "parent"])
    _check_dates(unit)
    unit.save(update_fields=["code", "opened_on", "closed_on"])
    # A correction: the unit's latest period (its whole history, unless restructured) says it.
    tree.change_from(unit, _latest_period_start(unit), name=name, kind=kind, tracking=tracking,
                     sector=unit.sector, parent_id=parent.pk if parent else unit.parent_id)
    unit.refresh_from_db(fields=["path", "depth", "parent", "name", "kind", "sector", "tracking"])
    counters.finish()
    record_change(
        actor=actor, action="update", record=unit, unit_path=unit.path, before=before,
        after=snapshot(unit),
    )
    return unit


def _check_move(*, actor: User | None, unit: Unit, parent: Unit | None) -> None:
    if parent is None:
        raise ValidationError({"parent": _("Only the top unit may have no parent unit.")})
    require_edit(actor, parent)
    if actor is not None and actor.unit_id == unit.pk:
        raise NotAllowed
    if parent.path.startswith(unit.path):
        raise ValidationError(
            {"parent": _("A unit cannot be placed under itself or under one of its own sub-units.")}
        )


def _latest_period_start(unit: Unit) -> datetime.date | None:
    return UnitPeriod.objects.filter(unit=unit).aggregate(start=Max("valid_from"))["start"]


def _units_placed_under(unit: Unit) -> set[int]:
    """The unit and every unit ever placed below it while it had its current path."""
    return set(UnitPeriod.objects.filter(path__under=unit.path).values_list("unit_id", flat=True))
