"""Imports API, reading jobs: a user reads their own jobs with every problem; anybody else's job is 404."""

from typing import Any

import pytest

from chuyende.accounts.models import User
from chuyende.imports.models import ImportJob
from tests.api.conftest import api_url

pytestmark = pytest.mark.django_db

PROBLEMS = [
    {"sheet": "Đảng viên", "row": 2, "column": "Giới tính (C)", "value": "Không rõ",
     "message": "“Không rõ” không thuộc danh sách.", "letter": "C", "header": "Giới tính"},
    {"sheet": "Đảng viên", "row": 2, "column": "Năm sinh (D)", "value": "năm",
     "message": "“năm” không phải là số nguyên.", "letter": "D", "header": "Năm sinh"},
    {"sheet": "Đảng viên", "row": 2, "column": "Mã đơn vị (E)", "value": "XX",
     "message": "Không có đơn vị mã “XX” trong tổ chức của đồng chí.", "letter": "E", "header": "Mã đơn vị"},
]


def job_of(user: User, *, status: str = ImportJob.Status.FAILED, problems: Any = None) -> ImportJob:
    assert user.unit is not None
    return ImportJob.objects.create(user=user, unit=user.unit, kind="members", filename="dang-vien.xlsx",
                                    upload="imports/x.xlsx", status=status, problems=problems or [])


def test_a_user_reads_their_failed_job_with_every_problem(users, api_for):
    job = job_of(users.owner, problems=PROBLEMS)
    response = api_for(users.owner).get(api_url(f"imports/{job.pk}/"))
    assert response.status_code == 200
    body = response.json()
    assert (body["id"], body["kind"], body["filename"], body["status"]) == (
        job.pk, "members", "dang-vien.xlsx", "failed")
    assert body["problems"] == PROBLEMS


def test_a_succeeded_job_has_its_counts_and_no_problem(users, api_for):
    job = job_of(users.owner, status=ImportJob.Status.SUCCEEDED)
    ImportJob.objects.filter(pk=job.pk).update(created_count=2, unchanged_count=1, total_rows=3, done_rows=3)
    body = api_for(users.owner).get(api_url(f"imports/{job.pk}/")).json()
    assert (body["created_count"], body["updated_count"], body["unchanged_count"], body["problems"]) == (
        2, 0, 1, [])


@pytest.mark.parametrize("who", ["reporter", "viewer", "outsider"])
def test_anybody_elses_job_is_404_like_a_job_that_does_not_exist(users, api_for, who):
    job = job_of(users.owner, problems=PROBLEMS)
    other = users.outsiders["officer"] if who == "outsider" else getattr(users, who)
    assert api_for(other).get(api_url(f"imports/{job.pk}/")).status_code == 404
    assert api_for(users.owner).get(api_url(f"imports/{job.pk + 1000}/")).status_code == 404


def test_the_list_holds_the_users_own_jobs_newest_first(users, api_for, django_assert_num_queries):
    first = job_of(users.owner)
    second = job_of(users.owner, problems=PROBLEMS)
    job_of(users.reporter)
    client = api_for(users.owner)
    with django_assert_num_queries(3):  # the token and its user, the count, the page
        response = client.get(api_url("imports/"))
    assert response.status_code == 200
    assert [job["id"] for job in response.json()["results"]] == [second.pk, first.pk]


def test_jobs_cannot_be_deleted_and_need_a_login(users, api_for, anonymous_api):
    job = job_of(users.owner)
    client = api_for(users.owner)
    assert client.delete(api_url(f"imports/{job.pk}/")).status_code == 405
    assert anonymous_api.get(api_url("imports/")).status_code == 401
    assert anonymous_api.get(api_url(f"imports/{job.pk}/")).status_code == 401
