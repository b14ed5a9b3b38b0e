"""New members are imported in bulk (members_import) by member_create's rules, and files are read fast.

The bulk path must store what member_create stores, refuse what it refuses with its messages (on the
row and column of the file), write nothing when anything is refused, keep the scope, leave one audit
entry per import and run a number of queries that does not grow with the rows. The fast reader of
.xlsx sheets must read every cell as lxml does, and leave to lxml what it does not know.
"""

import datetime
import gc
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.db import connection, models, transaction
from django.test.utils import CaptureQueriesContext

from chuyende.accounts.models import User
from chuyende.audit.models import AuditEntry
from chuyende.core import bulk
from chuyende.core.exceptions import NotAllowed, NotInScope
from chuyende.imports import engine
from chuyende.imports.limits import damaged
from chuyende.imports.reading import read_table
from chuyende.imports.spec import KINDS
from chuyende.members import services
from chuyende.members.models import Member, MemberStatus
from chuyende.members.search import search_key_of
from chuyende.members.services import MemberRow, MemberRowsInvalid, member_create, members_import
from chuyende.organisation.models import Unit
from tests.builders import nothing_written
from tests.imports.fixtures import (
    headers,
    sheet_file,
    template_with,
    workbook,
)

pytestmark = pytest.mark.usefixtures("db")
D = datetime.date

DONG, TAY = "BN.HA.HB.DONG", "BN.HA.HB.TAY"
MEMBERS = (
    {"code": "BK-01", "full_name": "Nguyễn Văn Ánh", "sex": "male", "birth_year": 1980, "unit": DONG,
     "membership": "full", "status": "active"},
    {"code": "BK-02", "full_name": "Đỗ Thị Hương", "sex": "female", "birth_year": 1992, "unit": DONG,
     "membership": "probationary"},
    {"code": "bk-03", "full_name": "  Trần   Quốc  Tuấn ", "sex": "male", "birth_year": 1975, "unit": TAY,
     "membership": "full", "status": "away", "status_since": D(2023, 6, 1)},
    {"code": "BK-ĐÔNG-04", "full_name": "Lê Thị Mai", "sex": "female", "birth_year": 1968, "unit": TAY,
     "membership": "full", "status": "exempt"},
)


def run(actor: User | None, data: bytes, filename: str = "file.xlsx", **options: Any) -> engine.ImportResult:
    return engine.run_import(actor=actor, kind="members", file=data, filename=filename, **options)


def records(codes: list[str]) -> list[tuple[Any, ...]]:
    """What is stored of these members: their fields, search key, unit and status periods."""
    return sorted(
        (member.code, member.full_name, member.sex, member.birth_year, member.unit.code, member.membership,
         member.search_key, tuple((s.status, s.valid_from, s.valid_to) for s in member.statuses.all()))
        for member in Member.objects.filter(code__in=codes).select_related("unit")
    )


def member_rows(*rows: dict[str, Any]) -> list[MemberRow]:
    units = {unit.code: unit for unit in Unit.objects.all()}
    return [MemberRow(unit=units[row["unit"]], code=row["code"], full_name=row["full_name"].strip(),
                      sex=row["sex"], birth_year=row["birth_year"], membership=row["membership"],
                      status=row.get("status") or "active", status_since=row.get("status_since"))
            for row in rows]


def one_by_one(actor: User | None, rows: list[MemberRow]) -> dict[int, dict[str, list[str]]]:
    """What member_create says of each row, called row by row as the rows come; then undone."""
    errors = {}
    with transaction.atomic():
        for index, row in enumerate(rows):
            try:
                with transaction.atomic():
                    member_create(actor=actor, **row._asdict())
            except ValidationError as error:
                errors[index] = error.message_dict
        transaction.set_rollback(True)
    return errors


def where(problems: list[engine.ImportProblem]) -> list[tuple[int | None, str]]:
    return [(problem.row, problem.column) for problem in problems]


# --- the same records as member_create ---------------------------------------------------------------


def test_an_import_stores_what_member_create_stores(actors):
    codes = [" ".join(str(row["code"]).split()) for row in MEMBERS]
    with transaction.atomic():
        for row in member_rows(*MEMBERS):
            member_create(actor=actors.owner, **row._asdict())
        expected = records(codes)
        transaction.set_rollback(True)
    assert len(expected) == 4

    result = run(actors.owner, template_with("members", *MEMBERS))

    assert result.problems == []
    assert (result.created, result.updated, result.unchanged) == (4, 0, 0)
    assert records(codes) == expected
    assert Member.objects.get(code="bk-03").search_key == search_key_of("Trần Quốc Tuấn", "bk-03")
    # Every new member has one open status period: the status of the row from its day, else active.
    assert MemberStatus.objects.filter(member__code__in=codes, valid_to__isnull=True).count() == 4


def test_the_service_stores_what_member_create_stores(actors):
    rows = member_rows(*MEMBERS)
    with transaction.atomic():
        for row in rows:
            member_create(actor=None, **row._asdict())
        expected = records([row.code for row in rows])
        transaction.set_rollback(True)

    result = members_import(actor=None, rows=rows)

    assert result.created == 4
    assert records([row.code for row in rows]) == expected


def test_the_bulk_checks_cover_every_rule_of_the_models():
    """members_import checks the fields as Model.clean_fields does; it would miss a model-wide rule."""
    for model in (Member, MemberStatus):
        assert model.clean is models.Model.clean, f"{model.__name__}.clean is overridden"
        assert not model._meta.constraints and not model._meta.unique_together
    assert [field.name for field in Member._meta.fields if field.unique and not field.primary_key] == ["code"]
    # unit_since is written by dated moves only: an imported member is in their unit from the start.
    assert {field.name for field in Member._meta.fields} == {
        "id", "unit", "unit_since", *services.CHECKED_MEMBER_FIELDS}
    assert {field.name for field in MemberStatus._meta.fields} == {
        "id", "member", "valid_to", *services.CHECKED_STATUS_FIELDS}


# --- refusals -----------------------------------------------------------------------------------------


def bad_rows() -> list[MemberRow]:
    good = member_rows(*MEMBERS)[0]
    district = good.unit.path[:20]  # the first two segments: BN.HA
    aggregate = Unit.objects.filter(tracking=Unit.Tracking.AGGREGATE, path__startswith=district).first()
    assert aggregate is not None
    return [
        good._replace(code="BAD-01"),  # passes
        good._replace(code="HB-DONG-01"),  # stored
        good._replace(code="BAD-02", unit=aggregate),  # counts only
        good._replace(code="BAD-03", full_name="A" * 256),
        good._replace(code="BAD-04", sex="x", membership="honorary"),  # two fields at once
        good._replace(code="BAD-05", birth_year=1850),
        good._replace(code="BAD-06", birth_year=70000),
        good._replace(code="BAD-07", status="gone"),
        good._replace(code="BAD-08", full_name="Ă" * 255),  # passes: as long as a name may be
        good._replace(code="BAD-09", full_name=""),
        good._replace(code="BAD-01"),  # taken by the first row
        good._replace(code="HB-DONG-01", sex="x"),  # stored: the code is said first
        good._replace(code="BAD-10", status_since="2024-13-01"),  # type: ignore[arg-type]  # not a day
        good._replace(code="BAD-05"),  # the row above with this code was refused: free again
        good._replace(code="B" * 65),
    ]


def test_the_service_refuses_what_member_create_refuses_with_its_messages(actors):
    district = User.objects.create(username="s.ha.bulk", unit=Unit.objects.get(code="BN.HA"), role="officer")
    rows = bad_rows()
    expected = one_by_one(district, rows)
    assert set(expected) == {1, 2, 3, 4, 5, 6, 7, 9, 10, 11, 12, 14}

    with nothing_written(), pytest.raises(MemberRowsInvalid) as caught:
        members_import(actor=district, rows=rows)

    assert {index: error.message_dict for index, error in caught.value.errors.items()} == expected


@pytest.mark.parametrize("returning", [True, False])
def test_a_stored_code_alone_is_refused_and_nothing_is_written(actors, monkeypatch, returning):
    """The insert finds the stored code (whether it returns the rows' ids or they are looked up)."""
    where_possible = bulk.inserts_return_rows
    monkeypatch.setattr(bulk, "inserts_return_rows", lambda: returning and where_possible())
    rows = member_rows(*MEMBERS)
    rows[2] = rows[2]._replace(code="HB-DONG-01")
    expected = one_by_one(actors.owner, rows)
    assert list(expected) == [2]

    with nothing_written(), pytest.raises(MemberRowsInvalid) as caught:
        members_import(actor=actors.owner, rows=rows)

    assert {index: error.message_dict for index, error in caught.value.errors.items()} == expected


def test_without_returning_inserts_the_same_records_are_stored(actors, monkeypatch):
    rows = member_rows(*MEMBERS)
    members_import(actor=actors.owner, rows=rows)
    expected = records([row.code for row in rows])
    with transaction.atomic():
        Member.objects.filter(code__in=[row.code for row in rows]).delete()
        monkeypatch.setattr(bulk, "inserts_return_rows", lambda: False)
        members_import(actor=actors.owner, rows=rows)
        assert records([row.code for row in rows]) == expected


def test_refusals_of_the_service_are_named_on_their_row_and_column(actors):
    rows = [dict(MEMBERS[0]), {**MEMBERS[1], "full_name": "Đ" * 256}, {**MEMBERS[2], "birth_year": 1850}]
    expected = one_by_one(actors.owner, member_rows(*rows))

    with nothing_written():
        result = run(actors.owner, template_with("members", *rows))

    assert where(result.problems) == [(3, "Họ và tên (B)"), (4, "Năm sinh (D)")]
    assert [problem.message for problem in result.problems] == [
        *expected[1]["full_name"], *expected[2]["birth_year"]]
    assert (result.created, result.updated, result.unchanged) == (0, 0, 0)


def test_a_unit_outside_the_scope_is_a_problem_and_nothing_is_written(actors):
    rows = [MEMBERS[0], {**MEMBERS[1], "unit": "BN.HA.HP.PM"}]
    with nothing_written():
        result = run(actors.owner, template_with("members", *rows))
    assert where(result.problems) == [(3, "Mã đơn vị (E)")]
    assert "BN.HA.HP.PM" in result.problems[0].message


def test_the_service_keeps_the_scope(actors):
    outside = Unit.objects.get(code="BN.HA.HP.PM")
    rows = member_rows(MEMBERS[0])
    with nothing_written(), pytest.raises(NotInScope):
        members_import(actor=actors.owner, rows=[*rows, rows[0]._replace(code="BK-09", unit=outside)])
    with nothing_written(), pytest.raises(NotAllowed):
        members_import(actor=actors.viewer, rows=rows)


# --- the audit entry ----------------------------------------------------------------------------------


def test_one_audit_entry_per_import(actors):
    before = AuditEntry.objects.count()
    run(actors.owner, template_with("members", *MEMBERS))

    assert AuditEntry.objects.count() == before + 1
    entry = AuditEntry.objects.order_by("-pk").first()
    assert entry is not None
    assert (entry.actor, entry.action, entry.record_type) == (actors.owner, "create", "members.Member")
    assert entry.unit_path == Unit.objects.get(code="BN.HA.HB").path  # above both cells
    assert entry.after == {"created": 4, "codes": ["BK-01", "bk-03"], "units": [DONG, TAY]}
    assert "BK-01" in entry.record_label and "bk-03" in entry.record_label

    with nothing_written():  # importing the file again changes nothing and records nothing
        again = run(actors.owner, template_with("members", *MEMBERS))
    assert again.unchanged == 4


def test_an_import_into_one_cell_is_recorded_under_that_cell(actors):
    result = members_import(actor=actors.owner, rows=member_rows(MEMBERS[0], MEMBERS[1]))
    assert result.entry is not None
    assert result.entry.unit_path == Unit.objects.get(code=DONG).path


# --- queries and progress -----------------------------------------------------------------------------


def numbered(count: int, prefix: str) -> bytes:
    return template_with("members", *({**MEMBERS[index % 4], "code": f"{prefix}-{index:04d}"}
                                      for index in range(count)))


def test_the_queries_do_not_grow_with_the_rows(actors):
    small, large = numbered(50, "Q1"), numbered(500, "Q2")
    with CaptureQueriesContext(connection) as fifty:
        assert run(actors.owner, small).created == 50
    with CaptureQueriesContext(connection) as five_hundred:
        assert run(actors.owner, large).created == 500
    assert len(five_hundred) == len(fifty)
    assert len(fifty) < 25


def test_writing_reports_progress_batch_by_batch(actors, monkeypatch):
    monkeypatch.setattr(services, "BULK_BATCH", 10)
    steps: list[tuple[int, int]] = []
    result = run(actors.owner, numbered(60, "P"), progress=lambda done, total: steps.append((done, total)))
    assert result.created == 60
    writing = [done for done, total in steps if total == 60 and 30 < done < 60]
    assert len(writing) >= 4, steps
    assert writing == sorted(writing)
    assert steps[-1] == (60, 60)


def test_the_cycle_collector_is_paused_only_while_importing(actors):
    states: list[bool] = []
    run(actors.owner, numbered(3, "G"), progress=lambda done, total: states.append(gc.isenabled()))
    assert states and not any(states)
    assert gc.isenabled()
    gc.disable()
    try:
        run(actors.owner, numbered(3, "H"))
        assert not gc.isenabled()
    finally:
        gc.enable()


# --- reading what the sheet's XML says ----------------------------------------------------------------


@pytest.mark.parametrize(("rows", "after"), [
    ('<row r="2"><c r="A2" t="inlineStr"><is><t>BK-1</t>', ""),  # cut in the middle of a cell
    ('<row r="2"><c r="A2" t="inlineStr"><is><t>BK-1</t></is></c></row>', "</sheetData></worksheet>\x00\xff"),
])
def test_a_damaged_sheet_is_refused_with_nothing_written(actors, rows, after):
    header = "".join(f'<c r="{chr(65 + index)}1" t="inlineStr"><is><t>{text}</t></is></c>'
                     for index, text in enumerate(headers("members")))
    data = sheet_file(f'<row r="1">{header}</row>{rows}', after=after)
    with nothing_written():
        result = run(actors.owner, data)
    assert result.problems
    assert where(result.problems) == [(None, "")]
    assert result.problems[0].message == damaged("file.xlsx").message


def test_a_large_template_is_read_fast_and_whole():
    rows = [{**MEMBERS[index % 4], "code": f"F-{index:05d}"} for index in range(3000)]
    data = template_with("members", *rows)
    with read_table(data, filename="file.xlsx", sheet=KINDS["members"]) as table:
        assert sum(1 for _row in table.rows) == 3000
        assert table.total_rows == 3000


def test_plain_workbooks_still_read_through_the_engine(actors):
    row = ["BK-77", "Phan Văn Bảy", "Nam", 1977, DONG, "Đảng viên chính thức"]
    data = workbook([headers("members"), row], title="Đảng viên")
    result = run(actors.owner, data)
    assert result.problems == []
    assert result.created == 1


# --- stored members changed (members_bulk_update) ------------------------------------------------------


def test_changed_members_are_written_in_a_fixed_number_of_queries(actors):
    def changed(count: int, prefix: str) -> bytes:
        return template_with("members", *({**MEMBERS[index % 4], "code": f"{prefix}-{index:04d}",
                                           "full_name": f"Tên Mới {index}", "status": "away",
                                           "status_since": D(2024, 6, 1)} for index in range(count)))

    assert run(actors.owner, numbered(5, "C1")).created == 5
    assert run(actors.owner, numbered(50, "C2")).created == 50
    with CaptureQueriesContext(connection) as five:
        assert run(actors.owner, changed(5, "C1")).updated == 5
    with CaptureQueriesContext(connection) as fifty:
        assert run(actors.owner, changed(50, "C2")).updated == 50
    assert len(fifty) == len(five)
    assert AuditEntry.objects.filter(action="update", record_type="members.Member").count() == 55
    assert Member.objects.filter(full_name="Tên Mới 49", code="C2-0049").exists()


def test_refusals_of_the_bulk_update_are_named_on_their_row_and_column(actors):
    assert run(actors.owner, template_with("members", *MEMBERS)).created == 4
    rows = [{**MEMBERS[0], "full_name": "Nguyễn Văn Ánh Mới"}, {**MEMBERS[1], "birth_year": 2020},
            {**MEMBERS[2], "full_name": "Đ" * 256}]
    codes = [str(row["code"]) for row in MEMBERS]
    before = records(codes)

    with nothing_written():
        result = run(actors.owner, template_with("members", *rows))

    assert where(result.problems) == [(3, "Năm sinh (D)"), (4, "Họ và tên (B)")]
    assert (result.created, result.updated, result.unchanged) == (0, 0, 0)
    assert records(codes) == before
