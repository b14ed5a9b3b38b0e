"""`manage.py run_worker`: ends the jobs a stopped runner left unfinished, then runs the queue like
db_worker. Committed transactions (the worker checks its database connection between tasks)."""

import json
import os
import resource
import subprocess
import sys
from pathlib import Path

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
from tests.view_helpers import translated

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


# --- the memory ceiling ---------------------------------------------------------------------------------


@pytest.fixture
def data_limit_restored():
    """The pytest process's own RLIMIT_DATA as it was (a soft limit may be raised back to the hard one)."""
    before = resource.getrlimit(resource.RLIMIT_DATA)
    yield
    resource.setrlimit(resource.RLIMIT_DATA, before)


def test_run_worker_sets_its_memory_ceiling(settings, data_limit_restored):
    settings.WORKER_MEMORY_MB = 64 * 1024  # far above what this process uses
    call_command("run_worker", "--batch", "--no-startup-delay", "--no-reload", verbosity=0)
    assert resource.getrlimit(resource.RLIMIT_DATA)[0] == 64 * 1024 * 1_048_576


def test_the_ceiling_comes_from_the_environment_and_0_means_none(tmp_path):
    script = ("import django, resource; django.setup(); from django.conf import settings; "
              "from chuyende.imports.management.commands.run_worker import set_memory_ceiling; "
              "set_memory_ceiling(settings.WORKER_MEMORY_MB); "
              "print(resource.getrlimit(resource.RLIMIT_DATA)[0])")
    environment = {**os.environ, "DJANGO_SETTINGS_MODULE": "chuyende.settings"}

    def ceiling(value: str | None) -> str:
        env = dict(environment)
        env.pop("CHUYENDE_WORKER_MEMORY_MB", None)
        if value is not None:
            env["CHUYENDE_WORKER_MEMORY_MB"] = value
        done = subprocess.run([sys.executable, "-c", script], env=env, capture_output=True, text=True,
                              cwd=Path(__file__).resolve().parents[2], check=True)
        return done.stdout.strip()

    assert ceiling(None) == str(2048 * 1_048_576)
    assert ceiling("512") == str(512 * 1_048_576)
    assert ceiling("0") == str(resource.RLIM_INFINITY)


def test_an_import_that_reaches_the_ceiling_ends_failed_naming_it(settings):
    """A real allocation failing under a lowered RLIMIT_DATA, in a forked child (this process keeps its
    own limit): the child runs the queued job as the runner would and sends the outcome back."""
    root = make_unit("M")
    make_unit("M.C", root, individual=True)
    officer = User.objects.create(username="m.officer", unit=root, role="officer")
    rows = "".join(f"M-{number:06d},Người {number},Nam,1990,M.C,Đảng viên chính thức,,\n"
                   for number in range(200_000))
    upload = SimpleUploadedFile("lon.csv", (HEADER + "\n" + rows).encode())
    job = services.import_job_create(actor=officer, kind="members", upload=upload)
    job = services.import_job_start(actor=officer, job=job, rows=200_000)
    settings.WORKER_MEMORY_MB = 48
    reading, writing = os.pipe()
    child = os.fork()
    if child == 0:  # pragma: no cover - the child process
        try:
            os.close(reading)
            resource.setrlimit(resource.RLIMIT_DATA, (data_in_use() + 48 * 1_048_576, resource.RLIM_INFINITY))
            services.run_job(job.pk)
            ended = ImportJob.objects.get(pk=job.pk)
            os.write(writing, json.dumps([ended.status, ended.problems]).encode())
        finally:
            os._exit(0)
    os.close(writing)
    with os.fdopen(reading, "rb") as pipe:
        outcome = pipe.read()
    os.waitpid(child, 0)
    status, problems = json.loads(outcome)
    assert status == ImportJob.Status.FAILED
    assert [problem["message"] for problem in problems] == [translated(
        "The file needs more memory than one import may use (%(limit)s MB), and nothing was written. "
        "Split it into smaller files and import them one after the other.", limit="48")]


def data_in_use() -> int:
    """The process's data memory now (VmData, bytes): what RLIMIT_DATA counts."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmData:"):
            return int(line.split()[1]) * 1024
    raise AssertionError("no VmData")
