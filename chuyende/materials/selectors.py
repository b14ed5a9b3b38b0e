from django.db.models import Q, QuerySet

from chuyende.accounts.models import User
from chuyende.accounts.permissions import scope_root
from chuyende.campaigns.models import Campaign
from chuyende.materials.models import MaterialTransfer


def transfers_visible_to(*, actor: User, campaign: Campaign | None = None) -> QuerySet[MaterialTransfer]:
    """Transfers sent or received by a unit of the user's subtree (of every campaign if None)."""
    root = scope_root(actor)
    rows = MaterialTransfer.objects.filter(
        Q(sender__path__under=root.path) | Q(recipient__path__under=root.path)
    )
    if campaign is not None:
        rows = rows.filter(campaign=campaign)
    return rows.select_related("sender", "recipient")
