"""Shared helpers of the activity API tests, and the checks every activity endpoint shares: login required,
nested errors named by their path, an OpenAPI description without warnings."""

from typing import Any

import pytest
from django.apps import apps
from drf_spectacular.drainage import GENERATOR_STATS
from drf_spectacular.generators import SchemaGenerator
from drf_spectacular.validation import validate_schema
from rest_framework.test import APIClient

from chuyende.accounts.models import User
from chuyende.api import serializers_activity, views_activity
from chuyende.api.views_activity import flat_errors
from chuyende.organisation.models import Unit
from tests.api.conftest import api_url

pytestmark = pytest.mark.django_db

LISTS = ("events/", "presenters/", "member-returns/", "non-member-returns/", "outreach/",
         "material-transfers/", "pledges/", "pledge-returns/", "supervision-visits/")


def uid(code: str) -> int:
    return Unit.objects.get(code=code).pk


def rows(response: Any) -> list[dict[str, Any]]:
    """The rows of a page of a list (fails unless the answer is 200)."""
    assert response.status_code == 200, response.content
    return response.json()["results"]  # type: ignore[no-any-return]


def make_user(username: str, unit_code: str, role: str) -> User:
    return User.objects.create(username=username, unit=Unit.objects.get(code=unit_code), role=role)


def audit_count() -> int:
    return apps.get_model("audit.AuditEntry").objects.count()


def refused_with(response: Any, *fields: str) -> dict[str, list[str]]:
    """A 400 whose `errors` name exactly these fields, each with a message."""
    assert response.status_code == 400, (response.status_code, response.content)
    errors: dict[str, list[str]] = response.json()["errors"]
    assert sorted(errors) == sorted(fields), errors
    assert all(message for messages in errors.values() for message in messages), errors
    return errors


# --- shared checks ---------------------------------------------------------------------------------------


@pytest.mark.parametrize("path", LISTS)
def test_login_is_required(path):
    response = APIClient().get(api_url(path))
    assert response.status_code in (401, 403)
    assert "results" not in response.json()


def test_nested_errors_are_named_by_their_path():
    errors = {
        "title": ["Trường này là bắt buộc."],
        "sites": [{}, {"unit": ["Bad."], "non_members_by_category": {"religious": ["Not a number."]}}],
        "presenters": ["Bad id."],
        "non_field_errors": ["Whole body."],
    }
    assert flat_errors(errors) == {
        "title": ["Trường này là bắt buộc."],
        "sites.1.unit": ["Bad."],
        "sites.1.non_members_by_category.religious": ["Not a number."],
        "presenters": ["Bad id."],
        "non_field_errors": ["Whole body."],
    }
    assert flat_errors(["Not a dictionary."]) == {"non_field_errors": ["Not a dictionary."]}
    # A nested body of the wrong shape: the message is the field's.
    wrong_shape = {"sites": {"non_field_errors": ["Expected a list."]}}
    assert flat_errors(wrong_shape) == {"sites": ["Expected a list."]}


def test_openapi_description_of_the_activity_endpoints_has_no_warning():
    GENERATOR_STATS.reset()
    schema = SchemaGenerator(api_version="v1").get_schema(request=None, public=True)
    validate_schema(schema)
    mine = ["views_activity", "serializers_activity", "EventFormatEnum", "OutreachChannelEnum",
            "MaterialItemEnum", "PledgeRatingEnum"] + [
        name for module in (views_activity, serializers_activity) for name, value in vars(module).items()
        if isinstance(value, type) and value.__module__ == module.__name__
    ]
    warnings = [str(key) for key in GENERATOR_STATS._warn_cache if any(name in str(key) for name in mine)]
    errors = [str(key) for key in GENERATOR_STATS._error_cache if any(name in str(key) for name in mine)]
    assert warnings == [] and errors == []
    paths = schema["paths"]
    for path in LISTS:
        assert f"/api/v1/{path}" in paths
        assert "get" in paths[f"/api/v1/{path}"]
    assert set(paths["/api/v1/events/{id}/sites/{unit_id}/attendees/"]) >= {"get", "put"}
    assert "post" in paths["/api/v1/units/{unit_id}/pledge-ratings/"]
    # Writes are described with their body and their errors.
    create = paths["/api/v1/events/"]["post"]
    assert set(create["responses"]) >= {"201", "400", "403", "404"}
    body = create["requestBody"]["content"]["application/json"]["schema"]
    assert body["$ref"].endswith("EventWriteRequest")
