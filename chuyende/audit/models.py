from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class AuditEntry(models.Model):
    class Action(models.TextChoices):
        CREATE = "create", _("Created")
        UPDATE = "update", _("Changed")
        DELETE = "delete", _("Deleted")
        LOGIN = "login", _("Logged in")
        LOGIN_FAILED = "login_failed", _("Login failed")
        LOCKED_OUT = "locked_out", _("Login locked")
        UNLOCKED = "unlocked", _("Login unlocked")

    at = models.DateTimeField(_("time"), auto_now_add=True, db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    action = models.CharField(_("action"), max_length=20, choices=Action.choices)
    record_type = models.CharField(_("record type"), max_length=100)
    record_id = models.CharField(_("record id"), max_length=64)
    record_label = models.CharField(_("record"), max_length=255)
    # The unit whose subtree may see this entry; kept as a path so closed units stay scoped.
    unit_path = models.CharField(max_length=255, db_index=True)
    # That unit's id (the path's last segment): the entry follows the unit when it moves to another
    # part of the tree. Empty for entries of the whole tree.
    unit_id = models.PositiveIntegerField(null=True, blank=True, db_index=True, editable=False)
    before = models.JSONField(_("before"), null=True, blank=True)
    after = models.JSONField(_("after"), null=True, blank=True)

    class Meta:
        ordering = ["-at", "-id"]
        verbose_name = _("audit entry")
        verbose_name_plural = _("audit entries")

    def __str__(self) -> str:
        return f"{self.action} {self.record_type} {self.record_id}"

    def changed_fields(self) -> list[tuple[str, object, object]]:
        before = self.before or {}
        after = self.after or {}
        keys = sorted(set(before) | set(after))
        return [(k, before.get(k), after.get(k)) for k in keys if before.get(k) != after.get(k)]


def unit_id_of(path: str) -> int | None:
    """The id of the unit a path ends with (paths are made of zero-padded ids and dots)."""
    return int(path[-10:-1]) if len(path) >= 10 and path[-10:-1].isdigit() else None
