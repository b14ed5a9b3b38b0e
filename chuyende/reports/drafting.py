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
"""

from __future__ import annotations

import datetime
import re
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.utils.translation import gettext as _

from chuyende.campaigns.models import Campaign, NonPartyCategory
from chuyende.core.numbers import format_date, format_number, format_rate
from chuyende.events.models import Event
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
class Paragraph:
    segments: tuple[Segment, ...]
    heading: bool = False

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
    def __init__(self, figures: dict[str, Any], *, campaign: Campaign, unit_name: str) -> None:
        self.figures = figures
        self.campaign = campaign
        self.unit_name = unit_name
        self.precision = campaign.rate_precision

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
        attended: list[dict[str, Any]] = list(self.get("events_attended", default=[]) or [])
        paragraphs: list[list[Segment]] = [
            self.attended_above(line, item_key("events_attended", line, index))
            for index, line in enumerate(attended)
        ]
        levels: dict[str, dict[str, Any]] = self.get("events_by_level", default={}) or {}
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
        completeness = self.get("completeness", default={}) or {}
        expected = list(completeness.get("expected") or [])
        if not expected:
            return []
        on_time = list(completeness.get("on_time") or [])
        late = list(completeness.get("late") or [])
        missing = list(completeness.get("missing") or [])
        submitted = len(on_time) + len(late)
        values: dict[str, Segment] = {
            "submitted": self.ref("completeness", submitted),
            "expected": self.ref("completeness.expected", len(expected)),
            "on_time": self.ref("completeness.on_time", len(on_time)),
            "deadline": _date(completeness.get("deadline")),
        }
        if not submitted:
            first = fill(_("%(submitted)s/%(expected)s sub-units have sent their report (deadline "
                           "%(deadline)s)."), **values)
        elif not late:
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
        study = [*self.events_paragraphs(), self.coverage(), self.non_members(), self.units()]
        study.append(self.by_sector())
        study.append(self.audiences())
        study.append(self.partners())
        study.append(self.known_facts())
        spreading = [*self.outreach(), *self.materials(), *self.pledges()]
        reporting = self.completeness()
        parts: list[tuple[str, list[list[Segment]]]] = [
            (_("%(number)s. Organising study and grasping the topic"), study),
            (_("%(number)s. Outreach, materials and pledges to follow the example"), spreading),
            (_("%(number)s. Reports of the sub-units"), reporting),
        ]
        paragraphs = [Paragraph(segments=(_("II. RESULTS"),), heading=True)]
        number = 0
        for heading, body in parts:
            body = [segments for segments in body if segments]
            if not body:
                continue
            number += 1
            paragraphs.append(Paragraph(segments=tuple(fill(heading, number=str(number))), heading=True))
            paragraphs.extend(Paragraph(segments=tuple(segments)) for segments in body)
        if number == 0:
            paragraphs.append(Paragraph(segments=(
                _("No study, outreach or report has been recorded for this campaign by this date."),)))
        return paragraphs


def results_section(figures: dict[str, Any], *, campaign: Campaign, unit_name: str) -> list[Paragraph]:
    """Section II: a heading, numbered parts and their paragraphs; parts without records are left out."""
    return _Writer(figures, campaign=campaign, unit_name=unit_name).section()


def figure_refs(paragraphs: Sequence[Paragraph]) -> list[FigureRef]:
    return [ref for paragraph in paragraphs for ref in paragraph.figures]
