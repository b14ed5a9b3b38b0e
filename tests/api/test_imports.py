"""Imports API: upload (multipart) with its preview, start (always queued for the job runner), the caller's
jobs with their progress and outcome. A job is its user's alone: anybody else's is 404."""

from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django_tasks.signals import task_enqueued

from chuyende.imports import engine, spec
from chuyende.imports.models import ImportJob
from chuyende.members.models import Member
from tests.api.conftest import api_url, errors_of, token_client
from tests.builders import nothing_written
from tests.view_helpers import translated

pytestmark = pytest.mark.django_db

IMPORTS = api_url("imports/")
HEADER = ",".join(column.header for column in spec.MEMBERS.columns)
GOOD_ROWS = (
    "HB-API-1,Lê Thị Một,Nữ,1990,BN.HA.HB.DONG,Đảng viên chính thức,,",
    "HB-API-2,Trần Văn Hai,Nam,1985,BN.HA.HB.DONG,Đảng viên dự bị,,",
)
DATABASE_QUEUE = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}}
IMMEDIATE = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}


@pytest.fixture(autouse=True)
def job_settings(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.TASKS = DATABASE_QUEUE  # queued: nothing runs unless a test runs the runner's task


def members_csv(*rows: str, header: str = HEADER) -> SimpleUploadedFile:
    return SimpleUploadedFile("dang-vien.csv", ("\n".join([header, *rows]) + "\n").encode(),
                              content_type="text/csv")


def upload(client: Any, *rows: str, **fields: Any) -> Any:
    return client.post(IMPORTS, {"kind": "members", "file": members_csv(*rows), **fields}, format="multipart")


def job_url(job_id: int, action: str = "") -> str:
    return api_url(f"imports/{job_id}/{action + '/' if action else ''}")


def test_an_upload_answers_the_job_not_started_with_its_preview(actors):
    response = upload(token_client(actors.owner), *GOOD_ROWS)
    assert response.status_code == 201, response.content
    body = response.json()
    job = ImportJob.objects.get()
    assert body["job"]["id"] == job.pk
    assert (body["job"]["status"], body["job"]["kind"], body["job"]["filename"]) == (
        "uploaded", "members", "dang-vien.csv")
    assert body["preview"]["problems"] == []
    assert body["preview"]["total_rows"] == 2
    assert [column["template_header"] for column in body["preview"]["columns"]][:2] == [
        spec.MEMBERS.columns[0].header, spec.MEMBERS.columns[1].header]


def test_start_queues_the_job_for_the_runner_even_a_small_one(actors, monkeypatch):
    client = token_client(actors.owner)
    job_id = upload(client, *GOOD_ROWS).json()["job"]["id"]
    monkeypatch.setattr(engine, "run_import", lambda **kwargs: pytest.fail("read in the request"))
    enqueued: list[list[int]] = []

    def record(sender: Any, task_result: Any, **kwargs: Any) -> None:
        enqueued.append(list(task_result.args))

    task_enqueued.connect(record)
    try:
        with nothing_written():
            response = client.post(job_url(job_id, "start"))
    finally:
        task_enqueued.disconnect(record)
    assert response.status_code == 202, response.content
    assert enqueued == [[job_id]]
    body = response.json()
    assert (body["status"], body["done_rows"], body["total_rows"], body["stalled"]) == ("queued", 0, 2, False)
    assert body["queued_at"] is not None and body["started_at"] is None
    again = client.post(job_url(job_id, "start"))
    assert again.status_code == 400
    assert errors_of(again) == {"non_field_errors": [translated("This import has already been started.")]}


def test_a_started_job_is_followed_to_its_counts(actors, settings):
    settings.TASKS = IMMEDIATE  # the runner's task, run at once
    client = token_client(actors.owner)
    job_id = upload(client, *GOOD_ROWS).json()["job"]["id"]
    assert client.post(job_url(job_id, "start"), {}, format="json").status_code == 202
    body = client.get(job_url(job_id)).json()
    assert (body["status"], body["created_count"], body["done_rows"], body["problems"]) == (
        "succeeded", 2, 2, [])
    assert set(Member.objects.filter(code__startswith="HB-API-").values_list("code", flat=True)) == {
        "HB-API-1", "HB-API-2"}
    listed = client.get(IMPORTS).json()
    assert [row["id"] for row in listed["results"]] == [job_id]


def test_a_failed_job_lists_its_problems(actors, settings):
    settings.TASKS = IMMEDIATE
    client = token_client(actors.owner)
    job_id = upload(client, "HB-API-3,Ba,Nam,năm,BN.HA.HB.DONG,Đảng viên chính thức,,").json()["job"]["id"]
    client.post(job_url(job_id, "start"))
    body = client.get(job_url(job_id)).json()
    assert body["status"] == "failed"
    assert [(problem["row"], problem["value"]) for problem in body["problems"]] == [(2, "năm")]
    assert all(problem["message"] for problem in body["problems"])


def test_a_file_whose_header_is_wrong_is_not_started(actors):
    client = token_client(actors.owner)
    wrong = members_csv("An,0912", header="Họ và tên,Điện thoại")
    response = client.post(IMPORTS, {"kind": "members", "file": wrong}, format="multipart")
    assert response.status_code == 201
    assert response.json()["preview"]["problems"]
    job_id = response.json()["job"]["id"]
    refused = client.post(job_url(job_id, "start"))
    assert refused.status_code == 400
    assert list(errors_of(refused)) == ["file"]
    assert ImportJob.objects.get(pk=job_id).status == ImportJob.Status.UPLOADED


def test_bad_bodies_are_400_naming_the_field_with_nothing_stored(actors):
    client = token_client(actors.owner)
    assert list(errors_of(client.post(IMPORTS, {"kind": "members"}, format="multipart"))) == ["file"]
    assert list(errors_of(client.post(IMPORTS, {"kind": "bombs", "file": members_csv(*GOOD_ROWS)},
                                      format="multipart"))) == ["kind"]
    renamed = SimpleUploadedFile("x.xlsx", b"not a workbook at all")
    refused = client.post(IMPORTS, {"kind": "members", "file": renamed}, format="multipart")
    assert list(errors_of(refused)) == ["file"]
    assert client.post(IMPORTS, {"kind": "members"}, format="json").status_code == 415
    assert not ImportJob.objects.exists()


def test_roles_and_scope(actors):
    owner_job = upload(token_client(actors.owner), *GOOD_ROWS).json()["job"]["id"]
    # A viewer may not import (403); another user's job, of any role, is 404 like no job at all.
    assert upload(token_client(actors.viewer), *GOOD_ROWS).status_code == 403
    for other in (actors.reporter, actors.outsiders["officer"]):
        client = token_client(other)
        assert client.get(job_url(owner_job)).status_code == 404
        assert client.post(job_url(owner_job, "start")).status_code == 404
        assert client.get(IMPORTS).json()["results"] == []
    assert token_client(actors.owner).get(job_url(999_999)).status_code == 404
    assert ImportJob.objects.get(pk=owner_job).status == ImportJob.Status.UPLOADED


def test_a_campaign_id_of_no_record_is_404_with_nothing_stored(actors):
    response = upload(token_client(actors.owner), *GOOD_ROWS, campaign=999_999)
    assert response.status_code == 404
    assert not ImportJob.objects.exists()
