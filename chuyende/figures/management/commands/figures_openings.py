"""`manage.py figures_openings`: writes the month openings the counters call for (nightly)."""

import time
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from chuyende.core.sqlite import refresh_statistics
from chuyende.figures import openings
from chuyende.figures.ledger import add_openings


class Command(BaseCommand):
    help = ("Write the opening counts of the months since the last run for units with many days of "
            "changes, so that a roll-up reads one month of days (run it nightly; writers wait for it).")

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--min-rows", type=int, default=openings.MIN_ROWS,
                            help="days with changes a unit and campaign needs to get openings")

    def handle(self, *args: Any, **options: Any) -> None:
        started = time.perf_counter()
        written = add_openings(min_rows=options["min_rows"])
        refresh_statistics()
        self.stdout.write(f"{written:,} openings written in {time.perf_counter() - started:.1f} s.")
