from django.db import models
from django.utils.translation import gettext_lazy as _


class MemberReturn(models.Model):
    """Counts reported by a unit that does not keep a roster. The latest one on a date wins."""

    campaign = models.ForeignKey(
        "campaigns.Campaign", verbose_name=_("campaign"), on_delete=models.PROTECT,
        related_name="member_returns",
    )
    unit = models.ForeignKey(
        "organisation.Unit", verbose_name=_("unit"), on_delete=models.PROTECT,
        related_name="member_returns",
    )
    as_of = models.DateField(_("figures as of"))
    members_total = models.PositiveIntegerField(_("party members in total"))
    exempt = models.PositiveIntegerField(_("exempt from work and party activities"))
    away = models.PositiveIntegerField(_("away for work"))
    studied = models.PositiveIntegerField(_("members who studied"))

    class Meta:
        ordering = ["unit__path", "-as_of"]
        constraints = [
            models.UniqueConstraint(fields=["campaign", "unit", "as_of"], name="one_member_return_a_day")
        ]
        verbose_name = _("member return")
        verbose_name_plural = _("member returns")

    def __str__(self) -> str:
        return f"{self.unit} {self.as_of:%d/%m/%Y}"


class NonMemberReturn(models.Model):
    """Non-members expected to study and who studied, reported by a unit for a campaign."""

    campaign = models.ForeignKey(
        "campaigns.Campaign", verbose_name=_("campaign"), on_delete=models.PROTECT,
        related_name="non_member_returns",
    )
    unit = models.ForeignKey(
        "organisation.Unit", verbose_name=_("unit"), on_delete=models.PROTECT,
        related_name="non_member_returns",
    )
    as_of = models.DateField(_("figures as of"))
    expected = models.PositiveIntegerField(_("non-members expected to study"))
    studied = models.PositiveIntegerField(_("non-members who studied"))

    class Meta:
        ordering = ["unit__path", "-as_of"]
        constraints = [
            models.UniqueConstraint(
                fields=["campaign", "unit", "as_of"], name="one_non_member_return_a_day"
            )
        ]
        verbose_name = _("non-member return")
        verbose_name_plural = _("non-member returns")

    def __str__(self) -> str:
        return f"{self.unit} {self.as_of:%d/%m/%Y}"
