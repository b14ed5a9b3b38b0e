"""API authentication: tokens expire after API_TOKEN_DAYS, a deactivated user's token opens nothing, a user
holding a temporary password may only change it."""

import datetime

import pytest
from django.utils import timezone
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from chuyende.accounts.models import User
from chuyende.accounts.services import user_password_reset
from tests.api.conftest import api_url, token_client
from tests.view_helpers import translated

pytestmark = pytest.mark.django_db


def test_a_token_older_than_the_configured_days_is_refused(users, settings):
    settings.API_TOKEN_DAYS = 30
    client = token_client(users.viewer)
    assert client.get(api_url("units/")).status_code == 200
    token = Token.objects.get(user=users.viewer)
    Token.objects.filter(pk=token.pk).update(created=timezone.now() - datetime.timedelta(days=30, minutes=1))
    response = client.get(api_url("units/"))
    assert response.status_code == 401
    assert response.json()["detail"] == translated(
        "This API token has expired: get a new one on the API access page or from POST /api/v1/token/.")
    Token.objects.filter(pk=token.pk).update(created=timezone.now() - datetime.timedelta(days=29))
    assert client.get(api_url("units/")).status_code == 200


def test_a_deactivated_users_token_is_refused(users):
    client = token_client(users.viewer)
    User.objects.filter(pk=users.viewer.pk).update(is_active=False)  # even if the token was not deleted
    response = client.get(api_url("units/"))
    assert response.status_code == 401
    assert response.json()["detail"] == translated("This account has been deactivated.")


def test_an_expired_token_is_made_again_by_the_token_endpoint(users):
    from tests.conftest import TEST_PASSWORD

    old = Token.objects.create(user=users.viewer)
    Token.objects.filter(pk=old.pk).update(created=timezone.now() - datetime.timedelta(days=40))
    response = APIClient().post(api_url("token/"), {"username": "t.hb.viewer", "password": TEST_PASSWORD},
                                format="json")
    assert response.status_code == 200 and response.json()["token"] != old.key


def test_a_deactivated_user_gets_no_token_and_is_told_why(users):
    from tests.conftest import TEST_PASSWORD

    User.objects.filter(pk=users.viewer.pk).update(is_active=False)
    response = APIClient().post(api_url("token/"), {"username": "t.hb.viewer", "password": TEST_PASSWORD},
                                format="json")
    assert response.status_code == 400
    assert response.json()["errors"]["non_field_errors"] == [
        translated("This account has been deactivated. Ask an administrator of your unit.")]
    assert not Token.objects.filter(user=users.viewer).exists()


def test_a_temporary_password_opens_only_the_password_change(users):
    temporary = user_password_reset(actor=users.owner, user=users.viewer)
    client = token_client(User.objects.get(pk=users.viewer.pk))
    assert client.get(api_url("units/")).status_code == 403
    changed = client.post(api_url("password/"), {"current_password": temporary,
                                                 "new_password": "hoa-binh-moi-2025"}, format="json")
    assert changed.status_code == 200
    assert client.get(api_url("units/")).status_code == 401  # the token was revoked with the change
