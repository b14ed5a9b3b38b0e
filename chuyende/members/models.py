import datetime

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from chuyende.members.search import SEARCH_KEY_MAX_LENGTH


class MemberStatusChoices(models.TextChoices):
    ACTIVE = "active", _("Active")
    EXEMPT = "exempt", _("Exempt from work and party activities")
    AWAY = "away", _("Away for work")
    TRANSFERRED_OUT = "transferred_out", _("Transferred out")
    DECEASED = "deceased", _("Deceased")


# Statuses of people who still belong to the unit and count in its member total.
COUNTED_STATUSES = (MemberStatusChoices.ACTIVE, MemberStatusChoices.EXEMPT, MemberStatusChoices.AWAY)
EXCLUDABLE_STATUSES = (MemberStatusChoices.EXEMPT, MemberStatusChoices.AWAY)


class Member(models.Model):
    class Sex(models.TextChoices):
        MALE = "male", _("Male")
        FEMALE = "female", _("Female")

    class Membership(models.TextChoices):
        FULL = "full", _("Full member")
        PROBATIONARY = "probationary", _("Probationary member")

    code = models.CharField(_("member code"), max_length=64, unique=True)
    full_name = models.CharField(_("full name"), max_length=255)
    sex = models.CharField(_("sex"), max_length=10, choices=Sex.choices)
    birth_year = models.PositiveSmallIntegerField(_("birth year"))
    unit = models.ForeignKey(
        "organisation.Unit", verbose_name=_("unit"), on_delete=models.PROTECT, related_name="members"
    )
    # The member is in `unit` from this day on (always, if empty); their earlier units are
    # `MemberPlacement` rows.
    unit_since = models.DateField(_("in this unit since"), null=True, blank=True)
    membership = models.CharField(_("membership"), max_length=15, choices=Membership.choices)
    # Full name and code folded by search_key_of (written by the services; never shown). Not indexed:
    # search matches inside it (LIKE '%...%'), which no B-tree index serves, within the user's subtree.
    search_key = models.CharField(max_length=SEARCH_KEY_MAX_LENGTH, editable=False, default="")

    class Meta:
        ordering = ["unit__path", "code"]
        verbose_name = _("party member")
        verbose_name_plural = _("party members")

    def __str__(self) -> str:
        return f"{self.full_name} ({self.code})"


class MemberStatus(models.Model):
    """One period of a member's status: from `valid_from` (open start if empty) until `valid_to`."""

    # Indexed by the (member, valid_from, valid_to) index below, which serves lookups by member too.
    member = models.ForeignKey(Member, on_delete=models.CASCADE, related_name="statuses", db_index=False)
    status = models.CharField(_("status"), max_length=20, choices=MemberStatusChoices.choices)
    valid_from = models.DateField(_("since"), null=True, blank=True)
    valid_to = models.DateField(_("until"), null=True, blank=True)

    class Meta:
        ordering = ["member", models.F("valid_from").asc(nulls_first=True)]
        indexes = [models.Index(fields=["member", "valid_from", "valid_to"])]
        verbose_name = _("member status")
        verbose_name_plural = _("member statuses")

    def __str__(self) -> str:
        return f"{self.member_id}: {self.status}"


def status_on(day: datetime.date, prefix: str = "") -> Q:
    """The status period in force on `day` (for filtering MemberStatus, or a relation by prefix)."""
    start = Q(**{f"{prefix}valid_from__isnull": True}) | Q(**{f"{prefix}valid_from__lte": day})
    end = Q(**{f"{prefix}valid_to__isnull": True}) | Q(**{f"{prefix}valid_to__gt": day})
    return start & end


class MemberPlacement(models.Model):
    """An earlier unit of a member: from `valid_from` (open start if empty) until `valid_to`."""

    member = models.ForeignKey(Member, on_delete=models.CASCADE, related_name="placements", db_index=False)
    unit = models.ForeignKey(
        "organisation.Unit", verbose_name=_("unit"), on_delete=models.PROTECT, related_name="+"
    )
    valid_from = models.DateField(_("since"), null=True, blank=True)
    valid_to = models.DateField(_("until"))
    decision = models.ForeignKey(
        "restructuring.Decision", verbose_name=_("decision"), null=True, blank=True,
        on_delete=models.PROTECT, related_name="+",
    )

    class Meta:
        ordering = ["member", models.F("valid_from").asc(nulls_first=True)]
        indexes = [models.Index(fields=["member", "valid_from"], name="member_placement_member")]
        verbose_name = _("earlier unit of a member")
        verbose_name_plural = _("earlier units of members")

    def __str__(self) -> str:
        return f"{self.member_id}: {self.unit_id}"
