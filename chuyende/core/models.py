from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class SubmittedForm(models.Model):
    """A form's one-time submission key, remembered once the form was saved (`core.submissions`).

    A second POST with the same key (a double tap on "Save", a page sent again after a slow answer)
    is sent to `url`, the page of what the first one saved, instead of saving again.
    """

    key = models.UUIDField(_("submission key"), primary_key=True)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    url = models.CharField(_("saved record's page"), max_length=500)
    saved_at = models.DateTimeField(_("saved at"), auto_now_add=True, db_index=True)

    def __str__(self) -> str:
        return f"{self.key} → {self.url}"
