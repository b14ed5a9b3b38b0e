"""`manage.py run_worker`: ends the jobs a stopped runner left unfinished, then runs the queue like
db_worker. Committed transactions (the worker checks its database connection between tasks)."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django_tasks import TaskResultStatus
from django_tasks_db.models import DBTaskResult

from chuyende.accounts.models import User
from chuyende.imports import services
from chuyende.imports.models import ImportJob
from chuyende.members.models import Member
from tests.builders import make_unit
from tests.imports.test_jobs import HEADER

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture(autouse=True)
def job_settings(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}}
    settings.WORKER_MEMORY_MB = 0  # the ceiling is tested in a process of its own, not on pytest's


def queued(actor: User, prefix: str) -> ImportJob:
    rows = [f"{prefix}-{number},Người {number},Nam,1990,W.C,Đảng viên chính thức,," for number in (1, 2)]
    upload = SimpleUploadedFile("ds.csv", ("\n".join([HEADER, *rows]) + "\n").encode())
    job = services.import_job_create(actor=actor, kind="members", upload=upload)
    return services.import_job_start(actor=actor, job=job, rows=2)


def test_run_worker_ends_the_cut_off_job_then_runs_the_waiting_one():
    root = make_unit("W")
    make_unit("W.C", root, individual=True)
    officer = User.objects.create(username="w.officer", unit=root, role="officer")
    waiting = queued(officer, "WAIT")
    cut_off = queued(officer, "CUT")
    # The previous runner was killed while it ran `cut_off`.
    DBTaskResult.objects.get(id=cut_off.task_id).claim("killed-worker")
    ImportJob.objects.filter(pk=cut_off.pk).update(status=ImportJob.Status.RUNNING)

    call_command("run_worker", "--batch", "--no-startup-delay", "--no-reload", verbosity=0)

    waiting.refresh_from_db()
    cut_off.refresh_from_db()
    assert (waiting.status, waiting.created_count) == (ImportJob.Status.SUCCEEDED, 2)
    assert (cut_off.status, cut_off.interrupted) == (ImportJob.Status.FAILED, True)
    assert DBTaskResult.objects.get(id=cut_off.task_id).status == TaskResultStatus.FAILED
    assert set(Member.objects.values_list("code", flat=True)) == {"WAIT-1", "WAIT-2"}
