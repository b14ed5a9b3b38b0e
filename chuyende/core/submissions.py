"""Forms that forgive a double submission: one record, however many times "Save" is pressed.

Each form page carries a one-time key (`{% submission_key %}` from `core_forms`, beside
`{% csrf_token %}`). A view decorated with `@submitted_once` claims the key in the same transaction
as the view's own writes:

- the view saves and redirects: the key is remembered with the page it redirected to;
- the view shows the form again (errors): the claim is rolled back, the corrected form may be sent
  with the same key;
- the key was already used by this user (the first POST finished, or finishes while this one waits
  for the key's row): nothing runs, the user is sent to the saved record's page with a message
  saying it had already been saved.

A POST without a key (scripts, the API) is handled as before. Keys are forgotten after
`KEPT_FOR`.
"""

import datetime
import uuid
from collections.abc import Callable
from functools import wraps
from typing import Any

from django.contrib import messages
from django.db import IntegrityError, transaction
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect
from django.utils import timezone
from django.utils.translation import gettext as _

from chuyende.accounts.permissions import actor_of
from chuyende.core.models import SubmittedForm

FIELD_NAME = "submission_key"
KEPT_FOR = datetime.timedelta(days=2)

View = Callable[..., HttpResponse]


def submission_key_of(request: HttpRequest) -> uuid.UUID | None:
    """The key the POST carries, or None when it carries none (or a malformed one)."""
    raw = request.POST.get(FIELD_NAME, "") if request.method == "POST" else ""
    try:
        return uuid.UUID(raw) if raw else None
    except ValueError:
        return None


def _saved_url(key: uuid.UUID, request: HttpRequest) -> str | None:
    saved = SubmittedForm.objects.filter(key=key, user=actor_of(request))
    return saved.values_list("url", flat=True).first()


def _already_saved(request: HttpRequest, url: str) -> HttpResponse:
    messages.info(request, _("This form had already been saved; it was not saved a second time."))
    return redirect(url)


def _run_claimed(view: View, request: HttpRequest, key: uuid.UUID, args: Any, kwargs: Any) -> HttpResponse:
    with transaction.atomic():
        SubmittedForm.objects.filter(saved_at__lt=timezone.now() - KEPT_FOR).delete()
        claim = SubmittedForm.objects.create(key=key, user=actor_of(request), url="")
        response = view(request, *args, **kwargs)
        if isinstance(response, HttpResponseRedirect):
            claim.url = response.url
            claim.save(update_fields=["url"])
        else:
            transaction.set_rollback(True)  # nothing saved: the key stays free
        return response


def submitted_once(view: View) -> View:
    """Runs a form view at most once per submission key (see the module's docstring)."""

    @wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        key = submission_key_of(request)
        if key is None or not request.user.is_authenticated:
            return view(request, *args, **kwargs)
        if url := _saved_url(key, request):
            return _already_saved(request, url)
        try:
            return _run_claimed(view, request, key, args, kwargs)
        except IntegrityError:
            # Either the same key was claimed meanwhile by the first of two concurrent POSTs (send
            # this one to what it saved), or the view's own write lost a race (409, core.middleware).
            if url := _saved_url(key, request):
                return _already_saved(request, url)
            raise

    return wrapper


def new_key(request: HttpRequest) -> str:
    """The key a form page carries: the one just posted when the form comes back with errors."""
    posted = submission_key_of(request)
    return str(posted or uuid.uuid4())
