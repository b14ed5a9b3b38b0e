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


class PartialReturn(models.Model):
    """What a unit knows of its study and no more (DOMAIN §4.1): the number who studied without the
    number expected ("746 người đã học tập"), or a lower bound, of the number ("trên 60 người") or of
    the rate ("tiếp thu đạt trên 95%"). Exactly one of `studied`, `studied_above`, `rate_above`.

    The counting engine never turns it into a rate or a denominator: the ledger does not count it;
    `chuyende.figures.known` reads it at report time and reports it apart. The latest return on or
    before a date wins, full or partial, of the same people (`who`) of a unit: a partial return
    dated on or after a full one is refused, and so is a full one dated on or before a partial one.
    """

    class Who(models.TextChoices):
        MEMBERS = "members", _("Party members")
        NON_MEMBERS = "non_members", _("Non-members")

    campaign = models.ForeignKey(
        "campaigns.Campaign", verbose_name=_("campaign"), on_delete=models.PROTECT,
        related_name="partial_returns",
    )
    unit = models.ForeignKey(
        "organisation.Unit", verbose_name=_("unit"), on_delete=models.PROTECT,
        related_name="partial_returns",
    )
    as_of = models.DateField(_("figures as of"))
    who = models.CharField(_("who"), max_length=12, choices=Who.choices)
    # For non-members, one category of the campaign ("chức sắc"), or empty for all of them.
    category = models.CharField(_("category"), max_length=24, blank=True, default="")
    studied = models.PositiveIntegerField(_("number who studied"), null=True, blank=True)
    studied_above = models.PositiveIntegerField(_("more than this many studied"), null=True, blank=True)
    rate_above = models.DecimalField(_("rate above (%)"), max_digits=5, decimal_places=2, null=True,
                                     blank=True)

    class Meta:
        ordering = ["unit__path", "who", "category", "-as_of"]
        constraints = [
            models.UniqueConstraint(fields=["campaign", "unit", "as_of", "who", "category"],
                                    name="one_partial_return_a_day"),
        ]
        verbose_name = _("partial return")
        verbose_name_plural = _("partial returns")

    def __str__(self) -> str:
        return f"{self.unit} {self.who} {self.as_of:%d/%m/%Y}"

    @property
    def kind(self) -> str:
        """`studied`, `studied_above` or `rate_above`: what the return states."""
        if self.rate_above is not None:
            return "rate_above"
        return "studied_above" if self.studied_above is not None else "studied"
