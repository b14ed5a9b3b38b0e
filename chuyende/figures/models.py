from django.db import models
from django.utils.translation import gettext_lazy as _

from chuyende.figures.counters import COUNTERS

EVERY_CAMPAIGN = 0  # campaign_id of counters that do not depend on the campaign (rosters, tree)


class _CountsOfUnitCampaignDay(models.Model):
    """One unit, campaign and day, with one integer column per counter."""

    unit = models.ForeignKey("organisation.Unit", on_delete=models.CASCADE, related_name="+", db_index=False)
    campaign_id = models.PositiveIntegerField(default=EVERY_CAMPAIGN)
    day = models.DateField()

    class Meta:
        abstract = True

    def __str__(self) -> str:
        return f"{self.unit_id}/{self.campaign_id} {self.day:%d/%m/%Y}"


for _name in COUNTERS:
    _CountsOfUnitCampaignDay.add_to_class(_name, models.IntegerField(default=0, db_default=0))


class DailyCount(_CountsOfUnitCampaignDay):
    """What changed on one day in one unit's subtree for one campaign: one delta per counter.

    A counter's value on a date is the sum of its deltas up to that date. Rows are kept for the
    unit where a record lies and for each of its ancestors, so a unit's figures are read from its
    own rows: the number of rows read depends on the days with changes, not on the members.
    Written only by `figures.ledger`, in the transaction of the records it summarises.
    """

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["unit", "campaign_id", "day"], name="one_daily_count_a_day")
        ]
        verbose_name = _("daily count")
        verbose_name_plural = _("daily counts")


class OpeningCount(_CountsOfUnitCampaignDay):
    """The sum of one unit's `DailyCount` deltas for a campaign before `day`, the first of a month.

    A roll-up on a date adds the unit's latest opening on or before it and the deltas from that day
    on, instead of every delta since the first: a province reads a month of days, not a year. Kept
    for units with many days of changes (`ledger.add_openings`, nightly), any subset of months being
    correct; every delta written for a day before an opening is added to it in the same statement
    batch (`ledger._upsert`).
    """

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["unit", "campaign_id", "day"], name="one_opening_count_a_day")
        ]
        verbose_name = _("opening count")
        verbose_name_plural = _("opening counts")
