from typing import Any

from django.core.exceptions import ValidationError
from django.db.models import QuerySet


def require_free(clashes: QuerySet[Any], *, field: str, message: str, exclude_pk: int | None = None) -> None:
    """Refuses a value (a code, a login name) that another record already holds."""
    if exclude_pk is not None:
        clashes = clashes.exclude(pk=exclude_pk)
    if clashes.exists():
        raise ValidationError({field: message})
