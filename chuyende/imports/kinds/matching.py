"""Pairing file rows with stored records that have no code (outreach, materials).

Rows and records are grouped by a natural key (campaign, unit, day, ...). Within a group, a row equal
to a stored record is paired with it first (unchanged); the rows left are paired in order with the
records left (the record is updated or replaced); rows beyond that add records. Records no row pairs
with are left alone: an import never deletes.
"""

from collections.abc import Callable, Hashable, Iterable
from typing import Any, TypeVar

from chuyende.imports.kinds.base import ParsedRow

Record = TypeVar("Record")


def pair_rows(
    rows: Iterable[ParsedRow],
    records: Iterable[Record],
    *,
    row_key: Callable[[ParsedRow], Hashable],
    record_key: Callable[[Record], Hashable],
    equal: Callable[[ParsedRow, Record], bool],
) -> list[tuple[ParsedRow, Record | None, bool]]:
    """(row, paired record or None, whether they are equal) for every row, in the rows' order."""
    stored: dict[Hashable, list[Record]] = {}
    for record in records:
        stored.setdefault(record_key(record), []).append(record)
    rows = list(rows)
    paired: dict[int, tuple[Any, bool]] = {}
    by_key: dict[Hashable, list[tuple[int, ParsedRow]]] = {}
    for index, row in enumerate(rows):
        by_key.setdefault(row_key(row), []).append((index, row))
    for key, members in by_key.items():
        free = list(stored.get(key, []))
        waiting = []
        for index, row in members:
            match = next((record for record in free if equal(row, record)), None)
            if match is not None:
                free.remove(match)
                paired[index] = (match, True)
            else:
                waiting.append((index, row))
        for index, _row in waiting:
            paired[index] = (free.pop(0), False) if free else (None, False)
    return [(row, *paired[index]) for index, row in enumerate(rows)]
