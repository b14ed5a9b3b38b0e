"""The figures a report prints, live, and how they differ from a frozen snapshot.

Nothing is counted here: `live_figures` asks the figures package (`unit_figures`, `report_events`,
`event_groups`, `known_only`,
the completeness of the sub-units' reports) and lays the results out with
`chuyende.figures.snapshot.report_figures`, so a submitted snapshot and the live figures compare key
by key.
"""

import datetime
from typing import Any

from chuyende.campaigns.models import Campaign
from chuyende.campaigns.selectors import guiding_documents_by
from chuyende.figures.breakdowns import event_groups
from chuyende.figures.comparison import last_year
from chuyende.figures.events import report_events
from chuyende.figures.known import known_only
from chuyende.figures.rollup import RollUp, unit_figures
from chuyende.figures.snapshot import from_json, report_figures
from chuyende.figures.tree import level_names_on
from chuyende.organisation.models import Unit
from chuyende.reports.models import Report
from chuyende.reports.submissions import completeness_of


def live_figures(
    *, unit: Unit, campaign: Campaign, as_of: datetime.date, rollup: RollUp | None = None
) -> dict[str, Any]:
    """The figures of the unit's subtree as of the date (rates as `Decimal`); `rollup`, when the
    caller has it already, is that date's `unit_figures`. With them the campaign's guiding documents
    issued by the date, which the report cites, the coverage of last year's campaign of the same
    kind when it compares (`figures.comparison.last_year`), the events by sector, audience and
    partner (`figures.breakdowns`) and the facts known only in part (`figures.known`)."""
    rollup = rollup or unit_figures(unit=unit, campaign=campaign, as_of=as_of)
    path = rollup.unit.path  # the unit's on the date
    return report_figures(
        rollup,
        completeness_of(unit=unit, campaign=campaign, as_of=as_of),
        report_events(unit=unit, campaign=campaign, as_of=as_of),
        level_names=level_names_on(as_of),
        documents=guiding_documents_by(campaign=campaign, day=as_of),
        comparison=last_year(unit=unit, campaign=campaign, as_of=as_of),
        groups=event_groups(unit=unit, campaign=campaign, as_of=as_of, path=path),
        known_only=known_only(unit=unit, campaign=campaign, as_of=as_of, path=path),
    )


def frozen_figures_of(report: Report) -> dict[str, Any] | None:
    """The figures frozen when the report was sent up (rates as `Decimal`), None if never sent."""
    if not report.snapshot or "figures" not in report.snapshot:
        return None
    return from_json(report.snapshot["figures"])


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


def _as_frozen(before: dict[str, Any], after: dict[str, Any]) -> dict[str, Any]:
    """The live figures in the shape of a snapshot frozen before some keys existed: the keys it does not
    have at the top (their set is the figures' schema, never data) and the levels' `parts` left out,
    so that an older report does not list figures added since as figures that moved."""
    shaped = {key: value for key, value in after.items() if key in before}
    levels = before.get("events_by_level")
    if isinstance(levels, dict) and any("parts" not in level for level in levels.values()) \
            and isinstance(shaped.get("events_by_level"), dict):
        shaped["events_by_level"] = {depth: {k: v for k, v in level.items() if k != "parts"}
                                     for depth, level in shaped["events_by_level"].items()}
    return shaped


def figure_changes(before: dict[str, Any], after: dict[str, Any]) -> list[tuple[str, Any, Any]]:
    """(figure path, frozen value, live value) for every figure that differs, in a stable order; keys
    the frozen snapshot predates are not compared."""
    old, new = _flatten(before), _flatten(_as_frozen(before, after))
    return [(key, old.get(key), new.get(key)) for key in sorted(old.keys() | new.keys())
            if old.get(key) != new.get(key)]
