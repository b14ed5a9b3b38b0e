"""API authentication: tokens expire after `API_TOKEN_DAYS`; a deactivated user's token opens nothing;
a user holding a temporary password may only change it."""

import datetime
from typing import Any

from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from rest_framework import exceptions
from rest_framework.authentication import TokenAuthentication
from rest_framework.authtoken.models import Token
from rest_framework.permissions import BasePermission
from rest_framework.request import Request

from chuyende.accounts.models import User


def token_expires_at(token: Token) -> datetime.datetime:
    return token.created + datetime.timedelta(days=settings.API_TOKEN_DAYS)


def token_has_expired(token: Token) -> bool:
    return token_expires_at(token) <= timezone.now()


class ExpiringTokenAuthentication(TokenAuthentication):
    """`Authorization: Token <key>`, refused with a Vietnamese message when the token has expired or its user
    is deactivated."""

    def authenticate_credentials(self, key: str) -> tuple[Any, Token]:
        token = Token.objects.select_related("user").filter(key=key).first()
        if token is None:
            raise exceptions.AuthenticationFailed(_("Invalid API token."))
        if not token.user.is_active:
            raise exceptions.AuthenticationFailed(_("This account has been deactivated."))
        if token_has_expired(token):
            raise exceptions.AuthenticationFailed(
                _("This API token has expired: get a new one on the API access page or from "
                  "POST /api/v1/token/.")
            )
        return token.user, token


class PasswordIsNotTemporary(BasePermission):
    """A user whose password was reset may only change it (the password endpoint allows them)."""

    message = gettext_lazy("Change your temporary password first (POST /api/v1/password/).")

    def has_permission(self, request: Request, view: Any) -> bool:
        user = request.user
        return not (isinstance(user, User) and user.must_change_password)
