"""What a user's home (their own unit's dashboard) puts first: the everyday tasks of their role, the
campaign's deadlines and the sub-units still missing data or a report.

Nothing is counted here: the units without data come from the roll-up and the missing reports from
the report completeness the dashboard has already computed; this module only adds where to act.
"""

import datetime
from dataclasses import dataclass, field

from django.urls import reverse
from django.utils.translation import gettext

from chuyende.accounts.models import User
from chuyende.accounts.permissions import EDITING_ROLES, can_edit, scope_root
from chuyende.campaigns.models import Campaign
from chuyende.events.selectors import CELL_KINDS, meeting_cells
from chuyende.figures.completeness import Completeness, FirstSubmitted
from chuyende.figures.rollup import RollUp, UnitRef
from chuyende.organisation.models import Unit


@dataclass(frozen=True)
class Deadline:
    label: str
    day: datetime.date
    days_left: int

    @property
    def passed(self) -> bool:
        return self.days_left < 0

    @property
    def days_late(self) -> int:
        return -self.days_left


@dataclass(frozen=True)
class Missing:
    """A sub-unit missing something, and the page where it is put right."""

    unit: UnitRef
    url: str


@dataclass(frozen=True)
class HomeTasks:
    record_meeting: bool = False
    send_returns: bool = False
    deadlines: list[Deadline] = field(default_factory=list)
    report_sent_on: datetime.date | None = None
    can_report: bool = False
    without_data: list[Missing] = field(default_factory=list)
    without_report: list[Missing] = field(default_factory=list)

    @property
    def actions(self) -> bool:
        return self.record_meeting or self.send_returns


def _count_units(actor: User) -> list[Unit]:
    """The units of the actor's subtree that report counts (aggregate returns) and they may change."""
    leaves = Unit.objects.filter(path__startswith=scope_root(actor).path, tracking=Unit.Tracking.AGGREGATE,
                                 children__isnull=True).order_by("path")
    return [unit for unit in leaves if can_edit(actor, unit)]


def home_tasks(
    *, actor: User, unit: Unit, campaign: Campaign, as_of: datetime.date, today: datetime.date,
    rollup: RollUp, completeness: Completeness, first_submitted: FirstSubmitted,
) -> HomeTasks:
    """The tasks of the actor's home (a few queries: the cells and count-reporting units of a cell
    secretary, the leaves among the units without data, the unit's own report)."""
    everyday = actor.role in EDITING_ROLES and (actor.role == User.Role.REPORTER or unit.kind in CELL_KINDS)
    figures_url = reverse("figures:dashboard")
    query = f"&campaign={campaign.pk}&as_of={as_of:%Y-%m-%d}"
    returns_url = reverse("returns:member_create")
    missing_ids = [ref.id for ref in rollup.units_without_data]
    count_ids = set(Unit.objects.filter(
        pk__in=missing_ids, tracking=Unit.Tracking.AGGREGATE, children__isnull=True,
    ).values_list("pk", flat=True)) if missing_ids and actor.role in EDITING_ROLES else set()
    without_data = [
        Missing(ref, f"{returns_url}?don_vi={ref.id}" if ref.id in count_ids
                else f"{figures_url}?unit={ref.id}{query}")
        for ref in rollup.units_without_data
    ]
    without_report = [Missing(ref, f"{figures_url}?unit={ref.id}{query}") for ref in completeness.missing]
    deadlines = [
        Deadline(label, day, (day - today).days)
        for label, day in ((gettext("Study deadline"), campaign.study_deadline),
                           (gettext("Report deadline"), campaign.report_deadline))
    ]
    # The unit's own report to the level above (the top unit reports to nobody here).
    sent = first_submitted(campaign, [unit.pk], today).get(unit.pk) if unit.parent_id else None
    return HomeTasks(
        record_meeting=everyday and bool(meeting_cells(actor=actor)),
        send_returns=everyday and bool(_count_units(actor)),
        deadlines=deadlines, report_sent_on=sent,
        can_report=unit.parent_id is not None and can_edit(actor, unit),
        without_data=without_data, without_report=without_report,
    )

