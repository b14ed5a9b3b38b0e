"""Import pages: templates, upload, preview, the job page with its progress and outcome, the status the
page polls and the annotated copy. A job is its user's alone: anybody else gets a 404."""

import datetime
import io
import json
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from chuyende.campaigns.models import Campaign
from chuyende.imports import services, spec
from chuyende.imports.models import ImportJob
from chuyende.members.models import Member
from chuyende.organisation.models import Unit
from tests.view_helpers import message, table_counts

pytestmark = pytest.mark.django_db

HEADER = ",".join(column.header for column in spec.MEMBERS.columns)
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@pytest.fixture(autouse=True)
def job_settings(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}


def members_csv(*rows: str, name: str = "dang-vien.csv") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, ("\n".join([HEADER, *rows]) + "\n").encode(), content_type="text/csv")


GOOD_ROWS = (
    "HB-V-1,Lê Thị Một,Nữ,1990,BN.HA.HB.DONG,Đảng viên chính thức,,",
    "HB-V-2,Trần Văn Hai,Nam,1985,BN.HA.HB.DONG,Đảng viên dự bị,,",
)
BAD_ROWS = (
    "HB-V-1,Lê Thị Một,Nữ,1990,BN.HA.HB.DONG,Đảng viên chính thức,,",
    "HB-V-2,Trần Văn Hai,Nam,năm,BN.HA.HB.DONG,Đảng viên dự bị,,",
)


def uploaded_job(user, *rows: str, name: str = "dang-vien.csv") -> ImportJob:
    return services.import_job_create(actor=user, kind="members", upload=members_csv(*rows, name=name))


def finished_job(user, *rows: str) -> ImportJob:
    job = uploaded_job(user, *rows)
    return services.import_job_start(actor=user, job=job, rows=len(rows))


# --- home: templates, upload form, recent jobs --------------------------------------------------------


def test_home_lists_every_template_and_the_users_own_jobs(actors, client_for, django_assert_max_num_queries):
    mine = uploaded_job(actors.owner, *GOOD_ROWS, name="cua-toi.csv")
    finished_job(actors.owner, *GOOD_ROWS)
    uploaded_job(actors.reporter, *GOOD_ROWS, name="cua-nguoi-khac.csv")
    client = client_for(actors.owner)
    with django_assert_max_num_queries(8):
        response = client.get(reverse("imports:home"))
    assert response.status_code == 200
    page = response.content.decode()
    for kind in spec.KINDS:
        assert reverse("imports:template", args=[kind]) in page
    assert [job.user for job in response.context["jobs"]] == [actors.owner, actors.owner]
    assert "cua-toi.csv" in page
    assert "cua-nguoi-khac.csv" not in page
    assert reverse("imports:preview", args=[mine.pk]) in page
    assert 'enctype="multipart/form-data"' in page


def test_a_viewer_sees_the_templates_but_cannot_upload(actors, client_for):
    client = client_for(actors.viewer)
    response = client.get(reverse("imports:home"))
    assert response.status_code == 200
    assert not response.context["may_import"]
    assert 'type="file"' not in response.content.decode()
    response = client.post(reverse("imports:home"), {"kind": "members", "file": members_csv(*GOOD_ROWS)})
    assert response.status_code == 403
    assert not ImportJob.objects.exists()


def test_pages_need_a_login(client, actors):
    job = uploaded_job(actors.owner, *GOOD_ROWS)
    for url in (reverse("imports:home"), reverse("imports:template", args=["members"]),
                reverse("imports:preview", args=[job.pk]), reverse("imports:job", args=[job.pk]),
                reverse("imports:job_status", args=[job.pk])):
        response = client.get(url)
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("login"))


def test_a_template_downloads_as_a_workbook(actors, client_for):
    response = client_for(actors.viewer).get(reverse("imports:template", args=["member_returns"]))
    assert response.status_code == 200
    assert response["Content-Type"] == XLSX
    assert 'filename="mau-nhap-member-returns.xlsx"' in response["Content-Disposition"]
    workbook = load_workbook(io.BytesIO(response.content))
    assert spec.MEMBER_RETURNS.title in workbook.sheetnames


def _listed_codes(content: bytes) -> list[str]:
    """The unit codes the downloaded members template offers in its unit column."""
    book = load_workbook(io.BytesIO(content))
    validation = next(v for v in book[spec.MEMBERS.title].data_validations.dataValidation
                      if str(v.sqref) == "E2:E1048576")
    first, last = validation.formula1.split("!")[1].replace("$", "").split(":")
    return [row[0].value for row in book["Danh mục"][f"{first}:{last}"]]


@pytest.mark.parametrize(("who", "top"), [("owner", "BN.HA.HB"), ("viewer", "BN.HA.HB"),
                                          ("outsider", "BN.HA.HP")])
def test_each_user_downloads_the_codes_of_their_own_subtree(actors, client_for, who, top):
    user = actors.outsiders["reporter"] if who == "outsider" else getattr(actors, who)
    response = client_for(user).get(reverse("imports:template", args=["members"]))
    assert response.status_code == 200
    expected = list(Unit.objects.filter(path__startswith=user.unit.path).order_by("path")
                    .values_list("code", flat=True))
    assert _listed_codes(response.content) == expected
    assert expected[0] == top and all(code.startswith(top) for code in expected)


def test_the_template_asks_for_the_units_once_however_many(actors, client_for, django_assert_num_queries):
    client = client_for(actors.owner)
    url = reverse("imports:template", args=["members"])
    with django_assert_num_queries(4):  # session, user, the user's unit, the subtree's codes
        assert client.get(url).status_code == 200
    dong = Unit.objects.get(code="BN.HA.HB.DONG")
    Unit.objects.bulk_create(
        Unit(code=f"BN.HA.HB.DONG.T{n:03d}", name=f"Tổ {n}", kind=Unit.Kind.CELL, parent=dong,
             path=f"{dong.path}{900000000 + n:09d}.", depth=dong.depth + 1)
        for n in range(300)
    )
    with django_assert_num_queries(4):
        response = client.get(url)
    codes = _listed_codes(response.content)
    assert len(codes) == 4 + 300 and "BN.HA.HB.DONG.T299" in codes


def test_an_unknown_template_is_404(actors, client_for):
    assert client_for(actors.owner).get(reverse("imports:template", args=["bombs"])).status_code == 404


def test_upload_leads_to_the_preview(actors, client_for):
    response = client_for(actors.owner).post(reverse("imports:home"),
                                            {"kind": "members", "file": members_csv(*GOOD_ROWS)})
    job = ImportJob.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("imports:preview", args=[job.pk])
    assert (job.user, job.status, job.filename) == (actors.owner, ImportJob.Status.UPLOADED, "dang-vien.csv")
    assert not Member.objects.filter(code__startswith="HB-V-").exists()


def refused_upload(client, data: dict) -> str:
    before = table_counts()
    response = client.post(reverse("imports:home"), data)
    assert response.status_code == 200
    assert response.context["form"].errors
    assert table_counts() == before
    assert not ImportJob.objects.exists()
    return response.content.decode()


def test_a_file_that_is_not_a_spreadsheet_is_refused_in_vietnamese(actors, client_for):
    page = refused_upload(client_for(actors.owner), {
        "kind": "members", "file": SimpleUploadedFile("anh.png", b"\x89PNG\r\n\x1a\n" + b"\x00" * 64),
    })
    expected = message(
        "“%(name)s” is not a spreadsheet: only Excel workbooks (.xlsx, .xls), OpenDocument spreadsheets "
        "(.ods) and CSV files in UTF-8 (.csv) can be imported.", name="anh.png",
    )
    assert expected in page
    # On the file field of the form.
    assert 'class="field has-error"' in page


def test_a_corrupted_workbook_is_refused(actors, client_for):
    page = refused_upload(client_for(actors.owner), {
        "kind": "members", "file": SimpleUploadedFile("hong.xlsx", b"PK\x03\x04" + b"\x00" * 64),
    })
    assert message(
        "“%(name)s” is damaged and cannot be opened as a spreadsheet. Open it in Excel or LibreOffice, save "
        "it again and upload the new file.", name="hong.xlsx",
    ) in page


def test_upload_without_a_kind_or_a_file_is_refused(actors, client_for):
    client = client_for(actors.owner)
    refused_upload(client, {"file": members_csv(*GOOD_ROWS)})
    refused_upload(client, {"kind": "members"})
    refused_upload(client, {"kind": "bombs", "file": members_csv(*GOOD_ROWS)})


def test_a_campaign_of_another_subtree_is_404(actors, client_for):
    other = Campaign.objects.create(
        code="HP-RIENG", kind=Campaign.Kind.OTHER, year=2024, title="Riêng Hòa Phú",
        owner=Unit.objects.get(code="BN.HA.HP"), starts=datetime.date(2024, 1, 1),
        ends=datetime.date(2024, 12, 31), study_deadline=datetime.date(2024, 6, 30),
        report_deadline=datetime.date(2024, 7, 15), target_rate=Decimal(95),
    )
    response = client_for(actors.owner).post(reverse("imports:home"), {
        "kind": "members", "campaign": other.pk, "file": members_csv(*GOOD_ROWS),
    })
    assert response.status_code == 404
    assert not ImportJob.objects.exists()


# --- preview ----------------------------------------------------------------------------------------


def test_preview_shows_the_columns_and_the_first_rows(actors, client_for):
    job = uploaded_job(actors.owner, *GOOD_ROWS)
    response = client_for(actors.owner).get(reverse("imports:preview", args=[job.pk]))
    assert response.status_code == 200
    preview = response.context["preview"]
    assert [column.key for column in preview.columns] == [column.key for column in spec.MEMBERS.columns]
    assert [row.number for row in preview.rows] == [2, 3]
    page = response.content.decode()
    assert "Lê Thị Một" in page
    assert "Mã đảng viên" in page
    assert not Member.objects.filter(code__startswith="HB-V-").exists()


def test_preview_shows_the_header_problems(actors, client_for):
    upload = SimpleUploadedFile("cot-sai.csv", "Họ và tên,Điện thoại\nAn,0912\n".encode())
    job = services.import_job_create(actor=actors.owner, kind="members", upload=upload)
    response = client_for(actors.owner).get(reverse("imports:preview", args=[job.pk]))
    assert response.status_code == 200
    problems = response.context["preview"].problems
    assert problems
    page = response.content.decode()
    for problem in problems:
        assert message(problem.message) in page
    assert any("Mã đảng viên" in problem.message for problem in problems)
    # The file cannot be imported as it is: no button to start, the user corrects the file first.
    assert "<form method=\"post\">" not in page


def test_starting_the_import_queues_it_and_the_runner_shows_the_counts(actors, client_for):
    job = uploaded_job(actors.owner, *GOOD_ROWS)
    client = client_for(actors.owner)
    response = client.post(reverse("imports:preview", args=[job.pk]))
    assert response.status_code == 302
    assert response["Location"] == reverse("imports:job", args=[job.pk])
    job.refresh_from_db()
    assert job.status == ImportJob.Status.SUCCEEDED
    assert Member.objects.filter(code__startswith="HB-V-").count() == 2
    page = client.get(reverse("imports:job", args=[job.pk]))
    assert page.status_code == 200
    assert page.context["job"].created_count == 2
    # Starting again does nothing: the preview now leads to the job.
    before = table_counts()
    again = client.post(reverse("imports:preview", args=[job.pk]))
    assert again["Location"] == reverse("imports:job", args=[job.pk])
    assert table_counts() == before


WAITING = "It is waiting for the server's job runner, which starts it in a few seconds."
STALLED = ("No background job runner has taken this import for more than a minute: the server's job runner "
           "(run_worker) seems to be stopped. The import will start as soon as it runs again; tell the "
           "administrator of the server.")


def test_the_page_of_a_queued_job_says_it_waits_then_that_no_runner_took_it(actors, client_for, settings):
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}}
    job = uploaded_job(actors.owner, *GOOD_ROWS)
    client = client_for(actors.owner)
    assert client.post(reverse("imports:preview", args=[job.pk])).status_code == 302
    job.refresh_from_db()
    assert job.status == ImportJob.Status.QUEUED  # even two rows wait for the runner
    page = client.get(reverse("imports:job", args=[job.pk])).content.decode()
    assert f'<p id="job-waiting">{message(WAITING)}</p>' in page
    assert 'id="job-stalled" class="stalled-note" role="alert" hidden>' in page
    assert '<progress id="job-bar" max="2" value="0"' in page
    status = client.get(reverse("imports:job_status", args=[job.pk])).json()
    assert (status["status"], status["stalled"], status["total"]) == ("queued", False, 2)

    ImportJob.objects.filter(pk=job.pk).update(queued_at=timezone.now() - datetime.timedelta(seconds=61))
    page = client.get(reverse("imports:job", args=[job.pk])).content.decode()
    assert f'id="job-stalled" class="stalled-note" role="alert">{message(STALLED)}</p>' in page
    assert client.get(reverse("imports:job_status", args=[job.pk])).json()["stalled"] is True


def test_a_viewer_cannot_start_an_import(actors, client_for):
    job = uploaded_job(actors.owner, *GOOD_ROWS)
    actors.owner.role = "viewer"
    actors.owner.save()
    client = client_for(actors.owner)
    assert client.get(reverse("imports:preview", args=[job.pk])).status_code == 200
    assert client.post(reverse("imports:preview", args=[job.pk])).status_code == 403
    job.refresh_from_db()
    assert job.status == ImportJob.Status.UPLOADED


# --- the job page ------------------------------------------------------------------------------------


def test_a_failed_job_lists_its_problems_with_the_annotated_copy(actors, client_for):
    job = finished_job(actors.owner, *BAD_ROWS)
    assert job.status == ImportJob.Status.FAILED
    client = client_for(actors.owner)
    response = client.get(reverse("imports:job", args=[job.pk]))
    assert response.status_code == 200
    page = response.content.decode()
    assert reverse("imports:annotated", args=[job.pk]) in page
    problem = next(problem for problem in job.problems if problem["row"] == 3)
    assert "Năm sinh" in problem["column"]
    for text in (problem["column"], problem["value"]):
        assert text in page
    assert message(problem["message"]) in page
    download = client.get(reverse("imports:annotated", args=[job.pk]))
    assert download.status_code == 200
    assert download["Content-Type"] == XLSX
    assert 'filename="dang-vien-loi.xlsx"' in download["Content-Disposition"]
    workbook = load_workbook(io.BytesIO(b"".join(download.streaming_content)))
    assert spec.PROBLEMS_TITLE in workbook.sheetnames
    assert not Member.objects.filter(code__startswith="HB-V-").exists()


def test_a_succeeded_job_has_no_annotated_copy(actors, client_for):
    job = finished_job(actors.owner, *GOOD_ROWS)
    assert client_for(actors.owner).get(reverse("imports:annotated", args=[job.pk])).status_code == 404


def test_a_running_job_shows_the_progress_bar_and_polls_its_status(actors, client_for):
    job = uploaded_job(actors.owner, *GOOD_ROWS)
    ImportJob.objects.filter(pk=job.pk).update(status=ImportJob.Status.RUNNING, total_rows=1234)
    services.ProgressFile(job.pk)(617, 1234, force=True)
    client = client_for(actors.owner)
    response = client.get(reverse("imports:job", args=[job.pk]))
    assert response.status_code == 200
    page = response.content.decode()
    assert '<progress id="job-bar" max="1234" value="617"' in page
    assert "imports/job.js" in page
    assert reverse("imports:job_status", args=[job.pk]) in page
    assert "617" in page and "1.234" in page
    status = client.get(reverse("imports:job_status", args=[job.pk]))
    assert status.status_code == 200
    assert json.loads(status.content) == {
        "status": "running", "status_label": str(ImportJob.Status.RUNNING.label), "done": 617,
        "total": 1234, "percent": 50, "finished": False, "stalled": False,
    }


def test_the_status_of_a_finished_job_comes_from_its_row(actors, client_for):
    job = finished_job(actors.owner, *GOOD_ROWS)
    data = json.loads(client_for(actors.owner).get(reverse("imports:job_status", args=[job.pk])).content)
    assert (data["status"], data["done"], data["total"], data["percent"], data["finished"]) == (
        "succeeded", 2, 2, 100, True)


def test_an_uploaded_job_page_leads_to_its_preview(actors, client_for):
    job = uploaded_job(actors.owner, *GOOD_ROWS)
    response = client_for(actors.owner).get(reverse("imports:job", args=[job.pk]))
    assert response.status_code == 302
    assert response["Location"] == reverse("imports:preview", args=[job.pk])


@pytest.mark.parametrize("who", ["reporter", "viewer", "admin", "officer"])
def test_another_users_job_is_404(actors, client_for, who):
    failed = finished_job(actors.owner, *BAD_ROWS)
    waiting = uploaded_job(actors.owner, *GOOD_ROWS)
    other = getattr(actors, who, None) or actors.outsiders[who]
    client = client_for(other)
    names = ("imports:job", "imports:job_status", "imports:annotated")
    urls = [reverse(name, args=[failed.pk]) for name in names]
    for url in [*urls, reverse("imports:preview", args=[waiting.pk])]:
        assert client.get(url).status_code == 404, url
    before = table_counts()
    assert client.post(reverse("imports:preview", args=[waiting.pk])).status_code == 404
    assert table_counts() == before
    waiting.refresh_from_db()
    assert waiting.status == ImportJob.Status.UPLOADED


def test_a_file_with_header_problems_is_not_started(actors, client_for):
    upload = SimpleUploadedFile("cot-sai.csv", "Họ và tên,Điện thoại\nAn,0912\n".encode())
    job = services.import_job_create(actor=actors.owner, kind="members", upload=upload)
    before = table_counts()
    response = client_for(actors.owner).post(reverse("imports:preview", args=[job.pk]))
    assert response.status_code == 200
    assert response.context["preview"].problems
    assert table_counts() == before
    job.refresh_from_db()
    assert job.status == ImportJob.Status.UPLOADED


# --- a job cut off by a restart ----------------------------------------------------------------------


def interrupted_job(user) -> ImportJob:
    """A small job whose web request was ended in the middle of its run, long ago."""
    job = uploaded_job(user, *GOOD_ROWS)
    ImportJob.objects.filter(pk=job.pk).update(
        status=ImportJob.Status.RUNNING, total_rows=2,
        started_at=timezone.now() - services.REQUEST_RUN_LIMIT - datetime.timedelta(minutes=1))
    assert services.import_jobs_interrupt_unfinished() == [job.pk]
    job.refresh_from_db()
    return job


def test_an_interrupted_job_says_so_and_offers_to_start_again(actors, client_for):
    job = interrupted_job(actors.owner)
    response = client_for(actors.owner).get(reverse("imports:job", args=[job.pk]))
    assert response.status_code == 200
    page = response.content.decode()
    assert message("The import was cut off by a restart of the server before it ended, and nothing was "
                   "written. Start it again.") in page
    assert f'action="{reverse("imports:restart", args=[job.pk])}"' in page
    assert message("Start the import again") in page
    assert message("Problems") not in page  # no rows to correct: the file was never read to its end


def test_starting_an_interrupted_job_again_imports_it(actors, client_for):
    job = interrupted_job(actors.owner)
    response = client_for(actors.owner).post(reverse("imports:restart", args=[job.pk]))
    assert response.status_code == 302
    assert response["Location"] == reverse("imports:job", args=[job.pk])
    job.refresh_from_db()
    assert (job.status, job.created_count, job.interrupted) == (ImportJob.Status.SUCCEEDED, 2, False)
    assert Member.objects.filter(code__in=["HB-V-1", "HB-V-2"]).count() == 2


def test_a_job_that_cannot_start_again_says_why(actors, client_for):
    job = finished_job(actors.owner, *BAD_ROWS)
    client = client_for(actors.owner)
    before = table_counts()
    response = client.post(reverse("imports:restart", args=[job.pk]), follow=True)
    assert response.status_code == 200
    assert message("Only an import cut off by a restart of the server can be started again.") in (
        response.content.decode())
    assert table_counts() == before


def test_starting_again_is_refused_to_other_users_to_a_role_without_imports_and_to_get(actors, client_for):
    job = interrupted_job(actors.owner)
    url = reverse("imports:restart", args=[job.pk])
    assert client_for(actors.outsiders["admin"]).post(url).status_code == 404
    assert client_for(actors.reporter).post(url).status_code == 404
    assert client_for(actors.owner).get(url).status_code == 405
    actors.owner.role = "viewer"
    actors.owner.save(update_fields=["role"])
    assert client_for(actors.owner).post(url).status_code == 403
    job.refresh_from_db()
    assert (job.status, job.interrupted) == (ImportJob.Status.FAILED, True)
