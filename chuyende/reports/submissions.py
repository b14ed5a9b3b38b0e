"""When sub-units first submitted their reports: what the figures package's completeness reads."""

import datetime
from collections.abc import Mapping, Sequence

from django.db.models import Min

from chuyende.campaigns.models import Campaign
from chuyende.figures.completeness import Completeness, report_completeness
from chuyende.organisation.models import Unit
from chuyende.reports.models import Report


def first_submitted_on(
    campaign: Campaign, unit_ids: Sequence[int], as_of: datetime.date
) -> Mapping[int, datetime.date]:
    """The first day each of these units submitted a report of the campaign, on or before `as_of`
    (one query); units that have not are left out."""
    return dict(
        Report.objects.filter(
            campaign=campaign, unit__in=list(unit_ids), first_submitted_on__isnull=False,
            first_submitted_on__lte=as_of,
        )
        .values_list("unit_id")
        .annotate(first=Min("first_submitted_on"))
        .order_by()
    )


def completeness_of(*, unit: Unit, campaign: Campaign, as_of: datetime.date) -> Completeness:
    """The completeness of the unit's sub-units' reports (the figures package's, two queries)."""
    return report_completeness(unit=unit, campaign=campaign, as_of=as_of, first_submitted=first_submitted_on)
