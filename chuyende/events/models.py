from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _


class Presenter(models.Model):
    code = models.CharField(_("code"), max_length=32, unique=True)
    full_name = models.CharField(_("full name"), max_length=255)
    title = models.CharField(_("position"), max_length=255, blank=True)
    unit = models.ForeignKey(
        "organisation.Unit", verbose_name=_("unit"), on_delete=models.PROTECT, related_name="presenters"
    )

    class Meta:
        ordering = ["full_name"]
        verbose_name = _("presenter")
        verbose_name_plural = _("presenters")

    def __str__(self) -> str:
        return f"{self.full_name}, {self.title}" if self.title else self.full_name


class Event(models.Model):
    class Format(models.TextChoices):
        IN_PERSON = "in_person", _("In person")
        ONLINE = "online", _("Online")
        VIDEO = "video", _("Recorded lecture")
        CELL_MEETING = "cell_meeting", _("Cell meeting")
        SELF_STUDY = "self_study", _("Self-study")

    class Audience(models.TextChoices):
        """Who a class is held for ("lớp cho cán bộ chủ chốt cấp huyện", "cho công nhân")."""

        KEY_CADRES_PROVINCE = "key_cadres_province", _("Key cadres of the province level")
        KEY_CADRES_DISTRICT = "key_cadres_district", _("Key cadres of the district level")
        KEY_CADRES_COMMUNE = "key_cadres_commune", _("Key cadres of the commune level")
        AGENCY_MEMBERS = "agency_members", _("Party members of agencies")
        WORKERS = "workers", _("Workers and employees")
        RELIGIOUS = "religious", _("Religious dignitaries and office holders")
        YOUTH = "youth", _("Youth union members, young people and pupils")
        GENERAL = "general", _("Cadres, party members and the people")
        OTHER = "other", _("Other")

    class Partner(models.TextChoices):
        """Organisations a class is held together with ("phối hợp với Công đoàn")."""

        FATHERLAND_FRONT = "fatherland_front", _("Fatherland Front")
        TRADE_UNION = "trade_union", _("Trade union")
        YOUTH_UNION = "youth_union", _("Youth union")
        WOMEN_UNION = "women_union", _("Women's union")
        VETERANS = "veterans", _("Veterans' association")
        FARMERS = "farmers", _("Farmers' association")
        OTHER = "other", _("Other organisations")

    campaign = models.ForeignKey(
        "campaigns.Campaign", verbose_name=_("campaign"), on_delete=models.PROTECT, related_name="events"
    )
    code = models.CharField(_("code"), max_length=64, blank=True)
    organiser = models.ForeignKey(
        "organisation.Unit", verbose_name=_("organiser"), on_delete=models.PROTECT,
        related_name="organised_events",
    )
    held_on = models.DateField(_("date"))
    format = models.CharField(_("format"), max_length=20, choices=Format.choices)
    title = models.CharField(_("title"), max_length=500)
    presenters = models.ManyToManyField(Presenter, verbose_name=_("presenters"), blank=True)
    is_make_up = models.BooleanField(_("make-up session"), default=False)
    audience = models.CharField(_("audience"), max_length=24, choices=Audience.choices,
                                default=Audience.GENERAL)
    # Partner organisations, a list of `Partner` values without repeats, in the order of the choices.
    partners = models.JSONField(_("partner organisations"), default=list, blank=True)

    class Meta:
        ordering = ["-held_on", "-id"]
        indexes = [models.Index(fields=["campaign", "held_on"])]
        constraints = [
            models.UniqueConstraint(
                fields=["campaign", "code"], condition=~models.Q(code=""), name="event_code_per_campaign"
            )
        ]
        verbose_name = _("study event")
        verbose_name_plural = _("study events")

    def __str__(self) -> str:
        return f"{self.title} ({self.held_on:%d/%m/%Y})"

    def clean(self) -> None:
        """The partners are a list of known organisations, each once (kept in the choices' order)."""
        super().clean()
        partners = self.partners
        if not isinstance(partners, list) or not all(isinstance(p, str) for p in partners):
            raise ValidationError({"partners": gettext("Partner organisations must be a list of names.")})
        unknown = [p for p in partners if p not in self.Partner.values]
        if unknown:
            raise ValidationError({"partners": gettext(
                "“%(value)s” is not a partner organisation; choose from: %(choices)s."
            ) % {"value": unknown[0], "choices": ", ".join(self.Partner.values)}})
        if len(set(partners)) != len(partners):
            raise ValidationError({"partners": gettext("A partner organisation is named twice.")})
        order = {value: index for index, value in enumerate(self.Partner.values)}
        self.partners = sorted(partners, key=order.__getitem__)

    def get_partners_display(self) -> str:
        labels = dict(self.Partner.choices)
        return ", ".join(str(labels[p]) for p in self.partners if p in labels)


class Site(models.Model):
    """A bridge point: where an event was followed, at a unit inside the organiser's subtree."""

    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="sites")
    unit = models.ForeignKey(
        "organisation.Unit", verbose_name=_("unit"), on_delete=models.PROTECT, related_name="sites"
    )
    other_members = models.PositiveIntegerField(_("party members not listed by name"), default=0)
    non_members = models.PositiveIntegerField(_("non-members"), default=0)
    non_members_by_category = models.JSONField(_("non-members by category"), default=dict, blank=True)
    # How many attendances name a member here; written with them by the event service.
    listed_members = models.PositiveIntegerField(default=0, editable=False)

    class Meta:
        ordering = ["event", "unit__path"]
        constraints = [models.UniqueConstraint(fields=["event", "unit"], name="one_site_per_unit")]
        verbose_name = _("bridge point")
        verbose_name_plural = _("bridge points")

    def __str__(self) -> str:
        return f"{self.event_id} @ {self.unit_id}"


class Attendance(models.Model):
    """A member listed by name at a site. The event is repeated so one member appears once per event."""

    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="attendances")
    site = models.ForeignKey(Site, on_delete=models.CASCADE, related_name="attendances")
    member = models.ForeignKey(
        "members.Member", on_delete=models.PROTECT, related_name="attendances"
    )

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["event", "member"], name="member_once_per_event")
        ]
        indexes = [models.Index(fields=["member", "event"])]

    def __str__(self) -> str:
        return f"{self.member_id} @ {self.site_id}"


class StudyRecord(models.Model):
    """The day a member first attended a study event of a campaign.

    Derived from Attendance by the event service on every write, so that "who has studied by
    this date" is one indexed join instead of a search through every attendance.
    """

    campaign = models.ForeignKey("campaigns.Campaign", on_delete=models.CASCADE, related_name="+")
    member = models.ForeignKey("members.Member", on_delete=models.CASCADE, related_name="study_records")
    first_studied_on = models.DateField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["campaign", "member"], name="one_study_record_per_member")
        ]

    def __str__(self) -> str:
        return f"{self.member_id} {self.first_studied_on:%d/%m/%Y}"
