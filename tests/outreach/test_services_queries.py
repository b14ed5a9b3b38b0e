"""An outreach entry runs a fixed number of queries (pinned exactly, Zulip style)."""

import pytest

from chuyende.outreach.models import Outreach
from chuyende.outreach.services import outreach_create
from tests.builders import D
from tests.conftest import unit

# Queries of one write, the same on SQLite and PostgreSQL.
OUTREACH_CREATE_QUERIES = 10

pytestmark = pytest.mark.usefixtures("db")


def test_an_outreach_entry_runs_a_fixed_number_of_queries(scenario_module, actors, django_assert_num_queries):
    dong = unit("BN.HA.HB.DONG")
    with django_assert_num_queries(OUTREACH_CREATE_QUERIES):
        saved = outreach_create(actor=actors.owner, campaign=scenario_module, unit=dong,
                                held_on=D(2024, 3, 22), channel="loudspeaker", sessions=3, reach=400,
                                note="Loa truyền thanh thôn Đông")
    assert Outreach.objects.get(pk=saved.pk).reach == 400
