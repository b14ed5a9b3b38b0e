"""Reads for the report pages, limited to the user's subtree.

Nothing is counted here: figures come from the figures dicts (`chuyende.reports.figures`), which
these helpers only pair, label and format for the pages.
"""

import datetime
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.db.models import QuerySet
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from chuyende.accounts.models import User
from chuyende.accounts.permissions import scope_root
from chuyende.audit.models import AuditEntry
from chuyende.campaigns.models import Campaign
from chuyende.core.numbers import format_date, format_number, format_rate
from chuyende.events.models import Event
from chuyende.figures.rollup import unit_figures
from chuyende.figures.snapshot import child_figures
from chuyende.materials.models import MaterialTransfer
from chuyende.organisation.models import PATH_SEGMENT_WIDTH, Unit
from chuyende.outreach.models import Outreach
from chuyende.pledges.models import Rating
from chuyende.reports.figures import frozen_figures_of
from chuyende.reports.models import Report, ReportTemplate
from chuyende.reports.services import can_review

SENT = (Report.Status.SUBMITTED, Report.Status.ACCEPTED)


def reports_visible_to(*, actor: User, campaign: Campaign | None = None) -> QuerySet[Report]:
    """Reports of the units in the user's subtree, with what the list and detail pages show."""
    reports = Report.objects.filter(unit__path__startswith=scope_root(actor).path)
    if campaign is not None:
        reports = reports.filter(campaign=campaign)
    return reports.select_related("unit", "unit__parent", "campaign", "submitted_by", "reviewed_by")


def waiting_for(*, actor: User, campaign: Campaign | None = None) -> list[Report]:
    """Submitted reports of the user's direct sub-units that the user may accept or return."""
    if actor.unit_id is None:
        return []
    reports = reports_visible_to(actor=actor, campaign=campaign).filter(
        status=Report.Status.SUBMITTED, unit__parent_id=actor.unit_id
    ).order_by("submitted_on", "unit__path")
    return [report for report in reports if can_review(actor, report)]


def is_late(report: Report) -> bool | None:
    """Whether the first submission came after the campaign's report deadline (None: not sent)."""
    if report.first_submitted_on is None:
        return None
    return report.first_submitted_on > report.campaign.report_deadline


# --- status history ---------------------------------------------------------------------------


@dataclass(frozen=True)
class HistoryStep:
    at: datetime.datetime
    actor: User | None
    label: str
    comment: str


def _step_labels() -> dict[str, str]:
    return {
        "create": _("Draft created"),
        "update": _("Draft changed"),
        "submit": _("Submitted to the level above"),
        "accept": _("Accepted by the level above"),
        "return": _("Returned for correction by the level above"),
    }


def status_history(*, report: Report) -> list[HistoryStep]:
    """The report's steps from the audit log, oldest first (one query)."""
    labels = _step_labels()
    entries = AuditEntry.objects.filter(
        record_type=Report._meta.label, record_id=str(report.pk)
    ).select_related("actor").order_by("at", "id")
    steps = []
    for entry in entries:
        after = entry.after or {}
        comment = str(after.get("review_comment") or "") if entry.action == "return" else ""
        steps.append(HistoryStep(at=entry.at, actor=entry.actor, label=labels.get(entry.action, entry.action),
                                 comment=comment))
    return steps


# --- roll-up of the sub-units' reports ----------------------------------------------------------

ROLLUP_COLUMNS = ("eligible", "studied", "rate", "non_members", "events", "person_times")


@dataclass(frozen=True)
class ChildFigures:
    eligible: int | None
    studied: int | None
    rate: Decimal | None
    non_members: int | None
    events: int | None
    person_times: int | None

    def get(self, name: str) -> Any:
        return getattr(self, name)


@dataclass(frozen=True)
class ChildRow:
    """One sub-unit: the figures of its latest sent report beside its live figures."""

    code: str
    name: str
    report: Report | None
    frozen: ChildFigures | None
    live: ChildFigures | None
    differs: frozenset[str] = field(default_factory=frozenset)

    @property
    def cells(self) -> list[tuple[str, Any, Any, bool]]:
        """(column, frozen value, live value, differs) in the order of the table."""
        return [
            (name, self.frozen.get(name) if self.frozen else None, self.live.get(name) if self.live else None,
             name in self.differs)
            for name in ROLLUP_COLUMNS
        ]

    @property
    def changed(self) -> bool:
        return bool(self.differs)


def _from_report(figures: dict[str, Any]) -> ChildFigures:
    members = figures.get("party_members", {})
    return ChildFigures(
        eligible=members.get("eligible"), studied=members.get("studied"), rate=members.get("rate"),
        non_members=figures.get("non_party", {}).get("studied"), events=figures.get("events_organised"),
        person_times=figures.get("attendance_person_times"),
    )


def headline_figures(figures: dict[str, Any]) -> ChildFigures:
    """The figures a report's page sums up before it is sent: members who studied, rate, events..."""
    return _from_report(figures)


def _from_child(child: dict[str, Any]) -> ChildFigures:
    return ChildFigures(
        eligible=child.get("eligible"), studied=child.get("studied"), rate=child.get("rate"),
        non_members=child.get("non_members_studied"), events=child.get("events_organised"),
        person_times=child.get("attendance_person_times"),
    )


def _frozen_of(report: Report | None) -> ChildFigures | None:
    frozen = frozen_figures_of(report) if report is not None else None
    return None if frozen is None else _from_report(frozen)


def latest_sent_reports(*, report: Report) -> dict[int, Report]:
    """Per direct sub-unit of the report's unit, its latest submitted or accepted report on the
    same campaign (one query)."""
    latest: dict[int, Report] = {}
    children_reports = Report.objects.filter(
        campaign_id=report.campaign_id, unit__parent_id=report.unit_id, status__in=SENT,
    ).select_related("unit").order_by("unit_id", "-submitted_on", "-as_of", "-pk")
    for child_report in children_reports:
        latest.setdefault(child_report.unit_id, child_report)
    return latest


def _children_by_date(*, report: Report, days: set[datetime.date]) -> dict[datetime.date, dict[str, Any]]:
    """{day: {child code: child figures}}: one roll-up of the report's unit per distinct day."""
    by_date: dict[datetime.date, dict[str, Any]] = {}
    for day in sorted(days):
        rollup = unit_figures(unit=report.unit, campaign=report.campaign, as_of=day)
        by_date[day] = {child.unit.code: child_figures(child) for child in rollup.children}
    return by_date


def child_report_rows(*, report: Report, live: dict[str, Any]) -> list[ChildRow]:
    """Each sub-unit's latest sent report (its frozen figures) beside the live figures of the same
    sub-unit as of that report's own date, so a difference means data changed after sending.
    Sub-units without a sent report come with `report=None` and their live figures at this report's
    date; a sent report of a sub-unit no longer in the live figures is kept. One roll-up is run
    per distinct date of the sub-units' reports other than this report's own."""
    sent = {child.unit.code: child for child in latest_sent_reports(report=report).values()}
    other_days = {child_report.as_of for child_report in sent.values()} - {report.as_of}
    by_date = _children_by_date(report=report, days=other_days)
    by_date[report.as_of] = {child["code"]: child for child in live.get("children", [])}
    rows = []
    for child in live.get("children", []):
        child_report = sent.pop(child["code"], None)
        frozen = _frozen_of(child_report)
        day = child_report.as_of if child_report is not None else report.as_of
        at_day = by_date[day].get(child["code"])
        current = _from_child(at_day) if at_day is not None else None
        differs = frozenset(
            name for name in ROLLUP_COLUMNS
            if frozen is not None and (current is None or frozen.get(name) != current.get(name))
        )
        rows.append(ChildRow(code=child["code"], name=child["name"], report=child_report, frozen=frozen,
                             live=current, differs=differs))
    for code, child_report in sorted(sent.items(), key=lambda item: item[1].unit.path):
        frozen = _frozen_of(child_report)
        rows.append(ChildRow(code=code, name=child_report.unit.name, report=child_report, frozen=frozen,
                             live=None, differs=frozenset(ROLLUP_COLUMNS)))
    return rows


@dataclass(frozen=True)
class FigureChange:
    key: str
    label: str
    before: str
    after: str


_TOKEN = re.compile(r"\[([^\]]*)\]|([^.\[\]]+)")


def _parts(key: str) -> list[str]:
    return [bracket or name for bracket, name in _TOKEN.findall(key)]


def _leaf_labels() -> dict[str, str]:
    return {
        "as_of": _("Date the figures are taken"),
        "unit": _("Unit"),
        "party_members.total": _("Party members in total"),
        "party_members.exempt": _("Party members exempt from work and party activities"),
        "party_members.away": _("Party members away for work"),
        "party_members.eligible": _("Party members expected to study"),
        "party_members.studied": _("Party members who studied"),
        "party_members.rate": _("Rate of party members who studied"),
        "party_members.excluded_who_studied": _("Excluded party members who studied anyway"),
        "party_members.excluded_statuses": _("Statuses the campaign excludes"),
        "non_party.eligible": _("Non-members expected to study"),
        "non_party.studied": _("Non-members who studied"),
        "non_party.rate": _("Rate of non-members who studied"),
        "events_organised": _("Study events organised"),
        "events_held": _("Study events held in the unit"),
        "attendance_person_times": _("Person-times attending"),
        "party_member_person_times": _("Party member person-times attending"),
        "outreach.sessions": _("Outreach sessions"),
        "outreach.reach": _("Person-times reached by outreach"),
        "outreach.sessions_without_reach": _("Outreach sessions of unknown reach"),
        "pledges.registered": _("Pledges registered"),
        "pledges.eligible": _("Party members expected to register a pledge"),
        "pledges.rate": _("Rate of party members who registered a pledge"),
        "units_organised_study.count": _("Sub-units that organised study"),
        "units_organised_study.total": _("Sub-units expected to organise study"),
        "units_organised_study.rate": _("Rate of sub-units that organised study"),
        "units_reached_target.count": _("Sub-units that reached the target"),
        "units_reached_target.total": _("Sub-units counted for the target"),
        "units_reached_target.rate": _("Rate of sub-units that reached the target"),
        "units_without_data": _("Sub-units without figures"),
        "units_without_data_count": _("Number of units without figures"),
        "target_rate": _("Target rate"),
        "completeness.deadline": _("Report deadline"),
        "completeness.expected": _("Sub-units expected to report"),
        "supervision.assigned": _("Units assigned to a supervising officer"),
        "supervision.never_visited": _("Units never visited by their supervising officer"),
        "supervision.visits": _("Supervision visits"),
        "supervision.open_follow_ups": _("Supervision follow-ups still open"),
    }


def _child_labels() -> dict[str, str]:
    return {
        "name": _("Name"),
        "members_total": _("Party members in total"),
        "exempt": _("Party members exempt from work and party activities"),
        "away": _("Party members away for work"),
        "eligible": _("Party members expected to study"),
        "studied": _("Party members who studied"),
        "rate": _("Rate of party members who studied"),
        "excluded_who_studied": _("Excluded party members who studied anyway"),
        "non_members_expected": _("Non-members expected to study"),
        "non_members_studied": _("Non-members who studied"),
        "events_organised": _("Study events organised"),
        "events_held": _("Study events held in the unit"),
        "attendance_person_times": _("Person-times attending"),
        "reached_target": _("Reached the target"),
        "has_data": _("Has figures"),
        "pledges_registered": _("Pledges registered"),
        "outreach_sessions": _("Outreach sessions"),
        "outreach_reach": _("Person-times reached by outreach"),
    }


def _event_labels() -> dict[str, str]:
    return {
        "title": pgettext("event", "Title"),
        "held_on": _("Date"),
        "format": _("Format"),
        "organiser": _("Organising unit"),
        "organiser_depth": _("Level of the organising unit"),
        "sites": _("Bridge points"),
        "member_person_times": _("Party member person-times"),
        "non_member_person_times": _("Non-member person-times"),
        "attendance_person_times": _("Person-times"),
        "events": _("Study events organised"),
    }


def _level_label(sources: tuple[dict[str, Any], ...], parts: list[str]) -> str:
    """`events_by_level.3.events`, `events_by_level.3.by_format.video` in words."""
    depth = parts[1]
    names = [figures.get("level_names", {}).get(depth) for figures in sources]
    level = next((str(name) for name in names if name), depth)
    if len(parts) == 4 and parts[2] == "by_format":
        label = dict(Event.Format.choices).get(parts[3], parts[3])
        figure = _("Study events organised in the form “%(format)s”") % {"format": label}
    else:
        figure = _event_labels().get(parts[2], parts[2])
    return _("Level %(level)s: %(figure)s") % {"level": level[:1].lower() + level[1:], "figure": figure}


def _channel_labels() -> dict[str, str]:
    return {
        "sessions": _("Outreach sessions"),
        "reach": _("Person-times reached by outreach"),
        "sessions_without_reach": _("Outreach sessions of unknown reach"),
    }


def _material_labels() -> dict[str, str]:
    return {
        "received": _("Received"),
        "own_supply": _("Own supply"),
        "passed_down": _("Passed down"),
        "held": _("Held"),
    }


def _named(sources: tuple[dict[str, Any], ...], section: str, code: str, name_key: str) -> str:
    for figures in sources:
        items = figures.get(section)
        for item in items if isinstance(items, list) else []:
            if isinstance(item, dict) and item.get("code") == code:
                return str(item.get(name_key) or code)
    return code


def _completeness_name(sources: tuple[dict[str, Any], ...], code: str) -> str:
    for figures in sources:
        completeness = figures.get("completeness", {})
        for group in ("on_time", "late", "missing"):
            for item in completeness.get(group, []):
                if item.get("code") == code:
                    return str(item.get("name") or code)
    return _named(sources, "children", code, "name")


def figure_label(key: str, *figures: dict[str, Any]) -> str:
    """A figure's dotted path (as in `figure_changes`) in words; names of units and events are
    looked up in the given figures dicts (the first that has them)."""
    parts = _parts(key)
    leaves = _leaf_labels()
    if key in leaves:
        return leaves[key]
    head = parts[0] if parts else key
    if head == "children" and len(parts) == 3:
        unit = _named(figures, "children", parts[1], "name")
        return _("%(unit)s: %(figure)s") % {"unit": unit, "figure": _child_labels().get(parts[2], parts[2])}
    if head == "events_by_level" and len(parts) >= 3:
        return _level_label(figures, parts)
    if head == "events_attended" and len(parts) == 3:
        event = _named(figures, "events_attended", parts[1], "title")
        return _("%(event)s: %(figure)s") % {"event": event,
                                             "figure": _event_labels().get(parts[2], parts[2])}
    if head == "events_by_format" and len(parts) == 2:
        label = dict(Event.Format.choices).get(parts[1], parts[1])
        return _("Study events organised in the form “%(format)s”") % {"format": label}
    if head == "outreach" and len(parts) == 4 and parts[1] == "by_channel":
        channel = dict(Outreach.Channel.choices).get(parts[2], parts[2])
        return _("%(channel)s: %(figure)s") % {"channel": channel,
                                               "figure": _channel_labels().get(parts[3], parts[3])}
    if head == "materials" and len(parts) == 3:
        item = dict(MaterialTransfer.Item.choices).get(parts[1], parts[1])
        return _("Materials, %(item)s: %(figure)s") % {"item": item,
                                                       "figure": _material_labels().get(parts[2], parts[2])}
    if head == "pledges" and len(parts) == 3 and parts[1] == "ratings":
        rating = dict(Rating.choices).get(parts[2], parts[2])
        return _("Pledges rated “%(rating)s” at year end") % {"rating": rating}
    if head == "completeness" and len(parts) == 4:
        unit = _completeness_name(figures, parts[2])
        if parts[1] == "on_time":
            return _("%(unit)s: day its report was sent on time") % {"unit": unit}
        if parts[1] == "late":
            return _("%(unit)s: day its report was sent late") % {"unit": unit}
        return _("%(unit)s: report not sent") % {"unit": unit}
    if head == "level_names" and len(parts) == 2:
        return _("Name of level %(depth)s") % {"depth": parts[1]}
    return key


_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")


def figure_value(key: str, value: Any, *, precision: int) -> str:
    """A figure's value as the pages print it: Vietnamese numbers, rates and dates."""
    if key.startswith("completeness.missing[") and key.endswith(".name"):
        return _("Yes") if value else _("No")
    if value is None:
        return "–"
    if isinstance(value, bool):
        return _("Yes") if value else _("No")
    if isinstance(value, int):
        return format_number(value)
    if isinstance(value, list):
        return ", ".join(str(item) for item in value) or "–"
    text = str(value)
    if isinstance(value, Decimal):
        return format_rate(value, precision=precision)
    if _DATE.match(text):
        return format_date(datetime.date.fromisoformat(text))
    return text


@dataclass(frozen=True)
class ChangedFigures:
    """The unit's own figures that moved, then those of its sub-units, events and reports."""

    main: list[FigureChange]
    detail: list[FigureChange]

    def __bool__(self) -> bool:
        return bool(self.main or self.detail)

    def __iter__(self) -> Iterator[FigureChange]:
        return iter([*self.main, *self.detail])

    def __len__(self) -> int:
        return len(self.main) + len(self.detail)


_DETAIL_PREFIXES = ("children[", "events_attended[", "events_by_level.", "completeness.", "level_names.",
                    "supervision.")


def _is_detail(key: str) -> bool:
    return key.startswith(_DETAIL_PREFIXES) or key in {"unit", "as_of"}


def labelled_changes(
    changes: list[tuple[str, Any, Any]], *, frozen: dict[str, Any], live: dict[str, Any], precision: int
) -> ChangedFigures:
    """`figure_changes` output in words, for the notice on a submitted report."""
    labelled = [
        FigureChange(key=key, label=figure_label(key, live, frozen),
                     before=figure_value(key, old, precision=precision),
                     after=figure_value(key, new, precision=precision))
        for key, old, new in changes
        # A sent report's unit name says nothing its date does not already say.
        if not (key.startswith(("completeness.on_time[", "completeness.late[")) and key.endswith(".name"))
    ]
    order = {key: index for index, key in enumerate(_leaf_labels())}
    labelled.sort(key=lambda change: (order.get(change.key, len(order)), change.key))
    return ChangedFigures(
        main=[change for change in labelled if not _is_detail(change.key)],
        detail=[change for change in labelled if _is_detail(change.key)],
    )


# --- report templates ----------------------------------------------------------------------------------


def templates_visible_to(*, actor: User) -> QuerySet[ReportTemplate]:
    """The uploaded templates of the units of the user's subtree, without their files."""
    return (ReportTemplate.objects.filter(unit__path__startswith=scope_root(actor).path)
            .select_related("unit", "uploaded_by").defer("content"))


def template_in_use(*, unit: Unit) -> ReportTemplate | None:
    """The active template of the unit or of the nearest unit above it (today's tree), with its file;
    None: the default template. One query."""
    ancestors = [unit.path[:end] for end in range(PATH_SEGMENT_WIDTH, len(unit.path) + 1, PATH_SEGMENT_WIDTH)]
    return (ReportTemplate.objects.filter(is_active=True, unit__path__in=ancestors)
            .select_related("unit").order_by("-unit__depth").first())
