from django.db.models import QuerySet

from chuyende.accounts.models import User
from chuyende.accounts.permissions import scope_root
from chuyende.audit.models import AuditEntry


def audit_entries_for(*, actor: User) -> QuerySet[AuditEntry]:
    root = scope_root(actor)
    return AuditEntry.objects.filter(unit_path__startswith=root.path).select_related("actor")
