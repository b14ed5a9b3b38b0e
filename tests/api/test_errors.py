"""API errors: a unique-constraint race lost, and a stale report version, are the same 409 conflict."""

import pytest

from chuyende.events.models import Event
from tests.api.conftest import api_url
from tests.api.test_activity_events import new_event
from tests.core.test_middleware import CONFLICT
from tests.view_helpers import table_counts, translated

pytestmark = pytest.mark.django_db


def test_a_lost_unique_race_answers_409_with_a_vietnamese_message(users, api_for, scenario, monkeypatch):
    monkeypatch.setattr("chuyende.events.services._check_event_code", lambda **kwargs: None)
    client = api_for(users.owner)
    body = new_event(scenario, code="HB-RACE", presenters=[])
    assert client.post(api_url("events/"), body, format="json").status_code == 201
    before = table_counts()
    response = client.post(api_url("events/"), body, format="json")
    assert response.status_code == 409
    assert response.json() == {"detail": translated(CONFLICT)}
    assert table_counts() == before
    assert Event.objects.filter(code="HB-RACE").count() == 1
