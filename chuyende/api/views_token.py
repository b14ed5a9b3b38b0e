"""The page where a user sees, creates or replaces their API token (`/api/token-page/`).

A token acts for its user with the user's own role and subtree; replacing it stops the old one at once.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from rest_framework.authtoken.models import Token

from chuyende.accounts.permissions import actor_of


@login_required
def token_page(request: HttpRequest) -> HttpResponse:
    user = actor_of(request)
    if request.method == "POST":
        with transaction.atomic():
            replaced = Token.objects.filter(user=user).delete()[0] > 0
            Token.objects.create(user=user)
        messages.success(request, _("Your new token is ready. The old one no longer works.") if replaced
                         else _("Your token is ready."))
        return redirect("api-token-page")
    token = Token.objects.filter(user=user).first()
    created = timezone.localdate(token.created) if token is not None else None
    return render(request, "api/token.html", {"token": token, "created": created})
