"""The roll-up's figures held to the plain recount (tests/figures/recount.py), unit by unit and day by day."""

import dataclasses
import datetime
from collections import Counter
from io import StringIO

from django.core.management import call_command, get_commands

from chuyende.campaigns.models import Campaign
from chuyende.figures.rollup import Tally, UnitFigures, unit_figures
from chuyende.organisation.models import Unit
from tests.figures.recount import Figures, Records, recount


def tally_values(tally: Tally) -> dict[str, object]:
    """Every field of the roll-up's Tally as plain values (breakdowns without their zeros)."""
    values: dict[str, object] = {}
    for tally_field in dataclasses.fields(tally):
        value = getattr(tally, tally_field.name)
        if isinstance(value, Counter):
            value = {key: n for key, n in sorted(value.items()) if n}
        values[tally_field.name] = value
    return values


def engine_figures(figures: UnitFigures, children: list[UnitFigures] | None = None) -> Figures:
    """The roll-up in the recount's shape. A sub-unit carries only how many units lack data (the
    names are listed for the unit asked for), so its list is compared by length."""
    return Figures(
        code=figures.unit.code,
        tally=tally_values(figures.tally),
        rate=figures.rate,
        non_member_rate=figures.non_member_rate,
        pledge_rate=figures.pledge_rate,
        reached_target=figures.reached_target,
        events_held=figures.events_held,
        units_without_data=[ref.code for ref in figures.units_without_data],
        source_units=figures.source_units,
        children=[engine_figures(child) for child in children or []],
        units_without_data_count=figures.units_without_data_count,
    )


def differences(engine: Figures, expected: Figures, where: str = "") -> list[str]:
    """Each field where the roll-up and the recount part, as 'path: roll-up != recount'."""
    found: list[str] = []
    for name in ("code", "rate", "non_member_rate", "pledge_rate", "reached_target", "events_held",
                 "units_without_data", "source_units"):
        if name == "units_without_data" and where.endswith("]."):  # a sub-unit: the count only
            if engine.units_without_data_count != len(expected.units_without_data):
                found.append(f"{where}units without data: {engine.units_without_data_count} != "
                             f"{len(expected.units_without_data)} {expected.units_without_data!r}")
        elif getattr(engine, name) != getattr(expected, name):
            found.append(f"{where}{name}: {getattr(engine, name)!r} != {getattr(expected, name)!r}")
    if engine.units_without_data_count not in (-1, len(expected.units_without_data)):
        found.append(f"{where}units_without_data_count: {engine.units_without_data_count} != "
                     f"{len(expected.units_without_data)}")
    for name in sorted(set(engine.tally) | set(expected.tally)):
        mine, theirs = engine.tally.get(name, "(missing)"), expected.tally.get(name, "(missing)")
        if mine != theirs:
            found.append(f"{where}tally.{name}: {mine!r} != {theirs!r}")
    engine_children = [child.code for child in engine.children]
    expected_children = [child.code for child in expected.children]
    if engine_children != expected_children:
        found.append(f"{where}children: {engine_children} != {expected_children}")
    else:
        for mine, theirs in zip(engine.children, expected.children, strict=True):
            found.extend(differences(mine, theirs, f"{where}children[{mine.code}]."))
    return found


def disagreements(campaign: Campaign, days: list[datetime.date],
                  units: list[Unit] | None = None) -> list[str]:
    """Where the roll-up and the recount disagree on the first day, and for the first unit (of every unit
    or `units`), where they do; none when they agree on every day for every unit."""
    records = Records(campaign)
    for day in sorted(days):
        for unit in units or list(Unit.objects.order_by("pk")):
            rollup = unit_figures(unit=unit, campaign=campaign, as_of=day)
            found = differences(engine_figures(rollup, rollup.children), recount(records, unit, day),
                                f"{unit.code} on {day}: ")
            if found:
                return found
    return []


def assert_agree(campaign: Campaign, days: list[datetime.date], units: list[Unit] | None = None) -> None:
    found = disagreements(campaign, days, units)
    assert not found, "the roll-up and the recount disagree:\n" + "\n".join(found[:40])


def assert_verified() -> None:
    """`manage.py figures_verify` finds nothing to report, when the command exists."""
    if "figures_verify" not in get_commands():
        return
    out = StringIO()
    try:
        call_command("figures_verify", stdout=out, stderr=out)
    except SystemExit as stopped:
        raise AssertionError(f"figures_verify exited {stopped.code}:\n{out.getvalue()}") from None
