"""Import jobs as their user sees them: only their own; anybody else's job is a 404."""

from django.db.models import QuerySet

from chuyende.accounts.models import User
from chuyende.core.exceptions import NotInScope
from chuyende.imports.models import ImportJob


def jobs_of(*, actor: User) -> QuerySet[ImportJob]:
    """The actor's own jobs, newest first."""
    return ImportJob.objects.filter(user=actor)


def job_of(*, actor: User, pk: int) -> ImportJob:
    job = jobs_of(actor=actor).filter(pk=pk).first()
    if job is None:
        raise NotInScope
    return job
