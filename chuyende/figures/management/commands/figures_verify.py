"""`manage.py figures_verify`: recounts every counter and opening from the records and lists any
difference from what is stored (exit status 1 if there is one)."""

import time
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from chuyende.figures.ledger import differences


class Command(BaseCommand):
    help = "Compare the maintained figure counters with a recount from the records; exit 1 on any difference."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--show", type=int, default=50, help="differences printed at most")

    def handle(self, *args: Any, **options: Any) -> None:
        started = time.perf_counter()
        found = differences(say=self.stdout.write if options["verbosity"] > 1 else None)
        for difference in found[: options["show"]]:
            kind = "opening" if difference.opening else "day"
            self.stdout.write(
                f"unit {difference.unit_id} campaign {difference.campaign_id} "
                f"{kind} {difference.day:%d/%m/%Y} "
                f"{difference.counter}: stored {difference.stored}, records give {difference.expected}"
            )
        elapsed = time.perf_counter() - started
        if found:
            self.stderr.write(f"{len(found):,} differences ({elapsed:.1f} s).")
            raise SystemExit(1)
        self.stdout.write(f"The counters match the records ({elapsed:.1f} s).")
