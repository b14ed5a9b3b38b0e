import datetime

from django.db.models import Exists, OuterRef, Q, QuerySet

from chuyende.accounts.models import User
from chuyende.accounts.permissions import can_edit, scope_root
from chuyende.events.models import Event, Site
from chuyende.members.models import Member, MemberStatusChoices
from chuyende.members.selectors import members_visible_to, with_status_on
from chuyende.organisation.models import Unit

# Units whose regular meeting is a cell meeting (sinh hoạt chi bộ).
CELL_KINDS = (Unit.Kind.CELL, Unit.Kind.GRASSROOTS_CELL)
# Members who no longer belong to the cell on the day.
GONE_STATUSES = (MemberStatusChoices.TRANSFERRED_OUT, MemberStatusChoices.DECEASED)


def events_visible_to(*, actor: User) -> QuerySet[Event]:
    """Events organised in the user's subtree, and events from above with a bridge point in it."""
    root = scope_root(actor)
    site_here = Site.objects.filter(event=OuterRef("pk"), unit__path__startswith=root.path)
    return Event.objects.filter(
        Q(organiser__path__startswith=root.path) | Exists(site_here)
    ).select_related("organiser", "campaign")


def sites_visible_to(*, actor: User, event: Event) -> QuerySet[Site]:
    root = scope_root(actor)
    return (
        event.sites.filter(unit__path__startswith=root.path)
        .select_related("unit")
        .prefetch_related("attendances__member")
    )


def meeting_cells(*, actor: User) -> list[Unit]:
    """The cells of the user's subtree whose meetings they may record, in tree order (one query)."""
    root = scope_root(actor)
    cells = Unit.objects.filter(path__startswith=root.path, kind__in=CELL_KINDS).order_by("path")
    return [cell for cell in cells if can_edit(actor, cell)]


def meeting_members(*, actor: User, cell: Unit, on: datetime.date) -> list[tuple[Member, str]]:
    """The members of a cell (and of the units under it) who still belong to it on the day, by name,
    with the label of their status when they are not active (exempt or away may still attend; the
    figures count them apart). One query."""
    labels = dict(MemberStatusChoices.choices)
    under = members_visible_to(actor=actor).filter(unit__path__startswith=cell.path)
    rows = []
    for member in with_status_on(under, on).order_by("full_name", "code"):
        status = getattr(member, "status_now", None)
        if status in GONE_STATUSES:
            continue
        active = status in (None, MemberStatusChoices.ACTIVE)
        rows.append((member, "" if active else str(labels.get(str(status), ""))))
    return rows
