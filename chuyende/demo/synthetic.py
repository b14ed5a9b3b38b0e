"""A synthetic tree for the roll-up benchmark, written in bulk: COPY on PostgreSQL, executemany in
large transactions on SQLite.

This is a benchmark fixture, not user data: it bypasses the services (no audit entries, no per-row
validation) to be fast, but writes what they would write: unit paths are `parent.path +
path_segment(id)`, members only in units kept per person, each with one open-ended MemberStatus
(valid_from empty), attendances repeat the site's event and are counted in the site's
`listed_members`, every attendee has the StudyRecord of their first study day, units reporting
counts have member and pledge returns (the later one wins), and records are dated inside the
campaign. After the load the maintained counters are rebuilt and SQLite's statistics refreshed.

Shape: a root province (or, with `provinces`, a national root over that many provinces) -> communes
-> optional grassroots organisations -> cells, each level spread evenly over the one above. Every
`counts_every`-th commune reports counts (member returns; sites count members without names); the
others keep their cells per person (roster, and ~80% of a cell listed by name at each meeting).
Every cell holds `events` cell meetings with one bridge point; every province holds one online
conference with a bridge point in each of its communes, and a national root one with a bridge
point in each province.
"""

import datetime
import random
import time
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any, TypeVar

from django.apps import apps
from django.core.management.base import CommandError
from django.core.management.color import no_style
from django.db import connection, connections, models, transaction

from chuyende.campaigns.models import Campaign
from chuyende.core.sqlite import refresh_statistics
from chuyende.events.models import Attendance, Event, Site, StudyRecord
from chuyende.figures.ledger import rebuild
from chuyende.materials.models import MaterialTransfer
from chuyende.members.models import Member, MemberStatus, MemberStatusChoices
from chuyende.members.search import search_keys_of
from chuyende.organisation.models import PATH_SEGMENT_WIDTH, Level, Unit, path_segment
from chuyende.organisation.tree import start_missing_periods
from chuyende.outreach.models import Outreach
from chuyende.pledges.models import Pledge, PledgeReturn, Rating
from chuyende.returns.models import MemberReturn, NonMemberReturn

BATCH = 2000
CAMPAIGN_CODE = "BENCH"
YEAR = 2024
AS_OF = datetime.date(YEAR, 12, 31)
PROJECT_APPS = (
    "accounts", "audit", "organisation", "members", "campaigns", "events", "returns", "outreach",
    "materials", "pledges", "supervision", "reports", "imports", "figures",
)

M = TypeVar("M", bound=models.Model)
Row = tuple[Any, ...]


@dataclass(frozen=True)
class Size:
    """Totals of the tree; see `per_parent` for the command line's "so many under each" form."""

    communes: int = 100
    cells: int = 1000
    members: int = 100_000  # counted members: rosters, and returns of the units reporting counts
    events: int = 10  # per cell
    provinces: int = 0  # 0: the root is one province; else a national root over this many
    grassroots: int = 0  # grassroots organisations between communes and cells; 0: cells under communes
    counts_every: int = 2  # every n-th commune reports counts; the others keep their members one by one

    @classmethod
    def per_parent(cls, *, communes: int, cells: int, members: int, events: int, provinces: int = 0,
                   grassroots: int = 0, counts_every: int = 2) -> "Size":
        """`communes` a province, `grassroots` a commune, `cells` a commune (or a grassroots
        organisation), `members` and `events` a cell."""
        communes_total = max(provinces, 1) * communes
        cell_parents = communes_total * grassroots if grassroots else communes_total
        return cls(communes=communes_total, cells=cell_parents * cells,
                   members=cell_parents * cells * members, events=events, provinces=provinces,
                   grassroots=communes_total * grassroots,
                   counts_every=counts_every)

    def smallest(self) -> int:
        return min(self.communes, self.cells, self.members, self.events, self.counts_every)


# The country (issue 11): about 20,000,000 attendances, 90% of the members being kept one by one.
NATIONAL = Size(provinces=34, communes=3_321, grassroots=52_000, cells=300_000, members=5_600_000,
                events=5, counts_every=10)


@dataclass
class Generated:
    campaign: Campaign
    root: Unit
    province: Unit | None  # the first province under a national root
    commune: Unit  # the first commune (kept per person)
    cell: Unit  # its first cell
    counts: dict[str, int]
    seconds: dict[str, float] = field(default_factory=dict)  # time of each step of the generation


def _chunks(items: Sequence[M], size: int = BATCH) -> Iterator[Sequence[M]]:
    for start in range(0, len(items), size):
        yield items[start:start + size]


def _insert(model: type[M], rows: Sequence[M], *, using: str) -> list[M]:
    created: list[M] = []
    for chunk in _chunks(rows):
        created.extend(model._default_manager.using(using).bulk_create(chunk))
    return created


def insert_units(rows: list[Unit], parents: Sequence[Unit], *, using: str = "default") -> list[Unit]:
    """Insert one level of units under placeholder paths, then set the real paths from the ids."""
    by_id = {parent.pk: parent for parent in parents}
    created = _insert(Unit, rows, using=using)
    for unit in created:
        assert unit.pk is not None, "the database backend must return ids from bulk_create"
        prefix = by_id[unit.parent_id].path if unit.parent_id is not None else ""
        unit.path = prefix + path_segment(unit.pk)
    Unit.objects.using(using).bulk_update(created, ["path"], batch_size=BATCH)
    start_missing_periods(using)
    return created


def project_models() -> Iterable[type[models.Model]]:
    for label in PROJECT_APPS:
        yield from apps.get_app_config(label).get_models(include_auto_created=True)


def database_is_empty(using: str = "default") -> bool:
    return not Unit.objects.using(using).exists()


def start_from_empty_database(*, force_empty: bool, what: str, say: Callable[[str], None]) -> None:
    """Refuses a database that holds units (a benchmark writes its own data), unless `force_empty`,
    which deletes all its data first; `what` names what the benchmark writes."""
    vendor, database = connection.vendor, connection.settings_dict["NAME"]
    if database_is_empty():
        return
    if not force_empty:
        raise CommandError(
            f"The {vendor} database {database} already holds units. The benchmark writes {what} and "
            "must start from an empty database: point DATABASE_URL at a scratch database, or pass "
            "--force-empty to DELETE ALL ITS DATA first."
        )
    say(f"Deleting all data of {vendor} database {database} (--force-empty)...")
    wipe()


def wipe(using: str = "default") -> None:
    """Delete every row of the project's tables (foreign keys are checked at commit; PostgreSQL
    truncates them all at once, which takes no time whatever they hold)."""
    connection = connections[using]
    tables = [connection.ops.quote_name(model._meta.db_table) for model in project_models()]
    with transaction.atomic(using=using), connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")  # no check left pending forbids TRUNCATE
            cursor.execute("SET CONSTRAINTS ALL DEFERRED")
            cursor.execute(f"TRUNCATE {', '.join(tables)} CASCADE")
            return
        for table in tables:
            cursor.execute(f"DELETE FROM {table}")


# --- the bulk generator ------------------------------------------------------------------------------

CELLS_A_TRANSACTION = 5000
ATTENDED_SHARE = 0.8  # of a roster listed at each of its cell's meetings
UNIT_COLUMNS = ("id", "code", "name", "kind", "tracking", "parent_id", "path", "depth", "opened_on",
                "closed_on", "sector")
EVENT_COLUMNS = ("id", "campaign_id", "code", "organiser_id", "held_on", "format", "title", "is_make_up",
                 "audience", "partners")
EVENT_DEFAULTS = (Event.Audience.GENERAL, "[]")  # audience, partners of every generated event
SITE_COLUMNS = ("id", "event_id", "unit_id", "other_members", "non_members", "non_members_by_category",
                "listed_members")


class _Writer:
    """Appends rows to a table: COPY on PostgreSQL, one executemany on SQLite."""

    def __init__(self, using: str) -> None:
        self.connection = connections[using]

    def write(self, model: type[models.Model], columns: Sequence[str], rows: list[Row]) -> int:
        if not rows:
            return 0
        quote = self.connection.ops.quote_name
        table, names = quote(model._meta.db_table), ", ".join(quote(column) for column in columns)
        with self.connection.cursor() as cursor:
            if self.connection.vendor == "postgresql":
                with cursor.cursor.copy(f"COPY {table} ({names}) FROM STDIN") as copy:
                    for row in rows:
                        copy.write_row(row)
            else:
                values = ", ".join(["%s"] * len(columns))
                cursor.executemany(f"INSERT INTO {table} ({names}) VALUES ({values})", rows)
        return len(rows)


@dataclass(slots=True)
class _Node:
    id: int
    code: str
    name: str
    path: str
    parent: int  # index in the level above
    per_person: bool = False
    members: int = 0  # cells: counted members


@dataclass
class _Tree:
    root: _Node
    provinces: list[_Node]
    communes: list[_Node]
    grassroots: list[_Node]
    cells: list[_Node]

    @property
    def cell_hosts(self) -> list[_Node]:
        return self.grassroots or self.communes


class _Ids:
    """The next id of each table whose ids other rows refer to (given explicitly, so rows can be
    written in bulk with their references)."""

    def __init__(self, using: str) -> None:
        self.next: dict[type[models.Model], int] = {
            model: _top_id(model, using) + 1 for model in (Unit, Member, Event, Site)
        }

    def take(self, model: type[models.Model], count: int = 1) -> int:
        first = self.next[model]
        self.next[model] += count
        return first


def _top_id(model: type[models.Model], using: str) -> int:
    return model._default_manager.using(using).aggregate(top=models.Max("pk"))["top"] or 0


def _spread(children: int, parents: int) -> list[int]:
    """The parent of each child (by index), spread evenly: parents differ by one child at most."""
    return [index * parents // children for index in range(children)]


def _ceil_div(a: int, b: int) -> int:
    return -(-a // b)


def _silent(message: str) -> None:
    pass


def generate(size: Size, *, seed: int = 2024, using: str = "default",
             say: Callable[[str], None] = _silent) -> Generated:
    """Writes the tree and its records, rebuilds the maintained counters and refreshes SQLite's
    statistics. Each step commits on its own (cells CELLS_A_TRANSACTION at a time): a run that
    fails halfway leaves a partial tree, which --force-empty deletes."""
    rng = random.Random(seed)
    writer, ids = _Writer(using), _Ids(using)
    counts: dict[str, int] = defaultdict(int)
    seconds: dict[str, float] = {}
    started = time.perf_counter()
    with transaction.atomic(using=using):
        tree = _write_tree(size, writer, ids, counts, using=using)
        campaign = Campaign.objects.using(using).create(
            code=CAMPAIGN_CODE, kind=Campaign.Kind.ANNUAL_TOPIC, year=YEAR,
            title="Chuyên đề tổng hợp (đo hiệu năng)", owner_id=tree.root.id,
            starts=datetime.date(YEAR, 1, 10), ends=AS_OF, study_deadline=datetime.date(YEAR, 6, 30),
            report_deadline=datetime.date(YEAR, 6, 25), target_rate=Decimal(90),
            excluded_statuses=["exempt", "away"], rate_precision=2,
            non_party_categories=["mass", "civil_servants"],
        )
        _write_conferences(tree, campaign, writer, ids, rng, counts)
        _write_commune_records(tree, campaign, writer, rng, counts)
    seconds["units"] = time.perf_counter() - started

    started = time.perf_counter()
    days = [datetime.date(YEAR, 1 + (i * 11) // max(size.events, 1) % 12, 15) for i in range(size.events)]
    last_said = started
    with _checks_after_load(CELL_TABLES, using=using, seconds=seconds):
        for first in range(0, len(tree.cells), CELLS_A_TRANSACTION):
            with transaction.atomic(using=using):
                batch = tree.cells[first:first + CELLS_A_TRANSACTION]
                _fill_cells(batch, campaign, days, writer, ids, rng, counts)
            if time.perf_counter() - last_said > 15:
                last_said = time.perf_counter()
                say(f"  {first + len(batch):,} of {len(tree.cells):,} cells, "
                    f"{counts['attendances']:,} attendances ({last_said - started:.0f} s)")
        seconds["cells"] = time.perf_counter() - started
    _reset_sequences(using)

    seconds.update(_rebuild_counters(say))
    started = time.perf_counter()
    refresh_statistics(using)
    seconds["statistics"] = time.perf_counter() - started

    units = Unit.objects.using(using).in_bulk(
        [tree.root.id, tree.communes[0].id, tree.cells[0].id, *(p.id for p in tree.provinces[:1])]
    )
    return Generated(
        campaign=campaign, root=units[tree.root.id],
        province=units[tree.provinces[0].id] if tree.provinces else None,
        commune=units[tree.communes[0].id], cell=units[tree.cells[0].id], counts=dict(counts),
        seconds=seconds,
    )


# The tables written cell by cell: loaded without their foreign keys and secondary indexes, which are
# checked and built afterwards in one pass each (row by row they cost more than the rows themselves).
CELL_TABLES = (Member, MemberStatus, Event, Site, Attendance, StudyRecord, MemberReturn, Pledge, PledgeReturn,
               Outreach)
_DEFERRED_CHECKS = """
    SELECT format('ALTER TABLE %%I DROP CONSTRAINT %%I', c.conrelid::regclass::text, c.conname),
           format('ALTER TABLE %%I ADD CONSTRAINT %%I %%s', c.conrelid::regclass::text, c.conname,
                  pg_get_constraintdef(c.oid))
      FROM pg_constraint c
     WHERE c.contype = 'f' AND c.conrelid::regclass::text = ANY(%s)
    UNION ALL
    SELECT format('DROP INDEX %%I', i.indexrelid::regclass::text), pg_get_indexdef(i.indexrelid)
      FROM pg_index i
     WHERE NOT i.indisunique AND NOT i.indisprimary AND i.indrelid::regclass::text = ANY(%s)
"""


@contextmanager
def _checks_after_load(models_loaded: Sequence[type[models.Model]], *, using: str,
                       seconds: dict[str, float]) -> Iterator[None]:
    """PostgreSQL: the tables' foreign keys and secondary indexes dropped during the load, then put back
    (validated, rebuilt). SQLite: foreign keys off during the load, then checked."""
    connection = connections[using]
    tables = [model._meta.db_table for model in models_loaded]
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            # Checks still pending in this transaction (a wipe just before) would forbid ALTER TABLE.
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
            cursor.execute("SET CONSTRAINTS ALL DEFERRED")
            cursor.execute(_DEFERRED_CHECKS, [tables, tables])
            statements = cursor.fetchall()
            for drop, _create in statements:
                cursor.execute(drop)
        try:
            yield
        finally:
            started = time.perf_counter()
            with transaction.atomic(using=using), connection.cursor() as cursor:
                cursor.execute("SET LOCAL maintenance_work_mem = '256MB'")
                for _drop, create in statements:
                    cursor.execute(create)
            seconds["keys and indexes"] = time.perf_counter() - started
        return
    disabled = connection.disable_constraint_checking()
    try:
        yield
    finally:
        if disabled:
            connection.enable_constraint_checking()
            started = time.perf_counter()
            connection.check_constraints(table_names=tables)
            seconds["foreign key check"] = time.perf_counter() - started


def existing_tree(using: str = "default") -> Generated:
    """The tree an earlier `generate` wrote in this database (its counts read back)."""
    campaign = Campaign.objects.using(using).filter(code=CAMPAIGN_CODE).first()
    units = Unit.objects.using(using)
    root = units.filter(code="SYN", parent__isnull=True).first()
    if campaign is None or root is None:
        raise CommandError("This database holds no synthetic tree: run benchmark_rollup without --existing.")
    province = units.filter(code="SYN.T00").first()
    commune = units.get(code=f"{(province or root).code}.X0000")
    cell = units.filter(path__under=commune.path, kind=Unit.Kind.CELL).order_by("path").first()
    assert cell is not None
    counts = {name: model._default_manager.using(using).count() for name, model in (
        ("units", Unit), ("members", Member), ("events", Event), ("sites", Site), ("attendances", Attendance),
    )}
    return Generated(campaign=campaign, root=root, province=province, commune=commune, cell=cell,
                     counts=counts)


def _rebuild_counters(say: Callable[[str], None]) -> dict[str, float]:
    """The maintained counters, recomputed from the records written in bulk."""
    started = time.perf_counter()
    rebuild(say=say)
    return {"counters": time.perf_counter() - started}


def _reset_sequences(using: str) -> None:
    """Ids were given explicitly: PostgreSQL's sequences must continue after them."""
    connection = connections[using]
    statements = connection.ops.sequence_reset_sql(no_style(), [Unit, Member, Event, Site])
    with connection.cursor() as cursor:
        for statement in statements:
            cursor.execute(statement)


def _levels(size: Size) -> list[str]:
    names = ["Trung ương"] if size.provinces else []
    return [*names, "Tỉnh", "Xã", *(["Đảng bộ cơ sở"] if size.grassroots else []), "Chi bộ"]


def _write_tree(size: Size, writer: _Writer, ids: _Ids, counts: dict[str, int], *, using: str) -> _Tree:
    for depth, name in enumerate(_levels(size), start=1):
        Level.objects.using(using).update_or_create(depth=depth, defaults={"name": name})
    rows: list[Row] = []

    def level(count: int, parents: list[_Node], letter: str, width: int, kind: str,
              label: str) -> list[_Node]:
        depth = len(parents[0].path) // PATH_SEGMENT_WIDTH + 1
        first = ids.take(Unit, count)
        nodes = []
        for index, parent_index in enumerate(_spread(count, len(parents))):
            parent, unit_id = parents[parent_index], first + index
            node = _Node(id=unit_id, code=f"{parent.code}.{letter}{index:0{width}d}",
                         name=f"{label} số {index + 1}", path=parent.path + path_segment(unit_id),
                         parent=parent_index, per_person=parent.per_person)
            nodes.append(node)
            rows.append((node.id, node.code, node.name, kind,
                         Unit.Tracking.INDIVIDUAL if node.per_person and kind == Unit.Kind.CELL
                         else Unit.Tracking.AGGREGATE, parent.id, node.path, depth, None, None,
                         Unit.Sector.COMMUNE if label == "Đảng bộ xã" else Unit.Sector.OTHER))
        return nodes

    root_id = ids.take(Unit)
    root = _Node(id=root_id, code="SYN", name="Toàn quốc (tổng hợp)" if size.provinces else "Tỉnh (tổng hợp)",
                 path=path_segment(root_id), parent=-1)
    rows.append((root.id, root.code, root.name, Unit.Kind.PARTY_COMMITTEE, Unit.Tracking.AGGREGATE, None,
                 root.path, 1, None, None, Unit.Sector.OTHER))
    provinces = level(size.provinces, [root], "T", 2, Unit.Kind.PARTY_COMMITTEE, "Đảng bộ tỉnh") \
        if size.provinces else []
    communes = level(size.communes, provinces or [root], "X", 4, Unit.Kind.PARTY_COMMITTEE, "Đảng bộ xã")
    for index, commune in enumerate(communes):
        commune.per_person = index % size.counts_every != size.counts_every - 1
    grassroots = level(size.grassroots, communes, "G", 5, Unit.Kind.PARTY_COMMITTEE, "Đảng bộ cơ sở") \
        if size.grassroots else []
    cells = level(size.cells, grassroots or communes, "C", 6, Unit.Kind.CELL, "Chi bộ")
    for j, cell in enumerate(cells):  # as _spread(members, cells) would: members i with i*cells//members == j
        cell.members = _ceil_div((j + 1) * size.members, size.cells) - _ceil_div(j * size.members, size.cells)
    counts["units"] = writer.write(Unit, UNIT_COLUMNS, rows)
    start_missing_periods(using)
    return _Tree(root=root, provinces=provinces, communes=communes, grassroots=grassroots, cells=cells)


def _conference(organiser: _Node, hosts: list[_Node], campaign: Campaign, writer: _Writer, ids: _Ids,
                rng: random.Random, counts: dict[str, int]) -> None:
    event_id, first_site = ids.take(Event), ids.take(Site, len(hosts))
    writer.write(Event, EVENT_COLUMNS, [(event_id, campaign.pk, f"HN-{organiser.code}", organiser.id,
                                         datetime.date(YEAR, 1, 20), Event.Format.ONLINE,
                                         f"Hội nghị trực tuyến {organiser.name}", False, *EVENT_DEFAULTS)])
    counts["sites"] += writer.write(Site, SITE_COLUMNS, [
        (first_site + index, event_id, host.id, rng.randint(30, 60), rng.randint(5, 30), "{}", 0)
        for index, host in enumerate(hosts)
    ])
    counts["events"] += 1


def _write_conferences(tree: _Tree, campaign: Campaign, writer: _Writer, ids: _Ids, rng: random.Random,
                       counts: dict[str, int]) -> None:
    """The online conference of every province in its communes, and the national one in the provinces."""
    if tree.provinces:
        _conference(tree.root, tree.provinces, campaign, writer, ids, rng, counts)
    by_province: dict[int, list[_Node]] = defaultdict(list)
    for commune in tree.communes:
        by_province[commune.parent].append(commune)
    for index, province in enumerate(tree.provinces or [tree.root]):
        _conference(province, by_province[index], campaign, writer, ids, rng, counts)


def _write_commune_records(tree: _Tree, campaign: Campaign, writer: _Writer, rng: random.Random,
                           counts: dict[str, int]) -> None:
    """Non-member returns of the communes; books supplied to the cells' parents and passed to the cells."""
    counts["non_member_returns"] = writer.write(
        NonMemberReturn, ("campaign_id", "unit_id", "as_of", "expected", "studied"),
        [(campaign.pk, commune.id, datetime.date(YEAR, 6, 1), 200, rng.randint(150, 200))
         for commune in tree.communes],
    )
    hosts, book = tree.cell_hosts, MaterialTransfer.Item.BOOK
    cells_of = Counter(cell.parent for cell in tree.cells)
    columns = ("campaign_id", "sender_id", "recipient_id", "item", "quantity", "sent_on", "note", "link",
               "attachment")
    writer.write(MaterialTransfer, columns, [
        *((campaign.pk, host.id, host.id, book, 5 * cells_of[index], datetime.date(YEAR, 1, 15), "", "", "")
          for index, host in enumerate(hosts)),
        *((campaign.pk, hosts[cell.parent].id, cell.id, book, 5, datetime.date(YEAR, 1, 20), "", "", "")
          for cell in tree.cells),
    ])


def _status(rng: random.Random) -> str:
    draw = rng.random()
    if draw < 0.03:
        return MemberStatusChoices.EXEMPT
    if draw < 0.05:
        return MemberStatusChoices.AWAY
    if draw < 0.06:
        return MemberStatusChoices.TRANSFERRED_OUT
    return MemberStatusChoices.ACTIVE


@dataclass
class _Rows:
    """One transaction's rows, by table."""

    members: list[Row] = field(default_factory=list)
    statuses: list[Row] = field(default_factory=list)
    events: list[Row] = field(default_factory=list)
    sites: list[Row] = field(default_factory=list)
    attendances: list[Row] = field(default_factory=list)
    study_records: list[Row] = field(default_factory=list)
    member_returns: list[Row] = field(default_factory=list)
    pledges: list[Row] = field(default_factory=list)
    pledge_returns: list[Row] = field(default_factory=list)
    outreach: list[Row] = field(default_factory=list)


def _fill_cells(cells: Sequence[_Node], campaign: Campaign, days: list[datetime.date], writer: _Writer,
                ids: _Ids, rng: random.Random, counts: dict[str, int]) -> None:
    """Members, statuses, meetings with their bridge point, attendances, study records, returns, pledges
    and outreach of some cells."""
    rows = _Rows()
    for cell in cells:
        # Each cell keeps its own day of the month, so a commune or a province changes on most days.
        own_day = 1 + cell.id % 28
        events = [(ids.take(Event), ids.take(Site), day.replace(day=own_day)) for day in days]
        rows.events.extend(
            (event_id, campaign.pk, f"{cell.code}.E{number:02d}", cell.id, day, Event.Format.CELL_MEETING,
             f"Sinh hoạt chi bộ {number + 1}", False, *EVENT_DEFAULTS)
            for number, (event_id, _site_id, day) in enumerate(events)
        )
        if cell.per_person:
            _roster_cell(cell, campaign, events, ids, rng, rows)
        else:
            _counts_cell(cell, campaign, events, rng, rows)
        rows.outreach.extend(
            (campaign.pk, cell.id, datetime.date(YEAR, 2 + i, own_day), Outreach.Channel.ORAL,
             rng.randint(1, 5),
             None if i == 0 else rng.randint(50, 300), "")
            for i in range(3)
        )
    names = [str(row[2]) for row in rows.members]
    keys = search_keys_of(names, [str(row[1]) for row in rows.members])
    counts["members"] += writer.write(
        Member, ("id", "code", "full_name", "sex", "birth_year", "unit_id", "membership", "search_key"),
        [(*row, key) for row, key in zip(rows.members, keys, strict=True)],
    )
    counts["statuses"] += writer.write(MemberStatus, ("member_id", "status", "valid_from", "valid_to"),
                                       rows.statuses)
    counts["events"] += writer.write(Event, EVENT_COLUMNS, rows.events)
    counts["sites"] += writer.write(Site, SITE_COLUMNS, rows.sites)
    counts["attendances"] += writer.write(Attendance, ("event_id", "site_id", "member_id"), rows.attendances)
    counts["study_records"] += writer.write(StudyRecord, ("campaign_id", "member_id", "first_studied_on"),
                                            rows.study_records)
    counts["member_returns"] += writer.write(
        MemberReturn, ("campaign_id", "unit_id", "as_of", "members_total", "exempt", "away", "studied"),
        rows.member_returns,
    )
    counts["pledges"] += writer.write(
        Pledge, ("campaign_id", "member_id", "registered_on", "text", "rating", "rated_on", "rating_note"),
        rows.pledges,
    )
    writer.write(PledgeReturn,
                 ("campaign_id", "unit_id", "as_of", "registered", "excellent", "good", "not_met"),
                 rows.pledge_returns)
    counts["outreach"] += writer.write(
        Outreach, ("campaign_id", "unit_id", "held_on", "channel", "sessions", "reach", "note"), rows.outreach
    )


PLEDGE_RATINGS = (Rating.EXCELLENT, Rating.GOOD, Rating.GOOD, Rating.NOT_MET)
PLEDGED_ON, RATED_ON = datetime.date(YEAR, 3, 20), datetime.date(YEAR, 12, 20)


def _roster_cell(cell: _Node, campaign: Campaign, events: list[tuple[int, int, datetime.date]], ids: _Ids,
                 rng: random.Random, rows: _Rows) -> None:
    """A cell kept per person: its members listed by name at ~80% of each meeting, as the event
    service writes them (site.listed_members, the first study day of each attendee)."""
    first = ids.take(Member, cell.members)
    roster = list(range(first, first + cell.members))
    for m, member_id in enumerate(roster):
        rows.members.append((
            member_id, f"{cell.code}.M{m:04d}", f"Đảng viên {m + 1} {cell.name}",
            Member.Sex.MALE if m % 2 else Member.Sex.FEMALE, 1950 + m % 50, cell.id,
            Member.Membership.FULL if m % 20 else Member.Membership.PROBATIONARY,
        ))
        rows.statuses.append((member_id, _status(rng), None, None))
        if rng.random() < 0.9:
            rated = member_id % 2 == 1
            rows.pledges.append((campaign.pk, member_id, PLEDGED_ON, "Đăng ký làm theo",
                                 rng.choice(PLEDGE_RATINGS) if rated else "",
                                 RATED_ON if rated else None, ""))
    studied_on: dict[int, datetime.date] = {}
    for event_id, site_id, day in events:  # the days are in order: the first attended is the first study day
        chosen = rng.sample(roster, k=round(len(roster) * ATTENDED_SHARE))
        rows.sites.append((site_id, event_id, cell.id, 0, rng.randint(0, 10), "{}", len(chosen)))
        rows.attendances.extend((event_id, site_id, member_id) for member_id in chosen)
        for member_id in chosen:
            studied_on.setdefault(member_id, day)
    rows.study_records.extend((campaign.pk, member_id, day) for member_id, day in studied_on.items())


def _counts_cell(cell: _Node, campaign: Campaign, events: list[tuple[int, int, datetime.date]],
                 rng: random.Random, rows: _Rows) -> None:
    """A cell reporting counts: meetings counting members without names, two member returns (the later
    one wins) and a pledge return."""
    for event_id, site_id, _day in events:
        rows.sites.append((site_id, event_id, cell.id, round(cell.members * rng.uniform(0.7, 0.9)),
                           rng.randint(0, 10), "{}", 0))
    exempt, away = cell.members * 3 // 100, cell.members * 2 // 100
    eligible = campaign.expected_members(total=cell.members, exempt=exempt, away=away)
    for as_of, share in ((datetime.date(YEAR, 3, 1), 60), (datetime.date(YEAR, 6, 1), 85)):
        rows.member_returns.append(
            (campaign.pk, cell.id, as_of, cell.members, exempt, away, eligible * share // 100)
        )
    rows.pledge_returns.append((campaign.pk, cell.id, PLEDGED_ON, cell.members * 9 // 10, 0, 0, 0))
