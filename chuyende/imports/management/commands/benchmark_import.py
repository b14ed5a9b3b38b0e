"""Times a large members import end to end: `manage.py benchmark_import [--members 100000] [--keep]`.

Builds a units tree (1 province, --communes communes of --cells cells each; the cells keep their
members one by one) with bulk_create, writes a members workbook of --members new rows in the
template's layout (templates_xlsx.write_workbook, Vietnamese labels in the choice columns, a tenth of
the rows with a status and its day), saves it to a temporary file and imports it with
`engine.run_import` as an administrator of the province, the way an import job does. Reading and
checking, and writing, are timed separately (ImportResult.timings) and the rows per second end to
end are printed (file read + parse + validate + write + audit), with the peak memory of the process
during the import. A second workbook then changes every one of those members (another name; and a
new status from 1 June 2024 for a share of them, --status-changes, default a tenth) and is imported
and timed the same way (members_bulk_update, one audit entry per member); --profile FILE writes the
statistics of that run to FILE-changed.

Writes into the current database (DATABASE_URL), so point it at a scratch database: it refuses to
run when units already exist unless --force-empty is given, which deletes every row of the
project's tables first. Everything it wrote is deleted at the end unless --keep is given.
"""

import cProfile
import datetime
import os
import random
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import connection, transaction
from django.utils import translation

from chuyende.accounts.models import User
from chuyende.audit.models import AuditEntry
from chuyende.core.measure import PeakMemory, QueryCounter
from chuyende.demo.synthetic import insert_units, start_from_empty_database, wipe
from chuyende.imports import engine
from chuyende.imports.reading import choice_labels
from chuyende.imports.spec import MEMBERS
from chuyende.imports.templates_xlsx import write_workbook
from chuyende.members.models import Member, MemberStatus, MemberStatusChoices
from chuyende.organisation.models import Level, Unit

FAMILY = ("Nguyễn", "Trần", "Lê", "Phạm", "Hoàng", "Vũ", "Đặng", "Bùi", "Đỗ", "Hồ", "Ngô", "Dương")
MIDDLE = ("Văn", "Thị", "Đức", "Minh", "Thu", "Ngọc", "Quang", "Thanh", "Hữu", "Kim")
GIVEN = ("An", "Bình", "Chi", "Dũng", "Hà", "Hải", "Hương", "Lan", "Long", "Mai", "Nam", "Phúc",
         "Quân", "Sơn", "Thảo", "Trang", "Tuấn", "Việt", "Xuân", "Yến")


class Command(BaseCommand):
    help = "Import a synthetic members workbook into the current database and print rows per second."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--members", type=int, default=100_000, help="rows of the workbook")
        parser.add_argument("--communes", type=int, default=100)
        parser.add_argument("--cells", type=int, default=10, help="cells per commune")
        parser.add_argument("--seed", type=int, default=2024)
        parser.add_argument("--status-changes", type=float, default=0.1, metavar="SHARE",
                            help="share of the members whose status the second workbook changes (0 to 1)")
        parser.add_argument("--keep", action="store_true",
                            help="keep the units, the user and the imported members afterwards")
        parser.add_argument("--profile", metavar="FILE",
                            help="write cProfile statistics of the import to FILE (slower)")
        parser.add_argument(
            "--force-empty", action="store_true",
            help="delete ALL existing data of this database before generating",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        count, communes, cells = options["members"], options["communes"], options["cells"]
        if min(count, communes, cells) < 1:
            raise CommandError("--members, --communes and --cells must be at least 1.")
        if not 0 <= options["status_changes"] <= 1:
            raise CommandError("--status-changes must be between 0 and 1.")
        start_from_empty_database(force_empty=options["force_empty"], what="a units tree and members",
                                  say=self.stdout.write)

        started = time.perf_counter()
        actor, cell_codes = _tree(communes, cells)
        self.stdout.write(f"Units: 1 province, {communes} communes, {len(cell_codes)} cells "
                          f"({time.perf_counter() - started:.1f} s).")
        rng = random.Random(options["seed"])
        new_rows = list(_rows(count, cell_codes, rng))
        result = self._run("Import benchmark", actor, _workbook(self, new_rows), options["profile"])
        self._check_stored(count, result, created=count, moved=0)

        changed_rows = list(_changed(new_rows, options["status_changes"]))
        profile = f"{options['profile']}-changed" if options["profile"] else None
        result = self._run("Import benchmark of changed members", actor, _workbook(self, changed_rows),
                           profile)
        self._check_stored(count, result, created=0, moved=round(count * options["status_changes"]))
        if options["keep"]:
            self.stdout.write("Kept the data (--keep).")
        else:
            wipe()
            self.stdout.write("Deleted the data written by the benchmark.")

    def _run(self, what: str, actor: User, path: Path, profile: str | None) -> engine.ImportResult:
        """Imports the workbook at `path` (then deletes it) and prints its timings and peak memory."""
        queries = QueryCounter()
        profiler = cProfile.Profile(time.process_time) if profile else None
        steps: list[int] = []
        try:
            with connection.execute_wrapper(queries):
                peak = PeakMemory()
                begin, cpu = time.perf_counter(), time.process_time()
                if profiler is not None:
                    profiler.enable()
                result = engine.run_import(actor=actor, kind="members", file=path, filename=path.name,
                                           progress=lambda done, total: steps.append(done))
                if profiler is not None:
                    profiler.disable()
                elapsed, cpu = time.perf_counter() - begin, time.process_time() - cpu
                peak_bytes = peak.read()
        finally:
            path.unlink()
        if profiler is not None and profile is not None:
            profiler.dump_stats(profile)
            self.stdout.write(f"Profile written to {profile}.")
        if not result.ok:
            for problem in result.problems[:10]:
                self.stderr.write(f"  {problem.sheet} row {problem.row} {problem.column}: {problem.message}")
            raise CommandError(f"The import reported {len(result.problems)} problems.")

        members = Member.objects.count()
        statuses = MemberStatus.objects.count()
        entries = AuditEntry.objects.count()
        timings = result.timings
        self.stdout.write("")
        self.stdout.write(f"{what} - database: {connection.vendor} ({connection.settings_dict['NAME']})")
        self.stdout.write(f"  rows {result.rows:,}  created {result.created:,}  members stored {members:,}  "
                          f"status periods {statuses:,}  audit entries {entries:,}  "
                          f"SQL queries {queries.count:,}  progress reports {len(steps):,}  "
                          f"updated {result.updated:,}")
        for label, key in (("read + check", "read"), ("  of which checking", "check"), ("write", "write")):
            seconds = timings.get(key, 0.0)
            self.stdout.write(f"  {label:20} {seconds:8.2f} s  {_rate(result.rows, seconds)}")
        self.stdout.write(f"  {'end to end':20} {elapsed:8.2f} s  {_rate(result.rows, elapsed)}")
        self.stdout.write(f"  {'peak memory':20} {peak_bytes / 1_048_576:8.0f} MB  ({peak.source})")
        self.stdout.write(f"  (CPU time of this process: {cpu:.2f} s; load average before: "
                          f"{' '.join(f'{load:.2f}' for load in os.getloadavg())})")
        return result

    def _check_stored(self, count: int, result: engine.ImportResult, *, created: int, moved: int) -> None:
        members, statuses = Member.objects.count(), MemberStatus.objects.count()
        if members != count or statuses != count + moved:
            raise CommandError("The database does not hold one member a row and their status periods.")
        if (result.created, result.updated) != (created, count - created):
            raise CommandError(f"Expected {created:,} rows created and {count - created:,} updated.")


def _workbook(command: BaseCommand, rows: list[list[Any]]) -> Path:
    """The rows as a members workbook in a temporary file."""
    started = time.perf_counter()
    data = write_workbook("members", rows)
    handle, name = tempfile.mkstemp(prefix="benchmark-import-", suffix=".xlsx")
    with os.fdopen(handle, "wb") as stream:
        stream.write(data)
    command.stdout.write(f"Workbook: {len(rows):,} rows, {len(data) / 1_048_576:.1f} MB "
                         f"({time.perf_counter() - started:.1f} s).")
    return Path(name)


def _rate(rows: int, seconds: float) -> str:
    return f"{rows / seconds:>10,.0f} rows/s" if seconds > 0 else ""


def _tree(communes: int, cells: int) -> tuple[User, list[str]]:
    """The units (cells kept per person) and an administrator of the province; the cells' codes."""
    with transaction.atomic():
        for depth, name in ((1, "Tỉnh"), (2, "Xã"), (3, "Chi bộ")):
            Level.objects.update_or_create(depth=depth, defaults={"name": name})
        province = insert_units([Unit(code="BENCH", name="Đảng bộ tỉnh (đo hiệu năng nhập)",
                                      kind=Unit.Kind.PARTY_COMMITTEE, tracking=Unit.Tracking.AGGREGATE,
                                      path="pending:BENCH", depth=1)], [])[0]
        commune_units = insert_units([
            Unit(code=f"BENCH.X{c:03d}", name=f"Đảng bộ xã số {c}", kind=Unit.Kind.PARTY_COMMITTEE,
                 tracking=Unit.Tracking.AGGREGATE, parent=province, path=f"pending:BENCH.X{c:03d}", depth=2)
            for c in range(communes)
        ], [province])
        cell_units = insert_units([
            Unit(code=f"{commune.code}.C{k:03d}", name=f"Chi bộ {k} xã {c}", kind=Unit.Kind.CELL,
                 tracking=Unit.Tracking.INDIVIDUAL, parent=commune, path=f"pending:{commune.code}.C{k:03d}",
                 depth=3)
            for c, commune in enumerate(commune_units) for k in range(cells)
        ], commune_units)
        actor = User(username="benchmark-import", role=User.Role.ADMIN, unit=province)
        actor.set_unusable_password()
        actor.save()
    return actor, [cell.code for cell in cell_units]


def _rows(count: int, cell_codes: list[str], rng: random.Random) -> Iterator[list[Any]]:
    """The workbook's rows in template column order, choices as their Vietnamese labels."""
    with translation.override("vi"):
        sexes = choice_labels(MEMBERS.column("sex"))
        memberships = choice_labels(MEMBERS.column("membership"))
        statuses = dict(zip(MemberStatusChoices.values, choice_labels(MEMBERS.column("status")), strict=True))
    keys = [column.key for column in MEMBERS.columns]
    for index in range(count):
        draw = rng.random()
        status, since = (statuses["active"], None) if draw < 0.8 else ("", None)
        if draw >= 0.9:
            status = statuses["away" if draw < 0.95 else "exempt"]
            since = datetime.date(2023, 1 + index % 12, 1 + index % 28)
        values = {
            "code": f"BM{index:07d}",
            "full_name": f"{rng.choice(FAMILY)} {rng.choice(MIDDLE)} {rng.choice(GIVEN)}",
            "sex": sexes[index % 2],
            "birth_year": 1950 + index % 55,
            "unit": cell_codes[index % len(cell_codes)],
            "membership": memberships[0 if draw < 0.95 else 1],
            "status": status,
            "status_since": since,
        }
        yield [values.get(key) for key in keys]


def _changed(rows: list[list[Any]], status_changes: float) -> Iterator[list[Any]]:
    """The same members, each with another name; the first `status_changes` of them (a share) also
    with a new status from 1 June 2024: away for the active ones, active for the others."""
    keys = [column.key for column in MEMBERS.columns]
    name, status, since = keys.index("full_name"), keys.index("status"), keys.index("status_since")
    with translation.override("vi"):
        labels = dict(zip(MemberStatusChoices.values, choice_labels(MEMBERS.column("status")), strict=True))
    active = {labels["active"], ""}
    moving = round(len(rows) * status_changes)
    for index, row in enumerate(rows):
        changed = list(row)
        changed[name] = f"{row[name]} Mới"
        if index < moving:
            changed[status] = labels["away"] if row[status] in active else labels["active"]
            changed[since] = datetime.date(2024, 6, 1)
        yield changed
