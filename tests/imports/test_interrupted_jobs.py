"""Import jobs cut off by a restart: ended as interrupted when the job runner starts (or as it is stopped
in the middle of a run), never left "running"; started again from their stored upload."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone
from django_tasks import TaskResultStatus
from django_tasks_db.models import DBTaskResult

from chuyende.accounts.models import User
from chuyende.core.exceptions import NotAllowed, NotInScope
from chuyende.imports import engine, services
from chuyende.imports.models import ImportJob
from chuyende.members.models import Member
from tests.builders import nothing_written
from tests.imports.test_jobs import member_rows, members_upload
from tests.view_helpers import translated

pytestmark = pytest.mark.django_db

DATABASE_QUEUE = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}}
IMMEDIATE = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
INTERRUPTED = ("The import was cut off by a restart of the server before it ended, and nothing was written. "
               "Start it again.")


@pytest.fixture(autouse=True)
def job_settings(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.TASKS = DATABASE_QUEUE


def queued_job(actor: User, rows: int = 3) -> ImportJob:
    """A job handed to the task runner: its task waits in the queue."""
    job = services.import_job_create(actor=actor, kind="members", upload=members_upload(member_rows(rows)))
    return services.import_job_start(actor=actor, job=job, rows=rows)


def running_in_a_stopped_runner(job: ImportJob) -> ImportJob:
    """As a runner leaves a job it was running when it was killed."""
    DBTaskResult.objects.get(id=job.task_id).claim("killed-worker")
    ImportJob.objects.filter(pk=job.pk).update(status=ImportJob.Status.RUNNING, started_at=timezone.now())
    services.ProgressFile(job.pk)(0, 3, force=True)
    job.refresh_from_db()
    return job


def run_in_a_request(actor: User, *, started_ago: datetime.timedelta) -> ImportJob:
    """A job without a task (run in a web request by an earlier version) left "running" by a request that
    was ended `started_ago`."""
    job = services.import_job_create(actor=actor, kind="members", upload=members_upload(member_rows(2)))
    ImportJob.objects.filter(pk=job.pk).update(
        status=ImportJob.Status.RUNNING, total_rows=2, started_at=timezone.now() - started_ago)
    job.refresh_from_db()
    return job


def assert_interrupted(job: ImportJob) -> None:
    job.refresh_from_db()
    assert job.status == ImportJob.Status.FAILED
    assert job.interrupted and job.can_restart
    assert [problem["message"] for problem in job.problems] == [translated(INTERRUPTED)]
    assert job.finished_at is not None
    assert not services.progress_path(job.pk).exists()


# --- ended at the runner's start --------------------------------------------------------------------


def test_at_the_runners_start_the_jobs_no_run_will_finish_are_ended_as_interrupted(actors):
    waiting = queued_job(actors.owner)
    cut_off = running_in_a_stopped_runner(queued_job(actors.owner))
    task_gone = queued_job(actors.owner)
    DBTaskResult.objects.filter(id=task_gone.task_id).delete()
    request_killed = run_in_a_request(actors.owner, started_ago=datetime.timedelta(minutes=20))
    request_running = run_in_a_request(actors.owner, started_ago=datetime.timedelta(seconds=30))

    interrupted = services.import_jobs_interrupt_unfinished()

    assert sorted(interrupted) == sorted([cut_off.pk, task_gone.pk, request_killed.pk])
    for job in (cut_off, task_gone, request_killed):
        assert_interrupted(job)
    # The task the killed runner had claimed ends failed too, instead of "running" for ever.
    task = DBTaskResult.objects.get(id=cut_off.task_id)
    assert task.status == TaskResultStatus.FAILED
    assert task.exception_class_path == "builtins.InterruptedError"
    # Left alone: a job whose task still waits for the runner, a request that may still be running.
    for job, status in ((waiting, ImportJob.Status.QUEUED), (request_running, ImportJob.Status.RUNNING)):
        job.refresh_from_db()
        assert (job.status, job.interrupted) == (status, False)
    assert DBTaskResult.objects.get(id=waiting.task_id).status == TaskResultStatus.READY


def test_finished_jobs_are_not_touched(actors, settings):
    settings.TASKS = IMMEDIATE
    upload = members_upload(member_rows(2))
    job = services.import_job_create(actor=actors.owner, kind="members", upload=upload)
    job = services.import_job_start(actor=actors.owner, job=job, rows=2)
    assert job.status == ImportJob.Status.SUCCEEDED
    assert services.import_jobs_interrupt_unfinished() == []
    job.refresh_from_db()
    assert (job.status, job.interrupted, job.problems) == (ImportJob.Status.SUCCEEDED, False, [])


def test_a_runner_stopped_in_the_middle_of_a_run_ends_the_job_as_interrupted(actors, monkeypatch):
    def stopped(**kwargs):
        Member.objects.filter(code="HB-JOB-00001").delete()
        raise SystemExit(1)  # what db_worker raises on a second SIGTERM or Ctrl+C

    monkeypatch.setattr(engine, "run_import", stopped)
    job = queued_job(actors.owner, rows=2)
    with nothing_written(), pytest.raises(SystemExit):
        services.run_job(job.pk)  # as the runner runs the task
    assert_interrupted(job)


# --- started again ----------------------------------------------------------------------------------


def interrupted_job(actor: User, rows: int = 3) -> ImportJob:
    job = running_in_a_stopped_runner(queued_job(actor, rows))
    services.import_jobs_interrupt_unfinished()
    job.refresh_from_db()
    return job


def test_an_interrupted_job_starts_again_from_its_stored_upload(actors, settings):
    job = interrupted_job(actors.owner, rows=3)
    settings.TASKS = IMMEDIATE

    job = services.import_job_restart(actor=actors.owner, job=job)

    assert job.status == ImportJob.Status.SUCCEEDED
    assert (job.created_count, job.done_rows, job.total_rows) == (3, 3, 3)
    assert (job.interrupted, job.problems) == (False, [])
    assert job.started_at is not None and job.finished_at is not None
    assert job.finished_at >= job.started_at
    assert Member.objects.filter(code__startswith="HB-JOB-").count() == 3


def test_a_large_interrupted_job_goes_back_to_the_task_runner(actors):
    job = interrupted_job(actors.owner, rows=3)
    old_task = job.task_id

    job = services.import_job_restart(actor=actors.owner, job=job)

    assert job.status == ImportJob.Status.QUEUED
    assert job.task_id and job.task_id != old_task
    assert DBTaskResult.objects.get(id=job.task_id).status == TaskResultStatus.READY
    assert services.read_progress(job) == (0, 3)


def test_only_an_interrupted_job_starts_again(actors, settings):
    settings.TASKS = IMMEDIATE
    bad = services.import_job_create(actor=actors.owner, kind="members",
                                     upload=members_upload(member_rows(1, birth_year="năm")))
    bad = services.import_job_start(actor=actors.owner, job=bad, rows=1)
    assert bad.status == ImportJob.Status.FAILED
    with nothing_written(), pytest.raises(ValidationError) as refused:
        services.import_job_restart(actor=actors.owner, job=bad)
    assert refused.value.messages == [
        translated("Only an import cut off by a restart of the server can be started again.")]


def test_a_job_starts_again_once(actors, settings):
    job = interrupted_job(actors.owner)
    settings.TASKS = IMMEDIATE
    stale_copy = ImportJob.objects.get(pk=job.pk)
    services.import_job_restart(actor=actors.owner, job=job)
    ImportJob.objects.filter(pk=job.pk).update(status=ImportJob.Status.FAILED)  # as if it failed again
    with pytest.raises(ValidationError) as refused:
        services.import_job_restart(actor=actors.owner, job=stale_copy)
    assert refused.value.messages == [translated("This import has already been started again.")]


def test_a_job_whose_upload_is_gone_asks_for_the_file_again(actors):
    job = interrupted_job(actors.owner)
    job.upload.storage.delete(job.upload.name)
    with pytest.raises(ValidationError) as refused:
        services.import_job_restart(actor=actors.owner, job=job)
    assert refused.value.messages == [
        translated("The uploaded file is no longer on the server: upload it again.")]
    job.refresh_from_db()
    assert job.status == ImportJob.Status.FAILED and job.interrupted


def test_only_the_jobs_user_starts_it_again_and_only_with_a_role_that_imports(actors):
    job = interrupted_job(actors.owner)
    with pytest.raises(NotInScope):
        services.import_job_restart(actor=actors.outsiders["admin"], job=job)
    User.objects.filter(pk=actors.owner.pk).update(role="viewer")
    actors.owner.refresh_from_db()
    with pytest.raises(NotAllowed):
        services.import_job_restart(actor=actors.owner, job=job)
    job.refresh_from_db()
    assert job.status == ImportJob.Status.FAILED and job.interrupted
