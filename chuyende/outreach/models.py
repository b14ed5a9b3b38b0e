from django.db import models
from django.utils.translation import gettext_lazy as _


class Outreach(models.Model):
    """Sessions of outreach a unit ran on a day through one channel, and whom they reached."""

    class Channel(models.TextChoices):
        ORAL = "oral", _("Oral outreach")
        LOUDSPEAKER = "loudspeaker", _("Loudspeakers")
        RADIO_TV = "radio_tv", _("Radio and television")
        WEBSITE = "website", _("Website")
        SOCIAL_MEDIA = "social_media", _("Social media")
        BANNERS = "banners", _("Banners and posters")
        PERFORMANCE = "performance", _("Cultural performance")
        OTHER = "other", _("Other")

    campaign = models.ForeignKey(
        "campaigns.Campaign", verbose_name=_("campaign"), on_delete=models.PROTECT,
        related_name="outreach",
    )
    unit = models.ForeignKey(
        "organisation.Unit", verbose_name=_("unit"), on_delete=models.PROTECT, related_name="outreach"
    )
    held_on = models.DateField(_("date"))
    channel = models.CharField(_("channel"), max_length=20, choices=Channel.choices)
    sessions = models.PositiveIntegerField(_("sessions"))
    reach = models.PositiveIntegerField(_("person-times reached"), null=True, blank=True)
    note = models.TextField(_("note"), blank=True)

    class Meta:
        ordering = ["-held_on", "-id"]
        indexes = [models.Index(fields=["campaign", "held_on"])]
        verbose_name = _("outreach")
        verbose_name_plural = _("outreach")

    def __str__(self) -> str:
        return f"{self.get_channel_display()} {self.held_on:%d/%m/%Y}"
