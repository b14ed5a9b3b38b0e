"""Opening counts: what a unit's deltas add up to before the first day of a month.

Pure functions over rows of deltas; `ledger` reads and writes them. Any set of openings is
correct as long as each equals the sum of the unit's deltas before its day, so openings are kept
only where they save reading: for a unit and campaign with at least `MIN_ROWS` days of changes,
one at the start of each month that follows a month with changes.
"""

import datetime
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence

RowKey = tuple[int, int, datetime.date]  # unit, campaign, day
Pair = tuple[int, int]  # unit, campaign
Day = tuple[datetime.date, Mapping[str, int]]  # one day's deltas of a unit and campaign
Days = Sequence[Day]  # a unit and campaign's days in order

# A cell changes on a few days a campaign; a commune or a province on most days of the year.
MIN_ROWS = 40


def next_month(day: datetime.date) -> datetime.date:
    """The first day of the month after `day`'s."""
    return (day.replace(day=1) + datetime.timedelta(days=32)).replace(day=1)


def by_pair(rows: Mapping[RowKey, Mapping[str, int]]) -> dict[Pair, list[Day]]:
    """Rows of deltas grouped by unit and campaign, each group in day order."""
    grouped: dict[Pair, list[Day]] = defaultdict(list)
    for (unit_id, campaign, day), counters in rows.items():
        grouped[(unit_id, campaign)].append((day, counters))
    for days in grouped.values():
        days.sort(key=lambda row: row[0])
    return grouped


def totals_before(days: Days, openings: Iterable[datetime.date]) -> dict[datetime.date, dict[str, int]]:
    """For each opening day, the sum of the deltas (in day order) dated before it."""
    totals: dict[str, int] = defaultdict(int)
    result = {}
    position = 0
    for opening in sorted(openings):
        while position < len(days) and days[position][0] < opening:
            for counter, n in days[position][1].items():
                totals[counter] += n
            position += 1
        result[opening] = {counter: n for counter, n in totals.items() if n}
    return result


def wanted(days: Days, *, min_rows: int = MIN_ROWS) -> list[datetime.date]:
    """The opening days a unit and campaign with these days of deltas should have: the start of
    each month after a month with changes. A roll-up then reads the deltas of one month at most
    (the months between its latest opening and its date have none), and a history reaching back
    decades (an open start, a member since 1990) costs one opening a month with changes."""
    if len(days) < min_rows:
        return []
    return sorted({next_month(day) for day, _ in days})


def openings_of(rows: Mapping[RowKey, Mapping[str, int]], *,
                min_rows: int = MIN_ROWS) -> dict[RowKey, dict[str, int]]:
    """Every opening the rows call for, with its totals."""
    result: dict[RowKey, dict[str, int]] = {}
    for (unit_id, campaign), days in by_pair(rows).items():
        for day, totals in totals_before(days, wanted(days, min_rows=min_rows)).items():
            result[(unit_id, campaign, day)] = totals
    return result
