"""The counting rules every module shares, written once (DOMAIN.md §3).

- a unit is open on a day when it had opened by then (or has no opening date) and had not yet
  closed (a unit closed on a day is no longer open that day);
- a leaf on a day is an open unit none of whose sub-units is open: it holds figures of its own;
- the return in force on a day is, per campaign and unit, the latest one dated on or before it.

This module imports nothing of the project, so any app (services, selectors, the roll-up) may use it
without an import cycle.
"""

import datetime
from collections.abc import Callable, Hashable, Iterable
from typing import Any, Protocol, TypeVar

from django.db.models import Model, Q, QuerySet


def open_on(day: datetime.date, prefix: str = "") -> Q:
    """Units open on `day` (for filtering Unit, or a relation by prefix such as "unit__")."""
    opened = Q(**{f"{prefix}opened_on__isnull": True}) | Q(**{f"{prefix}opened_on__lte": day})
    not_closed = Q(**{f"{prefix}closed_on__isnull": True}) | Q(**{f"{prefix}closed_on__gt": day})
    return opened & not_closed


def in_period(start: datetime.date | None, end: datetime.date | None, day: datetime.date) -> bool:
    """Whether `day` falls in a period from `start` (included) to `end` (excluded), either open."""
    return (start is None or start <= day) and (end is None or end > day)


def is_open_on(opened_on: datetime.date | None, closed_on: datetime.date | None, day: datetime.date) -> bool:
    """The same rule as `open_on`, for values already read."""
    return in_period(opened_on, closed_on, day)


def leaves_on(
    units: Iterable[tuple[int, int | None, datetime.date | None, datetime.date | None]], day: datetime.date
) -> tuple[set[int], set[int]]:
    """(open units, leaves) among (id, parent id, opened on, closed on) rows: a unit whose
    sub-units have all closed reports itself."""
    open_units: set[int] = set()
    parents: set[int] = set()
    for uid, parent_id, opened, closed in units:
        if is_open_on(opened, closed, day):
            open_units.add(uid)
            if parent_id is not None:
                parents.add(parent_id)
    return open_units, open_units - parents


class Dated(Protocol):
    """A return: dated, with an id."""

    @property
    def as_of(self) -> datetime.date: ...

    @property
    def pk(self) -> Any: ...


D = TypeVar("D", bound=Dated)
M = TypeVar("M", bound=Model)


def _by_campaign_and_unit(record: object) -> Hashable:
    return (getattr(record, "campaign_id", None), getattr(record, "unit_id", None))


def in_force(
    records: Iterable[D], on: datetime.date, *, key: Callable[[D], Hashable] = _by_campaign_and_unit
) -> dict[Hashable, D]:
    """The record in force on `on` for each key (by default campaign and unit): the latest dated on
    or before that day."""
    latest: dict[Hashable, D] = {}
    for record in records:
        if record.as_of > on:
            continue
        group = key(record)
        if group not in latest or record.as_of > latest[group].as_of:
            latest[group] = record
    return latest


def in_force_ids(records: Iterable[D], on: datetime.date) -> set[int]:
    """Ids of the records in force on a day, per campaign and unit."""
    return {record.pk for record in in_force(records, on).values()}


def in_force_of(records: QuerySet[M], on: datetime.date) -> M | None:
    """The record in force on `on` among `records` of one campaign and unit (one query)."""
    return records.filter(as_of__lte=on).order_by("-as_of").first()
