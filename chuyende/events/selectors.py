from django.db.models import Exists, OuterRef, Q, QuerySet

from chuyende.accounts.models import User
from chuyende.accounts.permissions import scope_root
from chuyende.events.models import Event, Site


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
