from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class Report(models.Model):
    """A unit's report on a campaign to the level above, from draft to acceptance.

    Section II (results) is written by the system from the roll-up; sections I, III and IV are
    the user's. Submitting freezes every figure and the generated text in `snapshot`.
    """

    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        SUBMITTED = "submitted", _("Submitted")
        ACCEPTED = "accepted", _("Accepted")
        RETURNED = "returned", _("Returned for correction")

    campaign = models.ForeignKey(
        "campaigns.Campaign", verbose_name=_("campaign"), on_delete=models.PROTECT, related_name="reports"
    )
    unit = models.ForeignKey(
        "organisation.Unit", verbose_name=_("unit"), on_delete=models.PROTECT, related_name="reports"
    )
    as_of = models.DateField(_("figures as of"))
    doc_type = models.CharField(_("document type"), max_length=10, default="BC")
    term = models.CharField(_("committee term"), max_length=20)
    number = models.PositiveIntegerField(_("number"))
    symbol = models.CharField(_("symbol"), max_length=40)
    place = models.CharField(_("place"), max_length=100)
    issued_on = models.DateField(_("date of the document"))
    superior_body = models.CharField(_("superior body"), max_length=200)
    issuing_body = models.CharField(_("issuing body"), max_length=200)
    summary = models.CharField(_("summary line"), max_length=500)
    leadership = models.TextField(_("I. Leadership, guidance and direction"), blank=True)
    results_note = models.TextField(_("II. Other results"), blank=True)
    strengths = models.TextField(_("III.1. Strengths"), blank=True)
    shortcomings = models.TextField(_("III.2. Shortcomings and causes"), blank=True)
    tasks = models.TextField(_("IV. Tasks ahead and recommendations"), blank=True)
    recipients = models.TextField(_("recipients"), blank=True)
    signature_title = models.CharField(_("signature title"), max_length=200)
    signer_name = models.CharField(_("signer"), max_length=200)
    # The optional paragraphs of section II the officer left out (keys of
    # `chuyende.reports.drafting.OPTIONAL_PARAGRAPHS`); empty: every paragraph that has figures.
    omitted_paragraphs = models.JSONField(_("paragraphs left out"), default=list, blank=True)

    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.DRAFT)
    version = models.PositiveIntegerField(default=1, editable=False)
    first_submitted_on = models.DateField(_("first submitted on"), null=True, blank=True, editable=False)
    submitted_on = models.DateField(_("submitted on"), null=True, blank=True, editable=False)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+",
        editable=False,
    )
    reviewed_on = models.DateField(_("reviewed on"), null=True, blank=True, editable=False)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+",
        editable=False,
    )
    review_comment = models.TextField(_("comment of the level above"), blank=True, editable=False)
    snapshot = models.JSONField(null=True, blank=True, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["unit__path", "-issued_on", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["unit", "doc_type", "term", "number"], name="one_number_per_type_and_term"
            ),
        ]
        indexes = [models.Index(fields=["campaign", "first_submitted_on"])]
        verbose_name = _("report")
        verbose_name_plural = _("reports")

    def __str__(self) -> str:
        return f"{self.number_and_symbol} ({self.unit.code})"

    @property
    def number_and_symbol(self) -> str:
        return f"{self.number:02d}-{self.symbol}"

    @property
    def is_editable(self) -> bool:
        return self.status in {self.Status.DRAFT, self.Status.RETURNED}

    @property
    def recipient_lines(self) -> list[str]:
        return [line.strip() for line in self.recipients.splitlines() if line.strip()]


class ReportTemplate(models.Model):
    """A unit's own variant of the report's Word template (.docx with docxtpl's Jinja tags).

    The file is kept in the database, so a backup holds it. A unit's reports, and those of the units
    below it that have no active template of their own, use its active template; without any the
    default one shipped with the application (`reports/layout.py`) is used. At most one template of a
    unit is active.
    """

    unit = models.ForeignKey(
        "organisation.Unit", verbose_name=_("unit"), on_delete=models.PROTECT, related_name="report_templates"
    )
    name = models.CharField(_("name"), max_length=200)
    file_name = models.CharField(_("file name"), max_length=255)
    content = models.BinaryField(_("file"), editable=False)
    size = models.PositiveIntegerField(_("size (bytes)"), editable=False)
    sha256 = models.CharField(max_length=64, editable=False)
    is_active = models.BooleanField(_("in use"), default=False)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("uploaded by"), null=True, blank=True,
        on_delete=models.SET_NULL, related_name="+", editable=False,
    )
    uploaded_at = models.DateTimeField(_("uploaded at"), auto_now_add=True)

    class Meta:
        ordering = ["unit__path", "-uploaded_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["unit"], condition=models.Q(is_active=True), name="one_active_template_per_unit"
            ),
        ]
        verbose_name = _("report template")
        verbose_name_plural = _("report templates")

    def __str__(self) -> str:
        return self.name
