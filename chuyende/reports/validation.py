"""Checks over returns, events and reports. High importance blocks submission; lower ones warn.

Two families of rules:

- data rules over a unit's subtree as of a date (`subtree_violations`): parts summing to their
  totals (non-members of a bridge point by category, exempt and away within a return's total),
  coverage within those expected, bridge point counts within plausible bounds, and leaf units that
  have not reported yet (listed, never counted as zero);
- text rules over what the user typed in the free sections of a report (`text_violations`, pure):
  a rate that does not match its own numerator and denominator, a total that is not the sum of its
  parts, and figures that contradict those computed by the roll-up.

Nothing here counts on its own account: coverage, rates and the units without data come from
`unit_figures`, the returns in force from `chuyende.figures.sources`, the members a bridge point
is bounded by from `chuyende.figures.roster.MembersOn`; the records checked one by one are read with
a fixed number of queries whatever the size of the subtree.
"""

import datetime
import re
from collections.abc import Iterator
from dataclasses import dataclass, field, replace
from decimal import Decimal
from typing import Any, Protocol

from django.core.exceptions import FieldDoesNotExist
from django.utils.text import capfirst
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from chuyende.campaigns.models import Campaign
from chuyende.core.numbers import compute_rate, format_date, format_number, format_rate
from chuyende.events.models import Event, Site
from chuyende.figures.rollup import RollUp, UnitRef, unit_figures
from chuyende.figures.roster import MembersOn
from chuyende.figures.sources import member_returns_in_force, non_member_returns_in_force
from chuyende.figures.tree import period_on
from chuyende.organisation.models import Unit
from chuyende.reports.claims import (
    _NUM,
    DOES_NOT_HOLD,
    EQUATION,
    RATE,
    RATIO,
    SUM,
    check_text,
    mask_non_figures,
    parse_number,
    rate_matches,
)
from chuyende.reports.figures import frozen_figures_of, live_figures
from chuyende.reports.models import Report
from chuyende.returns.models import MemberReturn, NonMemberReturn


@dataclass(frozen=True)
class Violation:
    rule: str
    importance: str  # "high" blocks submission, "medium" and "low" warn
    unit_code: str
    unit_name: str
    message: str
    where: str = ""  # the field, section or record concerned
    record_id: int | None = None  # the id of that record (report, event, return, unit), when there is one

    @property
    def where_label(self) -> str:
        """`where` for people: the report section, or the kind of record."""
        if self.where in TEXT_SECTIONS:
            return capfirst(_section_label(self.where))
        model = _RECORD_MODELS.get(self.where)
        return capfirst(str(model._meta.verbose_name)) if model is not None else self.where


HIGH, MEDIUM, LOW = "high", "medium", "low"
IMPORTANCE_LABELS = {HIGH: gettext_lazy("High"), MEDIUM: gettext_lazy("Medium"), LOW: gettext_lazy("Low")}
IMPORTANCE_ORDER = {HIGH: 0, MEDIUM: 1, LOW: 2}

# The user-written sections of a report, in the order of the document.
TEXT_SECTIONS = ("leadership", "results_note", "strengths", "shortcomings", "tasks")

# Where a violation points to (Violation.where) when it is about a record rather than a section.
WHERE_EVENT = "event"
WHERE_MEMBER_RETURN = "member_return"
WHERE_NON_MEMBER_RETURN = "non_member_return"
WHERE_UNIT = "unit"

_RECORD_MODELS: dict[str, Any] = {
    WHERE_EVENT: Event, WHERE_MEMBER_RETURN: MemberReturn, WHERE_NON_MEMBER_RETURN: NonMemberReturn,
    WHERE_UNIT: Unit,
}

# More person-times than this at one bridge point is a typing error, not a conference.
SITE_ATTENDANCE_CAP = 100_000


# --- text rules -------------------------------------------------------------------------------

_MEMBERS_AFTER = re.compile(r"\s+đảng viên\b", re.IGNORECASE)
_NON_MEMBERS_AFTER = re.compile(r"\s+(?:người ngoài đảng|người chưa là đảng viên)\b", re.IGNORECASE)
_COVERAGE_WORDS = re.compile(r"\bhọc\b|học tập|quán triệt|tham gia|tham dự", re.IGNORECASE)
_GOAL_WORDS = re.compile(
    r"phấn đấu|chỉ tiêu|mục tiêu|trở lên|ít nhất|tối thiểu|bảo đảm|đảm bảo|yêu cầu|kế hoạch", re.IGNORECASE
)
_COVERAGE_RATE = re.compile(
    rf"đạt\s+(?:tỷ lệ\s+|tỉ lệ\s+)?(?P<r>{_NUM})\s*%|(?P<r2>{_NUM})\s*%\s+(?:số\s+)?đảng viên", re.IGNORECASE
)
_SENTENCE_END = re.compile(r"[.!?…](?=\s|$)|\n")
_EXCERPT_WIDTH = 140
# A claim of the text that does not hold, by its kind: the rule it breaks.
_CLAIM_RULES = {SUM: "text_sum_mismatch", EQUATION: "text_sum_mismatch"}


def _sentences(text: str) -> Iterator[tuple[int, int]]:
    start = 0
    for match in _SENTENCE_END.finditer(text):
        if match.start() > start:
            yield start, match.start()
        start = match.end()
    if start < len(text):
        yield start, len(text)


def _as_int(value: Decimal) -> int | None:
    return int(value) if value == value.to_integral_value() else None


def _section_label(section: str) -> str:
    try:
        model_field = Report._meta.get_field(section)
    except FieldDoesNotExist:
        return section
    return str(getattr(model_field, "verbose_name", section))


@dataclass
class _TextContext:
    original: str
    figures: dict[str, Any]
    precision: int
    section: str
    label: str
    unit_code: str
    unit_name: str
    found: list[Violation] = field(default_factory=list)

    def excerpt(self, start: int, end: int, focus: tuple[int, int]) -> str:
        text = self.original[start:end].strip()
        if len(text) <= _EXCERPT_WIDTH:
            return text
        middle = (focus[0] + focus[1]) // 2
        left = max(start, middle - _EXCERPT_WIDTH // 2)
        right = min(end, left + _EXCERPT_WIDTH)
        before, after = ("…" if left > start else ""), ("…" if right < end else "")
        return before + self.original[left:right].strip() + after

    def add(self, rule: str, importance: str, message: str) -> None:
        self.found.append(Violation(rule=rule, importance=importance, unit_code=self.unit_code,
                                    unit_name=self.unit_name, message=message, where=self.section))


def text_violations(
    text: str, *, figures: dict[str, Any], precision: int, section: str, unit_code: str = "",
    unit_name: str = "",
) -> list[Violation]:
    """Slips in a section of a report, read by the claim reader (`chuyende.reports.claims`, the same
    one that checks any report): a claim of the text that does not hold on its own numbers warns
    (medium); a figure that contradicts the product's own computed figures blocks (high).

    `figures` is the report's figures dict (empty: only the arithmetic is checked); `section` the
    report field the text comes from. Dates and document numbers are never taken for figures.
    """
    context = _TextContext(
        original=text, figures=figures, precision=precision, section=section, label=_section_label(section),
        unit_code=unit_code or str(figures.get("unit", "")), unit_name=unit_name,
    )
    own_counts = _own_counts(figures)
    for claim in check_text(text, precision=precision):
        if claim.verdict != DOES_NOT_HOLD:
            continue
        ratio = RATIO.search(claim.text) if claim.kind == RATE else None
        if ratio is not None and (_as_int(parse_number(ratio.group("a"))),
                                  _as_int(parse_number(ratio.group("b")))) in own_counts:
            # The counts are the product's own: the rate printed with them contradicts its figures.
            context.add("text_figure_contradicts", HIGH, _(
                "%(section)s: “%(claim)s”: %(reason)s"
            ) % {"section": context.label, "claim": claim.text, "reason": claim.reason})
            continue
        context.add(_CLAIM_RULES.get(claim.kind, "text_rate_mismatch"), MEDIUM, _(
            "%(section)s: “%(claim)s”: %(reason)s"
        ) % {"section": context.label, "claim": claim.text, "reason": claim.reason})
    if figures.get("party_members"):
        masked = mask_non_figures(text)
        for start, end in _sentences(masked):
            sentence = masked[start:end]
            _check_stated_counts(context, sentence, start, end)
            _check_stated_coverage(context, sentence, start, end)
    return context.found


def _own_counts(figures: dict[str, Any]) -> set[tuple[int | None, int | None]]:
    """The (studied, expected) pairs the product computed: the unit's and its sub-units'."""
    pairs: set[tuple[int | None, int | None]] = set()
    for key in ("party_members", "non_party"):
        counts = _counts(figures, key, "studied", "eligible")
        if counts is not None:
            pairs.add(counts)
    pairs |= _child_counts(figures, "studied", "eligible")
    pairs |= _child_counts(figures, "non_members_studied", "non_members_expected")
    return pairs


def _counts(figures: dict[str, Any], key: str, studied: str, expected: str) -> tuple[int, int] | None:
    values = figures.get(key) or {}
    if studied in values and expected in values:
        return int(values[studied]), int(values[expected])
    return None


def _child_counts(figures: dict[str, Any], studied: str, expected: str) -> set[tuple[int, int]]:
    return {(int(child[studied]), int(child[expected])) for child in figures.get("children", [])
            if studied in child and expected in child}


def _check_stated_counts(context: _TextContext, sentence: str, start: int, end: int) -> None:
    """"x/y đảng viên" (or "người ngoài Đảng") must be the computed studied/expected, unless it is
    the pair of one of the sub-units."""
    kinds = (
        (_MEMBERS_AFTER, _counts(context.figures, "party_members", "studied", "eligible"),
         _child_counts(context.figures, "studied", "eligible"),
         _("%(section)s: “%(excerpt)s” states %(stated)s party members but the figures give "
           "%(studied)s/%(eligible)s.")),
        (_NON_MEMBERS_AFTER, _counts(context.figures, "non_party", "studied", "eligible"),
         _child_counts(context.figures, "non_members_studied", "non_members_expected"),
         _("%(section)s: “%(excerpt)s” states %(stated)s non-members but the figures give "
           "%(studied)s/%(eligible)s.")),
    )
    for ratio in RATIO.finditer(sentence):
        for noun, computed, children, message in kinds:
            if computed is None or not noun.match(sentence, ratio.end()):
                continue
            a, b = _as_int(parse_number(ratio.group("a"))), _as_int(parse_number(ratio.group("b")))
            if a is None or b is None or (a, b) == computed or (a, b) in children:
                continue
            context.add("text_figure_contradicts", HIGH, message % {
                "section": context.label,
                "excerpt": context.excerpt(start, end, (start + ratio.start(), start + ratio.end())),
                "stated": f"{ratio.group('a')}/{ratio.group('b')}",
                "studied": format_number(computed[0]), "eligible": format_number(computed[1]),
            })


def _check_stated_coverage(context: _TextContext, sentence: str, start: int, end: int) -> None:
    """In a sentence on party members studying, with no counts of its own and no goal, "đạt r%"
    or "r% đảng viên" must be the computed coverage (or a sub-unit's, or the target)."""
    lowered = sentence.lower()
    if ("đảng viên" not in lowered or not _COVERAGE_WORDS.search(sentence) or _GOAL_WORDS.search(sentence)
            or RATIO.search(sentence)):
        return
    computed = _counts(context.figures, "party_members", "studied", "eligible")
    if computed is None or computed[1] <= 0:
        return
    others = _child_counts(context.figures, "studied", "eligible")
    non_party = _counts(context.figures, "non_party", "studied", "eligible")
    if non_party is not None:
        others.add(non_party)
    target = context.figures.get("target_rate")
    for match in _COVERAGE_RATE.finditer(sentence):
        token = match.group("r") or match.group("r2")
        stated = parse_number(token)
        if rate_matches(stated, *computed) or (target is not None and stated == target):
            continue
        if any(rate_matches(stated, *pair) for pair in others if pair[1] > 0):
            continue
        context.add("text_figure_contradicts", HIGH, _(
            "%(section)s: “%(excerpt)s” states %(stated)s but the computed rate of party members who "
            "studied is %(computed)s."
        ) % {"section": context.label,
             "excerpt": context.excerpt(start, end, (start + match.start(), start + match.end())),
             "stated": f"{token}%",
             "computed": format_rate(compute_rate(*computed, precision=context.precision),
                                     precision=context.precision)})


# --- data rules -------------------------------------------------------------------------------


class _Located(Protocol):
    """A unit as a violation names it: a Unit, or a UnitRef of the roll-up."""

    @property
    def code(self) -> str: ...

    @property
    def name(self) -> str: ...

    @property
    def path(self) -> str: ...


@dataclass(frozen=True)
class _SiteRow:
    event_id: int
    unit: UnitRef
    members: int
    non_members: int
    by_category: dict[str, Any]
    title: str
    held_on: datetime.date

    @property
    def attendance(self) -> int:
        return self.members + self.non_members


def _sites(*, path: str, campaign: Campaign, as_of: datetime.date) -> list[_SiteRow]:
    """The bridge points of the subtree's events held by the date, on the tree and with the names of
    the date, each checked on its own (one query; `path`: the unit's on the date)."""
    rows = (
        Site.objects.filter(period_on(as_of, "unit__periods__"), event__campaign=campaign,
                            event__held_on__lte=as_of, unit__periods__path__under=path)
        .order_by("event__held_on", "event_id", "unit__periods__path")
        .values_list("event_id", "unit_id", "unit__code", "unit__periods__name", "unit__periods__kind",
                     "unit__periods__path",
                     "other_members", "listed_members", "non_members", "non_members_by_category",
                     "event__title", "event__held_on")
    )
    return [
        _SiteRow(event_id=event_id, unit=UnitRef(id=unit_id, code=code, name=name, kind=kind, path=path),
                 members=other + listed, non_members=non_members, by_category=by_category or {}, title=title,
                 held_on=held_on)
        for (event_id, unit_id, code, name, kind, path, other, listed, non_members, by_category, title,
             held_on) in rows
    ]


class _Found:
    """Violations of the data rules, with the path of their unit."""

    def __init__(self) -> None:
        self.items: list[tuple[str, Violation]] = []

    def add(self, unit: _Located, rule: str, importance: str, message: str, where: str,
            record_id: int | None) -> None:
        self.items.append((unit.path, Violation(
            rule=rule, importance=importance, unit_code=unit.code, unit_name=unit.name, message=message,
            where=where, record_id=record_id,
        )))

    def paths_with(self, rules: set[str]) -> set[str]:
        return {path for path, v in self.items if v.rule in rules}


def subtree_violations(*, unit: Unit, campaign: Campaign, as_of: datetime.date) -> list[Violation]:
    """Violations of the data rules in the unit's subtree as of the date, unit by unit in tree
    order, the most important first within a unit."""
    rollup = unit_figures(unit=unit, campaign=campaign, as_of=as_of)
    return _data_violations(unit=unit, campaign=campaign, as_of=as_of, rollup=rollup)


def _data_violations(
    *, unit: Unit, campaign: Campaign, as_of: datetime.date, rollup: RollUp
) -> list[Violation]:
    """The rules over the records the roll-up counted (returns in force, bridge points) and over
    its figures; nothing is counted here."""
    found = _Found()
    path = rollup.unit.path  # the unit's on the date: the subtree of that day
    _check_member_returns(found, campaign, member_returns_in_force(unit=unit, campaign=campaign, as_of=as_of,
                                                                   path=path))
    _check_non_member_returns(found, non_member_returns_in_force(unit=unit, campaign=campaign, as_of=as_of,
                                                                 path=path))
    _check_rollup(found, rollup)
    _check_sites(found, _sites(path=path, campaign=campaign, as_of=as_of),
                 MembersOn(path=path, campaign_id=campaign.pk, as_of=as_of))
    for ref in rollup.units_without_data:
        found.add(ref, "unit_not_reported", LOW, _(
            "Not reported yet by %(date)s: there are no figures of this unit for the campaign. It is "
            "listed apart, not counted as zero."
        ) % {"date": format_date(as_of)}, WHERE_UNIT, ref.id)
    found.items.sort(key=lambda item: (item[0], IMPORTANCE_ORDER[item[1].importance]))
    return [violation for _path, violation in found.items]


def _check_member_returns(found: _Found, campaign: Campaign, in_force: dict[int, MemberReturn]) -> None:
    """Exempt and away within the total; members who studied within those expected."""
    for record in sorted(in_force.values(), key=lambda r: r.unit.path):
        day, total, exempt, away = record.as_of, record.members_total, record.exempt, record.away
        if exempt + away > total:
            found.add(record.unit, "return_parts_exceed_total", HIGH, _(
                "Party member return of %(date)s: exempt (%(exempt)s) and away (%(away)s) add up to "
                "more than the %(total)s party members in total."
            ) % {"date": format_date(day), "exempt": format_number(exempt), "away": format_number(away),
                 "total": format_number(total)}, WHERE_MEMBER_RETURN, record.pk)
        expected = campaign.expected_members(total=total, exempt=exempt, away=away)
        if record.studied > expected:
            found.add(record.unit, "return_studied_above_expected", HIGH, _(
                "Party member return of %(date)s: %(studied)s party members studied, more than the "
                "%(expected)s expected to study."
            ) % {"date": format_date(day), "studied": format_number(record.studied),
                 "expected": format_number(max(expected, 0))}, WHERE_MEMBER_RETURN, record.pk)


def _check_non_member_returns(found: _Found, in_force: dict[int, NonMemberReturn]) -> None:
    for record in sorted(in_force.values(), key=lambda r: r.unit.path):
        if record.studied <= record.expected:
            continue
        found.add(record.unit, "non_member_return_studied_above_expected", HIGH, _(
            "Non-member return of %(date)s: %(studied)s non-members studied, more than the %(expected)s "
            "expected to study."
        ) % {"date": format_date(record.as_of), "studied": format_number(record.studied),
             "expected": format_number(record.expected)}, WHERE_NON_MEMBER_RETURN, record.pk)


def _check_rollup(found: _Found, rollup: RollUp) -> None:
    """Coverage within those expected for the unit and each sub-unit, as the roll-up sums them;
    skipped where a return below already explains the excess."""
    explained = found.paths_with(
        {"return_studied_above_expected", "non_member_return_studied_above_expected"}
    )
    for figures in [rollup, *rollup.children]:
        if any(path.startswith(figures.unit.path) for path in explained):
            continue
        tally = figures.tally
        if tally.studied > tally.eligible:
            found.add(figures.unit, "coverage_above_eligible", HIGH, _(
                "As of %(date)s, %(studied)s party members studied, more than the %(eligible)s expected "
                "to study."
            ) % {"date": format_date(rollup.as_of), "studied": format_number(tally.studied),
                 "eligible": format_number(tally.eligible)}, WHERE_UNIT, figures.unit.id)
        if tally.non_members_studied > tally.non_members_expected:
            found.add(figures.unit, "non_member_coverage_above_expected", HIGH, _(
                "As of %(date)s, %(studied)s non-members studied, more than the %(expected)s expected to "
                "study."
            ) % {"date": format_date(rollup.as_of), "studied": format_number(tally.non_members_studied),
                 "expected": format_number(tally.non_members_expected)}, WHERE_UNIT, figures.unit.id)


def _check_sites(found: _Found, sites: list[_SiteRow], members_on: MembersOn) -> None:
    for site in sites:
        names = {"unit": site.unit.name, "event": site.title, "date": format_date(site.held_on)}
        attendance = site.attendance
        if attendance > SITE_ATTENDANCE_CAP:
            found.add(site.unit, "site_above_cap", HIGH, _(
                "Bridge point %(unit)s of “%(event)s” (%(date)s) records %(count)s attendances, above the "
                "limit of %(cap)s for one bridge point: check for a typing error."
            ) % {**names, "count": format_number(attendance), "cap": format_number(SITE_ATTENDANCE_CAP)},
                WHERE_EVENT, site.event_id)
        elif attendance == 0:
            found.add(site.unit, "site_no_attendance", LOW, _(
                "Bridge point %(unit)s of “%(event)s” (%(date)s) records nobody attending."
            ) % names, WHERE_EVENT, site.event_id)
        parts = sum(int(n) for n in site.by_category.values())
        if site.by_category and parts > site.non_members:
            found.add(site.unit, "site_categories_exceed_total", HIGH, _(
                "Bridge point %(unit)s of “%(event)s” (%(date)s): non-members by category add up to "
                "%(parts)s, more than its %(total)s non-members."
            ) % {**names, "parts": format_number(parts), "total": format_number(site.non_members)},
                WHERE_EVENT, site.event_id)
        elif site.by_category and parts < site.non_members:
            found.add(site.unit, "site_categories_incomplete", MEDIUM, _(
                "Bridge point %(unit)s of “%(event)s” (%(date)s): non-members by category add up to "
                "%(parts)s, fewer than its %(total)s non-members; %(rest)s are in no category."
            ) % {**names, "parts": format_number(parts), "total": format_number(site.non_members),
                 "rest": format_number(site.non_members - parts)}, WHERE_EVENT, site.event_id)
        if site.members and attendance <= SITE_ATTENDANCE_CAP:
            bound = members_on.of(site.unit.id, site.held_on)
            if bound is not None and site.members > bound:
                found.add(site.unit, "site_members_above_roster", MEDIUM, _(
                    "Bridge point %(unit)s of “%(event)s” (%(date)s) records %(count)s party member "
                    "attendances, more than the %(members)s party members of %(unit)s on that day."
                ) % {**names, "count": format_number(site.members), "members": format_number(bound)},
                    WHERE_EVENT, site.event_id)


# --- reports ----------------------------------------------------------------------------------


def report_text_violations(*, report: Report, figures: dict[str, Any]) -> list[Violation]:
    """The text rules over each user-written section of the report."""
    found: list[Violation] = []
    for section in TEXT_SECTIONS:
        text = getattr(report, section) or ""
        if text.strip():
            found.extend(
                replace(v, record_id=report.pk)
                for v in text_violations(text, figures=figures, precision=report.campaign.rate_precision,
                                         section=section, unit_code=report.unit.code,
                                         unit_name=report.unit.name)
            )
    found.sort(key=lambda v: IMPORTANCE_ORDER[v.importance])
    return found


def subtree_report_violations(*, unit: Unit, campaign: Campaign, as_of: datetime.date) -> list[Violation]:
    """The text rules over the latest report of each unit of the subtree dated on or before the
    date (one query). A submitted report is read against its frozen figures; a draft only for its
    own arithmetic, its figures being checked on its own page (`report_violations`)."""
    latest: dict[int, Report] = {}
    for report in (
        Report.objects.filter(campaign=campaign, unit__path__under=unit.path, as_of__lte=as_of)
        .select_related("unit", "campaign")
        .order_by("unit__path", "as_of", "issued_on", "pk")
    ):
        latest[report.unit_id] = report
    found: list[Violation] = []
    for report in latest.values():
        figures = frozen_figures_of(report) or {}
        found.extend(report_text_violations(report=report, figures=figures))
    return found


def report_violations(
    *, report: Report, rollup: RollUp | None = None, live: dict[str, Any] | None = None
) -> list[Violation]:
    """Violations in the report's own text and in the data of its unit's subtree up to its date.

    The text is read against the figures the report prints: frozen ones once submitted, live ones
    while it is a draft. `rollup` and `live`, when the caller has them, are the report date's
    `unit_figures` and `live_figures`.
    """
    rollup = rollup or unit_figures(unit=report.unit, campaign=report.campaign, as_of=report.as_of)
    figures = frozen_figures_of(report)
    if figures is None:
        figures = live if live is not None else live_figures(
            unit=report.unit, campaign=report.campaign, as_of=report.as_of, rollup=rollup
        )
    return [
        *report_text_violations(report=report, figures=figures),
        *_data_violations(unit=report.unit, campaign=report.campaign, as_of=report.as_of, rollup=rollup),
    ]
