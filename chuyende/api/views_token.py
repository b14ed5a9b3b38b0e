"""The page where a user sees, creates or replaces their API token (`/api/token-page/`).

A token acts for its user with the user's own role and subtree; replacing it stops the old one at once.
"""

import math
from typing import Any, NoReturn

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.auth.signals import user_logged_in
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from rest_framework import serializers
from rest_framework.authtoken.models import Token
from rest_framework.authtoken.serializers import AuthTokenSerializer
from rest_framework.authtoken.views import ObtainAuthToken
from rest_framework.exceptions import Throttled, ValidationError
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.throttling import ScopedRateThrottle

from chuyende.accounts.authentication import token_expires_at
from chuyende.accounts.login_limits import locked_out_json
from chuyende.accounts.models import User
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
    expires = timezone.localdate(token_expires_at(token)) if token is not None else None
    return render(request, "api/token.html", {"token": token, "created": created, "expires": expires})


class LoginTokenSerializer(AuthTokenSerializer):
    """Django REST framework's, telling a deactivated user (with the right password) why no token comes."""

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        try:
            return super().validate(attrs)  # type: ignore[no-any-return]
        except serializers.ValidationError:
            if getattr(self.context.get("request"), "axes_locked_out", False):
                raise  # a locked login name tells nothing more
            user = User.objects.filter(username=attrs.get("username"), is_active=False).first()
            if user is not None and user.check_password(attrs.get("password") or ""):
                raise serializers.ValidationError(
                    _("This account has been deactivated. Ask an administrator of your unit."),
                    code="authorization",
                ) from None
            raise


USERNAME_MAX_LENGTH = 150  # User.username's


class TokenRequestSerializer(LoginTokenSerializer):
    # No login name is longer than a user's can be; a longer one is refused before it is looked up.
    username = serializers.CharField(label=AuthTokenSerializer().fields["username"].label, write_only=True,
                                     max_length=USERNAME_MAX_LENGTH)


class TokenView(ObtainAuthToken):
    """POST username and password: the user's API token (made on first use).

    Limited like the login page: a locked account answers 429 with the time to try again, whatever the
    password; and a client address may ask at most settings.REST_FRAMEWORK's "token" rate.
    """

    serializer_class = TokenRequestSerializer
    throttle_classes = [ScopedRateThrottle]
    throttle_scope = "token"

    def throttled(self, request: Request, wait: float | None) -> NoReturn:
        seconds = math.ceil(wait or 1)
        error = Throttled(detail=ngettext(
            "Too many token requests from this address. Please try again in %(seconds)d second.",
            "Too many token requests from this address. Please try again in %(seconds)d seconds.",
            seconds) % {"seconds": seconds})
        error.wait = seconds  # type: ignore[attr-defined]  # the Retry-After header
        raise error

    def post(self, request: Request, *args: Any, **kwargs: Any) -> Response | Any:
        serializer = self.get_serializer(data=request.data)
        try:
            serializer.is_valid(raise_exception=True)
        except ValidationError:
            if getattr(request, "axes_locked_out", False):  # set by axes during this authentication
                return locked_out_json(str(request.data.get("username", "")))
            raise
        user = serializer.validated_data["user"]
        # Proving the password here is a login: the change log records it, and axes forgets the failures.
        user_logged_in.send(sender=user.__class__, request=request, user=user)
        token = api_token_get_or_create(user=user)
        return Response({"token": token.key})
