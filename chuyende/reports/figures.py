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
from chuyende.figures.breakdowns import event_groups
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
    caller has it already, is that date's `unit_figures`."""
    rollup = rollup or unit_figures(unit=unit, campaign=campaign, as_of=as_of)
    path = rollup.unit.path  # the unit's on the date
    return report_figures(
        rollup,
        completeness_of(unit=unit, campaign=campaign, as_of=as_of),
        report_events(unit=unit, campaign=campaign, as_of=as_of),
        level_names=level_names_on(as_of),
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


def figure_changes(before: dict[str, Any], after: dict[str, Any]) -> list[tuple[str, Any, Any]]:
    """(figure path, frozen value, live value) for every figure that differs, in a stable order."""
    old, new = _flatten(before), _flatten(after)
    return [(key, old.get(key), new.get(key)) for key in sorted(old.keys() | new.keys())
            if old.get(key) != new.get(key)]
