"""The roll-up reads the same number of queries on the scenario and on the scenario with a commune
more (pinned exactly, Zulip style)."""

import pytest

from chuyende.figures.rollup import unit_figures
from tests.builders import D, add_commune
from tests.conftest import unit

# Queries of one roll-up, the same on SQLite and PostgreSQL.
ROLLUP_QUERIES = 7

MARCH_31 = D(2024, 3, 31)
SIZES = [pytest.param(False, id="scenario"), pytest.param(True, id="scenario-and-a-commune-more")]

pytestmark = pytest.mark.usefixtures("db")


@pytest.mark.parametrize("grown", SIZES)
def test_the_roll_up_reads_the_same_queries_at_two_sizes(scenario_module, grown, django_assert_num_queries):
    district = unit("BN.HA")
    if grown:
        add_commune(scenario_module, district, "BN.HA.MOI")
    with django_assert_num_queries(ROLLUP_QUERIES):
        rollup = unit_figures(unit=district, campaign=scenario_module, as_of=MARCH_31)
    tally = rollup.tally
    figures = (tally.members_total, tally.studied, tally.away, tally.events_organised,
               tally.outreach_sessions, len(rollup.children))
    # The commune more: 40 members listed and 20 counted, 39 + 15 studied (one listed is away), its
    # event, its 2 outreach sessions, a sixth child of the district.
    assert figures == ((352, 310, 12, 9, 63, 6) if grown else (292, 256, 11, 8, 61, 5))
