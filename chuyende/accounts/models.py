from django.conf import settings
from django.contrib.auth.models import AbstractUser
from django.db import models
from django.utils.translation import gettext_lazy as _


class User(AbstractUser):
    class Role(models.TextChoices):
        ADMIN = "admin", _("Administrator")
        OFFICER = "officer", _("Officer")
        REPORTER = "reporter", _("Reporter")
        VIEWER = "viewer", _("Viewer")

    unit = models.ForeignKey(
        "organisation.Unit",
        verbose_name=_("unit"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="users",
    )
    role = models.CharField(_("role"), max_length=10, choices=Role.choices, default=Role.VIEWER)
    # Set by a reset (temporary password): every page leads to the password change until it is done.
    must_change_password = models.BooleanField(_("must change password"), default=False)

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")


class PasswordHistory(models.Model):
    """The hash of a password a user had before: a new password may not repeat a recent one."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="password_history"
    )
    password = models.CharField(max_length=128)
    replaced_at = models.DateTimeField()

    class Meta:
        ordering = ["-replaced_at", "-pk"]
        indexes = [models.Index(fields=["user", "-replaced_at"], name="password_history_recent")]

    def __str__(self) -> str:
        return f"{self.user_id} {self.replaced_at:%Y-%m-%d}"
