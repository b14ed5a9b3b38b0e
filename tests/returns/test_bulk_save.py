"""member_returns_bulk_save and non_member_returns_bulk_save: many returns saved at once by the
single services' rules, with their records, audit entries and refusals, in a fixed number of queries."""

from collections.abc import Callable
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext

from chuyende.audit.models import AuditEntry
from chuyende.campaigns.models import Campaign
from chuyende.core.exceptions import NotAllowed, NotInScope, RowsInvalid
from chuyende.figures.rollup import unit_figures
from chuyende.returns.models import MemberReturn, NonMemberReturn
from chuyende.returns.services import (
    MemberReturnRow,
    NonMemberReturnRow,
    member_return_save,
    member_returns_bulk_save,
    non_member_return_save,
    non_member_returns_bulk_save,
)
from tests.builders import D, nothing_written
from tests.conftest import unit

pytestmark = pytest.mark.usefixtures("scenario_module", "db")


def campaign() -> Campaign:
    return Campaign.objects.get(code="CD2024")


def member_row(unit_code: str, day: tuple[int, int, int], total: int, exempt: int, away: int,
               studied: int) -> MemberReturnRow:
    return MemberReturnRow(campaign(), unit(unit_code), D(*day), total, exempt, away, studied)


def non_member_row(unit_code: str, day: tuple[int, int, int], expected: int,
                   studied: int) -> NonMemberReturnRow:
    return NonMemberReturnRow(campaign(), unit(unit_code), D(*day), expected, studied)


def stored() -> list[tuple[Any, ...]]:
    members = [("member", r.unit.code, r.as_of, r.members_total, r.exempt, r.away, r.studied)
               for r in MemberReturn.objects.select_related("unit")]
    others = [("non-member", r.unit.code, r.as_of, r.expected, r.studied, 0, 0)
              for r in NonMemberReturn.objects.select_related("unit")]
    return sorted(members + others)


def entries(after_pk: int) -> list[tuple[Any, ...]]:
    """The audit entries after `after_pk`, without the record id (a new return's differs)."""
    found = []
    for entry in AuditEntry.objects.filter(pk__gt=after_pk).order_by("pk"):
        before, after = dict(entry.before or {}), dict(entry.after or {})
        for values in (before, after):
            values.pop("id", None)
        found.append((entry.actor_id, entry.action, entry.record_type, entry.record_label, entry.unit_path,
                      before, after))
    return sorted(found, key=repr)


def last_entry() -> int:
    return AuditEntry.objects.order_by("-pk").values_list("pk", flat=True).first() or 0


SINGLE: dict[type, Callable[..., Any]] = {MemberReturnRow: member_return_save,
                                          NonMemberReturnRow: non_member_return_save}


def one_by_one(actor: Any, rows: list[Any]) -> tuple[list[Any], list[Any]]:
    """What the single services store and record for the rows; then undone."""
    with transaction.atomic():
        start = last_entry()
        for row in rows:
            SINGLE[type(row)](actor=actor, **row._asdict())
        result = stored(), entries(start)
        transaction.set_rollback(True)
    return result


def member_rows() -> list[MemberReturnRow]:
    return [
        member_row("BN.HA.HP.PM", (2024, 3, 31), 40, 3, 2, 34),  # the stored return, unchanged
        member_row("BN.HA.HP.PL", (2024, 3, 31), 36, 2, 1, 30),  # the stored return, changed
        member_row("BN.HA.HP.YT", (2024, 4, 15), 7, 0, 0, 7),  # a new return
    ]


def test_member_returns_store_and_record_what_the_single_service_does(actors):
    officer = actors.outsiders["officer"]  # of Hòa Phú, whose cells report counts
    pm = MemberReturn.objects.get(unit__code="BN.HA.HP.PM", as_of=D(2024, 3, 31))
    rows = member_rows()
    assert (pm.members_total, pm.exempt, pm.away, pm.studied) == rows[0][3:]
    expected_records, expected_entries = one_by_one(officer, rows[1:])
    start = last_entry()

    assert member_returns_bulk_save(actor=officer, rows=rows) == ["unchanged", "updated", "created"]

    assert stored() == expected_records
    assert entries(start) == expected_entries
    assert len(expected_entries) == 2


def test_non_member_returns_store_and_record_what_the_single_service_does(actors):
    officer = actors.outsiders["officer"]
    rows = [non_member_row("BN.HA.HP", (2024, 3, 31), 16, 15),
            non_member_row("BN.HA.HP", (2024, 4, 30), 20, 18)]
    expected_records, expected_entries = one_by_one(officer, rows)
    start = last_entry()

    assert non_member_returns_bulk_save(actor=officer, rows=rows) == ["updated", "created"]

    assert stored() == expected_records
    assert entries(start) == expected_entries


def test_rows_equal_to_what_is_stored_write_nothing(actors):
    with nothing_written():
        saved = member_returns_bulk_save(actor=actors.outsiders["officer"], rows=member_rows()[:1])
    assert saved == ["unchanged"]


def test_figures_after_a_bulk_save_are_those_after_the_single_service(actors):
    officer, commune, as_of = actors.outsiders["officer"], unit("BN.HA.HP"), D(2024, 4, 30)
    with transaction.atomic():
        for row in member_rows():
            member_return_save(actor=officer, **row._asdict())
        expected = unit_figures(unit=commune, campaign=campaign(), as_of=as_of)
        transaction.set_rollback(True)

    member_returns_bulk_save(actor=officer, rows=member_rows())

    assert unit_figures(unit=commune, campaign=campaign(), as_of=as_of) == expected


# --- refusals -----------------------------------------------------------------------------------------

MEMBER_REFUSALS: dict[str, tuple[Any, ...]] = {
    "more studied than expected": ("BN.HA.HP.PM", (2024, 4, 15), 40, 3, 2, 36),
    "more exempt and away than members": ("BN.HA.HP.PM", (2024, 4, 15), 4, 3, 2, 0),
    "a negative count": ("BN.HA.HP.PM", (2024, 4, 15), -1, 0, 0, 0),
    "a day outside the campaign": ("BN.HA.HP.PM", (2023, 4, 15), 40, 3, 2, 30),
    "a unit with sub-units": ("BN.HA.HP", (2024, 4, 15), 40, 3, 2, 30),
}


def single_error(actor: Any, row: Any) -> dict[str, list[str]]:
    with transaction.atomic():
        try:
            SINGLE[type(row)](actor=actor, **row._asdict())
        except ValidationError as error:
            return error.message_dict
        finally:
            transaction.set_rollback(True)
    raise AssertionError("the single service accepted the row")


@pytest.mark.parametrize("kind", list(MEMBER_REFUSALS))
def test_a_member_return_the_single_service_refuses_is_refused_with_its_message(actors, kind):
    officer = actors.outsiders["officer"]
    expected = single_error(officer, member_row(*MEMBER_REFUSALS[kind]))
    with pytest.raises(RowsInvalid) as caught, nothing_written():
        member_returns_bulk_save(actor=officer, rows=[member_rows()[2], member_row(*MEMBER_REFUSALS[kind])])
    assert list(caught.value.errors) == [1]
    assert caught.value.errors[1].message_dict == expected


def test_a_change_refused_leaves_the_stored_returns_as_they_were(actors):
    before = stored()
    with pytest.raises(RowsInvalid):
        member_returns_bulk_save(actor=actors.outsiders["officer"],
                                 rows=[*member_rows(), member_row(*MEMBER_REFUSALS["a negative count"])])
    assert stored() == before


def test_a_non_member_return_below_a_row_above_is_refused_as_the_single_service_does(actors):
    officer = actors.outsiders["officer"]
    rows = [non_member_row("BN.HA.HP", (2024, 4, 30), 20, 18),
            non_member_row("BN.HA.HP.PM", (2024, 4, 30), 5, 5),
            non_member_row("BN.HA.HP", (2024, 5, 5), 20, 30)]
    with transaction.atomic():
        non_member_return_save(actor=officer, **rows[0]._asdict())
        expected = single_error(officer, rows[1])
        transaction.set_rollback(True)
    assert list(expected) == ["unit"]

    with pytest.raises(RowsInvalid) as caught, nothing_written():
        non_member_returns_bulk_save(actor=officer, rows=rows)

    assert sorted(caught.value.errors) == [1, 2]
    assert caught.value.errors[1].message_dict == expected
    assert list(caught.value.errors[2].message_dict) == ["studied"]


# --- scope, roles, queries ------------------------------------------------------------------------------


@pytest.mark.parametrize(("role", "exception"), [("viewer", NotAllowed), ("outsider", NotInScope)])
def test_only_an_editor_of_the_units_saves_their_returns(actors, role, exception):
    actor = actors.outsiders["viewer"] if role == "viewer" else actors.owner  # Hòa Bình's officer
    with pytest.raises(exception), nothing_written():
        member_returns_bulk_save(actor=actor, rows=member_rows())
    with pytest.raises(exception), nothing_written():
        non_member_returns_bulk_save(actor=actor, rows=[non_member_row("BN.HA.HP", (2024, 4, 30), 20, 18)])


def test_the_queries_do_not_grow_with_the_rows(actors):
    officer = actors.outsiders["officer"]

    def rows(days: range) -> list[MemberReturnRow]:
        return [member_row(code, (2024, 5, day), 40, 3, 2, 20 + day) for day in days
                for code in ("BN.HA.HP.PM", "BN.HA.HP.PL", "BN.HA.HP.YT")]

    few, more = rows(range(1, 2)), rows(range(2, 7))
    changed = [row._replace(members_total=41, studied=31) for row in few + more]
    with CaptureQueriesContext(connection) as three:
        member_returns_bulk_save(actor=officer, rows=few)
    with CaptureQueriesContext(connection) as fifteen:
        member_returns_bulk_save(actor=officer, rows=more)
    with CaptureQueriesContext(connection) as eighteen:
        assert set(member_returns_bulk_save(actor=officer, rows=changed)) == {"updated"}
    assert len(three) == len(fifteen)
    assert len(eighteen) <= len(fifteen) + 2
    assert MemberReturn.objects.filter(as_of__month=5, members_total=41).count() == 18
