"""API access: token authentication, the user's token page, the OpenAPI document and its browsable page."""

from pathlib import Path

import pytest
from django.core.management import call_command
from django.urls import reverse
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from chuyende.accounts.services import API_TOKEN_CHANGE
from chuyende.audit.models import AuditEntry
from tests.api.conftest import api_url
from tests.conftest import TEST_PASSWORD
from tests.view_helpers import message

pytestmark = pytest.mark.django_db


def test_a_token_is_obtained_with_username_and_password_and_opens_the_api(users):
    client = APIClient()
    response = client.post(
        api_url("token/"), {"username": "t.hb.viewer", "password": TEST_PASSWORD}, format="json"
    )
    assert response.status_code == 200, response.content
    key = response.json()["token"]
    assert Token.objects.get(user=users.viewer).key == key
    entries = AuditEntry.objects.filter(record_type="accounts.User", record_id=str(users.viewer.pk))
    made = [entry.before for entry in entries if API_TOKEN_CHANGE in (entry.after or {})]
    assert made == [{API_TOKEN_CHANGE: None}]
    credentials = {"username": "t.hb.viewer", "password": TEST_PASSWORD}
    again = client.post(api_url("token/"), credentials, format="json")
    assert again.json()["token"] == key
    client.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    listed = client.get(api_url("units/"))
    assert listed.status_code == 200 and listed.json()["count"] == 4  # the viewer's subtree only


def test_a_wrong_password_gives_no_token(users):
    response = APIClient().post(
        api_url("token/"), {"username": "t.hb.viewer", "password": "x"}, format="json"
    )
    assert response.status_code == 400
    assert "non_field_errors" in response.json()["errors"]
    assert not Token.objects.exists()


@pytest.mark.parametrize("path", ["units/", "members/", "campaigns/", "reports/", "figures/?campaign=1"])
def test_without_credentials_or_with_a_bad_token_nothing_is_answered(path, users):
    assert APIClient().get(api_url(path)).status_code == 401
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION="Token 0123456789abcdef0123456789abcdef01234567")
    assert client.get(api_url(path)).status_code == 401


def test_a_session_of_the_pages_also_opens_the_api(users, client_for):
    response = client_for(users.owner).get(api_url("units/"))
    assert response.status_code == 200 and response.json()["count"] == 4


# --- the token page --------------------------------------------------------------------------------------


def test_token_page_creates_shows_and_replaces_the_token(users, client_for):
    client = client_for(users.viewer)
    page = client.get(reverse("api-token-page"))
    assert page.status_code == 200
    assert message("You have no token yet.") in page.content.decode()
    created = client.post(reverse("api-token-page"), follow=True)
    first = Token.objects.get(user=users.viewer).key
    assert first in created.content.decode()
    assert message("Your token is ready.") in created.content.decode()
    replaced = client.post(reverse("api-token-page"), follow=True)
    second = Token.objects.get(user=users.viewer).key
    assert second != first and second in replaced.content.decode()
    assert message("Your new token is ready. The old one no longer works.") in replaced.content.decode()
    old = APIClient()
    old.credentials(HTTP_AUTHORIZATION=f"Token {first}")
    assert old.get(api_url("units/")).status_code == 401


def test_token_page_needs_a_login(db):
    response = APIClient().get(reverse("api-token-page"))
    assert response.status_code == 302 and reverse("login") in response["Location"]


def test_token_page_shows_only_the_users_own_token(users, client_for):
    other = Token.objects.create(user=users.owner).key
    page = client_for(users.viewer).get(reverse("api-token-page")).content.decode()
    assert other not in page


# --- OpenAPI ---------------------------------------------------------------------------------------------


def test_the_openapi_document_validates_without_warnings(tmp_path: Path):
    target = tmp_path / "schema.yaml"
    call_command("spectacular", "--validate", "--fail-on-warn", "--file", str(target), "--api-version", "v1")
    text = target.read_text()
    for path in (
        "/api/v1/units/",
        "/api/v1/members/{id}/status/",
        "/api/v1/reports/{id}/return/",
        "/api/v1/figures/",
        "/api/v1/campaigns/",
    ):
        assert f"  {path}:" in text, path


def test_the_document_and_its_page_need_a_login(users, api_for):
    assert APIClient().get("/api/schema/?format=json").status_code == 401
    page = APIClient().get("/api/docs/")
    assert page.status_code == 302 and page["Location"].startswith(reverse("login"))
    assert api_for(users.viewer).get("/api/schema/?format=json").status_code == 200  # a token opens it too


def test_the_document_and_the_browsable_page_are_served(users, client_for):
    document = client_for(users.viewer).get("/api/schema/?format=json")
    assert document.status_code == 200
    schema = document.json()
    create = schema["paths"]["/api/v1/members/"]["post"]
    assert set(create["responses"]) == {"201", "400", "403", "404", "409"}
    assert create["requestBody"]["content"]["application/json"]["schema"]["$ref"].endswith(
        "MemberCreateRequest"
    )
    figures = schema["paths"]["/api/v1/figures/"]["get"]
    assert {p["name"] for p in figures["parameters"]} == {"unit", "campaign", "as_of"}
    page = client_for(users.viewer).get("/api/docs/")
    assert page.status_code == 200 and "swagger" in page.content.decode().lower()
    assert "cdn" not in page.content.decode().lower()  # the Swagger UI is served from the app
