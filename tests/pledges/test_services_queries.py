"""A pledge return runs a fixed number of queries (pinned exactly, Zulip style)."""

import pytest

from chuyende.pledges.models import PledgeReturn
from chuyende.pledges.services import pledge_return_save
from tests.builders import D
from tests.conftest import unit

# Queries of one write, the same on SQLite and PostgreSQL.
PLEDGE_RETURN_QUERIES = 22

pytestmark = pytest.mark.usefixtures("db")


def test_a_pledge_return_runs_a_fixed_number_of_queries(scenario_module, actors, django_assert_num_queries):
    phu_my = unit("BN.HA.HP.PM")
    with django_assert_num_queries(PLEDGE_RETURN_QUERIES):
        pledge_return_save(actor=actors.outsiders["officer"], campaign=scenario_module, unit=phu_my,
                           as_of=D(2024, 12, 20), registered=35, excellent=10, good=20, not_met=5)
    assert PledgeReturn.objects.get(unit=phu_my, as_of=D(2024, 12, 20)).rated == 35
