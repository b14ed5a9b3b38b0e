"""The answer to an unexpected error (HTTP 500), with the request's id for the user to quote.

Django has already logged the error with its traceback (logger `django.request`) when this runs; the
log line and this answer carry the same id, so an administrator finds the one from the other.
"""

from django.http import HttpRequest, HttpResponse, HttpResponseServerError, JsonResponse
from django.template import loader
from django.utils.translation import gettext as _
from django.views.decorators.csrf import requires_csrf_token

from chuyende.core.request_id import current_request_id

API_PREFIX = "/api/"


@requires_csrf_token
def server_error(request: HttpRequest) -> HttpResponse:
    request_id = current_request_id()
    if request.path_info.startswith(API_PREFIX):
        return JsonResponse({
            "detail": _("An unexpected error occurred on the server. Quote this error code to the "
                        "administrator: %(code)s.") % {"code": request_id},
            "request_id": request_id,
        }, status=500)
    return HttpResponseServerError(loader.get_template("500.html").render({"request_id": request_id}))
