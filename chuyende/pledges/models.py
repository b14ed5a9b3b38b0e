from django.db import models
from django.utils.translation import gettext_lazy as _


class Rating(models.TextChoices):
    EXCELLENT = "excellent", _("Excellent")
    GOOD = "good", _("Good")
    NOT_MET = "not_met", _("Not met")


class Pledge(models.Model):
    """A member's pledge to follow the example, and the cell's rating of it at year end."""

    campaign = models.ForeignKey(
        "campaigns.Campaign", verbose_name=_("campaign"), on_delete=models.PROTECT, related_name="pledges"
    )
    member = models.ForeignKey(
        "members.Member", verbose_name=_("party member"), on_delete=models.PROTECT, related_name="pledges"
    )
    registered_on = models.DateField(_("registered on"))
    text = models.TextField(_("pledge"))
    rating = models.CharField(_("rating"), max_length=10, choices=Rating.choices, blank=True)
    rated_on = models.DateField(_("rated on"), null=True, blank=True)
    rating_note = models.TextField(_("rating note"), blank=True)

    class Meta:
        ordering = ["member__unit__path", "member__code"]
        constraints = [
            models.UniqueConstraint(fields=["campaign", "member"], name="one_pledge_per_member_and_campaign"),
        ]
        verbose_name = _("pledge")
        verbose_name_plural = _("pledges")

    def __str__(self) -> str:
        return f"{self.member.code} {self.registered_on:%d/%m/%Y}"


class PledgeReturn(models.Model):
    """Pledge counts of a unit that reports counts only; the latest one on or before a date wins."""

    campaign = models.ForeignKey(
        "campaigns.Campaign", verbose_name=_("campaign"), on_delete=models.PROTECT,
        related_name="pledge_returns",
    )
    unit = models.ForeignKey(
        "organisation.Unit", verbose_name=_("unit"), on_delete=models.PROTECT, related_name="pledge_returns"
    )
    as_of = models.DateField(_("as of"))
    registered = models.PositiveIntegerField(_("members who registered a pledge"))
    excellent = models.PositiveIntegerField(_("rated excellent"), default=0)
    good = models.PositiveIntegerField(_("rated good"), default=0)
    not_met = models.PositiveIntegerField(_("rated not met"), default=0)

    class Meta:
        ordering = ["unit__path", "-as_of"]
        constraints = [
            models.UniqueConstraint(fields=["campaign", "unit", "as_of"], name="one_pledge_return_per_day"),
        ]
        verbose_name = _("pledge return")
        verbose_name_plural = _("pledge returns")

    def __str__(self) -> str:
        return f"{self.unit.code} {self.as_of:%d/%m/%Y}"

    @property
    def rated(self) -> int:
        return self.excellent + self.good + self.not_met
