"""Fixtures of the API tests (shared by the core and activity endpoints).

- `api_for(user)`: an APIClient authenticated with the user's token (header `Authorization: Token …`),
  answering JSON;
- `district`: an officer of the district committee BN.HA (reads the whole of Hòa An);
- `users` (from tests/conftest.py): owner/reporter/viewer of Hòa Bình (BN.HA.HB) and the Hòa Phú
  (BN.HA.HP) `outsiders` by role.
"""

from collections.abc import Callable
from typing import Any

import pytest
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from chuyende.accounts.models import User
from chuyende.accounts.services import user_create
from chuyende.organisation.models import Unit
from tests.conftest import TEST_PASSWORD

API = "/api/v1"


def api_url(path: str) -> str:
    """`api_url("members/")` -> "/api/v1/members/"."""
    return f"{API}/{path.lstrip('/')}"


def token_client(user: User) -> APIClient:
    token, _ = Token.objects.get_or_create(user=user)
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {token.key}")
    return client


@pytest.fixture
def api_for() -> Callable[[User], APIClient]:
    return token_client


@pytest.fixture
def anonymous_api() -> APIClient:
    return APIClient()


@pytest.fixture
def district(users: Any) -> User:
    """An officer of the district committee BN.HA (the users fixture makes the hashing fast)."""
    return user_create(
        actor=None, username="t.ha.officer", password=TEST_PASSWORD, unit=Unit.objects.get(code="BN.HA"),
        role="officer", full_name="t.ha.officer",
    )


def errors_of(response: Any) -> dict[str, list[str]]:
    """The `errors` object of a 400 answer (fails the test if the body has another shape)."""
    body = response.json()
    assert "errors" in body, body
    return body["errors"]  # type: ignore[no-any-return]
