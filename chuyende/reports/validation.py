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
from decimal import Decimal, InvalidOperation
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

# A number as typed in Vietnamese ("1.234", "96,05", "1.234,5"), or with a decimal point ("96.5").
# Not part of a word or of a longer number ("E1", "12.345.6").
_NUM = r"(?<![\w.,])(?:\d{1,3}(?:\.\d{3})+(?:,\d+)?|\d+(?:[.,]\d+)?)(?!\d)"
NUMBER = re.compile(_NUM)
RATIO = re.compile(rf"(?P<a>{_NUM})\s*/\s*(?P<b>{_NUM})")
RATE = re.compile(rf"(?P<r>{_NUM})\s*%")
SUM_EQUATION = re.compile(rf"(?P<parts>{_NUM}\s*%?(?:\s*\+\s*{_NUM}\s*%?)+)\s*=\s*(?P<total>{_NUM})\s*%?")

# What is not a figure: dates, months, years and document numbers. Masked before looking for figures.
_NOT_FIGURES = [
    re.compile(r"(?<!\d)\d{1,2}[/.-]\d{1,2}[/.-](?:\d{4}|\d{2})(?!\d)"),  # 31/03/2024, 5-3-24
    re.compile(r"(?<![\d.,])(?:0?[1-9]|1[0-2])/(?:19|20)\d{2}(?!\d)"),  # 3/2024 (month or quarter)
    re.compile(r"\b[IV]{1,3}/(?:19|20)\d{2}(?!\d)"),  # quý I/2024
    re.compile(r"\b(?:ngày|từ|đến|tới|hôm|sáng|chiều|tối)\s+\d{1,2}/\d{1,2}(?![\d/])", re.IGNORECASE),
    re.compile(r"\b(?:năm|niên khóa|nhiệm kỳ)\s+(?:19|20)\d{2}(?:\s*-\s*(?:19|20)\d{2})?(?!\d)",
               re.IGNORECASE),
    # 12-HD/BTGTU, 87-KH/HU, 05-CT/TW, 01/2021/TT-BNV, 123/QĐ-UBND
    re.compile(r"(?<![\w.,])\d+[a-z]?(?:/(?:19|20)\d{2})?[-/][A-ZĐ]{2,}(?:[-/][A-ZĐ]{2,}[a-zđ]*)*"),
]

_SENTENCE_END = re.compile(r"[.!?…](?=\s|$)|\n")
_LINK = re.compile(r"đạt|=|bằng|tỷ lệ|tỉ lệ|chiếm|\(|\blà\b", re.IGNORECASE)
_RATE_BEFORE_RATIO = re.compile(rf"\s*\(\s*[^\d()]{{0,25}}?(?P<a>{_NUM})\s*/\s*(?P<b>{_NUM})")
_TRIGGER = re.compile(r"\b(?:bao gồm|gồm có|gồm|trong đó|trong số đó)\b\s*:?", re.IGNORECASE)
_PARTITION = re.compile(r"gồm", re.IGNORECASE)
_EXPLICIT_TOTAL = re.compile(r"\btổng\b", re.IGNORECASE)
_LIST_SEPARATOR = re.compile(r"[,;]|\bvà\b", re.IGNORECASE)
_PARENTHESES = re.compile(r"\([^()]*\)")
_MEMBERS_AFTER = re.compile(r"\s+đảng viên\b", re.IGNORECASE)
_NON_MEMBERS_AFTER = re.compile(r"\s+(?:người ngoài đảng|người chưa là đảng viên)\b", re.IGNORECASE)
_COVERAGE_WORDS = re.compile(r"\bhọc\b|học tập|quán triệt|tham gia|tham dự", re.IGNORECASE)
_GOAL_WORDS = re.compile(
    r"phấn đấu|chỉ tiêu|mục tiêu|trở lên|ít nhất|tối thiểu|bảo đảm|đảm bảo|yêu cầu|kế hoạch", re.IGNORECASE
)
_COVERAGE_RATE = re.compile(
    rf"đạt\s+(?:tỷ lệ\s+|tỉ lệ\s+)?(?P<r>{_NUM})\s*%|(?P<r2>{_NUM})\s*%\s+(?:số\s+)?đảng viên", re.IGNORECASE
)
_LINK_WINDOW = 100
_WORDS_BEFORE_PART = 2
_EXCERPT_WIDTH = 140


def parse_number(token: str) -> Decimal:
    """A number as typed: dots group thousands, a comma starts the decimals ("1.234,5");
    a single dot followed by other than three digits is taken as a decimal point ("96.5")."""
    token = token.strip()
    if re.fullmatch(r"\d{1,3}(?:\.\d{3})+(?:,\d+)?", token):
        token = token.replace(".", "").replace(",", ".")
    else:
        token = token.replace(",", ".")
    try:
        return Decimal(token)
    except InvalidOperation as error:  # pragma: no cover - the patterns only let numbers through
        raise ValueError(token) from error


def mask_non_figures(text: str) -> str:
    """The text with dates, months, years and document numbers blanked out, same length."""
    for pattern in _NOT_FIGURES:
        text = pattern.sub(lambda m: " " * len(m.group()), text)
    return text


def _sentences(text: str) -> Iterator[tuple[int, int]]:
    start = 0
    for match in _SENTENCE_END.finditer(text):
        if match.start() > start:
            yield start, match.start()
        start = match.end()
    if start < len(text):
        yield start, len(text)


def _decimals(value: Decimal) -> int:
    exponent = value.as_tuple().exponent
    return max(0, -exponent) if isinstance(exponent, int) else 0


def rate_matches(stated: Decimal, numerator: int, denominator: int) -> bool:
    """Whether a typed rate is the rate of its counts, at the decimals it was typed with.

    "97%" for 256/263 (97,34%) is a rounding, not a slip; "100%" needs every one of them and
    "0%" none, whatever the rounding would give.
    """
    if denominator <= 0:
        return True
    if stated == 100:
        return numerator == denominator
    if stated == 0:
        return numerator == 0
    return compute_rate(numerator, denominator, precision=_decimals(stated)) == stated


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
    """Slips in a user-written section: rates that do not match their counts and totals that are
    not the sum of their parts (high), figures that contradict the computed ones (medium).

    `figures` is the report's figures dict (empty: only the arithmetic is checked); `section` the
    report field the text comes from. Dates and document numbers are never taken for figures.
    """
    context = _TextContext(
        original=text, figures=figures, precision=precision, section=section, label=_section_label(section),
        unit_code=unit_code or str(figures.get("unit", "")), unit_name=unit_name,
    )
    masked = mask_non_figures(text)
    for start, end in _sentences(masked):
        sentence = masked[start:end]
        _check_rates(context, sentence, start, end)
        _check_sums(context, sentence, start, end)
        _check_equations(context, sentence, start, end)
        if figures.get("party_members"):
            _check_stated_counts(context, sentence, start, end)
            _check_stated_coverage(context, sentence, start, end)
    return context.found


def _check_rates(context: _TextContext, sentence: str, start: int, end: int) -> None:
    """"a/b ... đạt r%" and "r% (a/b)": r must be the rate of a over b."""
    ratios = list(RATIO.finditer(sentence))
    pairs: list[tuple[re.Match[str], re.Match[str], tuple[int, int]]] = []
    paired_ratios: set[int] = set()
    for index, ratio in enumerate(ratios):
        limit = ratios[index + 1].start() if index + 1 < len(ratios) else len(sentence)
        window = sentence[ratio.end():limit].split(";")[0][: _LINK_WINDOW + 10]
        rate = RATE.search(window)
        if rate is None:
            continue
        between = window[: rate.start()]
        if (len(between) > _LINK_WINDOW or NUMBER.search(_PARENTHESES.sub(" ", between))
                or not _LINK.search(between)):
            continue
        pairs.append((ratio, rate, (ratio.start(), ratio.end() + rate.end())))
        paired_ratios.add(ratio.start())
    for rate in RATE.finditer(sentence):
        after = _RATE_BEFORE_RATIO.match(sentence, rate.end())
        if after is None or after.start("a") in paired_ratios:
            continue
        pairs.append((after, rate, (rate.start(), after.end())))
    for ratio, rate, span in pairs:
        numerator, denominator = parse_number(ratio.group("a")), parse_number(ratio.group("b"))
        a, b = _as_int(numerator), _as_int(denominator)
        stated = parse_number(rate.group("r"))
        if a is None or b is None or b == 0 or rate_matches(stated, a, b):
            continue
        excerpt = context.excerpt(start, end, (start + span[0], start + span[1]))
        context.add("text_rate_mismatch", HIGH, _(
            "%(section)s: “%(excerpt)s” states %(stated)s but %(numerator)s/%(denominator)s is %(computed)s."
        ) % {"section": context.label, "excerpt": excerpt, "stated": f"{rate.group('r')}%",
             "numerator": format_number(a), "denominator": format_number(b),
             "computed": format_rate(compute_rate(a, b, precision=context.precision),
                                     precision=context.precision)})


def _figures_in(text: str) -> list[Decimal]:
    """The numbers of a piece of text, leaving out percentages."""
    return [parse_number(m.group()) for m in NUMBER.finditer(text)
            if not text[m.end():].lstrip().startswith("%")]


def _list_items(tail: str) -> list[str]:
    """The items of an enumeration: "3 A, 2 B và 3 C". The item after "và" is the last; when items
    are separated by commas, a semicolon ends the list."""
    items: list[str] = []
    position, first, last = 0, "", False
    for match in _LIST_SEPARATOR.finditer(tail):
        separator = match.group().lower()
        if not first and separator in ",;":
            first = separator
        items.append(tail[position:match.start()])
        position = match.end()
        if last or (separator == ";" and first == ","):
            break
        last = separator == "và"
    else:
        items.append(tail[position:])
    return [item for item in (i.strip() for i in items) if item]


def _leads_with_figure(item: str) -> bool:
    """Whether an item of a list is counted by its first figure ("3 hội nghị trực tiếp", "cấp xã 6
    hội nghị") rather than merely mentioning one ("hội nghị trực tuyến ngày 15 với 88 người")."""
    first = NUMBER.search(item)
    return first is not None and len(item[: first.start()].split()) <= _WORDS_BEFORE_PART


def _check_sums(context: _TextContext, sentence: str, start: int, end: int) -> None:
    """"9 hội nghị, gồm 3 ..., 2 ... và 3 ..." and "tổng số 120 ..., trong đó 50 ..., 60 ...":
    the parts must add up to the total. After a plain "trong đó" the parts may be a subset, so
    only parts exceeding the total are a slip."""
    for trigger in _TRIGGER.finditer(sentence):
        head = sentence[: trigger.start()]
        head = head[head.rfind(";") + 1:].rstrip(" ,:")
        clause = head[max(head.rfind(","), head.rfind(";")) + 1:]
        totals = _figures_in(clause)
        if not totals:
            continue
        tail = _PARENTHESES.sub(lambda m: " " * len(m.group()), sentence[trigger.end():])
        items = _list_items(tail)
        numbers = [_figures_in(item) for item in items]
        if len(items) < 2 or not all(numbers) or not all(_leads_with_figure(item) for item in items):
            continue
        partition = bool(_PARTITION.search(trigger.group()) or _EXPLICIT_TOTAL.search(clause))
        columns = min(len(n) for n in numbers)
        for column in range(min(columns, len(totals)) if partition else 1):
            parts = [n[column] for n in numbers]
            added = sum(parts, Decimal(0))
            total = totals[min(column, len(totals) - 1)]
            wrong = added not in totals if partition else added > max(totals)
            if not wrong:
                continue
            focus = (start + trigger.start() - len(clause), start + trigger.end())
            excerpt = context.excerpt(start, end, focus)
            context.add("text_sum_mismatch", HIGH, _(
                "%(section)s: “%(excerpt)s” gives a total of %(total)s but its parts add up to "
                "%(parts)s = %(sum)s."
            ) % {"section": context.label, "excerpt": excerpt, "total": format_number(total),
                 "parts": " + ".join(format_number(p) for p in parts), "sum": format_number(added)})
            break


def _check_equations(context: _TextContext, sentence: str, start: int, end: int) -> None:
    """"a + b = c" must hold."""
    for equation in SUM_EQUATION.finditer(sentence):
        parts = [parse_number(m.group()) for m in NUMBER.finditer(equation.group("parts"))]
        total = parse_number(equation.group("total"))
        added = sum(parts, Decimal(0))
        if added == total:
            continue
        context.add("text_sum_mismatch", HIGH, _(
            "%(section)s: “%(excerpt)s”: %(parts)s makes %(sum)s, not %(total)s."
        ) % {"section": context.label,
             "excerpt": context.excerpt(start, end, (start + equation.start(), start + equation.end())),
             "parts": " + ".join(format_number(p) for p in parts), "sum": format_number(added),
             "total": format_number(total)})


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
            context.add("text_figure_contradicts", MEDIUM, message % {
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
        context.add("text_figure_contradicts", MEDIUM, _(
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
