"""The names of the maintained counters (one column each of `DailyCount`).

Imports only the choice lists, so the model and the ledger share one list and nothing cycles.
"""

from chuyende.events.models import Event
from chuyende.members.models import COUNTED_STATUSES
from chuyende.outreach.models import Outreach
from chuyende.pledges.models import Rating

STATUSES: tuple[str, ...] = tuple(str(status) for status in COUNTED_STATUSES)
RATINGS: tuple[str, ...] = tuple(str(rating) for rating in Rating.values)
FORMATS: tuple[str, ...] = tuple(str(value) for value in Event.Format.values)
CHANNELS: tuple[str, ...] = tuple(str(value) for value in Outreach.Channel.values)

# Tree and sources, counted per unit and added up the tree ("own_" columns stay on the unit itself).
STRUCTURE = (
    "leaves", "sourced", "sourced_leaves", "own_leaves", "own_sourced", "own_sourced_leaves",
)
OWN_STRUCTURE = ("own_leaves", "own_sourced", "own_sourced_leaves")

COUNTERS: tuple[str, ...] = (
    *(f"members_{s}" for s in STATUSES),
    *(f"studied_{s}" for s in STATUSES),
    *(f"pledged_{s}" for s in STATUSES),
    *(f"rated_{s}_{r}" for s in STATUSES for r in RATINGS),
    "return_total", "return_exempt", "return_away", "return_studied",
    "non_members_expected", "non_members_studied",
    "pledge_return_registered", *(f"pledge_return_{r}" for r in RATINGS),
    "events_organised", *(f"events_{f}" for f in FORMATS), "events_held",
    "member_person_times", "non_member_person_times",
    *(f"outreach_sessions_{c}" for c in CHANNELS),
    *(f"outreach_reach_{c}" for c in CHANNELS),
    *(f"outreach_unknown_{c}" for c in CHANNELS),
    *STRUCTURE,
)
# Counters that add up from a unit to its ancestors (everything but the unit's own tree state).
PROPAGATED: tuple[str, ...] = tuple(name for name in COUNTERS if name not in OWN_STRUCTURE)
# Of those, the ones a subtree's total is the sum of its parts ("events_held" counts an event once
# in a unit however many of its sub-units held it).
ADDED_UP: tuple[str, ...] = tuple(name for name in PROPAGATED if name != "events_held")
