from django.db.models import Q, QuerySet

from chuyende.accounts.models import User
from chuyende.accounts.permissions import scope_root
from chuyende.audit.models import AuditEntry
from chuyende.organisation.models import Unit


def audit_entries_for(*, actor: User) -> QuerySet[AuditEntry]:
    """Entries recorded in the user's subtree, and those of units now in it that were elsewhere when
    the entry was written (a unit moved by a restructuring brings its history with it)."""
    root = scope_root(actor)
    now_below = Unit.objects.filter(path__startswith=root.path).values("pk")
    return AuditEntry.objects.filter(
        Q(unit_path__startswith=root.path) | Q(unit_id__in=now_below)
    ).select_related("actor")
