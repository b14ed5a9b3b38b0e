"""The checks page: violations of the validation rules in a unit's subtree for a campaign, as of a date.

The rules live in `chuyende.reports.validation`; this page only picks the unit, campaign and date,
groups what the rules found per unit and links each finding to the record concerned.
"""

import datetime
from collections import Counter
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlencode

from django import forms
from django.contrib.auth.decorators import login_required
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from chuyende.accounts.models import User
from chuyende.accounts.permissions import actor_of, can_edit, scope_root
from chuyende.campaigns.models import Campaign
from chuyende.core.forms import ScopedModelChoiceField
from chuyende.figures.selectors import campaign_choices, default_as_of
from chuyende.members.forms import DateInput
from chuyende.organisation.models import Unit
from chuyende.organisation.selectors import subtree
from chuyende.reports.validation import (
    HIGH,
    IMPORTANCE_LABELS,
    IMPORTANCE_ORDER,
    LOW,
    MEDIUM,
    TEXT_SECTIONS,
    WHERE_EVENT,
    WHERE_MEMBER_RETURN,
    WHERE_NON_MEMBER_RETURN,
    WHERE_UNIT,
    Violation,
    subtree_report_violations,
    subtree_violations,
)

# Levels below the user's unit offered in the unit list; deeper units are reached from the groups.
OFFERED_DEPTH = 2
REPORT_URL_NAMES = ("reports:detail", "reports:edit")
RETURN_EDIT_URL_NAMES = {
    WHERE_MEMBER_RETURN: "returns:member_edit", WHERE_NON_MEMBER_RETURN: "returns:non_member_edit",
}


class _UnitField(ScopedModelChoiceField):
    def label_from_instance(self, obj: Unit) -> str:  # type: ignore[override]
        return obj.name


class ChecksForm(forms.Form):
    """Campaign, unit and date of the checks, read from the query string; each may be left out."""

    campaign = ScopedModelChoiceField(label=_("Campaign"), queryset=Campaign.objects.none(), required=False,
                                      empty_label=None)
    unit = _UnitField(label=_("Unit"), queryset=Unit.objects.none(), required=False, empty_label=None)
    as_of = forms.DateField(label=_("As of"), required=False, widget=DateInput(),
                            input_formats=["%Y-%m-%d", "%d/%m/%Y"])

    def __init__(self, *args: Any, actor: User, campaigns: list[Campaign], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        campaign_field = self.fields["campaign"]
        assert isinstance(campaign_field, ScopedModelChoiceField)
        # Any campaign that exists but is not the user's is a 404 (ScopedModelChoiceField).
        campaign_field.queryset = Campaign.objects.filter(pk__in=[c.pk for c in campaigns])
        campaign_field.choices = [(c.pk, str(c)) for c in campaigns]
        root = scope_root(actor)
        unit_field = self.fields["unit"]
        assert isinstance(unit_field, _UnitField)
        unit_field.queryset = subtree(root=root).order_by("path")
        self.root = root

    def offer_units(self, chosen: Unit) -> None:
        """The unit list: the user's unit and two levels below it, and the unit being checked."""
        unit_field = self.fields["unit"]
        assert isinstance(unit_field, _UnitField)
        offered = list(
            subtree(root=self.root).filter(depth__lte=self.root.depth + OFFERED_DEPTH).order_by("path")
        )
        if chosen.pk not in {unit.pk for unit in offered}:
            offered = sorted([*offered, chosen], key=lambda unit: unit.path)
        unit_field.choices = [
            (unit.pk, "\u00a0\u00a0" * (unit.depth - self.root.depth) + unit.name) for unit in offered
        ]


@dataclass
class Finding:
    violation: Violation
    label: str
    link: str


@dataclass
class Group:
    """The findings of one unit, the most important first."""

    unit: Unit | None
    code: str
    name: str
    findings: list[Finding] = field(default_factory=list)

    @property
    def worst(self) -> int:
        return min(IMPORTANCE_ORDER[f.violation.importance] for f in self.findings)

    @property
    def counts(self) -> list[tuple[str, str, int]]:
        return _counts([f.violation for f in self.findings])


def _counts(violations: list[Violation]) -> list[tuple[str, str, int]]:
    """(importance, label, count) for each importance, in order."""
    tally = Counter(v.importance for v in violations)
    return [(level, str(IMPORTANCE_LABELS[level]), tally.get(level, 0)) for level in (HIGH, MEDIUM, LOW)]


def _report_link(report_id: int) -> str:
    for name in REPORT_URL_NAMES:
        try:
            return reverse(name, args=[report_id])
        except NoReverseMatch:
            continue
    return ""


def _link(violation: Violation, *, actor: User, unit: Unit | None, campaign: Campaign,
          as_of: datetime.date) -> str:
    """Where the user can see (or correct) the record a finding is about."""
    record = violation.record_id
    if record is None:
        return ""
    if violation.where == WHERE_EVENT:
        return reverse("events:detail", args=[record])
    if violation.where in (WHERE_MEMBER_RETURN, WHERE_NON_MEMBER_RETURN):
        if unit is not None and can_edit(actor, unit):
            return reverse(RETURN_EDIT_URL_NAMES[violation.where], args=[record])
        return f"{reverse('returns:list')}?{urlencode({'campaign': campaign.pk, 'on': as_of.isoformat()})}"
    if violation.where == WHERE_UNIT:
        query = {"unit": record, "campaign": campaign.pk, "as_of": as_of.isoformat()}
        return f"{reverse('figures:dashboard')}?{urlencode(query)}"
    if violation.where in TEXT_SECTIONS:
        return _report_link(record)
    return ""


def _groups(violations: list[Violation], *, actor: User, units: QuerySet[Unit], campaign: Campaign,
            as_of: datetime.date) -> list[Group]:
    by_code = {unit.code: unit for unit in units.filter(code__in={v.unit_code for v in violations})}
    groups: dict[str, Group] = {}
    for violation in violations:
        unit = by_code.get(violation.unit_code)
        group = groups.setdefault(violation.unit_code, Group(
            unit=unit, code=violation.unit_code, name=unit.name if unit else violation.unit_name,
        ))
        group.findings.append(Finding(
            violation=violation, label=str(IMPORTANCE_LABELS[violation.importance]),
            link=_link(violation, actor=actor, unit=unit, campaign=campaign, as_of=as_of),
        ))
    for group in groups.values():
        group.findings.sort(key=lambda f: IMPORTANCE_ORDER[f.violation.importance])
    return sorted(groups.values(), key=lambda g: (g.worst, g.unit.path if g.unit else g.code))


@login_required
def checks_page(request: HttpRequest) -> HttpResponse:
    """Violations in one unit's subtree (query: campaign, unit, as_of). A unit outside the user's
    subtree is a 404; a bad date is reported and replaced by its default."""
    actor = actor_of(request)
    campaigns = campaign_choices(actor=actor)
    form = ChecksForm(request.GET or None, actor=actor, campaigns=campaigns)
    form.is_valid()  # a bad value is shown as an error and replaced by its default
    data = getattr(form, "cleaned_data", {})
    unit = data.get("unit") or form.root
    campaign = data.get("campaign") or (campaigns[0] if campaigns else None)
    context: dict[str, Any] = {"form": form, "unit": unit, "campaign": campaign, "groups": [], "total": 0}
    if campaign is not None:
        as_of = data.get("as_of") or default_as_of(campaign=campaign, today=timezone.localdate())
        violations = [
            *subtree_violations(unit=unit, campaign=campaign, as_of=as_of),
            *subtree_report_violations(unit=unit, campaign=campaign, as_of=as_of),
        ]
        form.offer_units(unit)
        context.update(
            as_of=as_of,
            total=len(violations),
            counts=_counts(violations),
            groups=_groups(violations, actor=actor, units=subtree(root=unit), campaign=campaign, as_of=as_of),
            query=urlencode({"campaign": campaign.pk, "as_of": as_of.isoformat()}),
        )
        if not form.is_bound or not form.errors:
            form = ChecksForm(actor=actor, campaigns=campaigns,
                              initial={"campaign": campaign.pk, "unit": unit.pk, "as_of": as_of})
            form.offer_units(unit)
            context["form"] = form
    return render(request, "reports/checks.html", context)
