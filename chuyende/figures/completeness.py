"""Report completeness (DOMAIN §3.8): for a campaign's deadline, which sub-units were expected to
report, which submitted, on time or late, and which are missing, with names.

The reports app keeps the reports: it passes the day each sub-unit first submitted
(`first_submitted`, see `chuyende.reports.selectors.first_submitted_on`), so this module reads no
report and the figures package does not depend on the reports app.
"""

import datetime
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal

from chuyende.campaigns.models import Campaign
from chuyende.core.numbers import compute_rate
from chuyende.figures.rollup import UnitRef
from chuyende.figures.rules import open_on
from chuyende.figures.tree import REF_FIELDS, children_on
from chuyende.organisation.models import Unit

# (campaign, unit ids, as of) -> the first day each of those units submitted a report, on or before
# `as of`; units that have not are left out.
FirstSubmitted = Callable[[Campaign, Sequence[int], datetime.date], Mapping[int, datetime.date]]


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


def report_completeness(
    *, unit: Unit, campaign: Campaign, as_of: datetime.date, first_submitted: FirstSubmitted
) -> Completeness:
    """Sub-units open on the deadline, on the tree of that day, are expected; a report counts from its
    first submission on or before `as_of`, and is on time when that day is no later than the
    deadline (one query, and those of `first_submitted`)."""
    deadline = campaign.report_deadline
    children = [
        UnitRef(id=unit_id, code=code, name=name, kind=kind, path=path)
        for unit_id, code, name, kind, path in children_on(unit, deadline).filter(open_on(deadline, "unit__"))
        .values_list(*REF_FIELDS).order_by("path")
    ]
    submitted = first_submitted(campaign, [ref.id for ref in children], as_of)
    on_time, late, missing = [], [], []
    for ref in children:
        day = submitted.get(ref.id)
        if day is None:
            missing.append(ref)
        elif day <= deadline:
            on_time.append(Submission(unit=ref, submitted_on=day))
        else:
            late.append(Submission(unit=ref, submitted_on=day))
    return Completeness(deadline=deadline, as_of=as_of, expected=children, on_time=on_time, late=late,
                        missing=missing, precision=campaign.rate_precision)
