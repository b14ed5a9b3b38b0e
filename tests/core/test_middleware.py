"""A write that loses a unique-constraint race answers the 409 conflict page, never a 500.

The race is staged by letting the service's own check pass (as it does when two requests check at the
same moment): the database's constraint then refuses the second event with the same code.
"""

import pytest
from django.urls import reverse

from chuyende.events.models import Event
from tests.events.test_views_events import event_data
from tests.view_helpers import message, table_counts

pytestmark = pytest.mark.django_db

CONFLICT = ("Someone else saved the same record at the same moment, so nothing was saved. "
            "Open the page again to see what is stored now, then try again if needed.")


@pytest.fixture
def code_check_passes(monkeypatch):
    monkeypatch.setattr("chuyende.events.services._check_event_code", lambda **kwargs: None)


def test_a_lost_unique_race_is_the_409_conflict_page(users, client_for, scenario, code_check_passes, caplog):
    client = client_for(users.owner)
    data = event_data(scenario, organiser="BN.HA.HB", sites=[{"unit": "BN.HA.HB"}], code="HB-RACE")
    assert client.post(reverse("events:create"), data).status_code == 302
    before = table_counts()
    response = client.post(reverse("events:create"), data)
    assert response.status_code == 409
    assert message(CONFLICT) in response.content.decode()
    assert table_counts() == before
    assert Event.objects.filter(code="HB-RACE").count() == 1
    assert f"conflict (409) on {reverse('events:create')}" in caplog.text  # a line in the log
