import datetime

from django.db import models
from django.utils.translation import gettext_lazy as _


class Supervisor(models.Model):
    """An officer of a unit's commission who supervises units of that unit's subtree."""

    unit = models.ForeignKey(
        "organisation.Unit", verbose_name=_("unit"), on_delete=models.PROTECT, related_name="supervisors"
    )
    full_name = models.CharField(_("full name"), max_length=255)
    title = models.CharField(_("position"), max_length=255, blank=True)

    class Meta:
        ordering = ["unit__path", "full_name"]
        constraints = [
            models.UniqueConstraint(fields=["unit", "full_name"], name="one_supervisor_name_per_unit"),
        ]
        verbose_name = _("supervising officer")
        verbose_name_plural = _("supervising officers")

    def __str__(self) -> str:
        return self.full_name


class Assignment(models.Model):
    """Which units an officer supervises during a campaign."""

    campaign = models.ForeignKey(
        "campaigns.Campaign", verbose_name=_("campaign"), on_delete=models.PROTECT,
        related_name="supervision_assignments",
    )
    supervisor = models.ForeignKey(
        Supervisor, verbose_name=_("supervising officer"), on_delete=models.PROTECT,
        related_name="assignments",
    )
    unit = models.ForeignKey(
        "organisation.Unit", verbose_name=_("supervised unit"), on_delete=models.PROTECT,
        related_name="supervision_assignments",
    )

    class Meta:
        ordering = ["unit__path"]
        constraints = [
            models.UniqueConstraint(
                fields=["campaign", "supervisor", "unit"], name="one_assignment_per_unit"
            ),
        ]
        verbose_name = _("supervision assignment")
        verbose_name_plural = _("supervision assignments")

    def __str__(self) -> str:
        return f"{self.supervisor} → {self.unit.code}"


class Visit(models.Model):
    """A supervision visit: what was found, what must follow, and when the follow-up was closed."""

    campaign = models.ForeignKey(
        "campaigns.Campaign", verbose_name=_("campaign"), on_delete=models.PROTECT,
        related_name="supervision_visits",
    )
    unit = models.ForeignKey(
        "organisation.Unit", verbose_name=_("supervised unit"), on_delete=models.PROTECT,
        related_name="supervision_visits",
    )
    supervisor = models.ForeignKey(
        Supervisor, verbose_name=_("supervising officer"), on_delete=models.PROTECT, related_name="visits"
    )
    visited_on = models.DateField(_("visit date"))
    findings = models.TextField(_("findings"))
    follow_up = models.TextField(_("follow-up required"), blank=True)
    closed_on = models.DateField(_("follow-up closed on"), null=True, blank=True)

    class Meta:
        ordering = ["-visited_on", "-id"]
        indexes = [models.Index(fields=["campaign", "visited_on"])]
        verbose_name = _("supervision visit")
        verbose_name_plural = _("supervision visits")

    def __str__(self) -> str:
        return f"{self.unit.code} {self.visited_on:%d/%m/%Y}"

    def follow_up_open_on(self, day: datetime.date) -> bool:
        return bool(self.follow_up) and (self.closed_on is None or self.closed_on > day)
