from django.db.models import QuerySet

from chuyende.accounts.models import User
from chuyende.accounts.permissions import scope_root
from chuyende.restructuring.models import Decision


def decisions_visible_to(*, actor: User) -> QuerySet[Decision]:
    """Decisions issued for a unit of the user's subtree, the latest first."""
    return Decision.objects.filter(unit__path__startswith=scope_root(actor).path).select_related("unit")
