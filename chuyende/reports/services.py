"""Report workflow: draft → submitted → accepted, or returned with a comment and resubmitted.

Each step checks its permission, writes an audit entry, and refuses with a Vietnamese message.
Submitting freezes the figures; the level above, and only it, accepts or returns.
"""

import datetime
import hashlib
from pathlib import PurePath
from typing import Any

from django.core.exceptions import ValidationError
from django.core.files.base import File
from django.db import transaction
from django.utils.translation import gettext as _

from chuyende.accounts.models import User
from chuyende.accounts.permissions import can_edit, require_edit, require_read, require_template_manager
from chuyende.audit.services import record_change, snapshot
from chuyende.campaigns.models import Campaign
from chuyende.core.exceptions import Conflict, NotAllowed
from chuyende.figures.snapshot import to_json
from chuyende.notifications.services import ReportEvent, enqueue_report_event
from chuyende.organisation.models import Unit
from chuyende.reports.drafting import OPTIONAL_PARAGRAPHS
from chuyende.reports.figures import live_figures
from chuyende.reports.headers import default_header, term_of
from chuyende.reports.models import Report, ReportTemplate
from chuyende.reports.templating import TEMPLATE_MAX_BYTES, check_template, too_large
from chuyende.reports.validation import report_violations

EDITABLE_FIELDS = (
    "as_of", "term", "number", "symbol", "place", "issued_on", "superior_body", "issuing_body", "summary",
    "leadership", "results_note", "strengths", "shortcomings", "tasks", "recipients", "signature_title",
    "signer_name",
)
# Written with the others, but not a text of the document: the optional paragraphs of section II
# the officer left out.
WRITABLE_FIELDS = (*EDITABLE_FIELDS, "omitted_paragraphs")
CARRIED_OVER = ("leadership", "strengths", "shortcomings", "tasks", "omitted_paragraphs")


class ReportConflict(Conflict):
    """Someone else saved the report since this edit began; nothing was saved."""


def next_number(*, unit: Unit, doc_type: str, term: str) -> int:
    last = (Report.objects.filter(unit=unit, doc_type=doc_type, term=term)
            .order_by("-number").values_list("number", flat=True).first())
    return (last or 0) + 1


def previous_report(*, unit: Unit, campaign: Campaign) -> Report | None:
    """The unit's latest report on an earlier campaign, whose texts a new draft starts from."""
    return (Report.objects.filter(unit=unit, campaign__year__lt=campaign.year)
            .order_by("-campaign__year", "-issued_on", "-pk").first())


def default_summary(campaign: Campaign) -> str:
    return _("Results of studying, grasping and spreading %(title)s") % {"title": _campaign_name(campaign)}


def _campaign_name(campaign: Campaign) -> str:
    if campaign.kind == Campaign.Kind.ANNUAL_TOPIC:
        return _("the %(year)s annual topic") % {"year": campaign.year}
    return campaign.title


def _check_number_free(report: Report) -> None:
    clash = Report.objects.filter(unit=report.unit, doc_type=report.doc_type, term=report.term,
                                  number=report.number).exclude(pk=report.pk).first()
    if clash is not None:
        raise ValidationError({"number": _(
            "Number %(number)s of type %(type)s is already used in the %(term)s term by report "
            "%(other)s. The next free number is %(next)s."
        ) % {"number": f"{report.number:02d}", "type": report.doc_type, "term": report.term,
             "other": clash.number_and_symbol,
             "next": f"{next_number(unit=report.unit, doc_type=report.doc_type, term=report.term):02d}"}})


def _clean_paragraphs(report: Report) -> None:
    """The optional paragraphs left out: known names only, each once, in the order of the report."""
    chosen = report.omitted_paragraphs
    if chosen is None:
        chosen = []
    if not isinstance(chosen, list | tuple) or not all(isinstance(name, str) for name in chosen):
        raise ValidationError({"omitted_paragraphs": _(
            "Give the paragraphs to leave out as a list of names.")})
    unknown = [name for name in chosen if name not in OPTIONAL_PARAGRAPHS]
    if unknown:
        raise ValidationError({"omitted_paragraphs": _(
            "There is no optional paragraph named %(names)s. The optional paragraphs are: %(known)s."
        ) % {"names": ", ".join(f"“{name}”" for name in unknown), "known": ", ".join(OPTIONAL_PARAGRAPHS)}})
    report.omitted_paragraphs = [name for name in OPTIONAL_PARAGRAPHS if name in chosen]


def _check_dates(report: Report) -> None:
    if not report.campaign.starts <= report.as_of:
        raise ValidationError({"as_of": _(
            "The figures cannot be as of %(date)s, before the campaign starts on %(start)s."
        ) % {"date": report.as_of.strftime("%d/%m/%Y"),
             "start": report.campaign.starts.strftime("%d/%m/%Y")}})
    if report.issued_on < report.as_of:
        raise ValidationError({"issued_on": _(
            "The document cannot be dated %(date)s, before the day its figures are taken (%(as_of)s)."
        ) % {"date": report.issued_on.strftime("%d/%m/%Y"), "as_of": report.as_of.strftime("%d/%m/%Y")}})


@transaction.atomic
def report_create(
    *, actor: User | None, campaign: Campaign, unit: Unit, as_of: datetime.date,
    issued_on: datetime.date | None = None, **fields: Any,
) -> Report:
    """A new draft with the header filled in for the unit, and sections I, III and IV taken from
    the unit's report on the previous campaign when there is one."""
    require_edit(actor, unit)
    unknown = set(fields) - set(WRITABLE_FIELDS)
    if unknown:
        raise TypeError(f"unknown report fields: {sorted(unknown)}")
    issued_on = issued_on or as_of
    header = default_header(unit, as_of)
    term = fields.pop("term", None) or term_of(issued_on)
    previous = previous_report(unit=unit, campaign=campaign)
    values: dict[str, Any] = {
        "superior_body": header.superior_body, "issuing_body": header.issuing_body, "symbol": header.symbol,
        "place": header.place, "signature_title": header.signature_title, "recipients": header.recipients,
        "summary": default_summary(campaign), "signer_name": "",
        **{name: getattr(previous, name) for name in CARRIED_OVER if previous is not None},
        **fields,
    }
    report = Report(campaign=campaign, unit=unit, as_of=as_of, issued_on=issued_on, term=term, **values)
    if not report.number:
        report.number = next_number(unit=unit, doc_type=report.doc_type, term=term)
    _check_dates(report)
    _check_number_free(report)
    _clean_paragraphs(report)
    report.full_clean(exclude=["signer_name"], validate_constraints=False)
    report.save()
    record_change(actor=actor, action="create", record=report, unit_path=unit.path, before=None,
                  after=snapshot(report))
    return report


def _require_editable(report: Report) -> None:
    if not report.is_editable:
        raise ValidationError(_(
            "Report %(report)s has been submitted and can no longer be changed. "
            "The level above must return it first."
        ) % {"report": report.number_and_symbol})


@transaction.atomic
def report_update(*, actor: User | None, report: Report, version: int, **fields: Any) -> Report:
    """Saves the user's changes if nobody saved the report since `version` was read."""
    require_edit(actor, report.unit)
    unknown = set(fields) - set(WRITABLE_FIELDS)
    if unknown:
        raise TypeError(f"unknown report fields: {sorted(unknown)}")
    current = Report.objects.select_for_update().get(pk=report.pk)
    _require_editable(current)
    if current.version != version:
        raise ReportConflict(_(
            "Someone else saved this report while you were editing it. Your changes were not saved: "
            "they are still in the form below. Open the report again in a new tab to see the other "
            "changes, then copy yours across."
        ))
    before = snapshot(current)
    for name, value in fields.items():
        setattr(current, name, value)
    _check_dates(current)
    _check_number_free(current)
    _clean_paragraphs(current)
    current.full_clean(exclude=["signer_name"], validate_constraints=False)
    current.version += 1
    current.save(update_fields=[*fields, "version", "updated_at"])
    record_change(actor=actor, action="update", record=current, unit_path=current.unit.path, before=before,
                  after=snapshot(current))
    return current


def frozen_figures(report: Report) -> dict[str, Any]:
    """The figures as they stand now for the report's unit, campaign and date, as JSON values."""
    return to_json(live_figures(unit=report.unit, campaign=report.campaign, as_of=report.as_of))


@transaction.atomic
def report_submit(*, actor: User | None, report: Report, on: datetime.date) -> Report:
    """Sends the report up, freezing its figures; refused while high-importance violations remain."""
    require_edit(actor, report.unit)
    current = Report.objects.select_for_update().get(pk=report.pk)
    _require_editable(current)
    if not current.signer_name.strip():
        raise ValidationError({"signer_name": _("Enter the name of the person who signs the report.")})
    blocking = [v for v in report_violations(report=current) if v.importance == "high"]
    if blocking:
        raise ValidationError([
            _("The report cannot be submitted until these problems are corrected:"),
            *[f"{v.unit_name}: {v.message}" for v in blocking],
        ])
    before = snapshot(current)
    current.snapshot = {"figures": frozen_figures(current), "frozen_on": on.isoformat()}
    current.status = Report.Status.SUBMITTED
    current.submitted_on = on
    current.first_submitted_on = current.first_submitted_on or on
    current.submitted_by = actor
    current.version += 1
    current.save(update_fields=["snapshot", "status", "submitted_on", "first_submitted_on", "submitted_by",
                                "version", "updated_at"])
    record_change(actor=actor, action="submit", record=current, unit_path=current.unit.path, before=before,
                  after=snapshot(current))
    enqueue_report_event(report=current, event=ReportEvent.SUBMITTED)
    return current


def can_review(actor: User | None, report: Report) -> bool:
    """Only the level above: a user whose unit lies strictly above the report's unit and who may
    change its parent."""
    if actor is None:
        return True
    parent = report.unit.parent
    return (parent is not None and actor.unit_id != report.unit_id and can_edit(actor, parent)
            and actor.unit is not None and report.unit.path.startswith(actor.unit.path))


def _require_review(actor: User | None, report: Report) -> Report:
    require_read(actor, report.unit)
    if not can_review(actor, report):
        raise NotAllowed
    current = Report.objects.select_for_update().get(pk=report.pk)
    if current.status != Report.Status.SUBMITTED:
        raise ValidationError(_(
            "Only a submitted report can be accepted or returned; this one is “%(status)s”."
        ) % {"status": current.get_status_display()})
    return current


@transaction.atomic
def report_accept(*, actor: User | None, report: Report, on: datetime.date) -> Report:
    current = _require_review(actor, report)
    before = snapshot(current)
    current.status, current.reviewed_on, current.reviewed_by, current.review_comment = (
        Report.Status.ACCEPTED, on, actor, "",
    )
    current.version += 1
    current.save(update_fields=["status", "reviewed_on", "reviewed_by", "review_comment", "version",
                                "updated_at"])
    record_change(actor=actor, action="accept", record=current, unit_path=current.unit.path, before=before,
                  after=snapshot(current))
    enqueue_report_event(report=current, event=ReportEvent.ACCEPTED)
    return current


@transaction.atomic
def report_return(*, actor: User | None, report: Report, on: datetime.date, comment: str) -> Report:
    if not comment.strip():
        raise ValidationError({"comment": _("Say what must be corrected before the report is sent again.")})
    current = _require_review(actor, report)
    before = snapshot(current)
    current.status, current.reviewed_on, current.reviewed_by, current.review_comment = (
        Report.Status.RETURNED, on, actor, comment.strip(),
    )
    current.version += 1
    current.save(update_fields=["status", "reviewed_on", "reviewed_by", "review_comment", "version",
                                "updated_at"])
    record_change(actor=actor, action="return", record=current, unit_path=current.unit.path, before=before,
                  after=snapshot(current))
    enqueue_report_event(report=current, event=ReportEvent.RETURNED, comment=current.review_comment)
    return current


@transaction.atomic
def returns_from_checked_report(
    *, actor: User | None, campaign: Campaign, unit: Unit, as_of: datetime.date, members_total: int,
    exempt: int, away: int, studied: int, non_members_expected: int | None = None,
    non_members_studied: int | None = None,
) -> None:
    """The figures of a report written outside the product, once an officer has confirmed them,
    become the unit's returns on the report's date: all of them or none."""
    from chuyende.returns.services import member_return_save, non_member_return_save

    member_return_save(actor=actor, campaign=campaign, unit=unit, as_of=as_of, members_total=members_total,
                       exempt=exempt, away=away, studied=studied)
    if non_members_expected is not None and non_members_studied is not None:
        non_member_return_save(actor=actor, campaign=campaign, unit=unit, as_of=as_of,
                               expected=non_members_expected, studied=non_members_studied)


# --- report templates -------------------------------------------------------------------------------------


def template_audit_values(template: ReportTemplate) -> dict[str, Any]:
    """The template's fields for its audit entries: the file by its size and SHA-256, not its bytes."""
    return {
        "unit_id": template.unit_id, "name": template.name, "file_name": template.file_name,
        "size": template.size, "sha256": template.sha256, "is_active": template.is_active,
        "uploaded_by_id": template.uploaded_by_id,
        "uploaded_at": template.uploaded_at.isoformat() if template.uploaded_at else None,
    }


def _read_upload(file: File) -> bytes:
    """The file's bytes, refusing one larger than a template may be before reading it whole."""
    if file.size is not None and file.size > TEMPLATE_MAX_BYTES:
        raise too_large(file.size)
    file.seek(0)
    return file.read(TEMPLATE_MAX_BYTES + 1)  # check_template refuses it if the size was not known


def _deactivate_others(*, actor: User | None, unit: Unit, keep: ReportTemplate | None) -> None:
    # The unit locked first, so two uploads at once put one template in use after the other.
    Unit.objects.select_for_update().filter(pk=unit.pk).first()
    active = ReportTemplate.objects.select_for_update().filter(unit=unit, is_active=True)
    if keep is not None:
        active = active.exclude(pk=keep.pk)
    for other in active:
        before = template_audit_values(other)
        other.is_active = False
        other.save(update_fields=["is_active"])
        record_change(actor=actor, action="update", record=other, unit_path=unit.path, before=before,
                      after=template_audit_values(other))


@transaction.atomic
def report_template_upload(*, actor: User | None, unit: Unit, file: File, name: str = "") -> ReportTemplate:
    """Stores a unit's own report template and puts it in use for the unit and the units below it
    (those without an active template of their own). The file is checked first (`check_template`):
    a file that is not a .docx, a Jinja syntax error or a field the report does not have is refused
    with a message naming it, and nothing is written."""
    require_template_manager(actor, unit)
    file_name = PurePath(file.name or "").name or "mau.docx"
    name = name.strip() or PurePath(file_name).stem
    if len(name) > ReportTemplate._meta.get_field("name").max_length:  # type: ignore[operator]
        raise ValidationError({"name": _("The name may have at most %(limit)s characters.") % {
            "limit": ReportTemplate._meta.get_field("name").max_length}})
    content = _read_upload(file)
    check_template(content)
    _deactivate_others(actor=actor, unit=unit, keep=None)
    template = ReportTemplate(
        unit=unit, name=name, file_name=file_name[:255], content=content, size=len(content),
        sha256=hashlib.sha256(content).hexdigest(), is_active=True, uploaded_by=actor,
    )
    template.full_clean(exclude=["content"])
    template.save()
    record_change(actor=actor, action="create", record=template, unit_path=unit.path, before=None,
                  after=template_audit_values(template))
    return template


@transaction.atomic
def report_template_set_active(
    *, actor: User | None, template: ReportTemplate, active: bool,
) -> ReportTemplate:
    """Puts a template in use for its unit (the unit's other template in use, if any, stops being), or
    stops using it (the unit's reports then use the template of the nearest unit above, or the default)."""
    require_template_manager(actor, template.unit)
    current = ReportTemplate.objects.select_for_update().select_related("unit").get(pk=template.pk)
    if current.is_active == active:
        return current
    if active:
        _deactivate_others(actor=actor, unit=current.unit, keep=current)
    before = template_audit_values(current)
    current.is_active = active
    current.save(update_fields=["is_active"])
    record_change(actor=actor, action="update", record=current, unit_path=current.unit.path, before=before,
                  after=template_audit_values(current))
    return current


@transaction.atomic
def report_template_delete(*, actor: User | None, template: ReportTemplate) -> None:
    require_template_manager(actor, template.unit)
    current = ReportTemplate.objects.select_for_update().select_related("unit").get(pk=template.pk)
    before = template_audit_values(current)
    record_change(actor=actor, action="delete", record=current, unit_path=current.unit.path, before=before,
                  after=None)
    current.delete()
