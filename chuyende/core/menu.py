"""The menu of the top bar, by role: the few pages each role uses most first, the rest under "More".

Every page stays reachable from the menu for the roles that may use it; which pages a role may
use is asked from accounts.permissions.
"""

from dataclasses import dataclass

from django.urls import reverse
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from chuyende.accounts.models import User
from chuyende.accounts.permissions import EDITING_ROLES, can_manage_users, can_see_audit

Role = User.Role


@dataclass(frozen=True)
class Link:
    url: str
    label: str


# (URL name, label), in the order of the full menu.
ENTRIES: tuple[tuple[str, Promise], ...] = (
    ("figures:dashboard", _("Figures")),
    ("events:cell_meeting", _("Record a cell meeting")),
    ("comparison", _("Comparison")),
    ("campaigns:list", _("Campaigns")),
    ("organisation:tree", _("Units")),
    ("restructuring:list", _("Restructuring")),
    ("members:list", _("Party members")),
    ("events:list", _("Study events")),
    ("returns:list", _("Aggregate returns")),
    ("outreach:list", _("Outreach")),
    ("materials:list", _("Materials")),
    ("pledges:list", _("Pledges")),
    ("supervision:list", _("Supervision")),
    ("reports:list", _("Reports")),
    ("reports:checks", _("Checks")),
    ("reports:checker", _("Check a report")),
    ("imports:home", _("Import data")),
    ("api-token-page", _("API access")),
    ("audit:list", _("Change log")),
    ("accounts:admin_home", _("Administration")),
    ("accounts:password_change", _("Change password")),
)

# What each role does most, in this order, shown first.
FIRST: dict[str, tuple[str, ...]] = {
    Role.ADMIN: ("figures:dashboard", "reports:list", "organisation:tree", "accounts:admin_home"),
    Role.OFFICER: ("figures:dashboard", "reports:list", "events:list", "returns:list"),
    Role.VIEWER: ("figures:dashboard", "comparison", "reports:list", "events:list"),
    Role.REPORTER: ("events:cell_meeting", "returns:list", "events:list", "reports:list"),
}


def _may_use(user: User, name: str) -> bool:
    if name == "events:cell_meeting":
        return user.role in EDITING_ROLES
    if name == "audit:list":
        return can_see_audit(user)
    if name == "accounts:admin_home":
        return can_manage_users(user)
    return True


def menu_for(user: User) -> tuple[list[Link], list[Link]]:
    """The links shown first and those under "More" for the user's role (no query)."""
    allowed = [(name, label) for name, label in ENTRIES if _may_use(user, name)]
    labels = dict(allowed)
    first_names = [name for name in FIRST.get(user.role, ()) if name in labels]
    first = [Link(reverse(name), str(labels[name])) for name in first_names]
    more = [Link(reverse(name), str(label)) for name, label in allowed if name not in first_names]
    return first, more
