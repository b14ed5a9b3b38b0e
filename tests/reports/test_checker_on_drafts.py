"""The checker, run on the product's own drafted reports — every unit, on the dates the scenarios
give figures for, for both campaigns of the 2024 district and its 2025 restructuring — finds nothing
that does not hold. The drafts are read from their .docx, as a checker would receive them."""

import datetime

import pytest
from django.conf import settings

from chuyende.campaigns.models import Campaign
from chuyende.demo.scenario import load_scenario
from chuyende.figures.tree import units_on
from chuyende.organisation.models import Unit
from chuyende.reports.checker import check_report
from chuyende.reports.documents import report_docx
from chuyende.reports.services import report_create

pytestmark = pytest.mark.usefixtures("db")

DATES = {
    "CD2024": [
        datetime.date(2024, 2, 29),
        datetime.date(2024, 3, 25),
        datetime.date(2024, 3, 31),
        datetime.date(2024, 4, 30),
    ],
    "NQ14": [datetime.date(2026, 3, 31), datetime.date(2026, 5, 31)],
}


def test_no_drafted_report_of_either_scenario_states_a_figure_that_does_not_hold(scenario):
    load_scenario(settings.DEMO_REFORM)
    drafts, claims, wrong = 0, 0, []
    for code, days in DATES.items():
        campaign = Campaign.objects.get(code=code)
        for day in days:
            open_on_day = [
                u.pk
                for u in units_on(root=campaign.owner, day=day)
                if u.closed_on is None or u.closed_on > day
            ]
            for unit in Unit.objects.filter(pk__in=open_on_day).order_by("path"):
                report = report_create(
                    actor=None, campaign=campaign, unit=unit, as_of=day, signer_name="Nguyễn Văn An"
                )
                checked = check_report(data=report_docx(report), precision=campaign.rate_precision)
                drafts += 1
                claims += len(checked.claims)
                wrong += [
                    f"{code} {unit.code} {day}: {c.text} — {c.reason}"
                    for c in checked.claims
                    if c.verdict == "does_not_hold"
                ]
    assert drafts >= 60 and claims >= 200
    assert wrong == []
