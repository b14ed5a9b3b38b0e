"""A synthetic tree for the roll-up benchmark, written with bulk_create in batches.

This is a benchmark fixture, not user data: it bypasses the services (no audit entries,
no per-row validation) to be fast, but keeps every invariant the roll-up relies on:
unit paths are `parent.path + path_segment(id)` with depths 1/2/3, every member has one
open-ended MemberStatus (valid_from empty), attendances repeat the site's event, and
records are dated inside the campaign.

Shape (defaults): 1 province -> 100 communes -> 10 cells each, 100 members a cell.
Communes with an even index keep their cells per person (roster + attendances listed by
name, ~80% of the cell each time); the others report counts (two member returns a cell,
the later one wins; their sites count members without names). Every cell holds 10 cell
meetings with one bridge point; the province holds one online conference with a bridge
point in every commune.
"""

import datetime
import random
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import TypeVar

from django.apps import apps
from django.core.management.base import CommandError
from django.db import connection, connections, models, transaction

from chuyende.campaigns.models import Campaign
from chuyende.events.models import Attendance, Event, Site
from chuyende.events.study_records import rebuild_all_study_records
from chuyende.materials.models import MaterialTransfer
from chuyende.members.models import Member, MemberStatus, MemberStatusChoices
from chuyende.members.search import search_key_of
from chuyende.organisation.models import Level, Unit, path_segment
from chuyende.outreach.models import Outreach
from chuyende.pledges.models import Pledge, PledgeReturn, Rating
from chuyende.returns.models import MemberReturn, NonMemberReturn

BATCH = 2000
CAMPAIGN_CODE = "BENCH"
YEAR = 2024
AS_OF = datetime.date(YEAR, 12, 31)
PROJECT_APPS = (
    "accounts", "audit", "organisation", "members", "campaigns", "events", "returns", "outreach",
    "materials", "pledges", "supervision", "reports", "figures",
)

M = TypeVar("M", bound=models.Model)


@dataclass(frozen=True)
class Size:
    communes: int = 100
    cells: int = 10  # per commune
    members: int = 100  # per cell
    events: int = 10  # per cell


@dataclass
class Generated:
    campaign: Campaign
    root: Unit
    commune: Unit  # the first commune (kept per person)
    cell: Unit  # its first cell
    counts: dict[str, int]


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
    """Delete every row of the project's tables (foreign keys are checked at commit)."""
    connection = connections[using]
    with transaction.atomic(using=using), connection.cursor() as cursor:
        for model in project_models():
            cursor.execute(f"DELETE FROM {connection.ops.quote_name(model._meta.db_table)}")


def generate(size: Size, *, seed: int = 2024, using: str = "default") -> Generated:
    rng = random.Random(seed)
    counts: dict[str, int] = {}
    with transaction.atomic(using=using):
        for depth, name in ((1, "Tỉnh"), (2, "Xã"), (3, "Chi bộ")):
            Level.objects.using(using).update_or_create(depth=depth, defaults={"name": name})

        root = insert_units(
            [Unit(code="SYN", name="Đảng bộ tỉnh (tổng hợp)", kind=Unit.Kind.PARTY_COMMITTEE,
                  tracking=Unit.Tracking.AGGREGATE, parent=None, path="pending:SYN", depth=1)],
            [], using=using,
        )[0]
        communes = insert_units(
            [
                Unit(code=f"SYN.X{c:03d}", name=f"Đảng bộ xã số {c}", kind=Unit.Kind.PARTY_COMMITTEE,
                     tracking=Unit.Tracking.AGGREGATE, parent=root, path=f"pending:SYN.X{c:03d}", depth=2)
                for c in range(size.communes)
            ],
            [root], using=using,
        )
        cell_rows = []
        for c, commune in enumerate(communes):
            tracking = Unit.Tracking.INDIVIDUAL if c % 2 == 0 else Unit.Tracking.AGGREGATE
            for k in range(size.cells):
                code = f"{commune.code}.C{k:03d}"
                cell_rows.append(Unit(code=code, name=f"Chi bộ {k} xã {c}", kind=Unit.Kind.CELL,
                                      tracking=tracking, parent=commune, path=f"pending:{code}", depth=3))
        cells = insert_units(cell_rows, communes, using=using)
        counts["units"] = 1 + len(communes) + len(cells)

        campaign = Campaign.objects.using(using).create(
            code=CAMPAIGN_CODE, kind=Campaign.Kind.ANNUAL_TOPIC, year=YEAR,
            title="Chuyên đề tổng hợp (đo hiệu năng)", owner=root,
            starts=datetime.date(YEAR, 1, 10), ends=AS_OF, study_deadline=datetime.date(YEAR, 6, 30),
            report_deadline=datetime.date(YEAR, 6, 25), target_rate=Decimal(90),
            excluded_statuses=["exempt", "away"], rate_precision=2,
            non_party_categories=["mass", "civil_servants"],
        )

        counts.update(members=0, statuses=0, events=0, sites=0, attendances=0, member_returns=0)
        event_days = [datetime.date(YEAR, 1 + (i * 11) // max(size.events, 1) % 12, 15)
                      for i in range(size.events)]
        for commune_cells in _chunks(cells, size.cells):
            _fill_cells(commune_cells, campaign, size, event_days, rng, counts, using=using)

        # The province's online conference, followed in every commune.
        conference = Event.objects.using(using).create(
            campaign=campaign, code="HN-TINH", organiser=root, held_on=datetime.date(YEAR, 1, 20),
            format=Event.Format.ONLINE, title="Hội nghị trực tuyến toàn tỉnh",
        )
        _insert(Site, [
            Site(event=conference, unit=commune, other_members=rng.randint(30, 60),
                 non_members=rng.randint(5, 30), non_members_by_category={})
            for commune in communes
        ], using=using)
        counts["events"] += 1
        counts["sites"] += len(communes)

        non_member_returns = [
            NonMemberReturn(campaign=campaign, unit=commune, as_of=datetime.date(YEAR, 6, 1),
                            expected=200, studied=rng.randint(150, 200))
            for commune in communes
        ]
        _insert(NonMemberReturn, non_member_returns, using=using)
        counts["non_member_returns"] = len(non_member_returns)
        rebuild_all_study_records()

    return Generated(campaign=campaign, root=root, commune=communes[0], cell=cells[0], counts=counts)


def _status(rng: random.Random) -> str:
    draw = rng.random()
    if draw < 0.03:
        return MemberStatusChoices.EXEMPT
    if draw < 0.05:
        return MemberStatusChoices.AWAY
    if draw < 0.06:
        return MemberStatusChoices.TRANSFERRED_OUT
    return MemberStatusChoices.ACTIVE


def _fill_cells(
    cells: Sequence[Unit], campaign: Campaign, size: Size, event_days: list[datetime.date],
    rng: random.Random, counts: dict[str, int], *, using: str,
) -> None:
    """Members, statuses, events, sites, attendances and returns of one commune's cells."""
    members: list[Member] = []
    for cell in cells:
        for m in range(size.members):
            code, full_name = f"{cell.code}.M{m:04d}", f"Đảng viên {m} {cell.name}"
            members.append(Member(
                code=code, full_name=full_name, search_key=search_key_of(full_name, code),
                sex=Member.Sex.MALE if m % 2 else Member.Sex.FEMALE, birth_year=1950 + m % 50,
                unit=cell, membership=Member.Membership.FULL if m % 20 else Member.Membership.PROBATIONARY,
            ))
    members = _insert(Member, members, using=using)
    _insert(MemberStatus, [
        MemberStatus(member=member, status=_status(rng), valid_from=None, valid_to=None)
        for member in members
    ], using=using)
    counts["members"] += len(members)
    counts["statuses"] += len(members)

    events = _insert(Event, [
        Event(campaign=campaign, code=f"{cell.code}.E{e:02d}", organiser=cell, held_on=day,
              format=Event.Format.CELL_MEETING, title=f"Sinh hoạt chi bộ {e + 1}")
        for cell in cells
        for e, day in enumerate(event_days)
    ], using=using)
    individual = {cell.pk for cell in cells if cell.tracking == Unit.Tracking.INDIVIDUAL}
    sites = _insert(Site, [
        Site(event=event, unit_id=event.organiser_id,
             other_members=0 if event.organiser_id in individual else rng.randint(70, 90),
             non_members=rng.randint(0, 10), non_members_by_category={})
        for event in events
    ], using=using)
    counts["events"] += len(events)
    counts["sites"] += len(sites)

    by_cell: dict[int, list[Member]] = {}
    for member in members:
        by_cell.setdefault(member.unit_id, []).append(member)
    attendances: list[Attendance] = []
    for site in sites:
        if site.unit_id not in individual:
            continue
        roster = by_cell[site.unit_id]
        chosen = rng.sample(roster, k=round(len(roster) * 0.8))
        site.listed_members = len(chosen)
        attendances.extend(Attendance(event_id=site.event_id, site=site, member=m) for m in chosen)
    _insert(Attendance, attendances, using=using)
    Site.objects.using(using).bulk_update(sites, ["listed_members"], batch_size=2000)
    counts["attendances"] += len(attendances)

    returns: list[MemberReturn] = []
    for cell in cells:
        if cell.pk in individual:
            continue
        exempt, away = size.members * 3 // 100, size.members * 2 // 100
        eligible = size.members - exempt - away
        for as_of, share in ((datetime.date(YEAR, 3, 1), 60), (datetime.date(YEAR, 6, 1), 85)):
            returns.append(MemberReturn(campaign=campaign, unit=cell, as_of=as_of, members_total=size.members,
                                        exempt=exempt, away=away, studied=eligible * share // 100))
    _insert(MemberReturn, returns, using=using)
    counts["member_returns"] += len(returns)
    _fill_pledges_and_outreach(cells, members, individual, campaign, size, rng, counts, using=using)


def _fill_pledges_and_outreach(
    cells: Sequence[Unit], members: list[Member], individual: set[int], campaign: Campaign, size: Size,
    rng: random.Random, counts: dict[str, int], *, using: str,
) -> None:
    """Pledges of ~90% of roster members (half of them rated), pledge returns, outreach, materials."""
    registered_on, rated_on = datetime.date(YEAR, 3, 20), datetime.date(YEAR, 12, 20)
    ratings = (Rating.EXCELLENT, Rating.GOOD, Rating.GOOD, Rating.NOT_MET)
    pledges = [
        Pledge(campaign=campaign, member=member, registered_on=registered_on, text="Đăng ký làm theo",
               rating=rng.choice(ratings) if member.pk % 2 else "",
               rated_on=rated_on if member.pk % 2 else None)
        for member in members
        if member.unit_id in individual and rng.random() < 0.9
    ]
    _insert(Pledge, pledges, using=using)
    _insert(PledgeReturn, [
        PledgeReturn(campaign=campaign, unit=cell, as_of=registered_on, registered=size.members * 9 // 10)
        for cell in cells if cell.pk not in individual
    ], using=using)
    _insert(Outreach, [
        Outreach(campaign=campaign, unit=cell, held_on=datetime.date(YEAR, 2 + i, 10),
                 channel=Outreach.Channel.ORAL, sessions=rng.randint(1, 5),
                 reach=None if i == 0 else rng.randint(50, 300))
        for cell in cells for i in range(3)
    ], using=using)
    commune = cells[0].parent
    assert commune is not None
    book = MaterialTransfer.Item.BOOK
    _insert(MaterialTransfer, [
        MaterialTransfer(campaign=campaign, sender=commune, recipient=commune, item=book,
                         quantity=5 * len(cells), sent_on=datetime.date(YEAR, 1, 15)),
        *(MaterialTransfer(campaign=campaign, sender=commune, recipient=cell, item=book, quantity=5,
                           sent_on=datetime.date(YEAR, 1, 20)) for cell in cells),
    ], using=using)
    counts["pledges"] = counts.get("pledges", 0) + len(pledges)
