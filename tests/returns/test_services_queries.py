"""A member return and a non-member return run a fixed number of queries (pinned exactly, Zulip style)."""

import pytest

from chuyende.returns.models import MemberReturn, NonMemberReturn
from chuyende.returns.services import member_return_save, non_member_return_save
from tests.builders import D
from tests.conftest import unit

# Queries of one write, the same on SQLite and PostgreSQL.
MEMBER_RETURN_QUERIES = 22  # with the check for a later partial return
NON_MEMBER_RETURN_QUERIES = 23  # with the check for a later partial return

pytestmark = pytest.mark.usefixtures("db")


def test_a_member_return_runs_a_fixed_number_of_queries(scenario_module, actors, django_assert_num_queries):
    phu_my = unit("BN.HA.HP.PM")
    with django_assert_num_queries(MEMBER_RETURN_QUERIES):
        member_return_save(actor=actors.outsiders["officer"], campaign=scenario_module, unit=phu_my,
                           as_of=D(2024, 3, 22), members_total=40, exempt=3, away=2, studied=35)
    assert MemberReturn.objects.get(unit=phu_my, as_of=D(2024, 3, 22)).studied == 35


def test_a_non_member_return_runs_a_fixed_number_of_queries(scenario_module, actors,
                                                            django_assert_num_queries):
    hoa_phu = unit("BN.HA.HP")
    with django_assert_num_queries(NON_MEMBER_RETURN_QUERIES):
        non_member_return_save(actor=actors.outsiders["officer"], campaign=scenario_module, unit=hoa_phu,
                               as_of=D(2024, 3, 22), expected=16, studied=16)
    assert NonMemberReturn.objects.get(unit=hoa_phu, as_of=D(2024, 3, 22)).studied == 16
