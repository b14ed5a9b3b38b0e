"""Report completeness (DOMAIN §3.8): for a campaign's deadline, which sub-units were expected to
report, which submitted, on time or late, and which are missing, with names."""

import datetime
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Min, Q

from chuyende.campaigns.models import Campaign
from chuyende.core.numbers import compute_rate
from chuyende.figures.rollup import UnitRef
from chuyende.organisation.models import Unit
from chuyende.reports.models import Report


@dataclass(frozen=True)
class Submission:
    unit: UnitRef
    submitted_on: datetime.date


@dataclass(frozen=True)
class Completeness:
    deadline: datetime.date
    as_of: datetime.date
    expected: list[UnitRef]
    on_time: list[Submission]
    late: list[Submission]
    missing: list[UnitRef]
    precision: int = 2

    @property
    def submitted(self) -> list[Submission]:
        return sorted(self.on_time + self.late, key=lambda s: s.unit.path)

    @property
    def submitted_rate(self) -> Decimal | None:
        return compute_rate(len(self.submitted), len(self.expected), precision=self.precision)


def report_completeness(*, unit: Unit, campaign: Campaign, as_of: datetime.date) -> Completeness:
    """Sub-units open on the deadline are expected; a report counts from its first submission on or
    before `as_of`, and is on time when that day is no later than the deadline (two queries)."""
    deadline = campaign.report_deadline
    children = [
        UnitRef(id=child.pk, code=child.code, name=child.name, kind=child.kind, path=child.path)
        for child in unit.children.filter(
            Q(opened_on__isnull=True) | Q(opened_on__lte=deadline),
            Q(closed_on__isnull=True) | Q(closed_on__gt=deadline),
        ).order_by("path")
    ]
    first_submitted = dict(
        Report.objects.filter(
            campaign=campaign, unit__in=[ref.id for ref in children],
            first_submitted_on__isnull=False, first_submitted_on__lte=as_of,
        )
        .values_list("unit_id")
        .annotate(first=Min("first_submitted_on"))
        .order_by()
    )
    on_time, late, missing = [], [], []
    for ref in children:
        day = first_submitted.get(ref.id)
        if day is None:
            missing.append(ref)
        elif day <= deadline:
            on_time.append(Submission(unit=ref, submitted_on=day))
        else:
            late.append(Submission(unit=ref, submitted_on=day))
    return Completeness(deadline=deadline, as_of=as_of, expected=children, on_time=on_time, late=late,
                        missing=missing, precision=campaign.rate_precision)
