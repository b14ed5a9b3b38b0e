"""Report pages: the list with completeness, creating and editing a draft, and the report itself
with its workflow (submit, accept, return), its figures' sources and the sub-units' reports.

Reads via selectors, writes via reports.services; figures come from the figures dicts only.
"""

from dataclasses import dataclass, field
from typing import Any
from urllib.parse import quote

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from chuyende.accounts.permissions import actor_of, can_edit, require_edit, scope_root
from chuyende.campaigns.selectors import campaigns_for, default_campaign
from chuyende.core.exceptions import NotAllowed
from chuyende.core.numbers import format_date_long
from chuyende.core.submissions import submitted_once
from chuyende.exports.tables import export_response, requested_format
from chuyende.figures.rollup import RollUp, unit_figures
from chuyende.members.forms import apply_service_errors, offered_units
from chuyende.reports import selectors, services
from chuyende.reports.drafting import FigureRef, Paragraph, results_section
from chuyende.reports.exports import REPORT_COLUMNS
from chuyende.reports.figures import figure_changes, frozen_figures_of, live_figures
from chuyende.reports.forms import ConfirmForm, ReportCreateForm, ReportFilterForm, ReportForm, ReviewForm
from chuyende.reports.models import Report
from chuyende.reports.submissions import completeness_of
from chuyende.reports.validation import IMPORTANCE_LABELS, Violation, report_violations

PAGE_SIZE = 50


def _report_or_404(request: HttpRequest, pk: int) -> Report:
    return get_object_or_404(selectors.reports_visible_to(actor=actor_of(request)), pk=pk)


@login_required
def list_page(request: HttpRequest) -> HttpResponseBase:
    actor = actor_of(request)
    campaign = campaigns_for(actor=actor).order_by("-year", "-starts", "-pk").first()
    form = ReportFilterForm(request.GET or None, actor=actor, initial={"campaign": campaign})
    if form.is_valid():
        campaign = form.cleaned_data["campaign"] or campaign
    reports = selectors.reports_visible_to(actor=actor, campaign=campaign).order_by(
        "unit__path", "-issued_on", "-pk"
    ) if campaign else Report.objects.none()
    if fmt := requested_format(request):  # every report listed, all pages, as .xlsx or .csv
        return export_response(rows=reports, columns=REPORT_COLUMNS, fmt=fmt, filename_stem="bao-cao")
    page = Paginator(reports, PAGE_SIZE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    rows = [(report, selectors.is_late(report)) for report in page]
    completeness = (
        completeness_of(unit=scope_root(actor), campaign=campaign, as_of=timezone.localdate())
        if campaign else None
    )
    return render(request, "reports/list.html", {
        "form": form, "campaign": campaign, "page": page, "rows": rows, "query": query.urlencode(),
        "completeness": completeness,
        "waiting": selectors.waiting_for(actor=actor, campaign=campaign) if campaign else [],
        "can_add": bool(offered_units(ReportCreateForm(actor=actor))),
    })


@login_required
@submitted_once
def create_page(request: HttpRequest) -> HttpResponse:
    actor = actor_of(request)
    campaign = default_campaign(actor=actor, today=timezone.localdate())
    form = ReportCreateForm(request.POST or None, actor=actor, initial={
        "unit": actor.unit, "campaign": campaign,
        "as_of": campaign.study_deadline if campaign else timezone.localdate(),
    })
    # Validate first: an id from outside the subtree is a 404 whatever the role.
    valid = request.method == "POST" and form.is_valid()
    if not offered_units(form):
        raise NotAllowed
    if valid:
        data = form.cleaned_data
        try:
            report = services.report_create(actor=actor, campaign=data["campaign"], unit=data["unit"],
                                            as_of=data["as_of"])
        except ValidationError as error:
            apply_service_errors(form, error)
        else:
            messages.success(request, _("The draft report has been created. Write its sections below."))
            return redirect("reports:edit", pk=report.pk)
    return render(request, "reports/create.html", {"form": form})


def _initial(report: Report) -> dict[str, Any]:
    return {"version": report.version, **{name: getattr(report, name) for name in services.WRITABLE_FIELDS}}


def _not_editable_message(report: Report) -> str:
    return _(
        "Report %(report)s has been submitted and can no longer be changed. "
        "The level above must return it first."
    ) % {"report": report.number_and_symbol}


@login_required
def edit_page(request: HttpRequest, pk: int) -> HttpResponse:
    actor = actor_of(request)
    report = _report_or_404(request, pk)
    require_edit(actor, report.unit)
    if request.method != "POST" and not report.is_editable:
        messages.error(request, _not_editable_message(report))
        return redirect("reports:detail", pk=report.pk)
    form = ReportForm(request.POST or None, initial=_initial(report))
    if request.method == "POST" and form.is_valid():
        try:
            services.report_update(actor=actor, report=report, version=form.cleaned_data["version"],
                                   **form.values())
        except ValidationError as error:
            # Someone saved or sent the report meanwhile: nothing is saved, the form keeps what the
            # user typed and the service's message says why, above the fields.
            apply_service_errors(form, error)
        else:
            messages.success(request, _("The report has been saved."))
            return redirect("reports:detail", pk=report.pk)
    figures = live_figures(unit=report.unit, campaign=report.campaign, as_of=report.as_of)
    return render(request, "reports/edit.html", {
        "report": report, "form": form,
        "results": _segments(report, results_section(figures, campaign=report.campaign,
                                                     unit_name=report.unit.name,
                                                     omit=report.omitted_paragraphs)),
    })


# --- the report page ----------------------------------------------------------------------------


@dataclass(frozen=True)
class Segment:
    text: str
    url: str = ""
    key: str = ""
    note: str = ""  # a footnote's mark (`text` is its number) and the note


@dataclass(frozen=True)
class ParagraphView:
    level: int  # 2: the section's title, 3: a part of it, 0: prose
    segments: list[Segment]
    notes: list[tuple[int, str]] = field(default_factory=list)  # the footnotes: (number, note)


def _with_marks(paragraph: Paragraph, base: str, first: int) -> list[Segment]:
    """The paragraph's segments with each footnote's mark at its place (numbered from `first`)."""
    marks = sorted((note.at, number, note.text) for number, note in enumerate(paragraph.footnotes, first))
    segments: list[Segment] = []
    position = 0
    for part in paragraph.segments:
        if isinstance(part, FigureRef):
            segments.append(Segment(text=part.text, url=f"{base}?figure={quote(part.key)}", key=part.key))
            position += len(part.text)
            continue
        start = position
        end = position + len(part)
        cut = 0
        while marks and start <= marks[0][0] <= end:
            at, number, note = marks.pop(0)
            if at - start > cut:
                segments.append(Segment(text=part[cut:at - start]))
            cut = at - start
            segments.append(Segment(text=str(number), note=note))
        if cut < len(part):
            segments.append(Segment(text=part[cut:]))
        position = end
    return segments


def _segments(report: Report, paragraphs: list[Paragraph]) -> list[ParagraphView]:
    """Section II with each generated figure linked to the page listing its records, and the
    footnotes' marks in place (numbered through the section) with their notes."""
    base = reverse("reports:figure_source", args=[report.pk])
    views: list[ParagraphView] = []
    number = 1
    for index, paragraph in enumerate(paragraphs):
        level = (2 if index == 0 else 3) if paragraph.heading else 0
        notes = [(number + offset, note.text) for offset, note in enumerate(paragraph.footnotes)]
        views.append(ParagraphView(level=level, segments=_with_marks(paragraph, base, number), notes=notes))
        number += len(paragraph.footnotes)
    return views


@dataclass(frozen=True)
class ViolationView:
    violation: Violation
    importance: str


def _violations(report: Report, rollup: RollUp, live: dict[str, Any]) -> list[ViolationView]:
    order = {"high": 0, "medium": 1, "low": 2}
    found = sorted(report_violations(report=report, rollup=rollup, live=live),
                   key=lambda v: order.get(v.importance, 3))
    return [ViolationView(violation=v, importance=str(IMPORTANCE_LABELS.get(v.importance, v.importance)))
            for v in found]


def _detail(request: HttpRequest, report: Report, *, status: int = 200, **extra: Any) -> HttpResponse:
    actor = actor_of(request)
    rollup = unit_figures(unit=report.unit, campaign=report.campaign, as_of=report.as_of)
    live = live_figures(unit=report.unit, campaign=report.campaign, as_of=report.as_of, rollup=rollup)
    frozen = frozen_figures_of(report) if not report.is_editable else None
    figures = frozen if frozen is not None else live
    changes = (
        selectors.labelled_changes(figure_changes(frozen, live), frozen=frozen, live=live,
                                   precision=report.campaign.rate_precision)
        if frozen is not None else None
    )
    reviewable = report.status == Report.Status.SUBMITTED and services.can_review(actor, report)
    context = {
        "report": report, "figures": figures, "frozen": frozen is not None, "changes": changes,
        "results": _segments(report, results_section(figures, campaign=report.campaign,
                                                     unit_name=report.unit.name,
                                                     omit=report.omitted_paragraphs)),
        "history": selectors.status_history(report=report),
        "violations": _violations(report, rollup, live) if report.is_editable else [],
        "children": selectors.child_report_rows(report=report, live=live),
        "can_edit": report.is_editable and can_edit(actor, report.unit),
        "can_review": reviewable,
        "review_form": extra.pop("review_form", None) or ReviewForm(),
        "submit_confirm": extra.pop("submit_confirm", None) or ConfirmForm(step="submit"),
        "accept_confirm": extra.pop("accept_confirm", None) or ConfirmForm(step="accept"),
        "return_confirm": extra.pop("return_confirm", None) or ConfirmForm(step="return"),
        "headline": selectors.headline_figures(figures),
        "submit_errors": [],
        "late": selectors.is_late(report),
        "dated": f"{report.place}, {format_date_long(report.issued_on)}",
        **extra,
    }
    return render(request, "reports/detail.html", context, status=status)


@login_required
def detail_page(request: HttpRequest, pk: int) -> HttpResponse:
    return _detail(request, _report_or_404(request, pk))


def _messages_of(error: ValidationError) -> list[str]:
    if hasattr(error, "error_dict"):
        return [str(message) for messages_ in error.message_dict.values() for message in messages_]
    return [str(message) for message in error.messages]


def _confirmed(request: HttpRequest, step: str) -> ConfirmForm:
    form = ConfirmForm(request.POST, step=step)
    form.is_valid()
    return form


@login_required
@require_POST
@submitted_once
def submit_page(request: HttpRequest, pk: int) -> HttpResponse:
    actor = actor_of(request)
    report = _report_or_404(request, pk)
    require_edit(actor, report.unit)
    if report.status in (Report.Status.SUBMITTED, Report.Status.ACCEPTED):
        # The same "Send" pressed twice (or from two tabs): the report went up once, that is all.
        messages.info(request, _("This report had already been sent to the level above."))
        return redirect("reports:detail", pk=report.pk)
    confirm = _confirmed(request, "submit")
    if not confirm.is_valid():
        return _detail(request, report, submit_confirm=confirm)
    try:
        services.report_submit(actor=actor, report=report, on=timezone.localdate())
    except ValidationError as error:
        report.refresh_from_db()
        return _detail(request, report, submit_errors=_messages_of(error))
    messages.success(request, _("The report has been sent to the level above. Its figures are now frozen."))
    return redirect("reports:detail", pk=report.pk)


@login_required
@require_POST
@submitted_once
def accept_page(request: HttpRequest, pk: int) -> HttpResponse:
    report = _report_or_404(request, pk)
    actor = actor_of(request)
    if not services.can_review(actor, report):
        raise NotAllowed
    confirm = _confirmed(request, "accept")
    if report.status == Report.Status.SUBMITTED and not confirm.is_valid():
        return _detail(request, report, accept_confirm=confirm)
    try:
        services.report_accept(actor=actor, report=report, on=timezone.localdate())
    except ValidationError as error:
        messages.error(request, " ".join(_messages_of(error)))
    else:
        messages.success(request, _("The report has been accepted."))
    return redirect("reports:detail", pk=report.pk)


@login_required
@require_POST
@submitted_once
def return_page(request: HttpRequest, pk: int) -> HttpResponse:
    report = _report_or_404(request, pk)
    actor = actor_of(request)
    if not services.can_review(actor, report):
        raise NotAllowed
    form = ReviewForm(request.POST)
    form.is_valid()
    confirm = _confirmed(request, "return")
    if report.status == Report.Status.SUBMITTED and not confirm.is_valid():
        return _detail(request, report, review_form=form, return_confirm=confirm)
    try:
        services.report_return(actor=actor, report=report, on=timezone.localdate(),
                               comment=form.cleaned_data.get("comment", ""))
    except ValidationError as error:
        if "comment" not in getattr(error, "error_dict", {}):
            messages.error(request, " ".join(_messages_of(error)))
            return redirect("reports:detail", pk=report.pk)
        apply_service_errors(form, error)
        return _detail(request, report, review_form=form, return_confirm=confirm)
    messages.success(request, _("The report has been returned to the unit for correction."))
    return redirect("reports:detail", pk=report.pk)
