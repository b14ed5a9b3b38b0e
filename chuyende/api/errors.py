"""Every API error as JSON: `{"detail": ...}` or `{"errors": {"field": ["message", ...]}}`.

Services raise Django's ValidationError (with Vietnamese messages naming the field), NotInScope
(another subtree: 404, its existence is not told), NotAllowed (the role forbids it: 403) and Conflict
(someone saved the record meanwhile: 409). An IntegrityError (a unique-constraint race lost) is the same
409 conflict.
"""

from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError
from django.utils.translation import gettext as _
from rest_framework import status
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler

from chuyende.core.conflicts import conflict_message, log_conflict
from chuyende.core.exceptions import Conflict, NotAllowed, NotInScope


def validation_errors(error: ValidationError) -> dict[str, list[str]]:
    if hasattr(error, "error_dict"):
        return {field: [str(m) for m in messages] for field, messages in error.message_dict.items()}
    return {"non_field_errors": [str(m) for m in error.messages]}


def exception_handler(exc: Exception, context: dict[str, Any]) -> Response | None:
    if isinstance(exc, NotInScope):
        return Response({"detail": _("Not found.")}, status=status.HTTP_404_NOT_FOUND)
    if isinstance(exc, NotAllowed):
        return Response({"detail": _("Your role does not allow this change.")},
                        status=status.HTTP_403_FORBIDDEN)
    if isinstance(exc, Conflict):
        return Response({"detail": " ".join(exc.messages)}, status=status.HTTP_409_CONFLICT)
    if isinstance(exc, IntegrityError):
        request = context.get("request")
        log_conflict(exc, path=getattr(request, "path", ""))
        return Response({"detail": conflict_message()}, status=status.HTTP_409_CONFLICT)
    if isinstance(exc, ValidationError):
        return Response({"errors": validation_errors(exc)}, status=status.HTTP_400_BAD_REQUEST)
    response = drf_exception_handler(exc, context)
    if response is not None and response.status_code == status.HTTP_400_BAD_REQUEST and isinstance(
        response.data, dict
    ) and "detail" not in response.data:
        response.data = {"errors": response.data}
    return response
