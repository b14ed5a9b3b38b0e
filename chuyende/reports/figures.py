"""The figures a report prints, as plain JSON-ready values taken from the roll-up.

Nothing is counted here: `report_figures` only copies what `unit_figures` and
`report_completeness` computed, so a submitted snapshot and the live figures compare key by key.
"""

import datetime
from decimal import Decimal
from typing import Any

from chuyende.campaigns.models import Campaign
from chuyende.figures.completeness import Completeness, report_completeness
from chuyende.figures.rollup import RollUp, Share, UnitFigures, event_lines, unit_figures
from chuyende.organisation.models import Level, Unit


def _rate(value: Decimal | None) -> str | None:
    return None if value is None else str(value)


def _share(share: Share) -> dict[str, Any]:
    return {"count": share.count, "total": share.total, "rate": _rate(share.rate)}


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
        "rate": _rate(child.rate),
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


def report_figures(
    rollup: RollUp, completeness: Completeness, *, level_names: dict[int, str] | None = None
) -> dict[str, Any]:
    tally = rollup.tally
    return {
        "as_of": rollup.as_of.isoformat(),
        "unit": rollup.unit.code,
        "party_members": {
            "total": tally.members_total, "exempt": tally.exempt, "away": tally.away,
            "eligible": tally.eligible, "studied": tally.studied, "rate": _rate(rollup.rate),
            "excluded_who_studied": tally.excluded_who_studied,
            "excluded_statuses": list(rollup.excluded_statuses),
        },
        "non_party": {
            "eligible": tally.non_members_expected, "studied": tally.non_members_studied,
            "rate": _rate(rollup.non_member_rate),
        },
        "events_organised": tally.events_organised,
        "events_by_format": dict(sorted(tally.events_by_format.items())),
        "events_held": rollup.events_held,
        "attendance_person_times": rollup.attendance_person_times,
        "party_member_person_times": tally.member_person_times,
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
            "rate": _rate(rollup.pledge_rate), "ratings": dict(sorted(tally.pledge_ratings.items())),
        },
        "materials": {
            item: {"received": h.received, "own_supply": h.own_supply, "passed_down": h.passed_down,
                   "held": h.held}
            for item, h in rollup.materials.items()
        },
        "units_organised_study": _share(rollup.units_organised_study),
        "units_reached_target": _share(rollup.units_reached_target),
        "units_without_data": [ref.code for ref in rollup.units_without_data],
        "target_rate": str(rollup.target_rate.quantize(Decimal("0.01"))),
        "children": [child_figures(child) for child in rollup.children],
        "completeness": _completeness(completeness),
        "events": [
            {"code": line.code, "title": line.title, "held_on": line.held_on.isoformat(),
             "format": line.format, "organiser": line.organiser_name, "organiser_depth": line.organiser_depth,
             "organised_here": line.organised_here, "sites": line.sites,
             "member_person_times": line.member_person_times,
             "non_member_person_times": line.non_member_person_times}
            for line in event_lines(unit_path=rollup.unit.path, campaign_id=rollup.campaign_id,
                                    as_of=rollup.as_of)
        ],
        "level_names": {str(depth): name for depth, name in sorted((level_names or {}).items())},
        "supervision": {
            "assigned": [ref.code for ref in rollup.supervision.assigned_units],
            "never_visited": [ref.code for ref in rollup.supervision.never_visited],
            "visits": rollup.supervision.visits,
            "open_follow_ups": rollup.supervision.open_follow_ups,
        },
    }


def live_figures(*, unit: Unit, campaign: Campaign, as_of: datetime.date) -> dict[str, Any]:
    return report_figures(
        unit_figures(unit=unit, campaign=campaign, as_of=as_of),
        report_completeness(unit=unit, campaign=campaign, as_of=as_of),
        level_names=dict(Level.objects.values_list("depth", "name")),
    )


def _flatten(value: Any, prefix: str = "") -> dict[str, Any]:
    if isinstance(value, dict):
        flat: dict[str, Any] = {}
        for key, inner in value.items():
            flat.update(_flatten(inner, f"{prefix}.{key}" if prefix else str(key)))
        return flat
    if isinstance(value, list) and value and isinstance(value[0], dict) and "code" in value[0]:
        flat = {}
        for item in value:
            flat.update(_flatten({k: v for k, v in item.items() if k != "code"}, f"{prefix}[{item['code']}]"))
        return flat
    return {prefix: value}


def figure_changes(before: dict[str, Any], after: dict[str, Any]) -> list[tuple[str, Any, Any]]:
    """(figure path, frozen value, live value) for every figure that differs, in a stable order."""
    old, new = _flatten(before), _flatten(after)
    return [(key, old.get(key), new.get(key)) for key in sorted(old.keys() | new.keys())
            if old.get(key) != new.get(key)]
