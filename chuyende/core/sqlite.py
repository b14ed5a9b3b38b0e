"""SQLite's query planner statistics, kept current (https://sqlite.org/pragma.html#pragma_optimize).

Without statistics SQLite's planner guesses, and on a large database it may read a whole campaign's
events for one cell. PostgreSQL's autovacuum keeps its own statistics; everything here is a no-op there.

- every new connection runs `PRAGMA optimize=0x10002` (SQLite's advice for connections that may live
  long), after a bounded `analysis_limit` so that an ANALYZE it decides on samples rather than reads
  whole tables;
- code that writes many rows at once (the import jobs, load_scenario, the benchmark generator, the
  counters' rebuild) calls `refresh_statistics()` afterwards: a bounded ANALYZE of every table, as
  `PRAGMA optimize` of SQLite before 3.46 only looks at tables the connection itself queried.
"""

from typing import Any

from django.db import connections
from django.db.backends.base.base import BaseDatabaseWrapper

# Rows sampled per index by ANALYZE (SQLite suggests 100-1000): milliseconds even on millions of rows.
ANALYSIS_LIMIT = 1000


def optimize_on_open(sender: Any, connection: BaseDatabaseWrapper, **kwargs: Any) -> None:
    """Receiver of `connection_created`."""
    if connection.vendor != "sqlite":
        return
    with connection.cursor() as cursor:
        cursor.execute(f"PRAGMA analysis_limit={ANALYSIS_LIMIT}")
        cursor.execute("PRAGMA optimize=0x10002")


def refresh_statistics(using: str = "default") -> None:
    """After bulk writes: statistics of every table and index, so that no query plan depends on
    how much else the database holds."""
    connection = connections[using]
    if connection.vendor != "sqlite":
        return
    with connection.cursor() as cursor:
        cursor.execute(f"PRAGMA analysis_limit={ANALYSIS_LIMIT}")
        cursor.execute("ANALYZE")
