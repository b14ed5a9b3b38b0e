"""Section II of a report (results), written in Vietnamese from the report's figures dict.

Every number printed is a `FigureRef` whose `key` points into the figures dict, so a reader can
open the records that make it up (the sources page) and documents print the text as it stands.
Nothing is counted here: the sentences only read `figures` (live for a draft, the frozen ones read
back by `chuyende.figures.snapshot.from_json` once submitted), with rates as `Decimal`. Events come
as the figures package summed them: per level of the organiser and format
(`events_by_level.3.by_format.online`), and one line per event attended from above
(`events_attended[E1].sites`).

Figure keys are dotted paths: `party_members.studied`, `outreach.by_channel.oral.reach`. A list of
records is entered by code, `children[BN.HA.HB].rate`, `events_attended[E1].sites` (or by position,
`events_attended[#3]`, for a record without a code), or filtered, `children[reached_target=false]`;
a filtered key stands for the lines it selects.

Sentences are whole gettext messages with named placeholders (English source, Vietnamese in the
catalogue); lists of items inside a sentence are joined with commas and a translated "and".

Every total printed is followed, in the same sentence, only by parts that add up to it (the figures
package made them so), and people (distinct, `people_studied`) are never added to person-times.
Some paragraphs are optional (`OPTIONAL_PARAGRAPHS`): the officer leaves them out of a report
(`Report.omitted_paragraphs`), `results_section(..., omit=...)` drops them. Figures frozen before a
key existed are drafted as they were then (the older sentences below are kept for them).
"""

from __future__ import annotations

import datetime
import re
from collections.abc import Collection, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext

from chuyende.campaigns.models import Campaign, NonPartyCategory
from chuyende.core.numbers import format_date, format_number, format_rate
from chuyende.events.models import Event
from chuyende.figures.events import CONFERENCE_FORMATS
from chuyende.figures.tree import periods_on
from chuyende.organisation.models import Unit
from chuyende.outreach.models import Outreach


@dataclass(frozen=True)
class FigureRef:
    """A number as printed (`text`) and the dotted path of the figure it comes from (`key`)."""

    text: str
    key: str


Segment = str | FigureRef


@dataclass(frozen=True)
class Footnote:
    """A footnote of a paragraph: its mark follows the first `at` characters of `Paragraph.text`
    (`at` = len(text) puts it at the end), and `text` is the note printed at the foot of the page."""

    at: int
    text: str


@dataclass(frozen=True)
class Paragraph:
    """One paragraph of section II: its text as segments (plain text and figures), whether it is a
    heading, and its footnotes, in the order of their marks. `text` never holds the marks: a
    document renders each footnote's mark at its `at` position and the note at the foot of the page
    (footnotes are numbered through the document); a page may print them after the paragraph."""

    segments: tuple[Segment, ...]
    heading: bool = False
    footnotes: tuple[Footnote, ...] = ()

    @property
    def text(self) -> str:
        return "".join(s.text if isinstance(s, FigureRef) else s for s in self.segments)

    @property
    def figures(self) -> tuple[FigureRef, ...]:
        return tuple(s for s in self.segments if isinstance(s, FigureRef))


# ---------------------------------------------------------------------------------------------
# Figure keys


class UnknownFigure(KeyError):
    """A figure key that does not name anything in the figures dict."""


_STEP = re.compile(r"([^.\[\]]+)(?:\[([^\]]*)\])?(?:\.|$)")
EVENT_FORMATS = ("in_person", "online", "video", "cell_meeting", "self_study")
MATERIAL_ITEMS = ("dvd", "book", "leaflet", "digital")
RATINGS = ("excellent", "good", "not_met")


# Paragraphs an officer may leave out of a report (ticked on the report's edit page), in the order
# they appear; the others are always written.
OPTIONAL_PARAGRAPHS: dict[str, str | Promise] = {
    "conferences": gettext_lazy("Each conference organised at or above the unit, with its date, form and "
                                "bridge points"),
    "levels": gettext_lazy("Study events per level, with bridge points counted where they were held"),
    "comparison": gettext_lazy("Comparison with last year"),
    "outreach": gettext_lazy("Outreach"),
    "materials": gettext_lazy("Materials"),
    "pledges": gettext_lazy("Pledges to follow the example"),
    "completeness": gettext_lazy("Reports of the sub-units"),
}

# The kind of a party document by the letters of its symbol (12-HD/BTGTU: Hướng dẫn).
DOCUMENT_KINDS = {"HD": "guidance", "KH": "plan", "CV": "letter", "CT": "directive", "NQ": "resolution",
                  "QĐ": "decision", "QD": "decision", "TB": "notice", "KL": "conclusion", "BC": "report"}


def document_kind(number: str) -> str:
    """`12-HD/BTGTU` → `guidance`; `other` when the symbol does not say."""
    head = number.split("/", 1)[0]
    letters = head.rsplit("-", 1)[-1].strip().upper() if "-" in head else ""
    return DOCUMENT_KINDS.get(letters, "other")


def parse_key(key: str) -> list[tuple[str, str | None]]:
    """`a.b[x].c` → [("a", None), ("b", "x"), ("c", None)]; UnknownFigure when it is not a key."""
    steps: list[tuple[str, str | None]] = []
    position = 0
    while position < len(key):
        match = _STEP.match(key, position)
        if match is None or match.end() == position:
            raise UnknownFigure(key)
        steps.append((match.group(1), match.group(2)))
        position = match.end()
    if not steps or key.endswith("."):
        raise UnknownFigure(key)
    return steps


def _matches(item: dict[str, Any], selector: str) -> bool:
    for condition in selector.split(","):
        name, _sep, wanted = condition.partition("=")
        value = item.get(name.strip())
        shown = ("true" if value else "false") if isinstance(value, bool) else str(value)
        if name.strip() not in item or shown != wanted.strip():
            return False
    return True


def select(items: list[Any], selector: str, key: str) -> Any:
    """One item of a list of records by code or `#position`, or the items a `name=value` filter keeps."""
    records = [item for item in items if isinstance(item, dict)]
    if "=" in selector:
        return [item for item in records if _matches(item, selector)]
    if selector.startswith("#") and selector[1:].isdigit():
        index = int(selector[1:])
        if index < len(items):
            return items[index]
        raise UnknownFigure(key)
    for item in records:
        if item.get("code") == selector:
            return item
    raise UnknownFigure(key)


def resolve_figure(figures: dict[str, Any], key: str) -> Any:
    """The value a figure key points at (a number, a list of lines, a dict); UnknownFigure if none."""
    value: Any = figures
    for name, selector in parse_key(key):
        if not isinstance(value, dict) or name not in value:
            raise UnknownFigure(key)
        value = value[name]
        if selector is not None:
            if not isinstance(value, list):
                raise UnknownFigure(key)
            value = select(value, selector, key)
    return value


def item_key(list_name: str, item: dict[str, Any], index: int) -> str:
    code = str(item.get("code") or "")
    if code and not re.search(r"[\[\]=,#]", code):
        return f"{list_name}[{code}]"
    return f"{list_name}[#{index}]"


# ---------------------------------------------------------------------------------------------
# Formatting


def count_text(value: int) -> str:
    return format_number(value)


def two_digits(value: int) -> str:
    """Counts of events and bridge points as real reports print them: 02 hội nghị, 05 điểm cầu."""
    return f"{value:02d}" if 0 <= value < 10 else format_number(value)


def rate_text(value: Decimal | None, precision: int) -> str:
    return format_rate(value, precision=precision)


def share_rate_text(number: Decimal | None, precision: int) -> str:
    """Shares of units and targets: `100%`, `60%` when whole, else with the campaign's precision."""
    if number is not None and number == number.to_integral_value():
        return f"{format_number(number.to_integral_value())}%"
    return format_rate(number, precision=precision)


def _lower_first(text: str) -> str:
    return text[:1].lower() + text[1:]


_PLACEHOLDER = re.compile(r"%\((\w+)\)s|%%")


def fill(template: str, **values: Segment | Sequence[Segment]) -> list[Segment]:
    """A translated sentence with its placeholders replaced by texts, figures or runs of both."""
    out: list[Segment] = []
    position = 0
    for match in _PLACEHOLDER.finditer(template):
        out.append(template[position:match.start()])
        if match.group(0) == "%%":
            out.append("%")
        else:
            value = values[match.group(1)]
            if isinstance(value, str | FigureRef):
                out.append(value)
            else:
                out.extend(value)
        position = match.end()
    out.append(template[position:])
    return _merge(out)


def _merge(segments: Sequence[Segment]) -> list[Segment]:
    merged: list[Segment] = []
    for segment in segments:
        if isinstance(segment, str):
            if not segment:
                continue
            if merged and isinstance(merged[-1], str):
                merged[-1] = merged[-1] + segment
                continue
        merged.append(segment)
    return merged


def join(items: Sequence[Sequence[Segment]], *, separator: str = ", ", last: bool = True) -> list[Segment]:
    """Items of a list: `a, b và c` (the last joined with a translated "and") or all with `separator`."""
    runs = [list(item) for item in items if item]
    if not runs:
        return []
    if len(runs) == 1:
        return runs[0]
    if last:
        head: list[Segment] = []
        for index, run in enumerate(runs[:-1]):
            if index:
                head.append(separator)
            head.extend(run)
        return fill(_("%(first)s and %(last)s"), first=head, last=runs[-1])
    joined: list[Segment] = []
    for index, run in enumerate(runs):
        if index:
            joined.append(separator)
        joined.extend(run)
    return _merge(joined)


def sentences(*parts: Sequence[Segment]) -> list[Segment]:
    """Sentences of one paragraph, separated by a space."""
    joined: list[Segment] = []
    for part in parts:
        if not part:
            continue
        if joined:
            joined.append(" ")
        joined.extend(part)
    return _merge(joined)


def _date(iso: str | None) -> str:
    return format_date(datetime.date.fromisoformat(iso)) if iso else ""


# ---------------------------------------------------------------------------------------------
# The writer


class _Writer:
    def __init__(self, figures: dict[str, Any], *, campaign: Campaign, unit_name: str,
                 omit: Collection[str] = ()) -> None:
        self.figures = figures
        self.campaign = campaign
        self.unit_name = unit_name
        self.precision = campaign.rate_precision
        self.omit = frozenset(omit)

    # -- helpers -------------------------------------------------------------------------------

    def ref(self, key: str, value: Any | None = None, *, text: str | None = None) -> FigureRef:
        if text is None:
            text = count_text(int(resolve_figure(self.figures, key) if value is None else value))
        return FigureRef(text=text, key=key)

    def ref2(self, key: str, value: int) -> FigureRef:
        return FigureRef(text=two_digits(value), key=key)

    def rate(self, key: str) -> FigureRef:
        return FigureRef(text=rate_text(resolve_figure(self.figures, key), self.precision), key=key)

    def share_rate(self, key: str) -> FigureRef:
        return FigureRef(text=share_rate_text(resolve_figure(self.figures, key), self.precision), key=key)

    def get(self, *path: str, default: Any = None) -> Any:
        value: Any = self.figures
        for name in path:
            if not isinstance(value, dict) or name not in value:
                return default
            value = value[name]
        return value

    # -- part 1: study ------------------------------------------------------------------------

    def events_paragraphs(self) -> list[list[Segment]]:
        """The study events: the conferences organised at or above the unit, the levels with bridge
        points counted where held, and the person-times; figures frozen before the levels were split
        into parts are written as they were then."""
        levels: dict[str, dict[str, Any]] = self.get("events_by_level", default={}) or {}
        if any("parts" not in level for level in levels.values()) or "people_studied" not in self.figures:
            return self.old_events_paragraphs(levels)
        paragraphs: list[list[Segment]] = []
        if self.wanted("conferences"):
            paragraphs.extend(self.conference_lines())
        if self.wanted("levels"):
            paragraphs.extend(self.level_line(depth, levels[depth]) for depth in sorted(levels, key=int))
        paragraphs.append(self.person_times())
        return paragraphs

    def old_events_paragraphs(self, levels: dict[str, dict[str, Any]]) -> list[list[Segment]]:
        attended: list[dict[str, Any]] = list(self.get("events_attended", default=[]) or [])
        paragraphs: list[list[Segment]] = [
            self.attended_above(line, item_key("events_attended", line, index))
            for index, line in enumerate(attended)
        ]
        for depth in sorted(levels, key=int):
            paragraphs.append(self.level_events(depth, levels[depth]))
        if int(self.get("events_held", default=0)) > 1:
            paragraphs.append(fill(
                _("In all, %(events)s conferences and study sessions were held or attended, with "
                  "%(people)s person-times attending, %(members)s of them by party members."),
                events=self.ref2("events_held", int(self.get("events_held", default=0))),
                people=self.ref("attendance_person_times"),
                members=self.ref("party_member_person_times"),
            ))
        return paragraphs

    def wanted(self, name: str) -> bool:
        return name not in self.omit

    def level_name(self, depth: int | str) -> str:
        return str((self.get("level_names", default={}) or {}).get(str(depth)) or "")

    # -- the opening sentence: guiding documents, events by kind, people --------------------------

    def citations(self) -> list[tuple[list[Segment], str]]:
        """Each guiding document as cited ("Hướng dẫn số 12-HD/BTGTU, ngày 19/12/2023 của Ban Tuyên
        giáo Tỉnh ủy Bình Nguyên") with its title for the footnote."""
        kinds = {
            "guidance": pgettext("document kind", "Guidance"), "plan": pgettext("document kind", "Plan"),
            "letter": pgettext("document kind", "Official letter"),
            "directive": pgettext("document kind", "Directive"),
            "resolution": pgettext("document kind", "Resolution"),
            "decision": pgettext("document kind", "Decision"), "notice": pgettext("document kind", "Notice"),
            "conclusion": pgettext("document kind", "Conclusion"),
            "report": pgettext("document kind", "Report"), "other": pgettext("document kind", "Document"),
        }
        cited = []
        for document in self.get("guiding_documents", default=[]) or []:
            number = str(document.get("number") or "")
            if not number:
                continue
            values = {"kind": kinds[document_kind(number)], "number": number,
                      "date": _date(document.get("issued_on")), "issuer": str(document.get("issuer") or "")}
            template = (_("%(kind)s no. %(number)s, dated %(date)s, of %(issuer)s") if values["issuer"]
                        else _("%(kind)s no. %(number)s, dated %(date)s"))
            cited.append((fill(template, **values), str(document.get("title") or "").strip()))
        return cited

    def events_by_kind(self) -> list[Segment]:
        by_kind: dict[str, int] = self.get("events_by_kind", default={}) or {}
        templates = {
            "conferences": _("%(count)s conferences"),
            "cell_meetings": _("%(count)s cell meetings"),
            "self_study": _("%(count)s rounds of self-study"),
            "other": _("%(count)s study sessions in other forms"),
        }
        return join([fill(template, count=self.ref2(f"events_by_kind.{kind}", int(by_kind[kind])))
                     for kind, template in templates.items() if by_kind.get(kind)])

    def people_coverage(self) -> list[Segment]:
        """"đảng viên 256/263 = 97,34%; người chưa là đảng viên 121/126 = 96,03%": the two groups
        whose sum is the distinct people (`people_studied`)."""
        groups = (
            ("party_members", _("party members %(studied)s/%(eligible)s = %(rate)s"),
             _("party members %(studied)s")),
            ("non_party", _("non-members %(studied)s/%(eligible)s = %(rate)s"), _("non-members %(studied)s")),
        )
        items = []
        for name, with_rate, without_rate in groups:
            group = self.get(name, default={}) or {}
            if not group.get("eligible") and not group.get("studied"):
                continue
            values: dict[str, Segment] = {"studied": self.ref(f"{name}.studied"),
                                          "eligible": self.ref(f"{name}.eligible")}
            if group.get("rate") is not None:
                items.append(fill(with_rate, rate=self.rate(f"{name}.rate"), **values))
            else:
                items.append(fill(without_rate, **values))
        return join(items, separator="; ", last=False)

    def opening(self) -> Paragraph | None:
        """The first paragraph of part 1: the guiding documents carried out (cited, each with a
        footnote giving its title), the conferences apart from the cell meetings, and the distinct
        people who took part apart from person-times: "Thực hiện Hướng dẫn số 12-HD/BTGTU, ...,
        toàn Đảng bộ huyện Hòa An đã tổ chức, tham dự 05 hội nghị, 03 buổi sinh hoạt chi bộ ... với
        377 người tham gia (đảng viên 256/263 = 97,34%; người chưa là đảng viên 121/126 = 96,03%)."
        """
        if "people_studied" not in self.figures:
            return None
        events = self.events_by_kind()
        people = int(self.get("people_studied", default=0) or 0)
        if not events and not people:
            return None
        attended = bool(self.get("events_attended", default=[]))
        scope = fill(_("all of %(unit)s"), unit=self.unit_name)
        values: dict[str, Segment | Sequence[Segment]] = {"scope": scope, "events": events}
        if events and people:
            values |= {"people": self.ref("people_studied"), "coverage": self.people_coverage()}
            template = (_("%(scope)s held or took part in %(events)s, with %(people)s people taking part "
                          "(%(coverage)s).") if attended else
                        _("%(scope)s held %(events)s, with %(people)s people taking part (%(coverage)s)."))
        elif events:
            template = (_("%(scope)s held or took part in %(events)s.") if attended
                        else _("%(scope)s held %(events)s."))
        else:
            values |= {"people": self.ref("people_studied"), "coverage": self.people_coverage()}
            template = _("%(scope)s has %(people)s people who studied (%(coverage)s).")
        citations = self.citations()
        if citations:
            body = fill(template, **values)
            segments = fill(_("Carrying out %(documents)s, %(body)s"),
                            documents=join([cited for cited, _title in citations]), body=body)
        else:
            segments = fill(template, **values)
            if segments and isinstance(segments[0], str):
                segments[0] = segments[0][:1].upper() + segments[0][1:]
        text = "".join(part.text if isinstance(part, FigureRef) else part for part in segments)
        footnotes = []
        position = 0
        for cited, title in citations:
            shown = "".join(part.text if isinstance(part, FigureRef) else part for part in cited)
            found = text.find(shown, position)
            if found < 0 or not title:
                continue
            position = found + len(shown)
            footnotes.append(Footnote(at=position, text=title))
        return Paragraph(segments=tuple(segments), footnotes=tuple(footnotes))

    # -- conferences organised at or above the unit ------------------------------------------------

    def site_split(self, key: str, line: dict[str, Any]) -> list[Segment]:
        """"01 điểm cầu trung tâm huyện/107 người; 04 điểm cầu cơ sở/267 người": the bridge points by
        level (the unit's own, then each level below); empty with a single level."""
        groups = list(line.get("sites_by_level") or [])
        if len(groups) < 2:
            return []
        items = []
        for index, group in enumerate(groups):
            group_key = f"{key}.sites_by_level{item_key('', group, index)}"
            level = _lower_first(str(group.get("level") or ""))
            values: dict[str, Segment] = {
                "sites": self.ref2(f"{group_key}.sites", int(group.get("sites", 0))),
                "people": self.ref(f"{group_key}.attendance_person_times"), "level": level}
            if group.get("centre"):
                template = (_("%(sites)s central bridge points of the %(level)s/%(people)s people") if level
                            else _("%(sites)s central bridge points/%(people)s people"))
            else:
                template = (_("%(sites)s bridge points at the %(level)s level/%(people)s people") if level
                            else _("%(sites)s bridge points of sub-units/%(people)s people"))
            items.append(fill(template, **values))
        return join(items, separator="; ", last=False)

    def conference_lines(self) -> list[list[Segment]]:
        """"Hội nghị 1 (ngày 15/01/2024): kết nối trực tuyến từ Tỉnh tới 05 điểm cầu với 374 người
        (01 điểm cầu trung tâm huyện/107 người; 04 điểm cầu cơ sở/267 người)"."""
        lines = []
        for index, line in enumerate(self.get("conferences", default=[]) or []):
            key = item_key("conferences", line, index)
            people = int(line.get("attendance_person_times") or 0)
            sites = int(line.get("sites") or 0)
            above = bool(line.get("organised_above"))
            organiser = str(line.get("organiser_level") or line.get("organiser") or "")
            values: dict[str, Segment | Sequence[Segment]] = {
                "number": str(index + 1), "date": _date(line.get("held_on")), "organiser": organiser,
                "sites": self.ref2(f"{key}.sites", sites),
                "people": self.ref(f"{key}.attendance_person_times"),
            }
            event_format = str(line.get("format"))
            if event_format == "online":
                form = fill(_("online connection from %(organiser)s to %(sites)s bridge points"), **values)
            else:
                forms = {
                    ("in_person", True): _("in-person conference organised by %(organiser)s"),
                    ("in_person", False): _("in-person conference"),
                    ("video", True): _("conference with a recorded lecture organised by %(organiser)s"),
                    ("video", False): _("conference with a recorded lecture"),
                }
                form = fill(forms.get((event_format, above), _("conference")), **values)
                if sites > 1:
                    form = fill(_("%(form)s at %(sites)s bridge points"), form=form, sites=values["sites"])
            split = self.site_split(key, line)
            values |= {"form": form, "split": split}
            if not people:
                template = _("Conference %(number)s (on %(date)s): %(form)s.")
            elif split:
                template = _("Conference %(number)s (on %(date)s): %(form)s, with %(people)s people "
                             "(%(split)s).")
            elif event_format == "online":
                template = _("Conference %(number)s (on %(date)s): %(form)s, with %(people)s people.")
            else:
                template = _("Conference %(number)s (on %(date)s): %(form)s, for %(people)s delegates.")
            lines.append(fill(template, **values))
        return lines

    # -- levels, with bridge points counted where held ----------------------------------------------

    def part_phrase(self, part: dict[str, Any], count: FigureRef) -> list[Segment]:
        if part.get("from_above"):
            templates = {
                "in_person": _("%(count)s in-person conferences organised above"),
                "online": _("%(count)s online conferences organised above"),
                "video": _("%(count)s conferences with a recorded lecture organised above"),
            }
            template = templates.get(str(part.get("format")))
            if template is not None:
                return fill(template, count=count)
        return self.format_phrase(str(part.get("format")), count)

    def level_line(self, depth: str, level: dict[str, Any]) -> list[Segment]:
        """"Cấp huyện: 02 hội nghị/158 lượt người (01 hội nghị trực tuyến do cấp trên tổ chức/107 lượt
        người; 01 hội nghị trực tiếp/51 lượt người)": each event held at the level's bridge points
        counted once, with their person-times; the parts add up to the level."""
        key = f"events_by_level.{depth}"
        parts = list(level.get("parts") or [])
        with_people = bool(int(level.get("attendance_person_times") or 0))
        phrases = []
        for index, part in enumerate(parts):
            part_key = f"{key}.parts{item_key('', part, index)}"
            phrase = self.part_phrase(part, self.ref2(f"{part_key}.events", int(part.get("events", 0))))
            if with_people:
                phrase = fill(_("%(events)s/%(people)s person-times"), events=phrase,
                              people=self.ref(f"{part_key}.attendance_person_times"))
            phrases.append(phrase)
        formats = {str(part.get("format")) for part in parts}
        count = self.ref2(f"{key}.events", int(level.get("events", 0)))
        total = (fill(_("%(count)s conferences"), count=count) if formats <= set(CONFERENCE_FORMATS)
                 else fill(_("%(count)s conferences and study sessions"), count=count))
        if len(phrases) == 1:
            total, phrases = phrases[0], []
        elif with_people:
            total = fill(_("%(events)s/%(people)s person-times"), events=total,
                         people=self.ref(f"{key}.attendance_person_times"))
        name = self.level_name(depth)
        values: dict[str, Segment | Sequence[Segment]] = {
            "level": _lower_first(name), "total": total, "parts": join(phrases, separator="; ", last=False)}
        if name:
            template = (_("At the %(level)s level: %(total)s (%(parts)s).") if phrases
                        else _("At the %(level)s level: %(total)s."))
        else:
            template = _("Sub-units: %(total)s (%(parts)s).") if phrases else _("Sub-units: %(total)s.")
        return fill(template, **values)

    def person_times(self) -> list[Segment]:
        """Person-times, apart from people: "605 lượt người tham dự, trong đó 495 lượt đảng viên và
        110 lượt người chưa là đảng viên"."""
        people = int(self.get("attendance_person_times", default=0) or 0)
        if not people:
            return []
        members = int(self.get("party_member_person_times", default=0) or 0)
        if members and members < people:
            return fill(_("Person-times attending the conferences and study sessions: %(people)s, of which "
                          "%(members)s by party members and %(non_members)s by non-members."),
                        people=self.ref("attendance_person_times"),
                        members=self.ref("party_member_person_times"),
                        non_members=self.ref("non_member_person_times"))
        return fill(_("Person-times attending the conferences and study sessions: %(people)s."),
                    people=self.ref("attendance_person_times"))

    def attended_above(self, line: dict[str, Any], key: str) -> list[Segment]:
        values: dict[str, Segment] = {
            "organiser": str(line.get("organiser", "")),
            "date": _date(line.get("held_on")),
            "sites": self.ref2(f"{key}.sites", int(line.get("sites", 0))),
            "people": self.ref(f"{key}.attendance_person_times"),
            "title": str(line.get("title", "")),
        }
        templates = {
            "online": _("Attended the online conference organised by %(organiser)s on %(date)s at "
                        "%(sites)s bridge points, with %(people)s person-times attending."),
            "in_person": _("Attended the in-person conference organised by %(organiser)s on %(date)s, "
                           "with %(people)s person-times attending."),
            "video": _("Attended the conference with a recorded lecture organised by %(organiser)s on "
                       "%(date)s, with %(people)s person-times attending."),
        }
        template = templates.get(str(line.get("format")))
        if template is None:
            template = _("Took part in “%(title)s” organised by %(organiser)s on %(date)s, with "
                         "%(people)s person-times attending.")
        return fill(template, **values)

    def format_phrase(self, event_format: str, count: FigureRef) -> list[Segment]:
        templates = {
            "in_person": _("%(count)s in-person conferences"),
            "online": _("%(count)s online conferences"),
            "video": _("%(count)s conferences with a recorded lecture"),
            "cell_meeting": _("%(count)s cell meetings with the topic on the agenda"),
            "self_study": _("%(count)s rounds of self-study from documents sent to members"),
        }
        return fill(templates.get(event_format, _("%(count)s study sessions in other forms")), count=count)

    def level_events(self, depth: str, level: dict[str, Any]) -> list[Segment]:
        key = f"events_by_level.{depth}"
        order = {name: position for position, name in enumerate(EVENT_FORMATS)}
        by_format: dict[str, int] = level.get("by_format") or {}
        formats = sorted((f for f, count in by_format.items() if count),
                         key=lambda f: (order.get(f, len(order)), f))
        phrases = [
            self.format_phrase(fmt, self.ref2(f"{key}.by_format.{fmt}", by_format[fmt])) for fmt in formats
        ]
        people = int(level.get("attendance_person_times") or 0)
        forms = join(phrases)
        level_name = (self.get("level_names", default={}) or {}).get(depth)
        if level_name:
            if people:
                return fill(_("At the %(level)s level, %(forms)s were organised, with %(people)s "
                              "person-times attending."),
                            level=_lower_first(str(level_name)), forms=forms,
                            people=self.ref(f"{key}.attendance_person_times"))
            return fill(_("At the %(level)s level, %(forms)s were organised."),
                        level=_lower_first(str(level_name)), forms=forms)
        if people:
            return fill(_("Sub-units organised %(forms)s, with %(people)s person-times attending."),
                        forms=forms, people=self.ref(f"{key}.attendance_person_times"))
        return fill(_("Sub-units organised %(forms)s."), forms=forms)

    def coverage(self) -> list[Segment]:
        members = self.get("party_members", default={}) or {}
        if not members.get("total") and not members.get("eligible"):
            return []
        excluded = list(members.get("excluded_statuses") or [])
        items = []
        exclusion_templates = {
            "exempt": _("%(count)s party members exempt from work and party activities"),
            "away": _("%(count)s party members away for work"),
        }
        for status in ("exempt", "away"):
            if status in excluded and members.get(status):
                items.append(fill(exclusion_templates[status], count=self.ref(f"party_members.{status}")))
        values: dict[str, Segment | Sequence[Segment]] = {
            "date": _date(self.get("as_of")),
            "unit": self.unit_name,
            "studied": self.ref("party_members.studied"),
            "eligible": self.ref("party_members.eligible"),
            "rate": self.rate("party_members.rate"),
        }
        if items:
            first = fill(_("As of %(date)s, %(studied)s/%(eligible)s party members of %(unit)s have "
                           "studied, %(rate)s (leaving out %(exclusions)s)."),
                         exclusions=join(items), **values)
        else:
            first = fill(_("As of %(date)s, %(studied)s/%(eligible)s party members of %(unit)s have "
                           "studied, %(rate)s."), **values)
        apart: list[Segment] = []
        if excluded and members.get("excluded_who_studied"):
            apart = fill(_("In addition, %(count)s party members left out of the count also studied; "
                           "they are not counted in the rate."),
                         count=self.ref("party_members.excluded_who_studied"))
        return sentences(first, apart)

    def comparison(self) -> list[Segment]:
        """"So với năm 2023, tỷ lệ đảng viên học tập tăng 1,85 điểm phần trăm." when the figures hold
        last year's comparable coverage (`figures.comparison.last_year`)."""
        compared = self.get("comparison", default=None)
        if not compared or compared.get("points") is None:
            return []
        year = str(compared.get("year", ""))
        points = FigureRef(text=format_number(compared["points"], decimals=self.precision),
                           key="comparison.points")
        templates = {
            "rose": _("Compared with %(year)s, the share of party members who studied rose by "
                      "%(points)s percentage points."),
            "fell": _("Compared with %(year)s, the share of party members who studied fell by "
                      "%(points)s percentage points."),
        }
        change = str(compared.get("change"))
        if change in templates:
            return fill(templates[change], year=year, points=points)
        return fill(_("Compared with %(year)s, the share of party members who studied is unchanged."),
                    year=year)

    def non_members(self) -> list[Segment]:
        non_party = self.get("non_party", default={}) or {}
        if not non_party.get("eligible") and not non_party.get("studied"):
            return []
        labels = dict(NonPartyCategory.choices)
        categories = [str(labels[c]) for c in (self.campaign.non_party_categories or []) if c in labels]
        values = {
            "studied": self.ref("non_party.studied"),
            "eligible": self.ref("non_party.eligible"),
            "rate": self.rate("non_party.rate"),
        }
        if categories:
            named = "; ".join(_lower_first(label) for label in categories)
            return fill(_("Among people outside the Party (%(categories)s), %(studied)s/%(eligible)s "
                          "people expected to study have studied, %(rate)s."),
                        categories=named, **values)
        return fill(_("Among people outside the Party, %(studied)s/%(eligible)s people expected to "
                      "study have studied, %(rate)s."), **values)

    def children_kind(self) -> str:
        """`grassroots` (chi, đảng bộ cơ sở), `cells` (chi bộ trực thuộc) or `units`, by the kinds the
        sub-units had on the report's date."""
        codes = [child["code"] for child in self.get("children", default=[]) or []]
        as_of = self.get("as_of", default=None)
        day = as_of if isinstance(as_of, datetime.date) else datetime.date.fromisoformat(str(as_of))
        kinds = set(periods_on(day).filter(unit__code__in=codes).values_list("kind", flat=True))
        if kinds and kinds <= {Unit.Kind.CELL}:
            return "cells"
        if Unit.Kind.GRASSROOTS_CELL in kinds:
            return "grassroots"
        return "units"

    def units(self) -> list[Segment]:
        organised = self.get("units_organised_study", default={}) or {}
        if not organised.get("total"):
            return []
        kind = self.children_kind()
        organised_templates = {
            "grassroots": _("%(count)s/%(total)s grassroots party cells and committees have organised "
                            "study (%(rate)s)."),
            "cells": _("%(count)s/%(total)s cells under the committee have organised study (%(rate)s)."),
            "units": _("%(count)s/%(total)s sub-units have organised study (%(rate)s)."),
        }
        target_templates = {
            "grassroots": _("%(count)s/%(total)s grassroots party cells and committees have %(target)s "
                            "or more of their party members studied."),
            "cells": _("%(count)s/%(total)s cells under the committee have %(target)s or more of their "
                       "party members studied."),
            "units": _("%(count)s/%(total)s sub-units have %(target)s or more of their party members "
                       "studied."),
        }
        first = fill(organised_templates[kind],
                     count=self.ref("units_organised_study.count"),
                     total=self.ref("units_organised_study.total"),
                     rate=self.share_rate("units_organised_study.rate"))
        second = fill(target_templates[kind],
                      count=self.ref("units_reached_target.count"),
                      total=self.ref("units_reached_target.total"),
                      target=self.share_rate("target_rate"))
        children = list(self.get("children", default=[]) or [])
        # A sub-unit still missing figures is named apart, not judged on the part it has reported.
        below = [(index, child) for index, child in enumerate(children)
                 if child.get("reached_target") is False and child.get("has_data", True)]
        below_sentence: list[Segment] = []
        if below:
            names = join([
                fill("%(name)s (%(rate)s)", name=str(child["name"]),
                     rate=self.rate(f"{item_key('children', child, index)}.rate"))
                for index, child in below
            ], last=False)
            below_sentence = fill(_("%(count)s units are still below the target: %(names)s."),
                                  count=self.ref("children[reached_target=false,has_data=true]", len(below)),
                                  names=names)
        without = [child for child in children if not child.get("has_data", True)]
        without_sentence: list[Segment] = []
        if without:
            without_sentence = fill(
                _("%(count)s units have not reported all their figures yet and are not counted as "
                  "zero: %(names)s."),
                count=self.ref("children[has_data=false]", len(without)),
                names=", ".join(str(child["name"]) for child in without),
            )
        return sentences(first, second, below_sentence, without_sentence)

    # -- part 1: events by sector, audience and partner; what is known only in part ------------

    def by_sector(self) -> list[Segment]:
        """"By kind of unit: communes, wards and towns organised 14 classes; schools organised 04
        classes." (only when some organiser has a sector other than "other")."""
        groups: dict[str, dict[str, Any]] = self.get("events_by_sector", default={}) or {}
        counted = {sector: int(group.get("events") or 0) for sector, group in groups.items()}
        if not any(count for sector, count in counted.items() if sector != Unit.Sector.OTHER):
            return []
        templates = {
            "commune": _("communes, wards and towns organised %(count)s classes"),
            "agency": _("agencies organised %(count)s classes"),
            "school": _("schools organised %(count)s classes"),
            "health": _("health units organised %(count)s classes"),
            "enterprise": _("enterprises organised %(count)s classes"),
            "armed_forces": _("armed forces units organised %(count)s classes"),
        }
        items = [
            fill(templates.get(sector, _("other units organised %(count)s classes")),
                 count=self.ref2(f"events_by_sector.{sector}.events", count))
            for sector, count in counted.items() if count
        ]
        return fill(_("By kind of unit: %(groups)s."), groups=join(items, separator="; ", last=False))

    def audience_phrase(self, audience: str) -> str:
        """Who a class was for, to follow "for": "công nhân, người lao động"."""
        if audience == "other":
            return _("other audiences")
        labels = dict(Event.Audience.choices)
        return _lower_first(str(labels.get(audience, audience)))

    def audiences(self) -> list[Segment]:
        """Key cadres by level ("Classes for key cadres: 410 person-times (95 of the province level
        and 315 of the district level).") and the classes for particular audiences."""
        key_cadres = self.get("key_cadres", default={}) or {}
        by_level = {level: int(n) for level, n in (key_cadres.get("by_level") or {}).items() if n}
        level_templates = {
            "province": _("%(count)s of the province level"),
            "district": _("%(count)s of the district level"),
            "commune": _("%(count)s of the commune level"),
        }
        cadres: list[Segment] = []
        if len(by_level) == 1:
            level = next(iter(by_level))
            cadres = fill(_("Classes for key cadres %(level)s: %(people)s person-times attending."),
                          level=self.key_cadre_level(level), people=self.ref(f"key_cadres.by_level.{level}"))
        elif by_level:
            parts = [fill(level_templates.get(level, "%(count)s"),
                          count=self.ref(f"key_cadres.by_level.{level}")) for level in by_level]
            cadres = fill(_("Classes for key cadres: %(people)s person-times attending (%(levels)s)."),
                          people=self.ref("key_cadres.attendance_person_times",
                                          sum(by_level.values())),
                          levels=join(parts))
        groups: dict[str, dict[str, Any]] = self.get("events_by_audience", default={}) or {}
        named = [audience for audience, group in groups.items() if int(group.get("events") or 0)
                 and audience != "general" and not audience.startswith("key_cadres")]
        items = []
        for audience in named:
            key = f"events_by_audience.{audience}"
            values: dict[str, Segment] = {
                "audience": self.audience_phrase(audience),
                "count": self.ref2(f"{key}.events", int(groups[audience]["events"])),
            }
            if int(groups[audience].get("attendance_person_times") or 0):
                items.append(fill(_("%(count)s classes for %(audience)s with %(people)s person-times"),
                                  people=self.ref(f"{key}.attendance_person_times"), **values))
            else:
                items.append(fill(_("%(count)s classes for %(audience)s"), **values))
        others: list[Segment] = []
        if items:
            others = fill(_("Classes for particular audiences: %(items)s."),
                          items=join(items, separator="; ", last=False))
        return sentences(cadres, others)

    def key_cadre_level(self, level: str) -> str:
        return {"province": _("of the province level"), "district": _("of the district level"),
                "commune": _("of the commune level")}.get(level, level)

    def partners(self) -> list[Segment]:
        """"Together with the Trade union, 02 classes were organised for workers and employees." A
        partner's classes for several audiences are split in brackets and add up to the total."""
        partners: dict[str, dict[str, Any]] = self.get("events_with_partners", default={}) or {}
        labels = dict(Event.Partner.choices)
        found = []
        for partner, figures in partners.items():
            key = f"events_with_partners.{partner}"
            events = int(figures.get("events") or 0)
            if not events:
                continue
            by_audience = {a: int(n) for a, n in (figures.get("by_audience") or {}).items() if n}
            name = str(labels.get(partner, partner))
            if partner == "other":
                name = _lower_first(name)
            if len(by_audience) == 1 and sum(by_audience.values()) == events:
                audience = next(iter(by_audience))
                found.append(fill(_("Together with %(partner)s, %(count)s classes were organised for "
                                    "%(audience)s."),
                                  partner=name, count=self.ref2(f"{key}.events", events),
                                  audience=self.audience_phrase(audience)))
            elif by_audience and sum(by_audience.values()) == events:
                parts = [fill(_("%(count)s for %(audience)s"),
                              count=self.ref2(f"{key}.by_audience.{audience}", n),
                              audience=self.audience_phrase(audience))
                         for audience, n in by_audience.items()]
                found.append(fill(_("Together with %(partner)s, %(count)s classes were organised "
                                    "(%(parts)s)."),
                                  partner=name, count=self.ref2(f"{key}.events", events),
                                  parts=join(parts, separator="; ", last=False)))
            else:
                found.append(fill(_("Together with %(partner)s, %(count)s classes were organised."),
                                  partner=name, count=self.ref2(f"{key}.events", events)))
        return sentences(*found)

    def known_who(self, fact: dict[str, Any]) -> str:
        if fact.get("who") == "members":
            return _("party members")
        category = str(fact.get("category") or "")
        labels = dict(NonPartyCategory.choices)
        if category in labels:
            return _lower_first(str(labels[category]))
        return _("people outside the Party")

    def known_facts(self) -> list[Segment]:
        """Returns that know only part, printed exactly as known and never as a rate: "cán bộ chưa là
        đảng viên tiếp thu đạt trên 95%", "chức sắc có trên 60 người học tập"."""
        facts: list[dict[str, Any]] = list(self.get("known_only", default=[]) or [])
        items = []
        for index, fact in enumerate(facts):
            key = item_key("known_only", fact, index)
            values: dict[str, Segment] = {"unit": str(fact.get("name", "")), "who": self.known_who(fact)}
            kind = fact.get("kind")
            bound = fact.get("rate_above")
            if kind == "rate_above" and isinstance(bound, Decimal):
                values["rate"] = FigureRef(text=f"{format_number(bound.normalize())}%",
                                           key=f"{key}.rate_above")
                items.append(fill(_("%(unit)s: %(who)s grasped it, more than %(rate)s"), **values))
            elif kind == "studied_above":
                values["count"] = self.ref(f"{key}.studied_above")
                items.append(fill(_("%(unit)s: more than %(count)s %(who)s studied"), **values))
            elif kind == "studied":
                values["count"] = self.ref(f"{key}.studied")
                items.append(fill(_("%(unit)s: %(count)s %(who)s studied, the number expected is not "
                                    "known"), **values))
        if not items:
            return []
        return fill(_("Figures known only in part (not counted in the rates above): %(facts)s."),
                    facts=join(items, separator="; ", last=False))

    # -- part 2: outreach, materials, pledges --------------------------------------------------

    def outreach(self) -> list[list[Segment]]:
        outreach = self.get("outreach", default={}) or {}
        if not outreach.get("sessions"):
            return []
        unknown = int(outreach.get("sessions_without_reach") or 0)
        sessions = int(outreach["sessions"])
        values = {"sessions": self.ref("outreach.sessions"), "reach": self.ref("outreach.reach"),
                  "unknown": self.ref("outreach.sessions_without_reach")}
        if unknown == sessions:
            first = fill(_("%(sessions)s outreach sessions were held; their reach is not known."), **values)
        elif unknown:
            first = fill(_("%(sessions)s outreach sessions were held, reaching %(reach)s person-times; "
                           "%(unknown)s sessions of unknown reach."), **values)
        else:
            first = fill(_("%(sessions)s outreach sessions were held, reaching %(reach)s person-times."),
                         **values)
        labels = dict(Outreach.Channel.choices)
        items = []
        for channel, figures in (outreach.get("by_channel") or {}).items():
            key = f"outreach.by_channel.{channel}"
            label = _lower_first(str(labels.get(channel, channel)))
            channel_values: dict[str, Segment] = {"channel": label, "sessions": self.ref(f"{key}.sessions"),
                              "reach": self.ref(f"{key}.reach"),
                              "unknown": self.ref(f"{key}.sessions_without_reach")}
            channel_unknown = int(figures.get("sessions_without_reach") or 0)
            if channel_unknown >= int(figures.get("sessions") or 0):
                items.append(fill(_("%(channel)s: %(sessions)s sessions of unknown reach"), **channel_values))
            elif channel_unknown:
                items.append(fill(_("%(channel)s: %(sessions)s sessions, %(reach)s person-times "
                                    "(%(unknown)s sessions of unknown reach)"), **channel_values))
            else:
                items.append(fill(_("%(channel)s: %(sessions)s sessions, %(reach)s person-times"),
                                  **channel_values))
        by_channel: list[Segment] = []
        if len(items) > 1:
            by_channel = fill(_("By channel: %(channels)s."),
                              channels=join(items, separator="; ", last=False))
        return [sentences(first, by_channel)]

    def material_items(self, column: str) -> list[list[Segment]]:
        materials = self.get("materials", default={}) or {}
        templates = {
            "dvd": _("%(count)s DVDs"),
            "book": _("%(count)s books"),
            "leaflet": _("%(count)s leaflets"),
            "digital": _("%(count)s digital documents or video links"),
        }
        items = []
        ordered = [item for item in MATERIAL_ITEMS if item in materials]
        ordered += sorted(item for item in materials if item not in MATERIAL_ITEMS)
        for item in ordered:
            quantity = int((materials[item] or {}).get(column) or 0)
            if quantity:
                template = templates.get(item, _("%(count)s other items"))
                items.append(fill(template, count=self.ref(f"materials.{item}.{column}")))
        return items

    def materials(self) -> list[list[Segment]]:
        received = self.material_items("received")
        own = self.material_items("own_supply")
        passed = self.material_items("passed_down")
        if not (received or own or passed):
            return []
        parts = []
        if received:
            parts.append(fill(_("Materials received from the level above: %(items)s."), items=join(received)))
        if own:
            parts.append(fill(_("Materials prepared by the unit itself: %(items)s."), items=join(own)))
        if passed:
            parts.append(fill(_("Materials passed down to sub-units: %(items)s."), items=join(passed)))
        return [sentences(*parts)]

    def pledges(self) -> list[list[Segment]]:
        pledges = self.get("pledges", default={}) or {}
        ratings = {k: v for k, v in (pledges.get("ratings") or {}).items() if v}
        if not pledges.get("registered") and not ratings:
            return []
        first = fill(_("%(registered)s/%(eligible)s party members have registered their pledge and plan "
                       "to follow the example, %(rate)s."),
                     registered=self.ref("pledges.registered"), eligible=self.ref("pledges.eligible"),
                     rate=self.rate("pledges.rate"))
        templates = {
            "excellent": _("%(count)s party members carried out their pledge excellently"),
            "good": _("%(count)s party members carried out their pledge well"),
            "not_met": _("%(count)s party members did not meet their pledge"),
        }
        items = [fill(templates[rating], count=self.ref(f"pledges.ratings.{rating}"))
                 for rating in RATINGS if rating in ratings]
        rated: list[Segment] = []
        if items:
            rated = fill(_("Pledges rated so far: %(ratings)s."),
                         ratings=join(items, separator="; ", last=False))
        return [sentences(first, rated)]

    # -- part 3: reports of the sub-units ------------------------------------------------------

    def completeness(self) -> list[list[Segment]]:
        """The sub-units' reports, written only when the unit expects reports from sub-units and at
        least one of them has sent one through the product by the report's date.

        An officer tells the level above who reported to them. When no sub-unit has sent a report
        through the product, the product does not know how they reported (on paper, by e-mail, not
        at all): the paragraph is left out rather than listing every sub-unit as missing, which is
        what a report for a past campaign kept outside the product would wrongly say. Units that
        have not sent theirs are named as not sent only once the deadline has passed on the report's
        date; before it, the sentence says how many have sent so far and by when the others are due.
        """
        completeness = self.get("completeness", default={}) or {}
        expected = list(completeness.get("expected") or [])
        on_time = list(completeness.get("on_time") or [])
        late = list(completeness.get("late") or [])
        missing = list(completeness.get("missing") or [])
        submitted = len(on_time) + len(late)
        if not expected or not submitted:
            return []
        deadline, as_of = completeness.get("deadline"), self.get("as_of")
        if deadline and as_of and str(as_of) <= str(deadline):
            missing = []
        values: dict[str, Segment] = {
            "submitted": self.ref("completeness", submitted),
            "expected": self.ref("completeness.expected", len(expected)),
            "on_time": self.ref("completeness.on_time", len(on_time)),
            "deadline": _date(completeness.get("deadline")),
        }
        if not late:
            first = fill(_("%(submitted)s/%(expected)s sub-units have sent their report, all of them on "
                           "time (deadline %(deadline)s)."), **values)
        else:
            first = fill(_("%(submitted)s/%(expected)s sub-units have sent their report, %(on_time)s of "
                           "them on time (deadline %(deadline)s)."), **values)
        late_sentence: list[Segment] = []
        if late:
            late_sentence = fill(_("Sent late: %(names)s."), names=", ".join(
                f"{row['name']} ({_date(row.get('on'))})" for row in late))
        missing_sentence: list[Segment] = []
        if missing:
            missing_sentence = fill(_("Not sent yet: %(names)s."),
                                    names=", ".join(str(row["name"]) for row in missing))
        return [sentences(first, late_sentence, missing_sentence)]

    # -- the section ---------------------------------------------------------------------------

    def section(self) -> list[Paragraph]:
        opening = self.opening()
        study: list[Paragraph | list[Segment]] = [
            *([opening] if opening is not None else []), *self.events_paragraphs(),
            self.by_sector(), self.audiences(), self.partners(), self.coverage(),
            *([self.comparison()] if self.wanted("comparison") else []), self.non_members(),
            self.known_facts(), self.units(),
        ]
        spreading: list[Paragraph | list[Segment]] = [
            *(self.outreach() if self.wanted("outreach") else []),
            *(self.materials() if self.wanted("materials") else []),
            *(self.pledges() if self.wanted("pledges") else []),
        ]
        reporting: list[Paragraph | list[Segment]] = [
            *(self.completeness() if self.wanted("completeness") else [])]
        parts: list[tuple[str, list[Paragraph | list[Segment]]]] = [
            (_("%(number)s. Organising study and grasping the topic"), study),
            (_("%(number)s. Outreach, materials and pledges to follow the example"), spreading),
            (_("%(number)s. Reports of the sub-units"), reporting),
        ]
        paragraphs = [Paragraph(segments=(_("II. RESULTS"),), heading=True)]
        number = 0
        for heading, body in parts:
            kept = [item if isinstance(item, Paragraph) else Paragraph(segments=tuple(item))
                    for item in body if item]
            if not kept:
                continue
            number += 1
            paragraphs.append(Paragraph(segments=tuple(fill(heading, number=str(number))), heading=True))
            paragraphs.extend(kept)
        if number == 0:
            paragraphs.append(Paragraph(segments=(
                _("No study, outreach or report has been recorded for this campaign by this date."),)))
        return paragraphs


def results_section(
    figures: dict[str, Any], *, campaign: Campaign, unit_name: str, omit: Collection[str] = ()
) -> list[Paragraph]:
    """Section II: a heading, numbered parts and their paragraphs; parts without records are left out,
    and so are the optional paragraphs named in `omit` (keys of `OPTIONAL_PARAGRAPHS`)."""
    return _Writer(figures, campaign=campaign, unit_name=unit_name, omit=omit).section()


def figure_refs(paragraphs: Sequence[Paragraph]) -> list[FigureRef]:
    return [ref for paragraph in paragraphs for ref in paragraph.figures]
