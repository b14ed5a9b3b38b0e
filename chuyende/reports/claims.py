"""The arithmetic claims of a report's text, found, recomputed and judged (DOMAIN.md §4.2).

Pure: no database. A report written anywhere (typed in a draft, a Word file, a PDF) is read as
paragraphs; every claim the text makes about its own numbers is found and recomputed from the
numbers it states:

- a rate with its counts: "a/b, đạt x%", "a/b = x%", "đạt x% (a/b)"; with exclusions "(trừ n1 …
  và n2 …)" the base may be b − n1 − n2 when b is the total;
- a total with its parts: "N lớp (01 …; 02 …; 01 …)", "N người (trong đó a …; b …)", "N …, gồm a …
  và b …", "N …: a …; b …", "a + b = N", and a total whose parts follow in the next sentence
  ("Trong đó, …"); people and person-times added together;
- a rate for the whole printed after the rates of its parts ("toàn huyện đạt x%"), which must be
  the rate of the summed counts, never their average;
- a change in percentage points between two stated rates.

Each claim gets a verdict: `holds`, `does_not_hold` (with the right figure) or `cannot_check`
(a rate or a bound with nothing to recompute it from). A rate is judged at the decimals it is
printed with: "97%" for 256/263 is a rounding, "97,35%" is not; a correct claim is never flagged.
Dates, years and document numbers ("12-HD/BTGTU") are never taken for figures.
"""

import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any

from django.utils.translation import gettext as _

from chuyende.core.numbers import compute_rate, format_number, format_rate

HOLDS, DOES_NOT_HOLD, CANNOT_CHECK = "holds", "does_not_hold", "cannot_check"
VERDICTS = (HOLDS, DOES_NOT_HOLD, CANNOT_CHECK)

# Kinds of claims.
RATE, SUM, EQUATION, POOLED_RATE, DIFFERENCE, BOUND, RATE_ALONE = (
    "rate",
    "sum",
    "equation",
    "pooled_rate",
    "difference",
    "bound",
    "rate_alone",
)

# A number as typed in Vietnamese ("1.234", "96,05", "1.234,5"), or with a decimal point ("96.5").
# Not part of a word or of a longer number ("E1", "12.345.6").
_NUM = r"(?<![\w.,])(?:\d{1,3}(?:\.\d{3})+(?:,\d+)?|\d+(?:[.,]\d+)?)(?!\d)(?![.,]\d)"
NUMBER = re.compile(_NUM)
RATIO = re.compile(rf"(?P<a>{_NUM})\s*/\s*(?P<b>{_NUM})")
PERCENT = re.compile(rf"(?P<r>{_NUM})\s*%")

# What is not a figure: dates, months, years and document numbers. Blanked out before reading.
_NOT_FIGURES = [
    re.compile(r"(?<!\d)\d{1,2}[/.-]\d{1,2}[/.-](?:\d{4}|\d{2})(?!\d)"),  # 31/03/2024, 5-3-24
    re.compile(r"(?<![\d.,])(?:0?[1-9]|1[0-2])/(?:19|20)\d{2}(?!\d)"),  # 3/2024 (month or quarter)
    re.compile(r"\b[IV]{1,3}/(?:19|20)\d{2}(?!\d)"),  # quý I/2024
    re.compile(r"\b(?:ngày|từ ngày|đến ngày|hôm|sáng|chiều|tối)\s+\d{1,2}/\d{1,2}(?![\d/])", re.IGNORECASE),
    re.compile(
        r"\b(?:năm|niên khóa|nhiệm kỳ|khóa)\s+(?:19|20)\d{2}(?:\s*[-–]\s*(?:19|20)\d{2})?(?!\d)",
        re.IGNORECASE,
    ),
    re.compile(
        r"\b(?:Hội nghị|Lớp|Điều|Khoản|Mục|Phụ lục|trang|thôn|khu phố|ấp)\s+\d+[a-z]?\b", re.IGNORECASE
    ),
    # 12-HD/BTGTU, 87-KH/HU, 05-CT/TW, 01/2021/TT-BNV, 123/QĐ-UBND
    re.compile(r"(?<![\w.,])\d+[a-z]?(?:/(?:19|20)\d{2})?[-/][A-ZĐ]{2,}(?:[-/][A-ZĐ]{2,}[a-zđ]*)*"),
]

_SENTENCE_END = re.compile(r"[.!?…](?=\s|$)")
_LINK = re.compile(r"đạt|=|bằng|tỷ lệ|tỉ lệ|chiếm|\(|,|:|\blà\b", re.IGNORECASE)
_BOUND_BEFORE = re.compile(
    r"(?:trên|dưới|hơn|gần|khoảng|xấp xỉ|từ|ít nhất|tối thiểu|tối đa|không quá|không dưới|ngưỡng)\s*$",
    re.IGNORECASE,
)
_BOUND_AFTER = re.compile(r"^\s*(?:trở lên|trở xuống|trở xuống)", re.IGNORECASE)
_GOAL = re.compile(r"phấn đấu|chỉ tiêu|mục tiêu|kế hoạch đề ra|yêu cầu|bảo đảm|đảm bảo", re.IGNORECASE)
_EXCLUSION = re.compile(r"\(\s*(?:trừ|không tính|không kể|loại trừ|đã trừ)\b[^()]*\)", re.IGNORECASE)
_RATE_THEN_RATIO = re.compile(rf"\s*\(\s*[^\d()]{{0,30}}?(?P<a>{_NUM})\s*/\s*(?P<b>{_NUM})")
_POOLED = re.compile(
    r"(?:toàn\s+(?:huyện|tỉnh|xã|phường|thị trấn|thành phố|đảng bộ|khối|ngành)|tính chung|chung\s+(?:toàn|cả)"
    r"|bình quân|trung bình)",
    re.IGNORECASE,
)
_DIFFERENCE = re.compile(
    rf"(?P<way>tăng|giảm)\s+(?P<d>{_NUM})\s*(?:điểm phần trăm|điểm %|điểm)", re.IGNORECASE
)
_PARTS_LEAD = re.compile(
    r"^\s*(?:trong đó|trong số đó|gồm có|bao gồm|gồm|cụ thể|chia ra)\s*[:,]?\s*", re.IGNORECASE
)
_SUBSET_LEAD = re.compile(r"^\s*(?:trong đó|trong số đó)\b", re.IGNORECASE)
_TRIGGER = re.compile(r"(?:,\s*|\s)(?:bao gồm|gồm có|gồm|trong đó|trong số đó)\b\s*:?|:", re.IGNORECASE)
_NEXT_PARTS = re.compile(r"^\s*(?:trong đó|trong số đó|cụ thể|gồm có|bao gồm|gồm)\s*[:,]?\s*", re.IGNORECASE)
_TOTAL_MARK = re.compile(r"\btổng\b", re.IGNORECASE)
_LIST_SEPARATOR = re.compile(r";|,|\bvà\b", re.IGNORECASE)
_EQUATION = re.compile(
    rf"(?P<parts>{_NUM}(?:\s*\+\s*{_NUM})+)\s*=\s*(?P<total>{_NUM})(?!\s*%|\s*/)"
    rf"|(?<![/\d])(?P<total2>{_NUM})\s*=\s*(?P<parts2>{_NUM}(?:\s*\+\s*{_NUM})+)(?!\s*%|\s*/)"
)
_PERSON_TIMES_AFTER = re.compile(r"^\s*lượt\b", re.IGNORECASE)
_PEOPLE_AFTER = re.compile(r"^\s*(?:người|đại biểu|cán bộ|đảng viên|học viên)\b", re.IGNORECASE)
_WORDS_BEFORE_ITEM = 3
_WORDS_BEFORE_BRACKET_ITEM = 8
_LINK_WINDOW = 100


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
    """The text with dates, months, years, labels and document numbers blanked out, same length."""
    for pattern in _NOT_FIGURES:
        text = pattern.sub(lambda m: " " * len(m.group()), text)
    return text


def decimals_of(value: Decimal) -> int:
    exponent = value.as_tuple().exponent
    return max(0, -exponent) if isinstance(exponent, int) else 0


def rate_matches(stated: Decimal, numerator: int, denominator: int) -> bool:
    """Whether a printed rate is the rate of its counts at the decimals it is printed with.
    "100%" needs every one of them and "0%" none, whatever the rounding would give."""
    if denominator <= 0:
        return False
    if stated == 100:
        return numerator == denominator
    if stated == 0:
        return numerator == 0
    return compute_rate(numerator, denominator, precision=decimals_of(stated)) == stated


def _whole(value: Decimal) -> int | None:
    return int(value) if value == value.to_integral_value() else None


@dataclass(frozen=True)
class Claim:
    kind: str
    verdict: str
    text: str  # the claim's words, as in the document
    stated: str  # the figure the text gives
    computed: str  # the figure recomputed from the text's own numbers ("" when it cannot be)
    reason: str  # why, for people
    sentence: str
    paragraph: int  # 1-based, in the order the document was read
    start: int  # offsets of `text` in the paragraph
    end: int
    page: int | None = None

    @property
    def where(self) -> str:
        if self.page is not None:
            return _("page %(page)s, paragraph %(paragraph)s") % {
                "page": self.page,
                "paragraph": self.paragraph,
            }
        return _("paragraph %(paragraph)s") % {"paragraph": self.paragraph}

    def as_json(self) -> dict[str, Any]:
        return {
            "text": self.text,
            "verdict": self.verdict,
            "stated": self.stated,
            "computed": self.computed,
            "where": self.where,
            "kind": self.kind,
            "reason": self.reason,
            "sentence": self.sentence,
            "paragraph": self.paragraph,
            "page": self.page,
            "start": self.start,
            "end": self.end,
        }


@dataclass
class _Sentence:
    """One sentence of a paragraph: `masked` is the paragraph with non-figures blanked, and
    offsets are the paragraph's."""

    original: str
    masked: str
    start: int
    end: int
    paragraph: int
    page: int | None
    used: set[int] = field(default_factory=set)  # starts of numbers a claim has taken
    claims: list[Claim] = field(default_factory=list)

    @property
    def text(self) -> str:
        return self.masked[self.start : self.end]

    def claim(
        self, kind: str, verdict: str, span: tuple[int, int], *, stated: str, computed: str, reason: str
    ) -> None:
        start, end = span
        if self.masked.count("(", start, end) > self.masked.count(")", start, end):
            closing = self.masked.find(")", end, self.end)
            end = closing + 1 if closing >= 0 else end
        self.claims.append(
            Claim(
                kind=kind,
                verdict=verdict,
                text=self.original[start:end].strip(),
                stated=stated,
                computed=computed,
                reason=reason,
                sentence=self.original[self.start : self.end].strip(),
                paragraph=self.paragraph,
                start=start,
                end=end,
                page=self.page,
            )
        )

    def sum_claim(
        self,
        kind: str,
        span: tuple[int, int],
        total: Decimal,
        parts: list[Decimal],
        *,
        subset: bool = False,
        holds: str | None = None,
        wrong: str | None = None,
    ) -> None:
        """A total against its parts (`subset`: the parts may name only some of it). `holds` and
        `wrong` are the reasons, with %(parts)s, %(sum)s and %(total)s; by default a plain sum's."""
        added = sum(parts, Decimal(0))
        values = {
            "parts": " + ".join(format_number(p) for p in parts),
            "sum": format_number(added),
            "total": format_number(total),
        }
        if added == total:
            verdict, reason = HOLDS, holds or _("%(parts)s = %(sum)s.")
        elif subset and added <= total:
            verdict, reason = (
                HOLDS,
                holds or _("The parts (%(parts)s = %(sum)s) are within the total %(total)s."),
            )
        else:
            verdict = DOES_NOT_HOLD
            reason = wrong or _("The total is %(total)s but its parts add up to %(parts)s = %(sum)s.")
        self.claim(
            kind, verdict, span, stated=values["total"], computed=values["sum"], reason=reason % values
        )


def read_claims(
    paragraphs: Sequence[str], *, pages: Sequence[int | None] | None = None, precision: int = 2
) -> list[Claim]:
    """Every arithmetic claim of the paragraphs, in reading order. `pages` gives each paragraph's
    page (PDF); `precision` is the decimals a recomputed rate is shown with at least."""
    found: list[Claim] = []
    for index, paragraph in enumerate(paragraphs):
        page = pages[index] if pages is not None else None
        found.extend(_paragraph_claims(paragraph, index + 1, page, precision))
    return found


def check_text(text: str, *, precision: int = 2) -> list[Claim]:
    """The claims of a plain text, one paragraph per line."""
    return read_claims(text.splitlines(), precision=precision)


def _sentences(original: str, masked: str, paragraph: int, page: int | None) -> Iterator[_Sentence]:
    start = 0
    ends = [m.end() for m in _SENTENCE_END.finditer(masked)] + [len(masked)]
    for end in ends:
        if masked[start:end].strip():
            yield _Sentence(
                original=original, masked=masked, start=start, end=end, paragraph=paragraph, page=page
            )
        start = end


def _paragraph_claims(original: str, paragraph: int, page: int | None, precision: int) -> list[Claim]:
    masked = mask_non_figures(original)
    found: list[Claim] = []
    previous: _Sentence | None = None
    rated: list[tuple[int, int]] = []  # the counts of the rates stated so far in the paragraph
    for sentence in _sentences(original, masked, paragraph, page):
        if _GOAL.search(sentence.text):
            previous = sentence
            continue
        _rates(sentence, precision)
        rated.extend(_counts_of_rates(sentence))
        _pooled_rates(sentence, rated, precision)
        _equations(sentence)
        _bracket_parts(sentence)
        _listed_parts(sentence)
        _parts_then_total(sentence)
        if previous is not None:
            _parts_in_next_sentence(previous, sentence)
        _differences(sentence)
        _lone_rates(sentence)
        found.extend(sorted(sentence.claims, key=lambda c: c.start))
        previous = sentence
    return found


# --- rates with their counts ------------------------------------------------------------------


def _is_bound(sentence: _Sentence, rate: re.Match[str]) -> bool:
    before = sentence.masked[max(sentence.start, rate.start() - 20) : rate.start()]
    after = sentence.masked[rate.end() : rate.end() + 12]
    return bool(_BOUND_BEFORE.search(before) or _BOUND_AFTER.match(after))


def _outside_parentheses(text: str) -> str:
    depth, kept = 0, []
    for char in text:
        if char == "(":
            depth += 1
        kept.append(" " if depth else char)
        if char == ")" and depth:
            depth -= 1
    return "".join(kept)


def _rate_pairs(sentence: _Sentence) -> list[tuple[re.Match[str], re.Match[str]]]:
    """(ratio, rate) pairs: "a/b … đạt x%" and "x% (a/b)"."""
    ratios = [
        r
        for r in RATIO.finditer(sentence.masked, sentence.start, sentence.end)
        if "," not in r.group("a") + r.group("b") or "." in r.group("a") + r.group("b")
    ]
    ratios = [
        r
        for r in ratios
        if _whole(parse_number(r.group("a"))) is not None and _whole(parse_number(r.group("b"))) is not None
    ]
    pairs: list[tuple[re.Match[str], re.Match[str]]] = []
    paired: set[int] = set()
    for index, ratio in enumerate(ratios):
        limit = ratios[index + 1].start() if index + 1 < len(ratios) else sentence.end
        window_end = min(limit, ratio.end() + _LINK_WINDOW + 10)
        window = sentence.masked[ratio.end() : window_end]
        semicolon = _outside_parentheses(window).find(";")
        if semicolon >= 0:
            window_end = ratio.end() + semicolon
        rate = PERCENT.search(sentence.masked, ratio.end(), window_end)
        if rate is None or _is_bound(sentence, rate):
            continue
        between = sentence.masked[ratio.end() : rate.start()]
        if NUMBER.search(_outside_parentheses(between)) or not _LINK.search(between):
            continue
        pairs.append((ratio, rate))
        paired.add(ratio.start())
    for rate in PERCENT.finditer(sentence.masked, sentence.start, sentence.end):
        after = _RATE_THEN_RATIO.match(sentence.masked, rate.end(), sentence.end)
        if after is None or after.start("a") in paired or _is_bound(sentence, rate):
            continue
        following = RATIO.match(sentence.masked, after.start("a"))
        if following is not None:
            pairs.append((following, rate))
    return pairs


def _exclusions(sentence: _Sentence, start: int, end: int) -> tuple[list[int], int] | None:
    """The counts left out in "(trừ n1 … và n2 …)" between `start` and `end`, and the end of it."""
    match = _EXCLUSION.search(sentence.masked, start, end)
    if match is None:
        return None
    counts = []
    for number in NUMBER.finditer(match.group()):
        if match.group()[number.end() :].lstrip().startswith("%"):
            continue
        value = _whole(parse_number(number.group()))
        if value is not None:
            counts.append(value)
    return (counts, match.end()) if counts else None


def _rates(sentence: _Sentence, precision: int) -> None:
    for ratio, rate in _rate_pairs(sentence):
        a, b = int(parse_number(ratio.group("a"))), int(parse_number(ratio.group("b")))
        stated = parse_number(rate.group("r"))
        span_start, span_end = min(ratio.start(), rate.start()), max(ratio.end(), rate.end())
        # The exclusions sit next to the rate: up to the next ratio or the end of the clause.
        excluded = _exclusions(sentence, span_start, min(sentence.end, span_end + 160))
        base = b
        if excluded is not None and _EXCLUSION.search(sentence.masked, span_start, span_end + 160):
            counts, excluded_end = excluded
            if excluded_end - span_end < 160:
                base = b - sum(counts)
                span_end = max(span_end, excluded_end)
        sentence.used.update({ratio.start("a"), ratio.start("b"), rate.start("r")})
        _judge_rate(
            sentence,
            (span_start, span_end),
            a=a,
            b=b,
            base=base,
            stated=stated,
            token=rate.group("r"),
            precision=precision,
        )


def _judge_rate(
    sentence: _Sentence,
    span: tuple[int, int],
    *,
    a: int,
    b: int,
    base: int,
    stated: Decimal,
    token: str,
    precision: int,
) -> None:
    shown = max(decimals_of(stated), precision)
    stated_text = f"{token}%"
    if b <= 0:
        sentence.claim(
            RATE,
            CANNOT_CHECK,
            span,
            stated=stated_text,
            computed="",
            reason=_("The count the rate is taken of is zero."),
        )
        return
    if a > b:
        sentence.claim(
            RATE,
            DOES_NOT_HOLD,
            span,
            stated=stated_text,
            computed="",
            reason=_("%(a)s is more than %(b)s: a share cannot exceed its whole.")
            % {"a": format_number(a), "b": format_number(b)},
        )
        return
    if rate_matches(stated, a, b) or (base != b and base > 0 and a <= base and rate_matches(stated, a, base)):
        right = base if base != b and rate_matches(stated, a, base) and not rate_matches(stated, a, b) else b
        sentence.claim(
            RATE,
            HOLDS,
            span,
            stated=stated_text,
            computed=format_rate(
                compute_rate(a, right, precision=decimals_of(stated)), precision=decimals_of(stated)
            ),
            reason=_("%(a)s/%(b)s is %(rate)s.")
            % {
                "a": format_number(a),
                "b": format_number(right),
                "rate": format_rate(compute_rate(a, right, precision=shown), precision=shown),
            },
        )
        return
    right = b
    if base != b and base > 0:
        direct = compute_rate(a, b, precision=shown) or Decimal(0)
        excluded = compute_rate(a, base, precision=shown) or Decimal(0)
        right = base if abs(excluded - stated) < abs(direct - stated) else b
    computed = format_rate(compute_rate(a, right, precision=shown), precision=shown)
    sentence.claim(
        RATE,
        DOES_NOT_HOLD,
        span,
        stated=stated_text,
        computed=computed,
        reason=_("%(a)s/%(b)s is %(computed)s, not %(stated)s.")
        % {"a": format_number(a), "b": format_number(right), "computed": computed, "stated": stated_text},
    )


def _counts_of_rates(sentence: _Sentence) -> list[tuple[int, int]]:
    counts = []
    for claim in sentence.claims:
        if claim.kind == RATE and claim.verdict == HOLDS:
            ratio = RATIO.search(sentence.masked, claim.start, claim.end)
            if ratio is not None:
                counts.append((int(parse_number(ratio.group("a"))), int(parse_number(ratio.group("b")))))
    return counts


def _pooled_rates(sentence: _Sentence, rated: list[tuple[int, int]], precision: int) -> None:
    """ "toàn huyện đạt x%" after the rates of two parts or more: x must be the rate of the summed counts."""
    if len(rated) < 2:
        return
    for marker in _POOLED.finditer(sentence.masked, sentence.start, sentence.end):
        rate = PERCENT.search(sentence.masked, marker.end(), min(sentence.end, marker.end() + 60))
        if rate is None or rate.start("r") in sentence.used or _is_bound(sentence, rate):
            continue
        if NUMBER.search(sentence.masked[marker.end() : rate.start()]):
            continue
        stated = parse_number(rate.group("r"))
        a, b = sum(n for n, _d in rated), sum(d for _n, d in rated)
        shown = max(decimals_of(stated), precision)
        computed = format_rate(compute_rate(a, b, precision=shown), precision=shown)
        sentence.used.add(rate.start("r"))
        span = (marker.start(), rate.end())
        if rate_matches(stated, a, b):
            sentence.claim(
                POOLED_RATE,
                HOLDS,
                span,
                stated=f"{rate.group('r')}%",
                computed=computed,
                reason=_("The summed counts %(a)s/%(b)s give %(rate)s.")
                % {"a": format_number(a), "b": format_number(b), "rate": computed},
            )
            continue
        places = decimals_of(stated)
        mean = sum((Decimal(n) * 100 / d for n, d in rated if d), Decimal(0)) / len(rated)
        averaged = abs(mean - stated) <= Decimal(1).scaleb(-places) / 2
        reason = (
            _("%(stated)s is the average of the parts' rates; the summed counts %(a)s/%(b)s give %(rate)s.")
            if averaged
            else _("The summed counts %(a)s/%(b)s give %(rate)s, not %(stated)s.")
        )
        sentence.claim(
            POOLED_RATE,
            DOES_NOT_HOLD,
            span,
            stated=f"{rate.group('r')}%",
            computed=computed,
            reason=reason
            % {
                "stated": f"{rate.group('r')}%",
                "a": format_number(a),
                "b": format_number(b),
                "rate": computed,
            },
        )


# --- totals and their parts -------------------------------------------------------------------


@dataclass
class _Item:
    values: list[tuple[int, int, Decimal]]  # (start, end, value) of the counted figures
    person_times: bool
    people: bool


def _item(sentence: _Sentence, start: int, end: int, *, words_before: int) -> _Item | None:
    """An item of a list counted by its figures ("cấp tỉnh 95", "01 điểm cầu/151 người",
    "đảng viên 2.204/2.260 = 97,5%"): percentages and the denominators of ratios are not parts."""
    text = sentence.masked[start:end]
    values: list[tuple[int, int, Decimal]] = []
    denominators = {r.start("b") for r in RATIO.finditer(sentence.masked, start, end)}
    person_times = people = False
    for number in NUMBER.finditer(sentence.masked, start, end):
        after = sentence.masked[number.end() : end]
        if after.lstrip().startswith("%") or number.start() in denominators:
            continue
        values.append((number.start(), number.end(), parse_number(number.group())))
        person_times = person_times or bool(_PERSON_TIMES_AFTER.match(after))
        people = people or bool(_PEOPLE_AFTER.match(after))
    if not values:
        return None
    if len(text[: values[0][0] - start].split()) > words_before:
        return None
    return _Item(values=values, person_times=person_times, people=people)


def _split_items(text: str, offset: int, *, semicolons_only: bool) -> list[tuple[int, int]]:
    """Spans of the items of an enumeration: by ";" when the list uses them, else by "," and "và"."""
    separator = re.compile(";") if semicolons_only or ";" in _outside_parentheses(text) else _LIST_SEPARATOR
    spans, position = [], 0
    for match in separator.finditer(_outside_parentheses(text)):
        spans.append((offset + position, offset + match.start()))
        position = match.end()
    spans.append((offset + position, offset + len(text)))
    return [(s, e) for s, e in spans if text[s - offset : e - offset].strip()]


def _totals_before(sentence: _Sentence, position: int) -> list[tuple[int, int, Decimal, bool]]:
    """The counted figures of the clause that ends at `position`: (start, end, value, people)."""
    head = sentence.masked[sentence.start : position]
    cut = max(head.rfind(";"), head.rfind(":"), head.rfind("("), head.rfind(")"))
    clause_start = sentence.start + cut + 1
    denominators = {r.start("b") for r in RATIO.finditer(sentence.masked, clause_start, position)}
    totals = []
    for number in NUMBER.finditer(sentence.masked, clause_start, position):
        after = sentence.masked[number.end() : position]
        if after.lstrip().startswith("%") or number.start() in denominators:
            continue
        people = bool(_PEOPLE_AFTER.match(after)) and not _PERSON_TIMES_AFTER.match(after)
        totals.append((number.start(), number.end(), parse_number(number.group()), people))
    return totals


def _judge_parts(
    sentence: _Sentence,
    totals: list[tuple[int, int, Decimal, bool]],
    items: list[_Item],
    *,
    subset: bool,
    span_end: int,
) -> bool:
    """Each column of the items against the totals aligned from the right; True if a claim was made."""
    columns = min(len(item.values) for item in items)
    if columns > len(totals) or columns == 0:
        columns = 1 if totals else 0
    if not columns:
        return False
    chosen = totals[-columns:]
    span = (chosen[0][0], span_end)
    for column, (_start, _end, total, people) in enumerate(chosen):
        parts = [item.values[column][2] for item in items]
        sentence.used.update(item.values[column][0] for item in items)
        sentence.used.add(chosen[column][0])
        if people and any(item.person_times for item in items):
            parts_text, stated = " + ".join(format_number(p) for p in parts), format_number(total)
            sentence.claim(
                SUM,
                DOES_NOT_HOLD,
                span,
                stated=stated,
                computed=format_number(sum(parts, Decimal(0))),
                reason=_(
                    "People and person-times are added together: %(parts)s are person-times, "
                    "%(total)s people."
                )
                % {"parts": parts_text, "total": stated},
            )
            continue
        sentence.sum_claim(SUM, span, total, parts, subset=subset)
    return True


def _bracket_parts(sentence: _Sentence) -> None:
    """ "N … (a …; b …)": the parts in brackets right after a total."""
    for bracket in re.finditer(r"\(([^()]*)\)", sentence.masked[: sentence.end]):
        if bracket.start() < sentence.start or _EXCLUSION.match(bracket.group()):
            continue
        inner_start = bracket.start(1)
        content = bracket.group(1)
        lead = _PARTS_LEAD.match(content)
        if lead is not None:
            inner_start += lead.end()
        spans = _split_items(
            sentence.masked[inner_start : bracket.end(1)], inner_start, semicolons_only=False
        )
        semicolons = ";" in content
        words = _WORDS_BEFORE_BRACKET_ITEM if semicolons else _WORDS_BEFORE_ITEM
        items = [_item(sentence, s, e, words_before=words) for s, e in spans]
        if len(items) < 2 or any(item is None for item in items):
            continue
        totals = _totals_before(sentence, bracket.start())
        if not totals or totals[-1][1] < bracket.start() - 60:
            continue
        _judge_parts(
            sentence, totals, [i for i in items if i is not None], subset=False, span_end=bracket.end()
        )


def _listed_parts(sentence: _Sentence) -> None:
    """ "N …, gồm a …, b … và c …", "N …: a …; b …" and "Tổng số N …, trong đó a …, b …"."""
    masked_outside = _outside_parentheses(sentence.masked[: sentence.end])
    for trigger in _TRIGGER.finditer(masked_outside, sentence.start, sentence.end):
        totals = _totals_before(sentence, trigger.start())
        if not totals:
            continue
        head = sentence.masked[sentence.start : trigger.start()]
        subset = bool(
            re.search(r"trong (?:số )?đó", trigger.group(), re.IGNORECASE)
        ) and not _TOTAL_MARK.search(head)
        tail_end = sentence.end
        tail = masked_outside[trigger.end() : tail_end]
        stop = re.search(r"\.\s|$", tail)
        spans = _list_spans(tail, trigger.end())
        items = [_item(sentence, s, e, words_before=_WORDS_BEFORE_ITEM) for s, e in spans]
        within = bool(re.search(r"trong (?:số )?đó", trigger.group(), re.IGNORECASE))
        subset = subset or (within and len(items) == 1)
        if len(items) < (1 if within else 2) or any(item is None for item in items) or stop is None:
            continue
        if any(value[0] in sentence.used for item in items if item for value in item.values[:1]):
            continue
        _judge_parts(
            sentence, totals, [i for i in items if i is not None], subset=subset, span_end=spans[-1][1]
        )


_TOTAL_AFTER = re.compile(
    rf"(?:,|;|\s)\s*(?:tổng cộng|tổng số|cộng|tổng)\s*:?\s*(?P<n>{_NUM})\s+(?P<noun>[^\W\d_]+)", re.IGNORECASE
)


def _parts_then_total(sentence: _Sentence) -> None:
    """ "14 lớp; 04 lớp; 01 lớp, tổng cộng 19 lớp": parts with the total's noun, then the total."""
    for total in _TOTAL_AFTER.finditer(sentence.masked, sentence.start, sentence.end):
        if total.start("n") in sentence.used:
            continue
        head = sentence.masked[sentence.start : total.start()]
        noun = total.group("noun").lower()
        pieces = head.split(";") if ";" in head else head.split(",")
        offsets, position = [], sentence.start
        for piece in pieces:
            offsets.append((position, position + len(piece)))
            position += len(piece) + 1
        parts: list[tuple[int, Decimal]] = []
        for start, end in offsets:
            counted = [
                m
                for m in NUMBER.finditer(sentence.masked, start, end)
                if sentence.masked[m.end() : end].strip().lower().startswith(noun)
            ]
            if len(counted) == 1:
                parts.append((counted[0].start(), parse_number(counted[0].group())))
        if len(parts) < 2 or any(start in sentence.used for start, _value in parts):
            continue
        sentence.used.update(start for start, _value in parts)
        sentence.used.add(total.start("n"))
        sentence.sum_claim(
            SUM,
            (parts[0][0], total.end("noun")),
            parse_number(total.group("n")),
            [value for _start, value in parts],
        )


def _list_spans(tail: str, offset: int) -> list[tuple[int, int]]:
    """The items of an enumeration: the item after "và" is the last; when items are separated by
    commas, a semicolon ends the list."""
    spans: list[tuple[int, int]] = []
    position, first, last = 0, "", False
    for match in _LIST_SEPARATOR.finditer(tail):
        separator = match.group().lower()
        if not first and separator in ",;":
            first = separator
        spans.append((offset + position, offset + match.start()))
        position = match.end()
        if last or (separator == ";" and first == ","):
            break
        last = separator == "và"
    else:
        spans.append((offset + position, offset + len(tail)))
    return [(s, e) for s, e in spans if tail[s - offset : e - offset].strip()]


def _parts_in_next_sentence(previous: _Sentence, sentence: _Sentence) -> None:
    """ "… 410 cán bộ chủ chốt dự. Trong đó, cấp tỉnh 95 người, cấp huyện 315 người." """
    body = sentence.masked[sentence.start : sentence.end]
    indent = len(body) - len(body.lstrip())
    lead = _NEXT_PARTS.match(body.lstrip())
    if lead is None:
        return
    start = sentence.start + indent + lead.end()
    body_end = sentence.end - 1 if sentence.masked[sentence.end - 1] in ".!?…" else sentence.end
    spans = _list_spans(_outside_parentheses(sentence.masked[start:body_end]), start)
    items = [_item(sentence, s, e, words_before=_WORDS_BEFORE_ITEM) for s, e in spans]
    if len(items) < 2 or any(item is None for item in items):
        return
    if any(item.values[0][0] in sentence.used for item in items if item):
        return
    totals = _totals_before(previous, previous.end)
    if not totals:
        return
    total = totals[-1]
    parts = [item.values[0][2] for item in items if item]
    # "Trong đó" after a plain count may name a few of them; after a "tổng"/"toàn …" total, all of them.
    subset = lead.group().lower().startswith("trong") and not re.search(
        r"\b(?:tổng|toàn)\b", previous.text, re.IGNORECASE
    )
    for item in items:
        if item:
            sentence.used.add(item.values[0][0])
    sentence.sum_claim(
        SUM,
        (sentence.start, body_end),
        total[2],
        parts,
        subset=subset,
        holds=_("%(parts)s = %(sum)s, within the total %(total)s of the sentence before."),
        wrong=_(
            "The sentence before gives a total of %(total)s but these parts add up to %(parts)s = %(sum)s."
        ),
    )


def _equations(sentence: _Sentence) -> None:
    """ "a + b = N" and "N = a + b"."""
    for equation in _EQUATION.finditer(sentence.masked, sentence.start, sentence.end):
        parts_group = "parts" if equation.group("parts") else "parts2"
        total_group = "total" if equation.group("total") else "total2"
        parts = [parse_number(m.group()) for m in NUMBER.finditer(equation.group(parts_group))]
        total = parse_number(equation.group(total_group))
        sentence.used.update(
            m.start() for m in NUMBER.finditer(sentence.masked, equation.start(), equation.end())
        )
        sentence.sum_claim(
            EQUATION, equation.span(), total, parts, wrong=_("%(parts)s makes %(sum)s, not %(total)s.")
        )


# --- changes, bounds and rates alone ------------------------------------------------------------


def _differences(sentence: _Sentence) -> None:
    """ "từ x% lên y%, tăng d điểm phần trăm": d must be the difference of the two stated rates."""
    for change in _DIFFERENCE.finditer(sentence.masked, sentence.start, sentence.end):
        rates = [
            r
            for r in PERCENT.finditer(sentence.masked, sentence.start, sentence.end)
            if r.start("r") not in sentence.used
        ]
        stated = parse_number(change.group("d"))
        sentence.used.add(change.start("d"))
        if len(rates) != 2:
            sentence.claim(
                DIFFERENCE,
                CANNOT_CHECK,
                change.span(),
                stated=change.group("d"),
                computed="",
                reason=_("The rates compared are not both stated here."),
            )
            continue
        first, second = (parse_number(r.group("r")) for r in rates)
        sentence.used.update(r.start("r") for r in rates)
        places = max(decimals_of(stated), decimals_of(first), decimals_of(second))
        difference = second - first
        rising = change.group("way").lower() == "tăng"
        computed = format_number(abs(difference), decimals=places)
        span = (min(rates[0].start(), change.start()), max(rates[1].end(), change.end()))
        if abs(difference) == stated and (difference > 0) == rising:
            sentence.claim(
                DIFFERENCE,
                HOLDS,
                span,
                stated=change.group("d"),
                computed=computed,
                reason=_("%(second)s%% − %(first)s%% = %(points)s percentage points.")
                % {
                    "second": format_number(second),
                    "first": format_number(first),
                    "points": format_number(difference),
                },
            )
        else:
            sentence.claim(
                DIFFERENCE,
                DOES_NOT_HOLD,
                span,
                stated=change.group("d"),
                computed=computed,
                reason=_("From %(first)s%% to %(second)s%% is a change of %(points)s percentage points.")
                % {
                    "first": format_number(first),
                    "second": format_number(second),
                    "points": format_number(difference),
                },
            )


def _lone_rates(sentence: _Sentence) -> None:
    """Rates with nothing to recompute them from, and bounds ("trên 95%"): listed, not judged,
    except a share above 100%."""
    for rate in PERCENT.finditer(sentence.masked, sentence.start, sentence.end):
        if rate.start("r") in sentence.used:
            continue
        stated = parse_number(rate.group("r"))
        bound = _is_bound(sentence, rate)
        kind = BOUND if bound else RATE_ALONE
        text = f"{rate.group('r')}%"
        span = rate.span()
        if bound:
            before = _BOUND_BEFORE.search(
                sentence.masked[max(sentence.start, rate.start() - 20) : rate.start()]
            )
            if before is not None:
                span = (rate.start() - len(before.group()), rate.end())
        if stated > 100:
            sentence.claim(
                kind,
                DOES_NOT_HOLD,
                span,
                stated=text,
                computed="",
                reason=_("A share of people cannot be more than 100%."),
            )
        elif bound:
            sentence.claim(
                kind,
                CANNOT_CHECK,
                span,
                stated=text,
                computed="",
                reason=_("A bound, stated as known: there are no counts to recompute it from."),
            )
        else:
            sentence.claim(
                kind,
                CANNOT_CHECK,
                span,
                stated=text,
                computed="",
                reason=_("No counts are stated with this rate."),
            )
