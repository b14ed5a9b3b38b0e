from django.core.exceptions import ValidationError


class NotInScope(Exception):
    """A record outside the actor's subtree was named. Shown as 404: its existence is not told."""


class NotAllowed(Exception):
    """The actor may see the record but their role does not allow this change (HTTP 403)."""


class Conflict(ValidationError):
    """Someone else changed the record meanwhile; nothing was saved (HTTP 409 in the API).

    A ValidationError, so a page shows its message on the form and keeps what the user typed.
    """


class RowsInvalid(ValidationError):
    """Rows given to a service that saves many records at once, which the service saving one record
    would refuse; nothing was written.

    `errors` maps the index of each refused row to the ValidationError the single service raises
    for it (the first rule it breaks, in that service's order)."""

    def __init__(self, errors: dict[int, ValidationError]) -> None:
        self.errors = errors
        super().__init__([message for error in errors.values() for message in error.messages])
