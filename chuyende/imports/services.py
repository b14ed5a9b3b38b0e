"""Import jobs: storing an upload, starting the import, running it and keeping its outcome.

The rows themselves are read, checked and written by `chuyende.imports.engine.run_import` (all or
nothing, in one transaction). This module wraps it in a job the user can follow in the page:
progress is written to a small JSON file per job (readable while the import's transaction holds
SQLite's write lock), and the counts, problems and annotated copy go to the job row afterwards.
"""

import codecs
import dataclasses
import datetime
import json
import logging
import math
import os
import time
import uuid
import zipfile
from decimal import Decimal
from pathlib import Path
from typing import IO, Any

import olefile
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile, File
from django.core.files.uploadedfile import UploadedFile
from django.db.models import QuerySet
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django_tasks import TaskResultStatus
from django_tasks_db.models import DBTaskResult

from chuyende.accounts.models import User
from chuyende.accounts.permissions import require_edit, scope_root
from chuyende.campaigns.models import Campaign
from chuyende.campaigns.selectors import campaigns_for
from chuyende.core.exceptions import NotInScope
from chuyende.core.numbers import format_number
from chuyende.core.sqlite import refresh_statistics
from chuyende.core.uploads import UploadRefusal
from chuyende.imports import annotate, engine, limits, spec
from chuyende.imports.models import ImportJob

logger = logging.getLogger(__name__)

ALLOWED_EXTENSIONS = ("xlsx", "xls", "ods", "csv")
ODS_MIMETYPE = b"application/vnd.oasis.opendocument.spreadsheet"
XLSX_SIGNATURE = b"PK\x03\x04"
OLE_SIGNATURE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # Excel 97-2003 (.xls) and other OLE files
CSV_SNIFF_BYTES = 64 * 1024
# The progress file is rewritten at most this often (seconds), and at the last row.
PROGRESS_INTERVAL = 0.25


# --- the upload -------------------------------------------------------------------------------------

def extension_of(name: str) -> str:
    return name.rsplit(".", 1)[-1].lower() if "." in name else ""


def check_import_upload(upload: File, *, field: str = "file", limit: int | None = None) -> None:
    """Refuses a file that is too large, empty, not a workbook (.xlsx, .xls, .ods) or a UTF-8 .csv
    file, or an archive whose declared sizes pass the limits (chuyende/imports/limits.py).

    `limit`: the largest size in bytes (default IMPORT_UPLOAD_MAX_BYTES; 0 for no limit).
    """
    name = os.path.basename(upload.name or "")
    if limit is None:
        limit = settings.IMPORT_UPLOAD_MAX_BYTES
    if limit and upload.size is not None and upload.size > limit:
        raise upload_too_large(size=upload.size, limit=limit, field=field)
    upload.seek(0)
    head = upload.read(CSV_SNIFF_BYTES)
    upload.seek(0)
    extension = extension_of(name)
    if extension not in ALLOWED_EXTENSIONS:
        raise ValidationError({field: _(
            "“%(name)s” is not a spreadsheet: only Excel workbooks (.xlsx, .xls), OpenDocument "
            "spreadsheets (.ods) and CSV files in UTF-8 (.csv) can be imported."
        ) % {"name": name}})
    if not head:
        raise ValidationError({field: _("“%(name)s” is empty.") % {"name": name}})
    if extension != "xls" and extension != "csv" and head.startswith(OLE_SIGNATURE):
        raise ValidationError({field: _(
            "“%(name)s” is an Excel 97–2003 workbook (.xls) under another name. Rename it to end in .xls "
            "and upload it again."
        ) % {"name": name}})
    if extension == "xls":
        if not head.startswith(OLE_SIGNATURE):
            raise ValidationError({field: _renamed(name, extension)})
        _check_ole(upload, name=name, field=field)
        return
    if extension in ("xlsx", "ods"):
        if not head.startswith(XLSX_SIGNATURE):
            raise ValidationError({field: _renamed(name, extension)})
        _check_package(upload, name=name, extension=extension, field=field)
        return
    if head.startswith(XLSX_SIGNATURE) or head.startswith(OLE_SIGNATURE) or b"\x00" in head:
        raise ValidationError({field: _(
            "“%(name)s” is named .csv but is not a text file. Save the sheet as “CSV UTF-8 (comma "
            "delimited)” and upload it again."
        ) % {"name": name}})
    try:
        # Incremental: the sniffed bytes may end in the middle of a character.
        codecs.getincrementaldecoder("utf-8")().decode(head, final=len(head) < CSV_SNIFF_BYTES)
    except UnicodeDecodeError:
        raise ValidationError({field: _(
            "“%(name)s” is not in UTF-8, so its Vietnamese letters would be garbled. Save the sheet as "
            "“CSV UTF-8 (comma delimited)” and upload it again."
        ) % {"name": name}}) from None


def upload_too_large(*, size: int, limit: int, field: str = "file") -> ValidationError:
    """The refusal of a file of `size` bytes, over the `limit` (bytes), on its field."""
    tenths = math.ceil(size * 10 / 1_048_576)  # rounded up: never shown as the limit itself
    return ValidationError({field: _(
        "The file is %(size)s MB; the largest allowed is %(limit)s MB."
    ) % {
        "size": format_number(tenths // 10 if tenths % 10 == 0 else tenths / 10),
        "limit": format_number(limit // 1_048_576),
    }})


def refused_upload_error(refusal: UploadRefusal) -> ValidationError:
    """The refusal, on its field, of a file the upload handler stopped while it streamed in."""
    if refusal.size is None:
        return ValidationError({refusal.field: _(
            "The file is larger than %(limit)s MB, the largest allowed."
        ) % {"limit": format_number(refusal.limit // 1_048_576)}})
    return upload_too_large(size=refusal.size, limit=refusal.limit, field=refusal.field)


def check_import_file_size(path: Path, *, field: str = "file") -> None:
    """Refuses a file on disk over IMPORT_UPLOAD_MAX_BYTES from its size alone, before it is opened."""
    limit = settings.IMPORT_UPLOAD_MAX_BYTES
    size = path.stat().st_size
    if limit and size > limit:
        raise upload_too_large(size=size, limit=limit, field=field)


def _check_package(upload: File, *, name: str, extension: str, field: str) -> None:
    """An .xlsx is a zip archive holding xl/workbook.xml, an .ods one whose `mimetype` says so; the
    archive's declared sizes are checked against the limits here (nothing is unpacked but `mimetype`)."""
    try:
        with zipfile.ZipFile(upload) as archive:
            members = archive.infolist()
            names = {member.filename for member in members}
            limits.check_archive(members, name=name, limits=limits.Limits.from_settings())
            mimetype = b""
            if extension == "ods" and "mimetype" in names and archive.getinfo("mimetype").file_size < 256:
                mimetype = archive.read("mimetype").strip()
    except limits.UnreadableFile as error:
        raise ValidationError({field: error.message}) from None
    except (zipfile.BadZipFile, OSError, ValueError, EOFError):
        raise ValidationError({field: limits.damaged(name).message}) from None
    finally:
        upload.seek(0)
    valid = mimetype == ODS_MIMETYPE if extension == "ods" else "xl/workbook.xml" in names
    if not valid:
        raise ValidationError({field: _renamed(name, extension)})


def _check_ole(upload: File, *, name: str, field: str) -> None:
    """An .xls is an OLE file holding a workbook stream (its cells are checked when it is read)."""
    try:
        with olefile.OleFileIO(upload) as ole:
            found = ole.exists("Workbook") or ole.exists("Book")
    except Exception:  # an untrusted file: whatever olefile fails on means "damaged"
        found = False
    finally:
        upload.seek(0)
    if not found:
        raise ValidationError({field: limits.damaged(name).message})


def _renamed(name: str, extension: str) -> str:
    return _(
        "“%(name)s” is named .%(extension)s but is not such a spreadsheet: the file is damaged or is "
        "another kind of file renamed."
    ) % {"name": name, "extension": extension}


def check_kind(kind: str, *, field: str = "kind") -> None:
    if kind not in spec.KINDS:
        raise ValidationError({field: _("“%(kind)s” is not a kind of data that can be imported.")
                               % {"kind": kind}})


def import_job_create(
    *, actor: User, kind: str, upload: UploadedFile, campaign: Campaign | None = None,
) -> ImportJob:
    """Stores the upload as a job of the actor, not started yet (the user sees the preview first).

    `campaign`, if given, is used for the rows whose campaign cell is empty.
    """
    root = scope_root(actor)
    require_edit(actor, root)
    if campaign is not None and not campaigns_for(actor=actor).filter(pk=campaign.pk).exists():
        raise NotInScope
    check_kind(kind)
    check_import_upload(upload)
    original = os.path.basename(upload.name or "")[:255]
    job = ImportJob(user=actor, unit=root, kind=kind, filename=original, campaign=campaign)
    # Stored under a random name: the user's file name is only shown, never used as a path.
    job.upload.save(f"{uuid.uuid4().hex}.{extension_of(original)}", File(upload), save=False)
    job.full_clean()
    job.save()
    return job


# --- preview ----------------------------------------------------------------------------------------

def job_preview(*, actor: User, job: ImportJob, rows: int = 10) -> engine.Preview:
    """The detected columns, the first rows and the header problems of the job's file."""
    if job.user_id != actor.pk:
        raise NotInScope
    with job.upload.open("rb") as handle:
        return engine.preview(handle, filename=job.filename, kind=job.kind, rows=rows, campaign=job.campaign)


def rows_in(preview: engine.Preview) -> int | None:
    """The number of data rows the file declares, if the preview could tell."""
    return preview.total_rows


# --- starting and running ---------------------------------------------------------------------------

def import_job_start(*, actor: User, job: ImportJob, rows: int | None = None) -> ImportJob:
    """Queues the import for the job runner (`manage.py run_worker`), whatever the file's size: the web
    process never reads a whole upload.

    `rows` is the number of data rows if known (from the preview), shown until the run counts them.
    """
    if job.user_id != actor.pk:
        raise NotInScope
    require_edit(actor, job.unit)
    started = ImportJob.objects.filter(pk=job.pk, status=ImportJob.Status.UPLOADED).update(
        status=ImportJob.Status.QUEUED, total_rows=rows or 0, queued_at=timezone.now(),
    )
    if not started:
        raise ValidationError(_("This import has already been started."))
    _launch(job, rows=rows)
    job.refresh_from_db()
    return job


def import_job_restart(*, actor: User, job: ImportJob) -> ImportJob:
    """Runs again, from its stored upload, a job whose run was cut off by a restart (`interrupted`).

    The interrupted run wrote nothing (its transaction was rolled back), so the job is queued again
    and starts from the beginning.
    """
    if job.user_id != actor.pk:
        raise NotInScope
    require_edit(actor, job.unit)
    if not job.can_restart:
        raise ValidationError(_("Only an import cut off by a restart of the server can be started again."))
    if not job.upload or not job.upload.storage.exists(job.upload.name):
        raise ValidationError(_("The uploaded file is no longer on the server: upload it again."))
    queued = ImportJob.objects.filter(
        pk=job.pk, status=ImportJob.Status.FAILED, interrupted=True,
    ).update(
        status=ImportJob.Status.QUEUED, interrupted=False, problems=[], done_rows=0, created_count=0,
        updated_count=0, unchanged_count=0, task_id="", queued_at=timezone.now(), started_at=None,
        finished_at=None,
    )
    if not queued:  # another click restarted it first
        raise ValidationError(_("This import has already been started again."))
    _launch(job, rows=job.total_rows or None)
    job.refresh_from_db()
    return job


def _launch(job: ImportJob, *, rows: int | None) -> None:
    """Hands a queued job to the task runner."""
    from chuyende.imports.tasks import run_import_job

    ProgressFile(job.pk)(0, rows or 0, force=True)
    result = run_import_job.enqueue(job.pk)
    ImportJob.objects.filter(pk=job.pk).update(task_id=str(result.id)[:64])


def job_is_stalled(job: ImportJob) -> bool:
    """True when the job has waited for the runner longer than IMPORT_QUEUE_STALL_SECONDS: most likely
    no job runner is running, and the page says so."""
    if job.status != ImportJob.Status.QUEUED or job.queued_at is None:
        return False
    return timezone.now() - job.queued_at > datetime.timedelta(seconds=settings.IMPORT_QUEUE_STALL_SECONDS)


class ProgressFile:
    """Rows done and in total, as MEDIA_ROOT/imports/progress/<job id>.json.

    Written outside the database so the page can read it while the import's transaction is open.
    """

    def __init__(self, job_id: int) -> None:
        self.path = progress_path(job_id)
        self.last_write = 0.0
        self.done = 0
        self.total = 0

    def __call__(self, done: int, total: int, *, force: bool = False) -> None:
        self.done, self.total = done, total
        now = time.monotonic()
        if not force and done < total and now - self.last_write < PROGRESS_INTERVAL:
            return
        self.last_write = now
        self.path.parent.mkdir(parents=True, exist_ok=True)
        temporary = self.path.with_name(f"{self.path.name}.{os.getpid()}.tmp")
        temporary.write_text(json.dumps({"done": done, "total": total}), encoding="utf-8")
        os.replace(temporary, self.path)


def progress_path(job_id: int) -> Path:
    return Path(settings.MEDIA_ROOT) / "imports" / "progress" / f"{job_id}.json"


def read_progress(job: ImportJob) -> tuple[int, int]:
    """(rows done, rows in total): from the progress file while the job runs, else from the row."""
    if job.is_active:
        try:
            data = json.loads(progress_path(job.pk).read_text(encoding="utf-8"))
            return int(data["done"]), int(data["total"])
        except (OSError, ValueError, KeyError, TypeError):
            pass
    return job.done_rows, job.total_rows


def _json_value(value: Any) -> Any:
    if value is None or isinstance(value, str | int | float | bool):
        return value
    if isinstance(value, datetime.datetime | datetime.date | datetime.time):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    return str(value)


def problem_dict(problem: Any) -> dict[str, Any]:
    """A problem of the engine as JSON: sheet, row, column, value, message."""
    if dataclasses.is_dataclass(problem) and not isinstance(problem, type):
        raw = dataclasses.asdict(problem)
    elif isinstance(problem, dict):
        raw = dict(problem)
    else:
        raw = {name: getattr(problem, name, None) for name in ("sheet", "row", "column", "value", "message")}
    raw["message"] = str(raw.get("message") or "")
    return {key: _json_value(value) for key, value in raw.items()}


def _unexpected_problem() -> dict[str, Any]:
    return {"sheet": "", "row": None, "column": "", "value": "", "message": _(
        "The import stopped on an unexpected error and nothing was written. Try again; if it happens "
        "again, send the file to the administrator."
    )}


def _out_of_memory_problem() -> dict[str, Any]:
    return {"sheet": "", "row": None, "column": "", "value": "", "message": _(
        "The file needs more memory than one import may use (%(limit)s MB), and nothing was written. "
        "Split it into smaller files and import them one after the other."
    ) % {"limit": format_number(settings.WORKER_MEMORY_MB)}}


def run_job(job_id: int) -> None:
    """Runs a queued job to its end. Safe to call twice: only a queued job is run."""
    with translation.override(settings.LANGUAGE_CODE):
        _run_job(job_id)


def _run_job(job_id: int) -> None:
    claimed = ImportJob.objects.filter(pk=job_id, status=ImportJob.Status.QUEUED).update(
        status=ImportJob.Status.RUNNING, started_at=timezone.now(),
    )
    if not claimed:
        return
    job = ImportJob.objects.select_related("user", "unit", "campaign").get(pk=job_id)
    progress = ProgressFile(job.pk)
    progress(0, job.total_rows, force=True)
    try:
        with job.upload.open("rb") as handle:
            result = engine.run_import(actor=job.user, kind=job.kind, file=handle, filename=job.filename,
                                       progress=progress, campaign=job.campaign)
    except MemoryError:
        # The job runner's memory ceiling (run_worker, WORKER_MEMORY_MB) was reached; the failed
        # allocation's frames are gone, so there is memory again to end the job.
        logger.exception("Import job %s needed more memory than the ceiling", job_id)
        _finish(job, progress, status=ImportJob.Status.FAILED, problems=[_out_of_memory_problem()])
        return
    except Exception:
        # The engine writes in one transaction, so nothing was kept; the job must still end.
        logger.exception("Import job %s failed unexpectedly", job_id)
        _finish(job, progress, status=ImportJob.Status.FAILED, problems=[_unexpected_problem()])
        return
    except BaseException:
        # The runner is being stopped in the middle (a second Ctrl+C, the service manager's stop
        # timeout): the transaction is rolled back, and the job must not stay "running".
        logger.warning("Import job %s was interrupted by a stop of the job runner", job_id)
        _interrupt(job_id)
        raise
    problems = [problem_dict(problem) for problem in result.problems]
    if problems:
        annotated = _annotated_copy(job, list(result.problems))
        _finish(job, progress, status=ImportJob.Status.FAILED, problems=problems, annotated=annotated)
        return
    _finish(job, progress, status=ImportJob.Status.SUCCEEDED, problems=[], result=result)
    refresh_statistics()


# --- runs cut off by a restart -------------------------------------------------------------------------

ACTIVE = (ImportJob.Status.QUEUED, ImportJob.Status.RUNNING)
# A job without a task (run inside a web request by versions before every import was queued, or whose
# queuing failed) cannot outlive the request, which the server ends after its timeout (gunicorn
# --timeout, 120 s in scripts/production): one still active after this was cut off.
REQUEST_RUN_LIMIT = datetime.timedelta(minutes=15)


def _interrupted_problem() -> dict[str, Any]:
    return {"sheet": "", "row": None, "column": "", "value": "", "message": _(
        "The import was cut off by a restart of the server before it ended, and nothing was written. "
        "Start it again."
    )}


def _interrupt(job_id: int) -> bool:
    """Ends an active job as failed and interrupted; False if it had ended meanwhile."""
    ended = ImportJob.objects.filter(pk=job_id, status__in=ACTIVE).update(
        status=ImportJob.Status.FAILED, interrupted=True, problems=[_interrupted_problem()],
        finished_at=timezone.now(),
    )
    progress_path(job_id).unlink(missing_ok=True)
    return bool(ended)


def import_jobs_interrupt_unfinished() -> list[int]:
    """Ends as interrupted the jobs that no run will finish; returns their ids.

    Called as the job runner starts (`manage.py run_worker`), before it takes any task, so none of its
    tasks is running: a job handed to the runner whose task is not waiting (running in the stopped
    runner, ended without ending the job, or deleted) will never end by itself. A job without a
    task is left alone until REQUEST_RUN_LIMIT has passed. One runner per database is assumed.
    """
    with translation.override(settings.LANGUAGE_CODE):
        waiting = {str(task_id) for task_id in DBTaskResult.objects.filter(
            status=TaskResultStatus.READY).values_list("id", flat=True)}
        cut_off = timezone.now() - REQUEST_RUN_LIMIT
        interrupted: list[int] = []
        for job in ImportJob.objects.filter(status__in=ACTIVE).only("task_id", "started_at", "created_at"):
            if job.task_id:
                stale = _task_uuid(job.task_id) not in waiting
            else:
                stale = (job.started_at or job.created_at) < cut_off
            if stale and _interrupt(job.pk):
                interrupted.append(job.pk)
                logger.warning("Import job %s was left unfinished by a restart: marked interrupted", job.pk)
        _fail_dead_tasks(ImportJob.objects.filter(pk__in=interrupted).exclude(task_id=""))
        return interrupted


def _task_uuid(task_id: str) -> str | None:
    try:
        return str(uuid.UUID(task_id))
    except ValueError:
        return None


def _fail_dead_tasks(jobs: QuerySet[ImportJob]) -> None:
    """The task rows the stopped runner had claimed end failed too, so they do not read "running"."""
    task_ids = {_task_uuid(task_id) for task_id in jobs.values_list("task_id", flat=True)} - {None}
    for task in DBTaskResult.objects.filter(id__in=task_ids, status=TaskResultStatus.RUNNING):
        task.set_failed(InterruptedError("The job runner stopped while this task ran."))


def _annotated_copy(job: ImportJob, problems: list[Any]) -> bytes | None:
    try:
        with job.upload.open("rb") as handle:
            return annotate.annotated_copy(handle, job.filename, problems, kind=job.kind)
    except Exception:
        logger.exception("Annotated copy of import job %s failed", job.pk)
        return None


def annotated_name(job: ImportJob) -> str:
    """The download name of the annotated copy: the user's file name with "-loi" before .xlsx."""
    stem = job.filename.rsplit(".", 1)[0] if "." in job.filename else job.filename
    return f"{stem or 'nhap-du-lieu'}-loi.xlsx"


def _finish(
    job: ImportJob, progress: ProgressFile, *, status: str, problems: list[dict[str, Any]],
    result: Any = None, annotated: bytes | None = None,
) -> None:
    total = progress.total or job.total_rows
    job.status = status
    job.problems = problems
    job.total_rows = total
    job.done_rows = total if status == ImportJob.Status.SUCCEEDED else min(progress.done, total)
    if result is not None:
        job.created_count = result.created
        job.updated_count = result.updated
        job.unchanged_count = result.unchanged
    if annotated is not None:
        job.annotated.save(f"{uuid.uuid4().hex}.xlsx", ContentFile(annotated), save=False)
    job.finished_at = timezone.now()
    job.save(update_fields=["status", "problems", "total_rows", "done_rows", "created_count", "updated_count",
                            "unchanged_count", "annotated", "finished_at"])
    progress_path(job.pk).unlink(missing_ok=True)


def open_annotated(*, actor: User, job: ImportJob) -> IO[bytes]:
    if job.user_id != actor.pk or not job.annotated:
        raise NotInScope
    try:
        return job.annotated.open("rb")
    except FileNotFoundError as missing:
        raise NotInScope from missing
