"""The figures a report prints, as one dict built from the engine's typed results.

`report_figures` copies what `unit_figures`, `report_events` and the completeness computed: nothing
is counted here. Rates are `Decimal` (None without a denominator), counts `int`. The dict is stored
as JSON when a report is submitted (`to_json`: rates become decimal strings) and read back with
`from_json`, the one place a frozen snapshot is turned into figures again; no other module parses a
figure.

The snapshot holds totals, not records: events organised in the subtree are summed per level of the
organiser (`events_by_level`), so its size does not grow with the number of events; only the events
organised above the unit and attended in it are listed (`events_attended`), and the conferences
organised at or above the unit (`conferences`, with their bridge points per level).

Keys added later (`unit_depth`, `people_studied`, `non_member_person_times`, `events_by_kind`,
`conferences`, `events_by_level.*.parts`, `guiding_documents`, `comparison`) are missing from
snapshots frozen before them: readers take them with a default and write what the older keys say.
"""

from collections import Counter
from collections.abc import Iterable
from decimal import Decimal
from typing import Any

from chuyende.campaigns.models import GuidingDocument
from chuyende.events.models import Event
from chuyende.figures.breakdowns import EventGroups, Group, PartnerEvents
from chuyende.figures.comparison import Comparison
from chuyende.figures.completeness import Completeness
from chuyende.figures.events import EventLine, LevelEvents, LevelPart, ReportEvents
from chuyende.figures.known import KnownOnly
from chuyende.figures.rollup import RollUp, Share, UnitFigures
from chuyende.organisation.models import Unit

RATE_KEYS = frozenset({"rate", "target_rate", "earlier_rate", "points", "rate_above"})


def _share(share: Share) -> dict[str, Any]:
    return {"count": share.count, "total": share.total, "rate": share.rate}


def child_figures(child: UnitFigures) -> dict[str, Any]:
    tally = child.tally
    return {
        "code": child.unit.code,
        "name": child.unit.name,
        "members_total": tally.members_total,
        "exempt": tally.exempt,
        "away": tally.away,
        "eligible": tally.eligible,
        "studied": tally.studied,
        "rate": child.rate,
        "excluded_who_studied": tally.excluded_who_studied,
        "non_members_expected": tally.non_members_expected,
        "non_members_studied": tally.non_members_studied,
        "events_organised": tally.events_organised,
        "events_held": child.events_held,
        "attendance_person_times": child.attendance_person_times,
        "reached_target": child.reached_target,
        "has_data": child.has_data,
        "pledges_registered": tally.pledges_registered,
        "outreach_sessions": tally.outreach_sessions,
        "outreach_reach": tally.outreach_reach,
    }


def _completeness(completeness: Completeness) -> dict[str, Any]:
    return {
        "deadline": completeness.deadline.isoformat(),
        "expected": [ref.code for ref in completeness.expected],
        "on_time": [{"code": s.unit.code, "name": s.unit.name, "on": s.submitted_on.isoformat()}
                    for s in completeness.on_time],
        "late": [{"code": s.unit.code, "name": s.unit.name, "on": s.submitted_on.isoformat()}
                 for s in completeness.late],
        "missing": [{"code": ref.code, "name": ref.name} for ref in completeness.missing],
    }


def _attended(line: EventLine) -> dict[str, Any]:
    return {"code": line.code, "title": line.title, "held_on": line.held_on.isoformat(),
            "format": line.format, "organiser": line.organiser_name, "organiser_depth": line.organiser_depth,
            "sites": line.sites,
            "member_person_times": line.member_person_times,
            "non_member_person_times": line.non_member_person_times,
            "attendance_person_times": line.attendance_person_times}


def _part(part: LevelPart) -> dict[str, Any]:
    return {"code": part.code, "format": part.format, "from_above": part.from_above, "events": part.events,
            "member_person_times": part.member_person_times,
            "non_member_person_times": part.non_member_person_times,
            "attendance_person_times": part.attendance_person_times}


def _level(level: LevelEvents) -> dict[str, Any]:
    figures = {"events": level.events, "by_format": dict(sorted(level.by_format.items())),
               "member_person_times": level.member_person_times,
               "non_member_person_times": level.non_member_person_times,
               "attendance_person_times": level.attendance_person_times}
    if level.parts:
        figures["parts"] = [_part(part) for part in level.parts]
    return figures


def _conference(line: EventLine, depth: int, level_names: dict[int, str]) -> dict[str, Any]:
    """A conference organised at or above the unit (at `depth`), its bridge points in the subtree per
    level: the unit's own (`centre`) and each level below, with the levels' names."""
    return {"code": line.code, "title": line.title, "held_on": line.held_on.isoformat(),
            "format": line.format, "organiser": line.organiser_name, "organiser_depth": line.organiser_depth,
            "organiser_level": level_names.get(line.organiser_depth, ""),
            "organised_above": line.organiser_depth < depth,
            "sites": line.sites, "attendance_person_times": line.attendance_person_times,
            "sites_by_level": [
                {"code": str(site_depth), "depth": site_depth, "level": level_names.get(site_depth, ""),
                 "centre": site_depth == depth, "sites": tally.sites,
                 "attendance_person_times": tally.attendance_person_times}
                for site_depth, tally in line.by_depth.items()
            ]}


def _document(document: GuidingDocument) -> dict[str, Any]:
    return {"number": document.number, "issued_on": document.issued_on.isoformat(),
            "issuer": document.issuer, "title": document.title}


def _comparison(comparison: Comparison, year: int) -> dict[str, Any]:
    """Coverage against the same kind of campaign of the year before (see `last_year`)."""
    difference = comparison.difference
    change = "same" if not difference else ("rose" if difference > 0 else "fell")
    return {"year": year, "earlier_eligible": comparison.earlier.eligible,
            "earlier_studied": comparison.earlier.studied, "earlier_rate": comparison.earlier.rate,
            "change": change, "points": abs(difference) if difference is not None else None}


def _in_order(groups: dict[str, Any], order: list[str]) -> list[str]:
    position = {value: index for index, value in enumerate(order)}
    return sorted(groups, key=lambda value: (position.get(value, len(position)), value))


def _group(group: Group) -> dict[str, Any]:
    return {"events": group.events, "attendance_person_times": group.person_times}


def _event_groups(groups: EventGroups | None) -> dict[str, Any]:
    """Events by the organiser's sector, by audience (key cadres by level) and by partner."""
    groups = groups or EventGroups()
    key_cadres = groups.key_cadres
    return {
        "events_by_sector": {sector: _group(groups.by_sector[sector])
                             for sector in _in_order(groups.by_sector, Unit.Sector.values)},
        "events_by_audience": {audience: _group(groups.by_audience[audience])
                               for audience in _in_order(groups.by_audience, Event.Audience.values)},
        "key_cadres": {"attendance_person_times": groups.key_cadres_total, "by_level": key_cadres},
        "events_with_partners": {
            partner: {**_group(groups.by_partner[partner]),
                      "by_audience": _audiences(groups.by_partner[partner])}
            for partner in _in_order(groups.by_partner, Event.Partner.values)
        },
    }


def _audiences(partner: PartnerEvents) -> dict[str, int]:
    return {audience: partner.by_audience[audience]
            for audience in _in_order(dict(partner.by_audience), Event.Audience.values)}


def _known(fact: KnownOnly) -> dict[str, Any]:
    code = "/".join(part for part in (fact.unit.code, fact.who, fact.category) if part)
    return {"code": code, "unit": fact.unit.code, "name": fact.unit.name, "who": fact.who,
            "category": fact.category, "kind": fact.kind, "as_of": fact.as_of.isoformat(),
            # The value under its kind's name, the two others None.
            **{kind: fact.value if kind == fact.kind else None
               for kind in ("studied", "studied_above", "rate_above")}}


def report_figures(
    rollup: RollUp, completeness: Completeness, events: ReportEvents, *,
    level_names: dict[int, str] | None = None, documents: Iterable[GuidingDocument] = (),
    comparison: tuple[int, Comparison] | None = None, groups: EventGroups | None = None,
    known_only: list[KnownOnly] | None = None,
) -> dict[str, Any]:
    """The figures dict; `documents` are the campaign's guiding documents issued by the date,
    `comparison` (year, comparison) the coverage of last year's campaign when it compares, `groups`
    (figures.breakdowns) and `known_only` (figures.known) as computed for the same unit, campaign and
    date; left out, their keys hold nothing."""
    tally = rollup.tally
    figures = {
        "as_of": rollup.as_of.isoformat(),
        "unit": rollup.unit.code,
        "party_members": {
            "total": tally.members_total, "exempt": tally.exempt, "away": tally.away,
            "eligible": tally.eligible, "studied": tally.studied, "rate": rollup.rate,
            "excluded_who_studied": tally.excluded_who_studied,
            "excluded_statuses": list(rollup.excluded_statuses),
        },
        "non_party": {
            "eligible": tally.non_members_expected, "studied": tally.non_members_studied,
            "rate": rollup.non_member_rate,
        },
        "events_organised": tally.events_organised,
        "events_by_format": dict(sorted(tally.events_by_format.items())),
        "events_held": rollup.events_held,
        "attendance_person_times": rollup.attendance_person_times,
        "party_member_person_times": tally.member_person_times,
        "non_member_person_times": tally.non_member_person_times,
        "people_studied": tally.people_studied,
        "events_by_kind": dict(events.by_kind),
        "unit_depth": events.depth,
        "outreach": {
            "sessions": tally.outreach_sessions, "reach": tally.outreach_reach,
            "sessions_without_reach": tally.outreach_sessions_without_reach,
            "by_channel": {
                channel: {
                    "sessions": sessions,
                    "reach": tally.outreach_reach_by_channel.get(channel, 0),
                    "sessions_without_reach": tally.outreach_unknown_sessions_by_channel.get(channel, 0),
                }
                for channel, sessions in sorted(tally.outreach_sessions_by_channel.items())
            },
        },
        "pledges": {
            "registered": tally.pledges_registered, "eligible": tally.eligible,
            "rate": rollup.pledge_rate, "ratings": dict(sorted(tally.pledge_ratings.items())),
        },
        "materials": {
            item: {"received": h.received, "own_supply": h.own_supply, "passed_down": h.passed_down,
                   "held": h.held}
            for item, h in rollup.materials.items()
        },
        "units_organised_study": _share(rollup.units_organised_study),
        "units_reached_target": _share(rollup.units_reached_target),
        "units_without_data": [ref.code for ref in rollup.units_without_data],
        "units_without_data_count": rollup.units_without_data_count,
        "target_rate": rollup.target_rate.quantize(Decimal("0.01")),
        "children": [child_figures(child) for child in rollup.children],
        "completeness": _completeness(completeness),
        "events_attended": [_attended(line) for line in events.attended],
        "events_by_level": {str(level.depth): _level(level) for level in events.levels},
        "conferences": [_conference(line, events.depth, level_names or {}) for line in events.conferences],
        "guiding_documents": [_document(document) for document in documents],
        "level_names": {str(depth): name for depth, name in sorted((level_names or {}).items())},
        **_event_groups(groups),
        # Returns that know only part, as stated: never in a rate or a denominator above.
        "known_only": [_known(fact) for fact in known_only or []],
        "supervision": {
            "assigned": [ref.code for ref in rollup.supervision.assigned_units],
            "never_visited": [ref.code for ref in rollup.supervision.never_visited],
            "visits": rollup.supervision.visits,
            "open_follow_ups": rollup.supervision.open_follow_ups,
        },
    }
    figures["comparison"] = _comparison(comparison[1], comparison[0]) if comparison is not None else None
    return figures


def to_json(value: Any) -> Any:
    """The figures as JSON values: rates as decimal strings."""
    if isinstance(value, dict):
        return {key: to_json(inner) for key, inner in value.items()}
    if isinstance(value, list):
        return [to_json(inner) for inner in value]
    if isinstance(value, Decimal):
        return str(value)
    return value


def from_json(figures: dict[str, Any]) -> dict[str, Any]:
    """A frozen snapshot's figures as `report_figures` gives them: rates as `Decimal`. A snapshot
    frozen before events were summed per level (one line per event) is summed here."""
    thawed = _thaw(figures)
    if "events" in thawed and "events_by_level" not in thawed:
        lines = thawed.pop("events") or []
        thawed["events_attended"] = [_old_attended(line) for line in lines if not line.get("organised_here")]
        thawed["events_by_level"] = _old_levels([line for line in lines if line.get("organised_here")])
    return thawed


def _thaw(value: Any, key: str = "") -> Any:
    if isinstance(value, dict):
        return {name: _thaw(inner, name) for name, inner in value.items()}
    if isinstance(value, list):
        return [_thaw(inner) for inner in value]
    if key in RATE_KEYS and isinstance(value, str | int | float) and not isinstance(value, bool):
        return Decimal(str(value))
    return value


def _old_attended(line: dict[str, Any]) -> dict[str, Any]:
    members = int(line.get("member_person_times", 0))
    non_members = int(line.get("non_member_person_times", 0))
    return {**{name: value for name, value in line.items() if name != "organised_here"},
            "attendance_person_times": members + non_members}


def _old_levels(lines: list[dict[str, Any]]) -> dict[str, Any]:
    levels: dict[int, LevelEvents] = {}
    for line in lines:
        depth = int(line["organiser_depth"])
        level = levels.setdefault(depth, LevelEvents(depth=depth, by_format=Counter()))
        level.events += 1
        level.by_format[str(line.get("format"))] += 1
        level.member_person_times += int(line.get("member_person_times", 0))
        level.non_member_person_times += int(line.get("non_member_person_times", 0))
    return {str(depth): _level(levels[depth]) for depth in sorted(levels)}
