"""The id of the request being answered (django-guid keeps it), for log lines and error answers.

django-guid's middleware gives each request an id (or takes a valid one from the reverse proxy's
`X-Request-ID`) and returns it in the `X-Request-ID` header; this module puts it on every log record
and lets the error views show it.
"""

import logging

from django_guid import get_guid

NO_REQUEST = "-"


def current_request_id() -> str:
    """The id of the request being answered, or "" outside a request (commands, the job runner)."""
    return get_guid() or ""


class RequestIdFilter(logging.Filter):
    """Adds `request_id` to every record: the request's id, or "-" outside a request."""

    def filter(self, record: logging.LogRecord) -> bool:
        record.request_id = current_request_id() or NO_REQUEST
        return True
