"""The dashboard reads the same number of queries on the scenario and on the scenario with a commune
more (pinned exactly, Zulip style)."""

import pytest

from chuyende.accounts.models import User
from tests.builders import add_commune
from tests.conftest import unit

# Queries of one dashboard page of the district, the same on SQLite and PostgreSQL: the officer's
# home, with its tasks (the district's own report sent or not), and the progress chart (two: the
# unit's opening and its deltas by day).
DASHBOARD_QUERIES = 17

SIZES = [pytest.param(False, id="scenario"), pytest.param(True, id="scenario-and-a-commune-more")]

pytestmark = pytest.mark.usefixtures("db")


@pytest.mark.parametrize("grown", SIZES)
def test_the_dashboard_reads_the_same_queries_at_two_sizes(scenario_module, client, grown,
                                                           django_assert_num_queries):
    district = unit("BN.HA")
    if grown:
        add_commune(scenario_module, district, "BN.HA.MOI")
    client.force_login(User.objects.create(username="q.ha.officer", unit=district, role="officer"))
    page = {"campaign": scenario_module.pk, "as_of": "2024-03-31"}
    client.get("/", page)  # the session's first page
    with django_assert_num_queries(DASHBOARD_QUERIES):
        response = client.get("/", page)
    assert response.status_code == 200
    assert ("310/322" if grown else "256/263") in response.content.decode()
