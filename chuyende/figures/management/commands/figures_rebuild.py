"""`manage.py figures_rebuild`: writes every maintained counter and opening again from the records."""

import time
from typing import Any

from django.core.management.base import BaseCommand

from chuyende.core.sqlite import refresh_statistics
from chuyende.figures.ledger import rebuild
from chuyende.figures.models import OpeningCount


class Command(BaseCommand):
    help = "Rebuild the maintained figure counters from the records (in one transaction)."

    def handle(self, *args: Any, **options: Any) -> None:
        started = time.perf_counter()
        rows = rebuild(say=self.stdout.write if options["verbosity"] > 1 else None)
        refresh_statistics()
        self.stdout.write(f"{rows:,} counter rows and {OpeningCount.objects.count():,} openings written "
                          f"in {time.perf_counter() - started:.1f} s.")
