"""The page where a user sees, creates or replaces their API token (`/api/token-page/`).

A token acts for its user with the user's own role and subtree; replacing it stops the old one at once.
"""

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from rest_framework.authtoken.models import Token
from rest_framework.authtoken.views import ObtainAuthToken
from rest_framework.request import Request
from rest_framework.response import Response

from chuyende.accounts.permissions import actor_of
from chuyende.accounts.services import api_token_get_or_create, api_token_replace


@login_required
def token_page(request: HttpRequest) -> HttpResponse:
    user = actor_of(request)
    if request.method == "POST":
        _token, replaced = api_token_replace(user=user)
        messages.success(request, _("Your new token is ready. The old one no longer works.") if replaced
                         else _("Your token is ready."))
        return redirect("api-token-page")
    token = Token.objects.filter(user=user).first()
    created = timezone.localdate(token.created) if token is not None else None
    return render(request, "api/token.html", {"token": token, "created": created})


class TokenView(ObtainAuthToken):
    """POST username and password: the user's API token (made on first use)."""

    def post(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        token = api_token_get_or_create(user=serializer.validated_data["user"])
        return Response({"token": token.key})
