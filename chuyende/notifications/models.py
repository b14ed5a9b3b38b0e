"""A notice to one user: a report of theirs returned or accepted, a sub-unit's report to review, a
report deadline near, sub-units missing at the deadline. Written by the job runner
(chuyende/notifications/tasks.py, the `send_reminders` command), read in the inbox (/thong-bao/)."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class Notification(models.Model):
    class Kind(models.TextChoices):
        REPORT_RETURNED = "report_returned", _("Report returned")
        REPORT_ACCEPTED = "report_accepted", _("Report accepted")
        REPORT_SUBMITTED = "report_submitted", _("Sub-unit report submitted")
        DEADLINE_SOON = "deadline_soon", _("Report deadline near")
        MISSING_AT_DEADLINE = "missing_at_deadline", _("Units missing at the deadline")

    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("recipient"), on_delete=models.CASCADE,
        related_name="notifications",
    )
    kind = models.CharField(_("kind"), max_length=24, choices=Kind.choices)
    unit = models.ForeignKey(
        "organisation.Unit", verbose_name=_("unit"), null=True, blank=True, on_delete=models.SET_NULL,
        related_name="+",
    )
    # What the notice is about, as a page path of the app (the report, the figures page).
    link = models.CharField(_("link"), max_length=255, blank=True)
    title = models.CharField(_("title"), max_length=255)
    body = models.TextField(_("message"), blank=True)
    # One notice per recipient and key: a task run twice, or a reminder command run twice a day,
    # writes nothing the second time.
    key = models.CharField(max_length=200, editable=False)
    created_at = models.DateTimeField(_("time"), auto_now_add=True)
    read_at = models.DateTimeField(_("read at"), null=True, blank=True)
    emailed_at = models.DateTimeField(_("e-mailed at"), null=True, blank=True, editable=False)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["recipient", "key"], name="one_notification_per_key"),
        ]
        indexes = [models.Index(fields=["recipient", "read_at"], name="notification_unread")]
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")

    def __str__(self) -> str:
        return self.title

    @property
    def is_read(self) -> bool:
        return self.read_at is not None
