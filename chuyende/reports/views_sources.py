"""Where a figure of a report comes from: the records behind one number of section II.

`?figure=<key>` names the figure by its key in the report's figures dict (see
`chuyende.reports.drafting`). The value shown is the report's own: frozen for a submitted report,
live for a draft. The records listed are always today's, read through the user's scope; nothing is
counted here, the per-unit figures come from the figures dict.
"""

import datetime
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db.models import F, Q, QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext as _

from chuyende.accounts.models import User
from chuyende.accounts.permissions import actor_of, require_read
from chuyende.core.numbers import format_number, format_rate
from chuyende.events.models import Event
from chuyende.events.selectors import events_visible_to
from chuyende.materials.models import MaterialTransfer
from chuyende.organisation.models import Unit
from chuyende.outreach.models import Outreach
from chuyende.pledges.models import PledgeReturn
from chuyende.reports.drafting import UnknownFigure, parse_key, resolve_figure, results_section
from chuyende.reports.figures import live_figures
from chuyende.reports.models import Report
from chuyende.returns.selectors import in_force_ids, member_returns_visible_to, non_member_returns_visible_to

FROZEN = (Report.Status.SUBMITTED, Report.Status.ACCEPTED)
PAGE_SIZE = 50

MEMBER_FAMILY = {"party_members", "children", "units_organised_study", "units_reached_target", "target_rate",
                 "units_without_data"}
EVENT_FAMILY = {"events", "events_held", "events_organised", "events_by_format", "attendance_person_times",
                "party_member_person_times"}


def _url(name: str, *args: object) -> str | None:
    try:
        return reverse(name, args=args)
    except NoReverseMatch:
        return None


def _decimal(value: Any) -> Decimal | None:
    try:
        return None if value is None else Decimal(str(value))
    except InvalidOperation:
        return None


def _rate(value: Any, precision: int) -> str:
    return format_rate(_decimal(value), precision=precision)


def _shown(value: Any, key: str, precision: int) -> str | None:
    """The value of a single figure as printed; None for a figure made of several lines."""
    if isinstance(value, bool) or value is None:
        return None
    if isinstance(value, int):
        return format_number(value)
    if isinstance(value, str) and _decimal(value) is not None:
        return _rate(value, precision) if key.endswith(("rate", "target_rate")) else value
    return None


def _sentence(report: Report, figures: dict[str, Any], key: str) -> str | None:
    """The sentence of section II that prints this figure, when it prints it."""
    for paragraph in results_section(figures, campaign=report.campaign, unit_name=report.unit.name):
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
    unit: Unit
    roster_url: str | None = None
    member_return: Any = None
    pledge_return: Any = None


@dataclass
class EventRow:
    line: dict[str, Any]
    format_label: str
    held_on: datetime.date
    url: str | None
    person_times: int


@dataclass
class CompletenessRow:
    code: str
    name: str
    state: str
    on: datetime.date | None
    reports: list[tuple[Report, str | None]] = field(default_factory=list)


def _children_rows(children: list[dict[str, Any]], precision: int) -> list[ChildRow]:
    return [ChildRow(name=str(child.get("name", "")), figures=child, rate=_rate(child.get("rate"), precision))
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


def _open_on(unit: Unit, day: datetime.date) -> bool:
    opened = unit.opened_on is None or unit.opened_on <= day
    return opened and (unit.closed_on is None or unit.closed_on > day)


def _leaves(roots: list[Unit], as_of: datetime.date) -> list[Unit]:
    """The units under `roots` that hold figures of their own on the date: open, without open sub-units."""
    if not roots:
        return []
    condition = Q()
    for root in roots:
        condition |= Q(path__under=root.path)
    open_units = [u for u in Unit.objects.filter(condition).order_by("path") if _open_on(u, as_of)]
    parents = {u.parent_id for u in open_units}
    return [u for u in open_units if u.pk not in parents]


def _in_force(returns: QuerySet[Any], as_of: datetime.date) -> dict[int, Any]:
    rows = list(returns)
    ids = in_force_ids(rows, as_of)
    return {row.unit_id: row for row in rows if row.pk in ids}


def _leaf_rows(
    actor: User, report: Report, roots: list[Unit], *, pledges: bool = False
) -> list[LeafRow]:
    leaves = _leaves(roots, report.as_of)
    if not leaves:
        return []
    paths = Q()
    for root in roots:
        paths |= Q(unit__path__under=root.path)
    returns = member_returns_visible_to(actor=actor, campaign=report.campaign)
    member_returns = _in_force(returns.filter(paths, as_of__lte=report.as_of), report.as_of)
    pledge_returns: dict[int, Any] = {}
    if pledges:
        pledge_returns = _in_force(
            PledgeReturn.objects.filter(paths, campaign=report.campaign, as_of__lte=report.as_of)
            .select_related("unit"),
            report.as_of,
        )
    members_url = reverse("members:list")
    rows = []
    for leaf in leaves:
        row = LeafRow(unit=leaf)
        if leaf.tracking == Unit.Tracking.INDIVIDUAL:
            row.roster_url = f"{members_url}?unit={leaf.pk}"
        else:
            row.member_return = member_returns.get(leaf.pk)
            row.pledge_return = pledge_returns.get(leaf.pk)
        rows.append(row)
    return rows


def _roots(report: Report, children: list[dict[str, Any]], all_children: bool) -> list[Unit]:
    if all_children:
        return [report.unit]
    codes = [child["code"] for child in children]
    return list(Unit.objects.filter(code__in=codes, path__under=report.unit.path).order_by("path"))


def _member_sources(
    actor: User, report: Report, figures: dict[str, Any], key: str, precision: int, *, pledges: bool = False,
) -> dict[str, Any]:
    children = _selected_children(figures, key)
    name, selector = parse_key(key)[0]
    all_children = name != "children" or selector is None
    return {
        "children": _children_rows(children, precision),
        "leaves": _leaf_rows(actor, report, _roots(report, children, all_children), pledges=pledges),
    }


def _non_member_sources(
    actor: User, report: Report, figures: dict[str, Any], precision: int
) -> dict[str, Any]:
    returns = non_member_returns_visible_to(actor=actor, campaign=report.campaign).filter(
        unit__path__under=report.unit.path, as_of__lte=report.as_of
    )
    in_force = _in_force(returns, report.as_of)
    return {
        "children": _children_rows(list(figures.get("children") or []), precision),
        "non_member_returns": sorted(in_force.values(), key=lambda r: r.unit.path),
    }


def _event_lines(figures: dict[str, Any], key: str) -> list[dict[str, Any]]:
    steps = parse_key(key)
    lines = [line for line in figures.get("events") or [] if isinstance(line, dict)]
    name, selector = steps[0]
    if name == "events" and selector is not None:
        return _records_of(figures, key)
    if name == "events_organised":
        return [line for line in lines if line.get("organised_here")]
    if name == "events_by_format":
        organised = [line for line in lines if line.get("organised_here")]
        return [line for line in organised if len(steps) < 2 or line.get("format") == steps[1][0]]
    return lines


def _event_sources(actor: User, report: Report, figures: dict[str, Any], key: str) -> dict[str, Any]:
    lines = _event_lines(figures, key)
    visible = events_visible_to(actor=actor).filter(campaign=report.campaign)
    codes = [str(line.get("code")) for line in lines if line.get("code")]
    by_code = dict(visible.filter(code__in=codes).values_list("code", "pk")) if codes else {}
    untitled = [line for line in lines if not line.get("code")]
    by_title: dict[tuple[str, str], int] = {}
    if untitled:
        for event_pk, title, held_on in visible.filter(code="").values_list("pk", "title", "held_on"):
            by_title[(title, held_on.isoformat())] = event_pk
    labels = dict(Event.Format.choices)
    rows = []
    for line in lines:
        pk = by_code.get(str(line.get("code"))) if line.get("code") else by_title.get(
            (str(line.get("title")), str(line.get("held_on"))))
        rows.append(EventRow(
            line=line, format_label=str(labels.get(str(line.get("format")), line.get("format"))),
            held_on=datetime.date.fromisoformat(str(line["held_on"])),
            url=reverse("events:detail", args=[pk]) if pk else None,
            person_times=(int(line.get("member_person_times") or 0)
                          + int(line.get("non_member_person_times") or 0)),
        ))
    return {"events": rows}


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
    frozen = report.status in FROZEN and bool(report.snapshot)
    figures: dict[str, Any] = (
        report.snapshot["figures"] if frozen and report.snapshot
        else live_figures(unit=report.unit, campaign=report.campaign, as_of=report.as_of)
    )
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
        "value": _shown(value, key, precision),
        "lines": len(value) if isinstance(value, list) else None,
        "sentence": _sentence(report, figures, key),
    })
    if family == "members":
        context.update(_member_sources(actor, report, figures, key, precision))
    elif family == "pledges":
        context.update(_member_sources(actor, report, figures, key, precision, pledges=True))
    elif family == "non_party":
        context.update(_non_member_sources(actor, report, figures, precision))
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
