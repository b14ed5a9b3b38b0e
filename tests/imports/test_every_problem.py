"""Every problem of a file in one upload: a row with several independent faults (cells that cannot be
read, unknown codes, duplicates, scope, role) lists all of them at once, through the engine, the job
page, the annotated copy and the API; nothing is written."""

import datetime
import io
from dataclasses import dataclass
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils.html import escape
from openpyxl import load_workbook

from chuyende.accounts.models import User
from chuyende.imports import engine, services
from chuyende.imports.kinds.base import MAX_PROBLEMS
from chuyende.imports.models import ImportJob
from chuyende.imports.spec import sheet_of
from chuyende.organisation.models import Unit
from tests.api.conftest import api_url, token_client
from tests.builders import nothing_written
from tests.imports.fixtures import headers, template_with, workbook

pytestmark = pytest.mark.usefixtures("db")
D = datetime.date

MEMBER = {"code": "HB-NEW-1", "full_name": "Lê Thị Mới", "sex": "female", "birth_year": 1990,
          "unit": "BN.HA.HB.DONG", "membership": "full"}
NON_MEMBER = {"campaign": "CD2024", "unit": "BN.HA.HB", "as_of": D(2024, 3, 15), "expected": 14,
              "studied": 10}
PRESENTER = {"code": "P-NEW", "full_name": "Hà Văn Mới", "title": "Bí thư Chi bộ", "unit": "BN.HA.HB"}
EVENT = {"campaign": "CD2024", "code": "N1", "organiser": "BN.HA.HB", "held_on": D(2024, 3, 22),
         "format": "in_person", "title": "Hội nghị chuyên đề", "site_unit": "BN.HA.HB", "other_members": 5}


@dataclass(frozen=True)
class Case:
    kind: str
    rows: tuple[dict[str, Any], ...]
    # (row, column letter) of every problem, in the order listed: row by row, left to right.
    cells: tuple[tuple[int, str], ...]
    actor: str = "owner"


CASES = {
    # Three faults of one row: a choice not in the list, a year that is not a number, an unknown unit.
    "members: cells and an unknown unit": Case("members", (
        {**MEMBER, "sex": "Không rõ", "birth_year": "năm", "unit": "XX"},
    ), ((2, "C"), (2, "D"), (2, "E"))),
    # A cell fault, a code repeated from the row above and a unit of another subtree.
    "members: a cell, a duplicate and a unit out of scope": Case("members", (
        MEMBER, {**MEMBER, "full_name": "Lê Thị Hai", "birth_year": "x", "unit": "BN.HA.HP.PM"},
    ), ((3, "A"), (3, "D"), (3, "E"))),
    # A stored member: a sex not in the list, a unit keeping counts only, a status change without its day.
    "members: a stored member's unit and status": Case("members", (
        {**MEMBER, "code": "HB-DONG-04", "sex": "Không rõ", "unit": "BN.HA.HP.PM", "status": "away"},
    ), ((2, "C"), (2, "E"), (2, "H")), actor="district"),
    # A reporter adding a unit: their role, a name left empty, a kind not in the list, an unknown parent.
    "units: role, cells and an unknown parent": Case("units", (
        {"code": "BN.HA.HB.X", "name": "", "kind": "Loại lạ", "parent": "ZZ"},
    ), ((2, "A"), (2, "B"), (2, "C"), (2, "D")), actor="reporter"),
    "units: a code taken, an unknown parent and a date": Case("units", (
        {"code": "BN.HA.HP.PM", "name": "Chi bộ", "kind": "cell", "parent": "ZZ", "opened_on": "hôm qua"},
    ), ((2, "A"), (2, "D"), (2, "F"))),
    "non-member returns: campaign, unit and cells": Case("non_member_returns", (
        {**NON_MEMBER, "campaign": "CD1999", "unit": "BN.HA.HP", "as_of": "hôm qua", "expected": "x"},
    ), ((2, "A"), (2, "B"), (2, "C"), (2, "D"))),
    # A viewer: their role on every row, the same return twice, a count that is not a number.
    "non-member returns: role, a duplicate and a cell": Case("non_member_returns", (
        NON_MEMBER, {**NON_MEMBER, "studied": "mười"},
    ), ((2, "B"), (3, "B"), (3, "C"), (3, "E")), actor="viewer"),
    "presenters: a duplicate, a name left empty and a unit out of scope": Case("presenters", (
        PRESENTER, {**PRESENTER, "full_name": "", "unit": "BN.HA.HP"},
        {"code": "P1", "full_name": "Người khác", "unit": "XX"},
    ), ((3, "A"), (3, "B"), (3, "D"), (4, "A"), (4, "D"))),
    # Every unknown presenter code of the cell is listed.
    "events: organiser, date, presenters and bridge point": Case("events", (
        {**EVENT, "organiser": "XX", "held_on": "x", "presenters": "PX, P3, PY", "site_unit": "BN.HA.HP"},
    ), ((2, "C"), (2, "D"), (2, "H"), (2, "H"), (2, "I"))),
    "events: rows of one event that disagree": Case("events", (
        EVENT, {**EVENT, "title": "Tên khác", "other_members": "năm"},
    ), ((3, "F"), (3, "I"), (3, "J"))),
    "attendance: event, bridge point and member": Case("attendance", (
        {"campaign": "CD2024", "event": "EX", "site_unit": "XX", "member": "HB-ZZ"},
    ), ((2, "B"), (2, "C"), (2, "D"))),
    "outreach: campaign, unit and cells": Case("outreach", (
        {"campaign": "CD1999", "unit": "XX", "held_on": "x", "channel": "Loa lạ", "sessions": 2},
    ), ((2, "A"), (2, "B"), (2, "C"), (2, "D"))),
    "materials: sender, recipient and cells": Case("materials", (
        {"campaign": "CD2024", "sender": "BN.HA.HP", "recipient": "XX", "item": "book", "quantity": "x",
         "sent_on": "x"},
    ), ((2, "B"), (2, "C"), (2, "E"), (2, "F"))),
    "pledges: campaign, member, a date and a rating without its day": Case("pledges", (
        {"campaign": "CD1999", "member": "HB-ZZ", "registered_on": "x", "text": "Cam kết", "rating": "good"},
    ), ((2, "A"), (2, "B"), (2, "C"), (2, "F"))),
}


def actor_of(case: Case, actors: Any) -> User:
    if case.actor == "district":  # an officer of BN.HA, whose subtree has units reporting counts
        return User.objects.get_or_create(username="s.ha.officer", unit=Unit.objects.get(code="BN.HA"),
                                          role="officer")[0]
    return getattr(actors, case.actor)  # type: ignore[no-any-return]


def places(problems: list[Any]) -> list[tuple[int | None, str]]:
    return [(problem.row, problem.letter) for problem in problems]


@pytest.mark.parametrize("name", list(CASES))
def test_every_fault_of_a_row_is_listed_in_one_run(actors, name):
    case = CASES[name]
    with nothing_written():
        result = engine.run_import(actor=actor_of(case, actors), kind=case.kind,
                                   file=template_with(case.kind, *case.rows), filename="f.xlsx")
    assert places(result.problems) == list(case.cells)
    assert (result.created, result.updated, result.unchanged) == (0, 0, 0)
    sheet = sheet_of(case.kind)
    for problem in result.problems:  # each on its column, with a message of its own
        assert problem.header == sheet.columns[ord(problem.letter) - ord("A")].header
        assert problem.message
    assert len({(p.row, p.letter, p.message) for p in result.problems}) == len(result.problems)


def failed_job(user: User, case: Case) -> ImportJob:
    upload = SimpleUploadedFile(f"{case.kind}.xlsx", template_with(case.kind, *case.rows))
    job = services.import_job_create(actor=user, kind=case.kind, upload=upload)
    job = services.import_job_start(actor=user, job=job, rows=len(case.rows))
    assert job.status == ImportJob.Status.FAILED
    return job


@pytest.fixture
def immediate_jobs(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}


# A viewer cannot start an import: their refusal on every row is shown by the engine's test.
@pytest.mark.usefixtures("immediate_jobs")
@pytest.mark.parametrize("name", [name for name, case in CASES.items() if case.actor != "viewer"])
def test_the_job_page_the_annotated_copy_and_the_api_list_every_fault(actors, client_for, name):
    case = CASES[name]
    user = actor_of(case, actors)
    job = failed_job(user, case)
    assert [(problem["row"], problem["letter"]) for problem in job.problems] == list(case.cells)

    client = client_for(user)
    page = client.get(reverse("imports:job", args=[job.pk]))
    assert page.status_code == 200
    text = page.content.decode()
    for problem in job.problems:
        assert escape(problem["message"]) in text
        assert escape(problem["column"]) in text

    download = client.get(reverse("imports:annotated", args=[job.pk]))
    assert download.status_code == 200
    copy = load_workbook(io.BytesIO(b"".join(download.streaming_content)))
    data = copy[sheet_of(case.kind).title]
    marked = {(cell.row, cell.column_letter) for row in data.iter_rows() for cell in row
              if str(cell.fill.fgColor.rgb).endswith("FFC7CE")}
    assert marked == set(case.cells)
    for problem in job.problems:
        assert problem["message"] in data[f"{problem['letter']}{problem['row']}"].comment.text

    answer = token_client(user).get(api_url(f"imports/{job.pk}/"))
    assert answer.status_code == 200
    body = answer.json()
    assert body["status"] == "failed"
    assert body["problems"] == job.problems


@pytest.mark.usefixtures("immediate_jobs")
def test_a_file_with_an_unknown_column_can_be_started_and_lists_the_rows_problems_too(actors, client_for):
    rows: list[list[Any]] = [[*headers("members"), "Quê quán"],
            ["HB-NEW-1", "Lê Thị Mới", "Không rõ", 1990, "XX", "Đảng viên chính thức", None, None, "Hòa An"]]
    upload = SimpleUploadedFile("dang-vien.xlsx", workbook(rows))
    job = services.import_job_create(actor=actors.owner, kind="members", upload=upload)
    client = client_for(actors.owner)
    preview = client.get(reverse("imports:preview", args=[job.pk]))
    assert [(p.row, p.letter) for p in preview.context["preview"].problems] == [(1, "I")]
    assert "<form method=\"post\">" in preview.content.decode()
    with nothing_written():
        started = client.post(reverse("imports:preview", args=[job.pk]))
    assert started["Location"] == reverse("imports:job", args=[job.pk])
    job.refresh_from_db()
    assert job.status == ImportJob.Status.FAILED
    assert [(problem["row"], problem["letter"]) for problem in job.problems] == [(1, "I"), (2, "C"), (2, "E")]


def test_a_missing_required_column_still_stops_before_the_rows(actors):
    rows = [headers("members")[:4], ["HB-NEW-1", "Lê Thị Mới", "Không rõ", "năm"]]
    result = engine.run_import(actor=actors.owner, kind="members", file=workbook(rows), filename="f.xlsx")
    assert [(problem.row, problem.column) for problem in result.problems] == [(1, ""), (1, "")]
    assert all("Mã đơn vị" in problem.message or "Loại đảng viên" in problem.message
               for problem in result.problems)


def test_the_problem_limit_still_stops_the_checks(actors, monkeypatch):
    monkeypatch.setattr("chuyende.imports.kinds.base.MAX_PROBLEMS", 4)
    rows = [{**MEMBER, "code": f"HB-NEW-{n}", "unit": "XX"} for n in range(6)]
    rows[0]["sex"] = "Không rõ"
    with nothing_written():
        result = engine.run_import(actor=actors.owner, kind="members", file=template_with("members", *rows),
                                   filename="f.xlsx")
    # The four kept (the cell read first, then the checks' unknown units), then the note that it stopped.
    assert places(result.problems) == [(2, "C"), (2, "E"), (3, "E"), (4, "E"), (None, "")]
    assert "4" in result.problems[-1].message
    assert MAX_PROBLEMS > 4
