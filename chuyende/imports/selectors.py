"""Import jobs as their user sees them: only their own; anybody else's job is a 404. The unit codes
a user's templates offer: their subtree's."""

from django.db.models import QuerySet

from chuyende.accounts.models import User
from chuyende.accounts.permissions import scope_root
from chuyende.core.exceptions import NotInScope
from chuyende.imports.models import ImportJob
from chuyende.organisation.selectors import codes_and_names


def jobs_of(*, actor: User) -> QuerySet[ImportJob]:
    """The actor's own jobs, newest first."""
    return ImportJob.objects.filter(user=actor)


def job_of(*, actor: User, pk: int) -> ImportJob:
    job = jobs_of(actor=actor).filter(pk=pk).first()
    if job is None:
        raise NotInScope
    return job


def unit_codes_of(*, actor: User | None) -> list[tuple[str, str]]:
    """(code, name) of every unit of the actor's subtree in tree order (the whole tree for the system),
    in one query: what the unit columns of the actor's templates offer."""
    return codes_and_names(root=scope_root(actor) if actor is not None else None)
