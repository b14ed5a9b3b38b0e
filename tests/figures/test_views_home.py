"""The home (the user's own unit on the dashboard): everyday tasks first, deadlines, and the sub-units
missing figures or a report, each with where to act. Nothing is recounted: the lists are the
roll-up's and the report completeness's."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from chuyende.figures.rollup import unit_figures
from chuyende.organisation.models import Unit
from tests.conftest import OUTSIDER_ROLES

pytestmark = pytest.mark.django_db

HOME_QUERIES = 17  # the dashboard of a cell (progress chart included) and its tasks


def home(client, scenario):
    return client.get("/", {"campaign": scenario.pk, "as_of": "2024-03-31"})


def test_the_cell_secretary_sees_the_cell_meeting_first(users, client_for, scenario):
    response = home(client_for(users.reporter), scenario)
    tasks = response.context["tasks"]
    assert tasks.record_meeting
    assert not tasks.send_returns  # Hòa Bình keeps its members by name
    page = response.content.decode()
    assert page.index(reverse("events:cell_meeting")) < page.index('class="card headline"')


def test_a_reporter_of_units_that_report_counts_sees_send_figures(users, client_for, scenario):
    response = home(client_for(users.outsiders["reporter"]), scenario)
    tasks = response.context["tasks"]
    assert tasks.record_meeting and tasks.send_returns
    assert f'href="{reverse("returns:member_create")}"' in response.content.decode()


def test_the_commune_officer_sees_what_is_due_and_missing_right_after_the_rate(users, client_for, scenario):
    response = home(client_for(users.owner), scenario)
    tasks = response.context["tasks"]
    hb = Unit.objects.get(code="BN.HA.HB")
    rollup = unit_figures(unit=hb, campaign=scenario, as_of=scenario.study_deadline)
    assert not tasks.actions
    assert [d.day for d in tasks.deadlines] == [scenario.study_deadline, scenario.report_deadline]
    assert [m.unit.id for m in tasks.without_data] == [ref.id for ref in rollup.units_without_data]
    assert [m.unit.id for m in tasks.without_report] == [
        ref.id for ref in response.context["completeness"].missing]
    page = response.content.decode()
    for missing in tasks.without_report:
        link = page.index(missing.url.replace("&", "&amp;"))
        assert page.index('class="card headline"') < link < page.index('id="below-target"')


@pytest.mark.parametrize("role", OUTSIDER_ROLES)
def test_another_subtree_is_not_on_the_home(users, client_for, scenario, role):
    response = home(client_for(users.outsiders[role]), scenario)
    tasks = response.context["tasks"]
    listed = [m.unit.path for m in tasks.without_data + tasks.without_report]
    hb = Unit.objects.get(code="BN.HA.HB")
    assert not [path for path in listed if path.startswith(hb.path)]
    assert "Chi bộ thôn Đông" not in response.content.decode()


def test_a_sub_unit_page_has_no_home_tasks(users, client_for, scenario):
    dong = Unit.objects.get(code="BN.HA.HB.DONG")
    response = client_for(users.owner).get("/", {"unit": dong.pk, "campaign": scenario.pk})
    assert "tasks" not in response.context


def test_the_viewer_has_no_everyday_actions(users, client_for, scenario):
    tasks = home(client_for(users.viewer), scenario).context["tasks"]
    assert not tasks.actions and not tasks.can_report


def test_the_home_adds_a_fixed_number_of_queries(users, client_for, scenario, django_assert_num_queries):
    """The same page for a sub-unit (no tasks) and the home: the tasks add at most 3 queries (the
    leaves among the units without figures, the unit's own report, the parent unit)."""
    client = client_for(users.owner)
    dong = Unit.objects.get(code="BN.HA.HB.DONG")
    home(client, scenario)
    with CaptureQueriesContext(connection) as sub_unit:
        client.get("/", {"unit": dong.pk, "campaign": scenario.pk, "as_of": "2024-03-31"})
    with CaptureQueriesContext(connection) as own:
        home(client, scenario)
    assert len(own.captured_queries) - len(sub_unit.captured_queries) <= 3
    with django_assert_num_queries(HOME_QUERIES):
        home(client, scenario)
