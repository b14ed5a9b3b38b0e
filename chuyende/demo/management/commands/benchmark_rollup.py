"""Times the roll-up on a synthetic tree: `manage.py benchmark_rollup [--communes N ...]`.

Writes the synthetic tree into the current database (DATABASE_URL), so point it at a
scratch database: it refuses to run when units already exist unless --force-empty is given,
which deletes every row of the project's tables first.
"""

import statistics
import time
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import connection
from django.test.utils import CaptureQueriesContext

from chuyende.demo.synthetic import AS_OF, Size, generate, start_from_empty_database
from chuyende.figures.ledger import rebuild
from chuyende.figures.rollup import unit_figures
from chuyende.organisation.models import Unit


class Command(BaseCommand):
    help = "Generate a synthetic tree in the current database and time the roll-up on it."

    def add_arguments(self, parser: CommandParser) -> None:
        defaults = Size()
        parser.add_argument("--communes", type=int, default=defaults.communes)
        parser.add_argument("--cells", type=int, default=defaults.cells, help="cells per commune")
        parser.add_argument("--members", type=int, default=defaults.members, help="members per cell")
        parser.add_argument("--events", type=int, default=defaults.events, help="events per cell")
        parser.add_argument("--repeat", type=int, default=5, help="timed runs per scope (median shown)")
        parser.add_argument("--seed", type=int, default=2024)
        parser.add_argument(
            "--analyze", action="store_true",
            help="run ANALYZE on SQLite too (PostgreSQL is always analysed, as autovacuum would)",
        )
        parser.add_argument(
            "--force-empty", action="store_true",
            help="delete ALL existing data of this database before generating",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        size = Size(communes=options["communes"], cells=options["cells"],
                    members=options["members"], events=options["events"])
        if min(size.communes, size.cells, size.members, size.events) < 1 or options["repeat"] < 1:
            raise CommandError("Sizes and --repeat must be at least 1.")
        vendor = connection.vendor
        database = connection.settings_dict["NAME"]
        start_from_empty_database(force_empty=options["force_empty"], what="a synthetic tree",
                                  say=self.stdout.write)

        self.stdout.write(
            f"Generating {size.communes} communes x {size.cells} cells x {size.members} members, "
            f"{size.events} events a cell..."
        )
        started = time.perf_counter()
        generated = generate(size, seed=options["seed"])
        rebuild()  # the tree was written in bulk, past the services that keep the counters
        self.stdout.write(f"Generated in {time.perf_counter() - started:.1f} s.")
        analysed = vendor == "postgresql" or options["analyze"]
        if analysed:
            with connection.cursor() as cursor:
                cursor.execute("ANALYZE")

        scopes = [("province (root)", generated.root), ("commune", generated.commune),
                  ("cell", generated.cell)]
        results = []
        for label, unit in scopes:
            unit_figures(unit=unit, campaign=generated.campaign, as_of=AS_OF)  # warm-up
            timings = []
            queries = 0
            for _ in range(options["repeat"]):
                with CaptureQueriesContext(connection) as captured:
                    begin = time.perf_counter()
                    figures = unit_figures(unit=unit, campaign=generated.campaign, as_of=AS_OF)
                    timings.append((time.perf_counter() - begin) * 1000)
                queries = len(captured)
            subtree = Unit.objects.filter(path__startswith=unit.path).count()
            results.append((label, unit.code, subtree, statistics.median(timings), min(timings),
                            max(timings), queries, figures))

        counts = generated.counts
        self.stdout.write("")
        self.stdout.write(f"Roll-up benchmark - database: {vendor} ({database})")
        self.stdout.write(
            f"  units {counts['units']:,}  members {counts['members']:,}  statuses {counts['statuses']:,}  "
            f"events {counts['events']:,}  sites {counts['sites']:,}  attendances {counts['attendances']:,}  "
            f"member returns {counts['member_returns']:,}  "
            f"non-member returns {counts['non_member_returns']:,}"
        )
        self.stdout.write(
            f"  as of {AS_OF:%Y-%m-%d}, {options['repeat']} timed runs per scope after one warm-up; "
            f"planner statistics: {'ANALYZE run' if analysed else 'none (as the app runs on SQLite)'}"
        )
        header = (f"  {'scope':16} {'unit':14} {'units':>6} {'median ms':>10} {'min ms':>9} "
                  f"{'max ms':>9} {'queries':>8}  members/eligible/studied/rate")
        self.stdout.write(header)
        self.stdout.write("  " + "-" * (len(header) - 2))
        for label, code, subtree, median, low, high, queries, figures in results:
            tally = figures.tally
            self.stdout.write(
                f"  {label:16} {code:14} {subtree:>6} {median:>10.1f} {low:>9.1f} {high:>9.1f} {queries:>8}  "
                f"{tally.members_total}/{tally.eligible}/{tally.studied}/{figures.rate}"
            )
