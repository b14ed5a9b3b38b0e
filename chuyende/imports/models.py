from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class ImportJob(models.Model):
    """One uploaded workbook or CSV file and what importing it did.

    The file is kept until the user starts the import (after the preview); the job then waits in the
    queue until the job runner (`manage.py run_worker`) runs it, whatever its size.
    Progress during the run is kept outside the database (see services.ProgressFile): the import
    writes in one transaction, which on SQLite holds the write lock until it ends.
    """

    class Status(models.TextChoices):
        UPLOADED = "uploaded", _("Not started")
        QUEUED = "queued", _("Waiting")
        RUNNING = "running", _("Running")
        SUCCEEDED = "succeeded", _("Done")
        FAILED = "failed", _("Failed")

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("user"), on_delete=models.CASCADE,
        related_name="import_jobs",
    )
    # The user's unit when the file was uploaded: the subtree the import may write to.
    unit = models.ForeignKey(
        "organisation.Unit", verbose_name=_("unit"), on_delete=models.PROTECT, related_name="+",
    )
    kind = models.CharField(_("kind of data"), max_length=32)
    # For rows whose campaign cell is empty (or a file without a campaign column).
    campaign = models.ForeignKey(
        "campaigns.Campaign", verbose_name=_("campaign"), on_delete=models.SET_NULL, null=True, blank=True,
        related_name="+",
    )
    filename = models.CharField(_("file name"), max_length=255)
    upload = models.FileField(_("uploaded file"), upload_to="imports/%Y/%m/", max_length=255)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.UPLOADED)
    total_rows = models.PositiveIntegerField(_("rows in the file"), default=0)
    done_rows = models.PositiveIntegerField(_("rows processed"), default=0)
    created_count = models.PositiveIntegerField(_("created"), default=0)
    updated_count = models.PositiveIntegerField(_("updated"), default=0)
    unchanged_count = models.PositiveIntegerField(_("unchanged"), default=0)
    # [{"sheet", "row", "column", "value", "message"}, ...]; empty when the import succeeded.
    problems = models.JSONField(_("problems"), default=list, blank=True)
    annotated = models.FileField(
        _("annotated copy"), upload_to="imports/annotated/%Y/%m/", max_length=255, blank=True,
    )
    task_id = models.CharField(max_length=64, blank=True)
    # The run was cut off by a stop of the job runner or the server before it ended: its transaction
    # was rolled back, so nothing was written, and the job can be started again from its stored upload.
    interrupted = models.BooleanField(_("interrupted"), default=False)
    created_at = models.DateTimeField(_("uploaded at"), default=timezone.now)
    # When the user started it (or started it again): how long it has waited for the job runner.
    queued_at = models.DateTimeField(_("queued at"), null=True, blank=True)
    started_at = models.DateTimeField(_("started at"), null=True, blank=True)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["user", "-created_at"])]
        verbose_name = _("import job")
        verbose_name_plural = _("import jobs")

    def __str__(self) -> str:
        return f"{self.kind} {self.filename} ({self.status})"

    @property
    def is_finished(self) -> bool:
        return self.status in {self.Status.SUCCEEDED, self.Status.FAILED}

    @property
    def is_active(self) -> bool:
        return self.status in {self.Status.QUEUED, self.Status.RUNNING}

    @property
    def can_restart(self) -> bool:
        return self.status == self.Status.FAILED and self.interrupted
