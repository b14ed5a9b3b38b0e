"""A write that lost a race answers 409, never 500.

Two requests creating the same record at the same moment (PostgreSQL checks the unique constraint
only when the second row is inserted, after the service's own check passed) end in an IntegrityError
that the service's transaction has already rolled back. Pages (`core.middleware`) and the API
(`api.errors`) both answer it with this one message.
"""

import logging

from django.db import IntegrityError
from django.utils.translation import gettext as _

logger = logging.getLogger("chuyende.conflicts")


def conflict_message() -> str:
    return _(
        "Someone else saved the same record at the same moment, so nothing was saved. "
        "Open the page again to see what is stored now, then try again if needed."
    )


def log_conflict(error: IntegrityError, *, path: str) -> None:
    logger.warning("Write refused as a conflict (409) on %s: %s", path, error)
