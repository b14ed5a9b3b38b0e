"""A member's status change runs a fixed number of queries (pinned exactly, Zulip style)."""

import pytest

from chuyende.members.models import Member
from chuyende.members.services import member_status_change
from tests.builders import D

# Queries of one write, the same on SQLite and PostgreSQL.
STATUS_CHANGE_QUERIES = 25

pytestmark = pytest.mark.usefixtures("db")


def test_a_status_change_runs_a_fixed_number_of_queries(actors, django_assert_num_queries):
    member = Member.objects.select_related("unit").get(code="HB-DONG-07")
    with django_assert_num_queries(STATUS_CHANGE_QUERIES):
        member_status_change(actor=actors.owner, member=member, status="away", since=D(2024, 3, 15))
    assert member.statuses.get(valid_to__isnull=True).status == "away"
