"""The report page reads the same number of queries on the scenario and on the scenario with a
commune more (pinned exactly, Zulip style)."""

import pytest
from django.urls import reverse

from chuyende.accounts.models import User
from chuyende.reports.services import report_create
from tests.builders import D, add_commune
from tests.conftest import unit

# Queries of the page of the district's draft report, the same on SQLite and PostgreSQL (one roll-up,
# shared by the figures shown and the checks; the tree of the report's date is read by position; the
# campaign's guiding documents and last year's campaign of the same kind, one query each; the events
# grouped by sector, audience and partner and the partial returns, three).
REPORT_PAGE_QUERIES = 93

SIZES = [pytest.param(False, id="scenario"), pytest.param(True, id="scenario-and-a-commune-more")]

pytestmark = pytest.mark.usefixtures("db")


@pytest.mark.parametrize("grown", SIZES)
def test_the_report_page_reads_the_same_queries_at_two_sizes(scenario_module, client, grown,
                                                             django_assert_num_queries):
    district = unit("BN.HA")
    if grown:
        add_commune(scenario_module, district, "BN.HA.MOI")
    report = report_create(actor=None, campaign=scenario_module, unit=district, as_of=D(2024, 3, 31))
    client.force_login(User.objects.create(username="q.ha.officer", unit=district, role="officer"))
    url = reverse("reports:detail", args=[report.pk])
    client.get(url)  # the session's first page
    with django_assert_num_queries(REPORT_PAGE_QUERIES):
        response = client.get(url)
    assert response.status_code == 200
    assert ("310/322" if grown else "256/263") in response.content.decode()
