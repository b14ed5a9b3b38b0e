"""Where a figure of a report comes from: the records behind one number of section II.

`?figure=<key>` names the figure by its key in the report's figures dict (see
`chuyende.reports.drafting`). The value shown is the report's own: frozen for a submitted report,
live for a draft. The records listed are always today's; nothing is counted or decided here: the
per-unit figures come from the figures dict, the leaves and the returns in force from the figures
package (`unit_figures`, `chuyende.figures.sources`), the events from `event_lines`.
"""

import datetime
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db.models import F, Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext as _

from chuyende.accounts.models import User
from chuyende.accounts.permissions import actor_of, require_read
from chuyende.core.numbers import format_number, format_rate
from chuyende.events.models import Event
from chuyende.events.selectors import events_visible_to
from chuyende.figures.events import (
    EVENT_KINDS,
    EventLine,
    event_lines,
    level_part_lines,
    reported_conferences,
)
from chuyende.figures.rollup import RollUp, UnitRef, subtree_leaves, unit_figures
from chuyende.figures.sources import (
    member_returns_in_force,
    non_member_returns_in_force,
    pledge_returns_in_force,
)
from chuyende.materials.models import MaterialTransfer
from chuyende.organisation.models import Unit
from chuyende.outreach.models import Outreach
from chuyende.reports.drafting import UnknownFigure, parse_key, resolve_figure, results_section
from chuyende.reports.figures import frozen_figures_of, live_figures
from chuyende.reports.models import Report

FROZEN = (Report.Status.SUBMITTED, Report.Status.ACCEPTED)
PAGE_SIZE = 50

MEMBER_FAMILY = {"party_members", "children", "units_organised_study", "units_reached_target", "target_rate",
                 "units_without_data", "units_without_data_count", "people_studied"}
EVENT_FAMILY = {"events_attended", "events_by_level", "events_held", "events_organised", "events_by_format",
                "attendance_person_times", "party_member_person_times", "non_member_person_times",
                "events_by_kind", "conferences"}


def _url(name: str, *args: object) -> str | None:
    try:
        return reverse(name, args=args)
    except NoReverseMatch:
        return None


def _shown(value: Any, precision: int) -> str | None:
    """The value of a single figure as printed; None for a figure made of several lines."""
    if isinstance(value, bool) or value is None:
        return None
    if isinstance(value, int):
        return format_number(value)
    if isinstance(value, Decimal):
        return format_rate(value, precision=precision)
    return None


def _sentence(report: Report, figures: dict[str, Any], key: str) -> str | None:
    """The sentence of section II that prints this figure, when it prints it."""
    for paragraph in results_section(figures, campaign=report.campaign, unit_name=report.unit.name,
                                     omit=report.omitted_paragraphs):
        if any(ref.key == key for ref in paragraph.figures):
            return paragraph.text
    return None


# --- rows ------------------------------------------------------------------------------------


@dataclass
class ChildRow:
    name: str
    figures: dict[str, Any]
    rate: str


@dataclass
class LeafRow:
    unit: UnitRef
    roster_url: str | None = None
    member_return: Any = None
    pledge_return: Any = None


@dataclass
class EventRow:
    line: EventLine
    format_label: str
    url: str | None


@dataclass
class CompletenessRow:
    code: str
    name: str
    state: str
    on: datetime.date | None
    reports: list[tuple[Report, str | None]] = field(default_factory=list)


def _children_rows(children: list[dict[str, Any]], precision: int) -> list[ChildRow]:
    return [ChildRow(name=str(child.get("name", "")), figures=child,
                     rate=format_rate(child.get("rate"), precision=precision))
            for child in children]


def _records_of(figures: dict[str, Any], key: str) -> list[dict[str, Any]]:
    """The lines a key of a list names: `children[X].rate` → [line X]; a filter → the lines it keeps."""
    name, selector = parse_key(key)[0]
    selected = resolve_figure(figures, f"{name}[{selector}]")
    items = selected if isinstance(selected, list) else [selected]
    return [item for item in items if isinstance(item, dict)]


def _selected_children(figures: dict[str, Any], key: str) -> list[dict[str, Any]]:
    name, selector = parse_key(key)[0]
    if name == "children" and selector is not None:
        return _records_of(figures, key)
    return list(figures.get("children") or [])


def _leaf_rows(report: Report, rollup: RollUp, roots: list[str], *, pledges: bool = False) -> list[LeafRow]:
    """The leaves under the `roots` paths as the roll-up finds them, with their returns in force."""
    campaign, as_of = report.campaign, report.as_of
    leaves = [leaf for leaf in subtree_leaves(unit=report.unit, campaign=campaign, as_of=as_of)
              if leaf.unit.path.startswith(tuple(roots))]
    if not leaves:
        return []
    path = rollup.unit.path  # the unit's on the report's date
    member_returns = member_returns_in_force(unit=report.unit, campaign=campaign, as_of=as_of, path=path)
    pledge_returns = (
        pledge_returns_in_force(unit=report.unit, campaign=campaign, as_of=as_of, path=path)
        if pledges else {}
    )
    members_url = reverse("members:list")
    rows = []
    for leaf in leaves:
        row = LeafRow(unit=leaf.unit)
        if leaf.tracking == Unit.Tracking.INDIVIDUAL:
            row.roster_url = f"{members_url}?unit={leaf.unit.id}"
        else:
            row.member_return = member_returns.get(leaf.unit.id)
            row.pledge_return = pledge_returns.get(leaf.unit.id)
        rows.append(row)
    return rows


def _roots(report: Report, children: list[dict[str, Any]], all_children: bool) -> list[str]:
    if all_children:
        return [report.unit.path]
    codes = [child["code"] for child in children]
    units = Unit.objects.filter(code__in=codes, path__under=report.unit.path)
    return list(units.values_list("path", flat=True))


def _member_sources(
    report: Report, rollup: RollUp, figures: dict[str, Any], key: str, precision: int, *,
    pledges: bool = False,
) -> dict[str, Any]:
    children = _selected_children(figures, key)
    name, selector = parse_key(key)[0]
    all_children = name != "children" or selector is None
    return {
        "children": _children_rows(children, precision),
        "leaves": _leaf_rows(report, rollup, _roots(report, children, all_children), pledges=pledges),
    }


def _non_member_sources(report: Report, figures: dict[str, Any], precision: int) -> dict[str, Any]:
    in_force = non_member_returns_in_force(unit=report.unit, campaign=report.campaign, as_of=report.as_of)
    return {
        "children": _children_rows(list(figures.get("children") or []), precision),
        "non_member_returns": sorted(in_force.values(), key=lambda r: r.unit.path),
    }


def _same_events(lines: list[EventLine], wanted: list[dict[str, Any]]) -> list[EventLine]:
    keys = {(str(item.get("code")), str(item.get("title")), str(item.get("held_on"))) for item in wanted}
    return [line for line in lines if (line.code, line.title, line.held_on.isoformat()) in keys]


def _selected_events(lines: list[EventLine], figures: dict[str, Any], key: str) -> list[EventLine]:
    """The events a key names: an attended event or a conference (by code or position), a level (the
    events held at its bridge points), a part of a level, a format, a kind, or all."""
    steps = parse_key(key)
    name, selector = steps[0]
    organised = [line for line in lines if line.organised_here]
    if name == "events_attended":
        attended = [line for line in lines if not line.organised_here]
        if selector is None:
            return attended
        return _same_events(attended, _records_of(figures, key))
    if name == "conferences":
        conferences = reported_conferences(lines, int(figures.get("unit_depth") or 0))
        if selector is None:
            return conferences
        return _same_events(conferences, _records_of(figures, key))
    if name == "events_by_kind":
        kind = steps[1][0] if len(steps) >= 2 else None
        return [line for line in lines if kind is None or EVENT_KINDS.get(line.format, "other") == kind]
    if name == "events_by_level":
        levels = figures.get("events_by_level") or {}
        by_host = all("parts" in level for level in levels.values()) and bool(levels)
        if len(steps) >= 2:
            depth = int(steps[1][0]) if steps[1][0].isdigit() else -1
            if by_host:  # counted at the levels hosting their bridge points
                lines = level_part_lines(lines, depth)
            else:  # frozen before: by the organiser's level
                lines = [line for line in organised if line.organiser_depth == depth]
        elif not by_host:
            lines = organised
        if len(steps) >= 4 and steps[2][0] == "by_format":
            lines = [line for line in lines if line.format == steps[3][0]]
        if len(steps) >= 3 and steps[2][0] == "parts" and steps[2][1] is not None and len(steps) >= 2:
            part = resolve_figure(figures, f"events_by_level.{steps[1][0]}.parts[{steps[2][1]}]")
            lines = level_part_lines(lines, int(steps[1][0]), str(part.get("format")),
                                     bool(part.get("from_above")))
        return lines
    if name == "events_organised":
        return organised
    if name == "events_by_format":
        return [line for line in organised if len(steps) < 2 or line.format == steps[1][0]]
    return lines


def _event_sources(actor: User, report: Report, figures: dict[str, Any], key: str) -> dict[str, Any]:
    lines = event_lines(unit=report.unit, campaign=report.campaign, as_of=report.as_of)
    selected = _selected_events(lines, figures, key)
    ids = [line.id for line in selected]
    visible = set(events_visible_to(actor=actor).filter(pk__in=ids).values_list("pk", flat=True))
    labels = dict(Event.Format.choices)
    return {"events": [
        EventRow(line=line, format_label=str(labels.get(line.format, line.format)),
                 url=reverse("events:detail", args=[line.id]) if line.id in visible else None)
        for line in selected
    ]}


def _outreach_sources(request: HttpRequest, report: Report, key: str) -> dict[str, Any]:
    steps = parse_key(key)
    records = Outreach.objects.filter(
        campaign=report.campaign, unit__path__under=report.unit.path, held_on__lte=report.as_of
    ).select_related("unit").order_by("-held_on", "unit__path", "-id")
    if len(steps) >= 3 and steps[1][0] == "by_channel":
        records = records.filter(channel=steps[2][0])
    if steps[-1][0] == "sessions_without_reach":
        records = records.filter(reach__isnull=True)
    return {"outreach_page": Paginator(records, PAGE_SIZE).get_page(request.GET.get("page"))}


def _material_sources(report: Report, key: str) -> dict[str, Any]:
    steps = parse_key(key)
    transfers = MaterialTransfer.objects.filter(campaign=report.campaign, sent_on__lte=report.as_of)
    unit = report.unit
    column = steps[2][0] if len(steps) >= 3 else None
    if column == "received":
        transfers = transfers.filter(recipient=unit).exclude(sender=unit)
    elif column == "passed_down":
        transfers = transfers.filter(sender=unit).exclude(recipient=unit)
    elif column == "own_supply":
        transfers = transfers.filter(sender=unit, recipient=unit)
    else:
        transfers = transfers.filter(Q(sender=unit) | Q(recipient=unit))
    if len(steps) >= 2:
        transfers = transfers.filter(item=steps[1][0])
    return {"transfers": list(transfers.select_related("sender", "recipient").order_by("sent_on", "id"))}


def _completeness_sources(report: Report, figures: dict[str, Any]) -> dict[str, Any]:
    completeness = figures.get("completeness") or {}
    rows: dict[str, CompletenessRow] = {}
    for state, label in (("on_time", _("On time")), ("late", _("Late")), ("missing", _("Not sent"))):
        for item in completeness.get(state) or []:
            on = datetime.date.fromisoformat(item["on"]) if item.get("on") else None
            rows[item["code"]] = CompletenessRow(code=item["code"], name=item["name"], state=label, on=on)
    ordered = [rows[code] for code in completeness.get("expected") or [] if code in rows]
    reports = (Report.objects.filter(campaign=report.campaign, unit__parent=report.unit)
               .select_related("unit").order_by("unit__path", F("first_submitted_on").asc(nulls_last=True)))
    for sub_report in reports:
        row = rows.get(sub_report.unit.code)
        if row is not None:
            row.reports.append((sub_report, _url("reports:detail", sub_report.pk)))
    deadline = completeness.get("deadline")
    return {"completeness_rows": ordered,
            "deadline": datetime.date.fromisoformat(deadline) if deadline else None}


# --- the page --------------------------------------------------------------------------------


def _family(key: str) -> str:
    name = parse_key(key)[0][0]
    if name in MEMBER_FAMILY:
        return "members"
    if name in EVENT_FAMILY:
        return "events"
    if name in {"non_party", "outreach", "materials", "pledges", "completeness"}:
        return name
    return "other"


@login_required
def figure_source_page(request: HttpRequest, pk: int) -> HttpResponse:
    actor = actor_of(request)
    report = get_object_or_404(Report.objects.select_related("unit", "campaign"), pk=pk)
    require_read(actor, report.unit)
    snapshot = frozen_figures_of(report) if report.status in FROZEN else None
    frozen = snapshot is not None
    rollup: RollUp | None = None
    if snapshot is None:
        rollup = unit_figures(unit=report.unit, campaign=report.campaign, as_of=report.as_of)
        figures = live_figures(unit=report.unit, campaign=report.campaign, as_of=report.as_of, rollup=rollup)
    else:
        figures = snapshot
    precision = report.campaign.rate_precision
    key = request.GET.get("figure", "").strip()
    context: dict[str, Any] = {
        "report": report, "frozen": frozen, "key": key, "report_url": _url("reports:detail", report.pk),
        "frozen_on": report.snapshot.get("frozen_on") if frozen and report.snapshot else None,
    }
    try:
        value = resolve_figure(figures, key)
    except UnknownFigure:
        return render(request, "reports/figure_source.html", {**context, "unknown": True}, status=404)
    family = _family(key)
    context.update({
        "family": family,
        "value": _shown(value, precision),
        "lines": len(value) if isinstance(value, list) else None,
        "sentence": _sentence(report, figures, key),
    })
    if family in {"members", "pledges"}:
        rollup = rollup or unit_figures(unit=report.unit, campaign=report.campaign, as_of=report.as_of)
        context.update(_member_sources(report, rollup, figures, key, precision, pledges=family == "pledges"))
    elif family == "non_party":
        context.update(_non_member_sources(report, figures, precision))
    elif family == "events":
        context.update(_event_sources(actor, report, figures, key))
    elif family == "outreach":
        context.update(_outreach_sources(request, report, key))
        query = request.GET.copy()
        query.pop("page", None)
        context["query"] = query.urlencode()
    elif family == "materials":
        context.update(_material_sources(report, key))
    elif family == "completeness":
        context.update(_completeness_sources(report, figures))
    return render(request, "reports/figure_source.html", context)
