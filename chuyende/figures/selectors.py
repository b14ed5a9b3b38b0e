"""Reads for the dashboard. Every figure comes from the roll-up; this module only picks the
campaign, the date and the unit's ancestors, and labels what the roll-up counted."""

import datetime
import math
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from chuyende.accounts.models import User
from chuyende.accounts.permissions import scope_root
from chuyende.campaigns.models import Campaign
from chuyende.campaigns.selectors import campaigns_for
from chuyende.events.models import Event
from chuyende.figures.materials import Holding
from chuyende.figures.rollup import ProgressPoint, RollUp, Tally, UnitFigures, progress
from chuyende.figures.rules import is_open_on
from chuyende.figures.tree import children_on
from chuyende.materials.models import MaterialTransfer
from chuyende.organisation.models import Unit
from chuyende.organisation.selectors import ancestors
from chuyende.outreach.models import Outreach
from chuyende.pledges.models import Rating


def campaign_choices(*, actor: User) -> list[Campaign]:
    """The campaigns the user may look at, newest first (one query)."""
    return list(campaigns_for(actor=actor).order_by("-year", "-starts", "-pk"))


def default_as_of(*, campaign: Campaign, today: datetime.date) -> datetime.date:
    """The campaign's study deadline once it has passed, else today."""
    return campaign.study_deadline if today > campaign.study_deadline else today


def breadcrumb(*, unit: Unit, actor: User) -> list[Unit]:
    """The unit's ancestors that lie inside the user's scope, top first (one query, none at the root)."""
    root = scope_root(actor)
    if unit.pk == root.pk or unit.depth <= 1:
        return []
    return list(ancestors(unit=unit).filter(path__startswith=root.path).order_by("depth"))


def events_by_format(tally: Tally) -> list[tuple[str, int]]:
    """(label, count) for every event format, in the order of the format list."""
    return [(str(choice.label), tally.events_by_format.get(choice.value, 0)) for choice in Event.Format]


@dataclass(frozen=True)
class Exclusions:
    """Which statuses the campaign leaves out, with how many members each has in the subtree."""

    exempt: int | None
    away: int | None

    @property
    def any(self) -> bool:
        return self.exempt is not None or self.away is not None


def exclusions(rollup: RollUp) -> Exclusions:
    excluded = set(rollup.excluded_statuses)
    return Exclusions(
        exempt=rollup.tally.exempt if "exempt" in excluded else None,
        away=rollup.tally.away if "away" in excluded else None,
    )


def materials(rollup: RollUp) -> list[tuple[str, Holding]]:
    """(item label, holding) of the unit's own materials, in the order of the item list."""
    return [
        (str(choice.label), rollup.materials[choice.value])
        for choice in MaterialTransfer.Item
        if choice.value in rollup.materials
    ]


def pledge_ratings(tally: Tally) -> list[tuple[str, int]]:
    """(label, count) for every rating, in the order of the rating list."""
    return [(str(choice.label), tally.pledge_ratings.get(choice.value, 0)) for choice in Rating]


@dataclass(frozen=True)
class ChannelRow:
    """One channel's figures, as the roll-up counted them."""

    label: str
    sessions: int
    reach: int
    sessions_without_reach: int


def channel_rows(tally: Tally) -> list[ChannelRow]:
    """The channels used in the tally, in the order of the channel list; nothing is counted here."""
    unknown = tally.outreach_unknown_sessions_by_channel
    return [
        ChannelRow(
            label=str(choice.label),
            sessions=tally.outreach_sessions_by_channel[choice.value],
            reach=tally.outreach_reach_by_channel[choice.value],
            sessions_without_reach=unknown[choice.value],
        )
        for choice in Outreach.Channel
        if tally.outreach_sessions_by_channel.get(choice.value)
    ]


def units_below_on(*, unit: Unit, day: datetime.date) -> list[Unit]:
    """The units under `unit` on the tree of `day` that are open that day, in tree order (one query)."""
    ids = [pk for pk, opened_on, closed_on in children_on(unit, day).order_by("path").values_list(
        "unit_id", "unit__opened_on", "unit__closed_on") if is_open_on(opened_on, closed_on, day)]
    found = Unit.objects.in_bulk(ids)
    return [found[pk] for pk in ids]


def below_target(rollup: RollUp) -> list[UnitFigures]:
    """The sub-units with figures whose rate is below the campaign's target, lowest rate first."""
    below = [child for child in rollup.children if child.reached_target is False]
    return sorted(below, key=lambda child: (child.rate, child.unit.path))


PROGRESS_POINTS = 26  # at most this many dates on the progress chart (a week apart, or more)


def progress_days(*, campaign: Campaign, as_of: datetime.date) -> list[datetime.date]:
    """The dates of the progress chart: from the campaign's start to `as_of`, a week apart (further
    apart on a long campaign, at most PROGRESS_POINTS of them), `as_of` always the last."""
    start = campaign.starts
    if as_of <= start:
        return [as_of]
    span = (as_of - start).days
    step = 7 * max(1, math.ceil(span / (7 * (PROGRESS_POINTS - 1))))
    days = [start + datetime.timedelta(days=n) for n in range(0, span, step)]
    return [*days, as_of]


def campaign_progress(*, unit: Unit, campaign: Campaign, as_of: datetime.date) -> list[ProgressPoint]:
    """The unit's study rate at each date of `progress_days` (two queries)."""
    return progress(unit=unit, campaign=campaign, days=progress_days(campaign=campaign, as_of=as_of))


def worth_a_chart(points: list[ProgressPoint]) -> bool:
    """Two dates or more, with a rate on one of them at least."""
    return len(points) > 1 and any(point.rate is not None for point in points)


def _number(rate: Decimal | None) -> float | None:
    return None if rate is None else float(rate)


def chart_data(rollup: RollUp, points: list[ProgressPoint]) -> dict[str, Any]:
    """What the dashboard's charts draw (json_script), from figures counted by the roll-up: each
    sub-unit's rate against the target, and the rate as of each date. Nothing is counted here."""
    return {
        "target": _number(rollup.target_rate),
        "precision": rollup.precision,
        "units": [{"name": child.unit.name, "rate": _number(child.rate),
                   "below": child.reached_target is False, "has_data": child.has_data}
                  for child in rollup.children],
        "progress": [{"day": point.day.strftime("%d/%m/%Y"), "rate": _number(point.rate)}
                     for point in points],
    }
