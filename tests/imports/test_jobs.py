"""Import jobs: stored uploads, the run through the task runner (immediate backend here), progress kept
outside the database, and the outcome on the job row: counts, or problems with an annotated copy."""

import datetime
import io
import json
import zipfile

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django_tasks.signals import task_enqueued
from openpyxl import load_workbook

from chuyende.core.exceptions import NotAllowed
from chuyende.imports import engine, services, spec, tasks
from chuyende.imports.models import ImportJob
from chuyende.imports.tasks import run_import_job
from chuyende.members.models import Member
from tests.builders import nothing_written
from tests.view_helpers import translated

pytestmark = pytest.mark.django_db

IMMEDIATE = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
HEADER = ",".join(column.header for column in spec.MEMBERS.columns)


@pytest.fixture(autouse=True)
def job_settings(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.TASKS = IMMEDIATE


def member_rows(count: int, *, start: int = 1, birth_year: str = "1990") -> list[str]:
    return [f"HB-JOB-{number:05d},Người Thứ {number},Nam,{birth_year},BN.HA.HB.DONG,Đảng viên chính thức,,"
            for number in range(start, start + count)]


def members_upload(rows: list[str], name: str = "dang-vien.csv") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, ("\n".join([HEADER, *rows]) + "\n").encode(), content_type="text/csv")


def started(actor, upload, **kwargs) -> ImportJob:
    job = services.import_job_create(actor=actor, kind="members", upload=upload)
    preview = services.job_preview(actor=actor, job=job)
    return services.import_job_start(actor=actor, job=job, rows=services.rows_in(preview), **kwargs)


@pytest.fixture
def recorded_progress(monkeypatch):
    """Every (done, total) the job's progress file was given, in order."""
    calls: list[tuple[int, int]] = []
    original = services.ProgressFile.__call__

    def record(self, done: int, total: int, *, force: bool = False) -> None:
        calls.append((done, total))
        original(self, done, total, force=force)

    monkeypatch.setattr(services.ProgressFile, "__call__", record)
    return calls


# --- creating -------------------------------------------------------------------------------------


def test_an_upload_is_stored_as_a_job_not_started(actors):
    with nothing_written():
        job = services.import_job_create(actor=actors.owner, kind="members",
                                         upload=members_upload(member_rows(2), name="../../etc/ds.csv"))
    assert job.status == ImportJob.Status.UPLOADED
    assert (job.user, job.unit.code, job.kind) == (actors.owner, "BN.HA.HB", "members")
    assert job.filename == "ds.csv"
    # Stored under a random name in MEDIA_ROOT/imports/, never under the user's name.
    assert job.upload.name.startswith("imports/")
    assert "ds" not in job.upload.name.rsplit("/", 1)[-1]
    assert job.upload.read().startswith(HEADER.encode())
    assert job.created_at.tzinfo is not None


def test_a_viewer_cannot_import(actors):
    with pytest.raises(NotAllowed):
        services.import_job_create(actor=actors.viewer, kind="members", upload=members_upload(member_rows(1)))
    assert not ImportJob.objects.exists()


NOT_A_SPREADSHEET = (
    "“%(name)s” is not a spreadsheet: only Excel workbooks (.xlsx, .xls), OpenDocument spreadsheets (.ods) "
    "and CSV files in UTF-8 (.csv) can be imported."
)
OLD_EXCEL_RENAMED = (
    "“%(name)s” is an Excel 97–2003 workbook (.xls) under another name. Rename it to end in .xls and "
    "upload it again."
)
NOT_A_WORKBOOK = (
    "“%(name)s” is named .%(extension)s but is not such a spreadsheet: the file is damaged or is another "
    "kind of file renamed."
)
DAMAGED = (
    "“%(name)s” is damaged and cannot be opened as a spreadsheet. Open it in Excel or LibreOffice, save it "
    "again and upload the new file."
)
NOT_TEXT = (
    "“%(name)s” is named .csv but is not a text file. Save the sheet as “CSV UTF-8 (comma delimited)” and "
    "upload it again."
)
NOT_UTF8 = (
    "“%(name)s” is not in UTF-8, so its Vietnamese letters would be garbled. Save the sheet as “CSV UTF-8 "
    "(comma delimited)” and upload it again."
)
OLE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 50


def _zip(**members: str) -> bytes:
    """The same bytes whenever it is built: the members get a fixed time, so that every test process
    collects the same parameters (pytest-xdist compares them)."""
    archive = io.BytesIO()
    with zipfile.ZipFile(archive, "w") as package:
        for path, text in members.items():
            package.writestr(zipfile.ZipInfo(path, date_time=(2024, 1, 1, 0, 0, 0)), text)
    return archive.getvalue()


BAD_UPLOADS = [
    ("notes.txt", b"hello", NOT_A_SPREADSHEET, {}),
    ("old.xls", OLE, DAMAGED, {}),
    ("renamed.xlsx", OLE, OLD_EXCEL_RENAMED, {}),
    ("renamed.ods", OLE, OLD_EXCEL_RENAMED, {}),
    ("photo.xlsx", b"\x89PNG\r\n\x1a\n" + b"\x00" * 50, NOT_A_WORKBOOK, {"extension": "xlsx"}),
    ("photo.xls", b"\x89PNG\r\n\x1a\n" + b"\x00" * 50, NOT_A_WORKBOOK, {"extension": "xls"}),
    ("text.ods", _zip(mimetype="application/vnd.oasis.opendocument.text"), NOT_A_WORKBOOK,
     {"extension": "ods"}),
    ("broken.xlsx", b"PK\x03\x04" + b"\x00" * 50, DAMAGED, {}),
    ("empty.csv", b"", "“%(name)s” is empty.", {}),
    ("binary.csv", b"a,b\x00c", NOT_TEXT, {}),
    ("latin.csv", "Ma,Ho ten\nX,Nguy\xeam\n".encode("latin-1"), NOT_UTF8, {}),
]


@pytest.mark.parametrize(("name", "content", "msgid", "params"), BAD_UPLOADS,
                         ids=[upload[0] for upload in BAD_UPLOADS])
def test_a_file_that_is_not_an_importable_spreadsheet_is_refused(actors, name, content, msgid, params):
    upload = SimpleUploadedFile(name, content)
    with pytest.raises(ValidationError) as refused:
        services.import_job_create(actor=actors.owner, kind="members", upload=upload)
    assert refused.value.message_dict == {"file": [translated(msgid, name=name, **params)]}
    assert not ImportJob.objects.exists()


def test_a_docx_renamed_xlsx_is_refused(actors):
    archive = io.BytesIO()
    with zipfile.ZipFile(archive, "w") as docx:
        docx.writestr("word/document.xml", "<w:document/>")
    upload = SimpleUploadedFile("report.xlsx", archive.getvalue())
    with pytest.raises(ValidationError) as refused:
        services.import_job_create(actor=actors.owner, kind="members", upload=upload)
    expected = translated(NOT_A_WORKBOOK, name="report.xlsx", extension="xlsx")
    assert refused.value.message_dict == {"file": [expected]}


def test_a_file_over_the_size_limit_is_refused(actors, settings):
    settings.IMPORT_UPLOAD_MAX_BYTES = 1_048_576
    upload = members_upload(member_rows(1))
    upload.size = 1_048_577
    with pytest.raises(ValidationError) as refused:
        services.import_job_create(actor=actors.owner, kind="members", upload=upload)
    assert refused.value.message_dict == {"file": [translated(
        "The file is %(size)s MB; the largest allowed is %(limit)s MB.", size="1,1", limit="1",
    )]}


def test_an_unknown_kind_is_refused(actors):
    with pytest.raises(ValidationError) as refused:
        services.import_job_create(actor=actors.owner, kind="bombs", upload=members_upload(member_rows(1)))
    assert list(refused.value.message_dict) == ["kind"]


# --- running ---------------------------------------------------------------------------------------


def test_a_large_file_runs_through_the_task_runner_to_success(actors, recorded_progress):
    enqueued: list[list[int]] = []

    def record(sender, task_result, **kwargs):
        assert task_result.task.func is run_import_job.func
        enqueued.append(list(task_result.args))

    task_enqueued.connect(record)
    try:
        job = started(actors.owner, members_upload(member_rows(300)))
    finally:
        task_enqueued.disconnect(record)
    assert enqueued == [[job.pk]]
    assert job.task_id
    assert job.status == ImportJob.Status.SUCCEEDED
    assert (job.created_count, job.updated_count, job.unchanged_count) == (300, 0, 0)
    assert (job.done_rows, job.total_rows) == (300, 300)
    assert job.problems == []
    assert not job.annotated
    assert job.started_at is not None and job.finished_at is not None
    assert job.created_at <= job.started_at <= job.finished_at
    assert job.finished_at.tzinfo is not None
    assert Member.objects.filter(code__startswith="HB-JOB-").count() == 300
    # The progress reached the total and never went back.
    assert recorded_progress[-1] == (300, 300)
    dones = [done for done, _ in recorded_progress]
    assert dones == sorted(dones)
    assert len(recorded_progress) > 3
    # The progress file is removed once the counts are on the job row.
    assert not services.progress_path(job.pk).exists()


def test_even_a_small_file_is_queued_for_the_job_runner_never_run_in_the_request(actors, monkeypatch):
    enqueued: list[int] = []
    monkeypatch.setattr(tasks, "run_import_job", _Queue(enqueued))
    monkeypatch.setattr(engine, "run_import", lambda **kwargs: pytest.fail("read in the request"))
    with nothing_written():
        job = started(actors.owner, members_upload(member_rows(1)))
    assert enqueued == [job.pk]
    assert (job.status, job.task_id, job.total_rows) == (ImportJob.Status.QUEUED, "4b0c", 1)
    assert job.queued_at is not None and job.started_at is None
    assert services.read_progress(job) == (0, 1)


def test_a_file_of_unknown_length_is_queued(actors, monkeypatch):
    enqueued: list[int] = []
    monkeypatch.setattr(tasks, "run_import_job", _Queue(enqueued))
    job = services.import_job_create(actor=actors.owner, kind="members",
                                     upload=members_upload(member_rows(1)))
    job = services.import_job_start(actor=actors.owner, job=job, rows=None)
    assert enqueued == [job.pk]
    assert job.status == ImportJob.Status.QUEUED
    # The page reads the progress from the file while the job waits or runs.
    assert services.read_progress(job) == (0, 0)


class _Queue:
    """Stands for the task: records what is queued and runs nothing (as when no worker runs)."""

    def __init__(self, enqueued: list[int]) -> None:
        self.enqueued = enqueued

    def enqueue(self, job_id: int) -> object:
        self.enqueued.append(job_id)
        return type("Result", (), {"id": "4b0c"})()


def test_progress_is_readable_outside_the_database_while_the_import_runs(actors, monkeypatch):
    monkeypatch.setattr(services, "PROGRESS_INTERVAL", 0)
    seen: list[tuple[str, tuple[int, int]]] = []
    original = services.ProgressFile.__call__

    def watch(self, done: int, total: int, *, force: bool = False) -> None:
        original(self, done, total, force=force)
        job = ImportJob.objects.get(pk=int(self.path.stem))
        data = json.loads(self.path.read_text())
        seen.append((job.status, services.read_progress(job)))
        assert (data["done"], data["total"]) == (done, total)

    monkeypatch.setattr(services.ProgressFile, "__call__", watch)
    job = started(actors.owner, members_upload(member_rows(250)), )
    assert job.status == ImportJob.Status.SUCCEEDED
    running = [progress for status, progress in seen if status == ImportJob.Status.RUNNING]
    assert running[-1] == (250, 250)
    assert any(0 < done < 250 for done, _ in running)
    # The job row itself was not written during the run: only at the end.
    assert all(status != ImportJob.Status.SUCCEEDED for status, _ in seen)


def test_reimporting_the_same_file_changes_nothing(actors):
    rows = member_rows(5)
    started(actors.owner, members_upload(rows))
    with nothing_written():
        again = started(actors.owner, members_upload(rows))
    assert again.status == ImportJob.Status.SUCCEEDED
    assert (again.created_count, again.updated_count, again.unchanged_count) == (0, 0, 5)


def test_a_bad_file_ends_failed_with_problems_and_an_annotated_copy(actors):
    other_sex = [row.replace(",Nam,", ",Khác,") for row in member_rows(1, start=5)]
    rows = member_rows(3) + member_rows(1, start=4, birth_year="năm") + other_sex
    with nothing_written():
        job = started(actors.owner, members_upload(rows, name="loi.csv"))
    assert job.status == ImportJob.Status.FAILED
    assert (job.created_count, job.updated_count, job.unchanged_count) == (0, 0, 0)
    assert not Member.objects.filter(code__startswith="HB-JOB-").exists()
    by_row = {problem["row"]: problem for problem in job.problems}
    assert set(by_row) >= {5, 6}
    birth = by_row[5]
    assert birth["sheet"] == "loi"
    assert "Năm sinh" in birth["column"]
    assert birth["value"] == "năm"
    assert birth["message"]
    assert all(set(problem) >= {"sheet", "row", "column", "value", "message"} for problem in job.problems)
    assert "Giới tính" in by_row[6]["column"]
    assert by_row[6]["value"] == "Khác"
    # The annotated copy is a workbook with the problems listed on their own sheet.
    assert job.annotated
    with job.annotated.open("rb") as handle:
        workbook = load_workbook(io.BytesIO(handle.read()))
    assert spec.PROBLEMS_TITLE in workbook.sheetnames
    assert services.annotated_name(job) == "loi-loi.xlsx"


def test_a_file_without_the_required_columns_fails_with_the_header_problems(actors):
    upload = SimpleUploadedFile("x.csv", "Họ và tên,Số điện thoại\nAn,0912\n".encode())
    with nothing_written():
        job = started(actors.owner, upload)
    assert job.status == ImportJob.Status.FAILED
    assert any("Mã đảng viên" in problem["message"] for problem in job.problems)


def test_an_unexpected_error_ends_the_job_failed_and_writes_nothing(actors, monkeypatch):
    def explode(**kwargs):
        Member.objects.filter(code="nothing").delete()
        raise RuntimeError("disk on fire")

    monkeypatch.setattr(engine, "run_import", explode)
    with nothing_written():
        job = started(actors.owner, members_upload(member_rows(2)))
    assert job.status == ImportJob.Status.FAILED
    assert len(job.problems) == 1
    assert job.problems[0]["message"] == translated(
        "The import stopped on an unexpected error and nothing was written. Try again; if it happens "
        "again, send the file to the administrator."
    )
    assert "disk on fire" not in json.dumps(job.problems)
    assert not services.progress_path(job.pk).exists()


def test_a_job_runs_once(actors, monkeypatch):
    job = started(actors.owner, members_upload(member_rows(2)))
    monkeypatch.setattr(engine, "run_import", lambda **kwargs: pytest.fail("ran again"))
    services.run_job(job.pk)
    with pytest.raises(ValidationError):
        services.import_job_start(actor=actors.owner, job=job, rows=2)
    job.refresh_from_db()
    assert job.status == ImportJob.Status.SUCCEEDED


def test_a_job_is_started_only_by_its_user(actors):
    from chuyende.core.exceptions import NotInScope

    job = services.import_job_create(actor=actors.owner, kind="members",
                                     upload=members_upload(member_rows(1)))
    with pytest.raises(NotInScope):
        services.import_job_start(actor=actors.reporter, job=job, rows=1)
    with pytest.raises(NotInScope):
        services.job_preview(actor=actors.reporter, job=job)
    job.refresh_from_db()
    assert job.status == ImportJob.Status.UPLOADED


def test_the_campaign_chosen_fills_empty_campaign_cells(actors, scenario_module):
    header = ",".join(column.header for column in spec.NON_MEMBER_RETURNS.columns)
    upload = SimpleUploadedFile("nm.csv", f"{header}\n,BN.HA.HB,30/04/2024,20,18\n".encode())
    job = services.import_job_create(actor=actors.owner, kind="non_member_returns", upload=upload,
                                     campaign=scenario_module)
    job = services.import_job_start(actor=actors.owner, job=job, rows=1)
    assert job.status == ImportJob.Status.SUCCEEDED, job.problems
    assert job.created_count == 1
    from chuyende.returns.models import NonMemberReturn

    saved = NonMemberReturn.objects.get(unit__code="BN.HA.HB", as_of=datetime.date(2024, 4, 30))
    assert (saved.campaign, saved.expected, saved.studied) == (scenario_module, 20, 18)
