"""Times the roll-up on a synthetic tree: `manage.py benchmark_rollup [--national | --communes N ...]`.

Writes the synthetic tree into the current database (DATABASE_URL), so point it at a
scratch database: it refuses to run when units already exist unless --force-empty is given,
which deletes every row of the project's tables first. Prints how long the generation took, the
roll-up of the root, a province (under a national root), a commune and a cell (median of
--repeat), one write of each kind through the services (time and queries), and peak memory.
"""

import datetime
import statistics
import time
from collections.abc import Callable
from dataclasses import replace
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import connection
from django.test.utils import CaptureQueriesContext

from chuyende.campaigns.models import Campaign
from chuyende.core.measure import PeakMemory
from chuyende.demo.synthetic import (
    AS_OF,
    NATIONAL,
    YEAR,
    Generated,
    Size,
    existing_tree,
    generate,
    start_from_empty_database,
)
from chuyende.events.models import Event
from chuyende.events.services import SiteData, event_create
from chuyende.figures.rollup import RollUp, unit_figures
from chuyende.members.models import Member
from chuyende.members.services import member_status_change
from chuyende.organisation.models import Unit
from chuyende.restructuring.services import OperationData, decision_apply, decision_create
from chuyende.returns.services import member_return_save

EVENT_SITES, EVENT_ATTENDEES = 50, 500
RESTRUCTURED_ON = datetime.date(YEAR, 7, 1)


class Command(BaseCommand):
    help = "Generate a synthetic tree in the current database and time the roll-up and the writes on it."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--national", action="store_true",
                            help=f"the country: {NATIONAL.provinces} provinces, {NATIONAL.communes:,} "
                                 f"communes, {NATIONAL.grassroots:,} grassroots organisations, "
                                 f"{NATIONAL.cells:,} cells, {NATIONAL.members:,} members "
                                 "(other sizes ignored)")
        parser.add_argument("--provinces", type=int, default=0,
                            help="a national root over this many provinces (0: the root is one province)")
        parser.add_argument("--communes", type=int, default=100, help="communes a province")
        parser.add_argument("--grassroots", type=int, default=0,
                            help="grassroots organisations a commune (0: cells directly under communes)")
        parser.add_argument("--cells", type=int, default=10,
                            help="cells a commune (or grassroots organisation)")
        parser.add_argument("--members", type=int, default=100, help="members a cell")
        parser.add_argument("--events", type=int, default=10, help="events a cell")
        parser.add_argument("--counts-every", type=int, default=2,
                            help="every n-th commune reports counts, the others keep members one by one")
        parser.add_argument("--repeat", type=int, default=5, help="timed runs per scope (median shown)")
        parser.add_argument("--seed", type=int, default=2024)
        parser.add_argument("--analyze", action="store_true",
                            help="kept for older command lines: statistics are now always refreshed")
        parser.add_argument("--force-empty", action="store_true",
                            help="delete ALL existing data of this database before generating")
        parser.add_argument("--restructure", type=int, default=0, metavar="PAIRS",
                            help="after generating, apply one restructuring decision through the services "
                                 f"from {RESTRUCTURED_ON:%d/%m/%Y}: the first 2×PAIRS communes of the first "
                                 "province merged two by two (their cells move under the merged commune); "
                                 "the commune timed is then the first merged one")
        parser.add_argument("--existing", action="store_true",
                            help="time the tree an earlier run generated in this database, without "
                                 "generating (after a change of the counters' code, run figures_rebuild "
                                 "first)")

    def handle(self, *args: Any, **options: Any) -> None:
        size = NATIONAL if options["national"] else Size.per_parent(
            provinces=options["provinces"], communes=options["communes"], grassroots=options["grassroots"],
            cells=options["cells"], members=options["members"], events=options["events"],
            counts_every=options["counts_every"],
        )
        if size.smallest() < 1 or options["repeat"] < 1 or size.provinces < 0 or size.grassroots < 0:
            raise CommandError("Sizes and --repeat must be at least 1.")
        if options["existing"]:
            peak = PeakMemory()
            generated = existing_tree()
            if options["restructure"]:
                generated = self._restructure(generated, pairs=options["restructure"])
            self._time(generated, repeat=options["repeat"], peak=peak)
            return
        start_from_empty_database(force_empty=options["force_empty"], what="a synthetic tree",
                                  say=self.stdout.write)
        peak = PeakMemory()
        self.stdout.write(
            f"Generating {size.provinces:,} provinces, {size.communes:,} communes, {size.grassroots:,} "
            f"grassroots organisations, {size.cells:,} cells, {size.members:,} members, {size.events} events "
            "a cell..."
        )
        started = time.perf_counter()
        generated = generate(size, seed=options["seed"], say=self.stdout.write)
        took = time.perf_counter() - started
        steps = ", ".join(f"{step} {seconds:.1f} s" for step, seconds in generated.seconds.items())
        self.stdout.write(f"Generated in {took:.1f} s ({steps}).")
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("ANALYZE")  # as autovacuum would after such a load
        if options["restructure"]:
            generated = self._restructure(generated, pairs=options["restructure"])
        self._time(generated, repeat=options["repeat"], peak=peak)

    def _restructure(self, generated: Generated, *, pairs: int) -> Generated:
        """Merges communes two by two through the restructuring services; returns the tree to time
        with the first merged commune as its commune."""
        parent = generated.province or generated.root
        communes = list(Unit.objects.filter(parent=parent, kind=Unit.Kind.PARTY_COMMITTEE).order_by("path")
                        .values_list("code", flat=True)[:2 * pairs])
        operations = [
            OperationData(kind="merge", data={"units": communes[i:i + 2], "into": {
                "code": f"{communes[i]}.M", "name": f"Đảng bộ xã hợp nhất số {i // 2 + 1}",
                "parent": parent.code, "kind": Unit.Kind.PARTY_COMMITTEE}})
            for i in range(0, len(communes) - 1, 2)
        ]
        decision = decision_create(
            actor=None, unit=parent, number="01-QĐ/BENCH", issued_on=RESTRUCTURED_ON, issuer="Đo hiệu năng",
            title="Hợp nhất xã (đo hiệu năng)", effective_on=RESTRUCTURED_ON, operations=operations)
        with CaptureQueriesContext(connection) as captured:
            begin = time.perf_counter()
            decision_apply(actor=None, decision=decision)
            took = time.perf_counter() - begin
        self.stdout.write(f"Restructured: {len(operations)} merges of two communes applied in {took:.1f} s "
                          f"({len(captured)} queries).")
        merged = Unit.objects.get(code=f"{communes[0]}.M")
        return replace(generated, commune=merged, cell=Unit.objects.get(pk=generated.cell.pk))

    def _time(self, generated: Generated, *, repeat: int, peak: PeakMemory) -> None:
        scopes = [("national (root)" if generated.province else "province (root)", generated.root),
                  *([("province", generated.province)] if generated.province else []),
                  ("commune", generated.commune), ("cell", generated.cell)]
        results = [self._time_rollup(label, unit, generated.campaign, repeat) for label, unit in scopes]
        writes = self._time_writes(generated)
        self._print(generated, results, writes, repeat=repeat, peak=peak.read(), peak_source=peak.source)

    def _time_rollup(self, label: str, unit: Unit, campaign: Campaign, repeat: int) -> tuple[Any, ...]:
        unit_figures(unit=unit, campaign=campaign, as_of=AS_OF)  # warm-up
        timings = []
        for _ in range(repeat):
            with CaptureQueriesContext(connection) as captured:
                begin = time.perf_counter()
                figures = unit_figures(unit=unit, campaign=campaign, as_of=AS_OF)
                timings.append((time.perf_counter() - begin) * 1000)
        subtree = Unit.objects.filter(path__under=unit.path).count()
        return (label, unit.code, subtree, statistics.median(timings), min(timings), max(timings),
                len(captured), figures)

    def _time_writes(self, generated: Generated) -> list[tuple[str, float, int]]:
        """One write of each kind through the services, as a user's would be (no actor: the system)."""
        campaign, root = generated.campaign, generated.root
        cells = list(
            Unit.objects.filter(path__under=root.path, kind=Unit.Kind.CELL, tracking=Unit.Tracking.INDIVIDUAL)
            .order_by("path")[:EVENT_SITES]
        )
        each = EVENT_ATTENDEES // max(len(cells), 1)
        attendees: dict[int, list[Member]] = {cell.pk: [] for cell in cells}
        for attendee in Member.objects.filter(unit__in=cells).select_related("unit").order_by("pk"):
            if len(attendees[attendee.unit_id]) < each:
                attendees[attendee.unit_id].append(attendee)
        sites = [SiteData(unit=cell, non_members=3, attendees=tuple(attendees[cell.pk])) for cell in cells]
        listed = sum(len(site.attendees) for site in sites)
        # A member whose status never changed (a run on an existing tree changes the next one).
        member = (Member.objects.filter(unit=generated.cell, statuses__valid_from__isnull=True,
                                        statuses__valid_to__isnull=True)
                  .select_related("unit").order_by("pk").first())
        earlier = Event.objects.filter(campaign=campaign, code__startswith="BENCH-WRITE").count()
        code = f"BENCH-WRITE-{earlier + 1}"
        counted = Unit.objects.filter(path__under=root.path, kind=Unit.Kind.CELL,
                                      tracking=Unit.Tracking.AGGREGATE).order_by("path").first()
        writes: list[tuple[str, Callable[[], object]]] = [
            (f"event, {len(sites)} bridge points, {listed} attendees", lambda: event_create(
                actor=None, campaign=campaign, organiser=root, held_on=datetime.date(YEAR, 11, 5),
                format=Event.Format.IN_PERSON, title="Hội nghị đo hiệu năng", sites=sites, code=code,
            )),
        ]
        if member is not None:
            writes.append(("member status change", lambda: member_status_change(
                actor=None, member=member, status="away", since=datetime.date(YEAR, 11, 1),
            )))
        if counted is not None:
            writes.append(("member return", lambda: member_return_save(
                actor=None, campaign=campaign, unit=counted, as_of=datetime.date(YEAR, 11, 1),
                members_total=20, exempt=1, away=1, studied=15,
            )))
        results = []
        for label, write in writes:
            with CaptureQueriesContext(connection) as captured:
                begin = time.perf_counter()
                write()
                results.append((label, (time.perf_counter() - begin) * 1000, len(captured)))
        return results

    def _print(self, generated: Generated, results: list[tuple[Any, ...]],
               writes: list[tuple[str, float, int]], *, repeat: int, peak: int, peak_source: str) -> None:
        counts = generated.counts
        self.stdout.write("")
        database = connection.settings_dict["NAME"]
        self.stdout.write(f"Roll-up benchmark - database: {connection.vendor} ({database})")
        self.stdout.write("  " + "  ".join(f"{name.replace('_', ' ')} {n:,}" for name, n in counts.items()))
        self.stdout.write(
            f"  as of {AS_OF:%Y-%m-%d}, {repeat} timed runs per scope after one warm-up; planner statistics "
            "refreshed after the load"
        )
        header = (f"  {'scope':16} {'unit':29} {'units':>7} {'median ms':>10} {'min ms':>9} "
                  f"{'max ms':>9} {'queries':>8}  members/eligible/studied/rate")
        self.stdout.write(header)
        self.stdout.write("  " + "-" * (len(header) - 2))
        for label, code, subtree, median, low, high, queries, figures in results:
            timings = f"{median:>10.1f} {low:>9.1f} {high:>9.1f}"
            self.stdout.write(f"  {label:16} {code:29} {subtree:>7,} {timings} {queries:>8}  "
                              f"{_figures(figures)}")
        self.stdout.write("")
        self.stdout.write(f"  {'write (through the services)':42} {'ms':>9} {'queries':>8}")
        for label, ms, queries in writes:
            self.stdout.write(f"  {label:42} {ms:>9.1f} {queries:>8}")
        self.stdout.write("")
        self.stdout.write(f"Peak memory: {peak / 1_048_576:,.0f} MiB ({peak_source}).")


def _figures(figures: RollUp) -> str:
    tally = figures.tally
    return f"{tally.members_total}/{tally.eligible}/{tally.studied}/{figures.rate}"
