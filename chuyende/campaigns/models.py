import datetime
from decimal import Decimal

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _


class NonPartyCategory(models.TextChoices):
    CIVIL_SERVANTS = "civil_servants", _("Non-member cadres, civil servants and workers")
    RELIGIOUS = "religious", _("Religious dignitaries")
    MASS = "mass", _("General public")
    MASS_ORGANISATIONS = "mass_organisations", _("Members of mass organisations")
    SOLDIERS = "soldiers", _("Soldiers")


class Campaign(models.Model):
    class Kind(models.TextChoices):
        ANNUAL_TOPIC = "annual_topic", _("Annual topic")
        RESOLUTION = "resolution", _("Resolution")
        DIRECTIVE = "directive", _("Directive")
        OTHER = "other", _("Other")

    code = models.CharField(_("code"), max_length=32, unique=True)
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    year = models.PositiveSmallIntegerField(_("year"))
    title = models.TextField(_("title"))
    owner = models.ForeignKey(
        "organisation.Unit", verbose_name=_("owning unit"), on_delete=models.PROTECT,
        related_name="campaigns",
    )
    starts = models.DateField(_("start"))
    ends = models.DateField(_("end"))
    study_deadline = models.DateField(_("study deadline"))
    report_deadline = models.DateField(_("report deadline"))
    target_rate = models.DecimalField(
        _("target rate (%)"), max_digits=5, decimal_places=2,
        validators=[MinValueValidator(Decimal(0)), MaxValueValidator(Decimal(100))],
    )
    excluded_statuses = models.JSONField(_("excluded statuses"), default=list, blank=True)
    rate_precision = models.PositiveSmallIntegerField(
        _("rate precision (decimals)"), default=2, validators=[MinValueValidator(1), MaxValueValidator(2)]
    )
    non_party_categories = models.JSONField(_("non-member categories"), default=list, blank=True)

    class Meta:
        ordering = ["-year", "code"]
        verbose_name = _("campaign")
        verbose_name_plural = _("campaigns")

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.year}: {self.title[:80]}"

    def covers(self, day: datetime.date) -> bool:
        return self.starts <= day <= self.ends

    def expected_members(self, *, total: int, exempt: int, away: int) -> int:
        """Members expected to study: the total less the statuses this campaign excludes."""
        excluded = set(self.excluded_statuses)
        return total - (exempt if "exempt" in excluded else 0) - (away if "away" in excluded else 0)


class GuidingDocument(models.Model):
    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="guiding_documents")
    number = models.CharField(_("number and symbol"), max_length=64)
    issued_on = models.DateField(_("date"))
    issuer = models.CharField(_("issuer"), max_length=255)
    title = models.TextField(_("title"))

    class Meta:
        ordering = ["issued_on", "id"]
        verbose_name = _("guiding document")
        verbose_name_plural = _("guiding documents")

    def __str__(self) -> str:
        return f"{self.number} ({self.issued_on:%d/%m/%Y})"
