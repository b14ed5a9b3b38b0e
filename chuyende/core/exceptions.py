class NotInScope(Exception):
    """A record outside the actor's subtree was named. Shown as 404: its existence is not told."""


class NotAllowed(Exception):
    """The actor may see the record but their role does not allow this change (HTTP 403)."""
