"""members_bulk_update: stored members changed many at once, by member_update's and
member_status_change's rules, with the same records and audit entries as those services.

Each test compares with the single services called on the same members (then rolled back): the
stored member and its status periods, the audit entry's before and after, the refusal's fields and
messages, the figures of the roll-up.
"""

import datetime
from collections.abc import Callable
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext

from chuyende.audit.models import AuditEntry
from chuyende.campaigns.models import Campaign
from chuyende.core.exceptions import NotAllowed, NotInScope
from chuyende.figures.rollup import unit_figures
from chuyende.members.models import Member, MemberStatus
from chuyende.members.services import (
    MemberChange,
    MemberRowsInvalid,
    member_status_change,
    member_update,
    members_bulk_update,
)
from tests.builders import nothing_written
from tests.conftest import unit

pytestmark = pytest.mark.usefixtures("scenario_module", "db")
D = datetime.date


def member(code: str) -> Member:
    return Member.objects.select_related("unit").get(code=code)


def change(stored_code: str, /, **values: Any) -> MemberChange:
    """A change of the stored member `stored_code`: its stored values, but those given."""
    target = member(stored_code)
    stored = {"unit": target.unit, "code": target.code, "full_name": target.full_name, "sex": target.sex,
              "birth_year": target.birth_year, "membership": target.membership}
    return MemberChange(target, **{**stored, **values})


def single(actor: Any, item: MemberChange) -> None:
    """The change through member_update and member_status_change, as an import did row by row."""
    if item.edits_fields():
        member_update(actor=actor, member=member(item.member.code), unit=item.unit, code=item.code,
                      full_name=item.full_name, sex=item.sex, birth_year=item.birth_year,
                      membership=item.membership)
    if item.status:
        assert item.status_since is not None
        member_status_change(actor=actor, member=member(item.code), status=item.status,
                             since=item.status_since)


def stored(codes: list[str]) -> list[tuple[Any, ...]]:
    """The members' fields, search key, unit and status periods."""
    return sorted(
        (m.code, m.full_name, m.sex, m.birth_year, m.unit.code, m.membership, m.search_key,
         tuple(sorted((s.status, str(s.valid_from), str(s.valid_to)) for s in m.statuses.all())))
        for m in Member.objects.filter(code__in=codes).select_related("unit")
    )


def entries(after_pk: int) -> list[tuple[Any, ...]]:
    """The audit entries written after `after_pk`, as (action, record, label, unit, before, after)."""
    return [(e.actor_id, e.action, e.record_type, e.record_id, e.record_label, e.unit_path, e.before, e.after)
            for e in AuditEntry.objects.filter(pk__gt=after_pk).order_by("pk")]


def last_entry() -> int:
    return AuditEntry.objects.order_by("-pk").values_list("pk", flat=True).first() or 0


def one_by_one(actor: Any, make: Callable[[], list[MemberChange]]) -> tuple[list[Any], list[Any]]:
    """What the single services store and record for the changes; then undone."""
    with transaction.atomic():
        start = last_entry()
        items = make()
        for item in items:
            single(actor, item)
        result = stored([item.code for item in items]), entries(start)
        transaction.set_rollback(True)
    return result


# --- the same records and entries as the single services ---------------------------------------------

CHANGES: dict[str, Callable[[], list[MemberChange]]] = {
    "name": lambda: [change("HB-DONG-04", full_name="Lò Ngọc Nga Mới")],
    "unit": lambda: [change("HB-DONG-05", unit=unit("BN.HA.HB.TAY"))],
    "every field": lambda: [change("HB-DONG-06", full_name="Bùi Linh", sex="male", birth_year=1964,
                                   membership="probationary")],
    "status": lambda: [change("HB-DONG-03", status="active", status_since=D(2024, 6, 1))],
    "status of an active member": lambda: [change("HB-DONG-07", status="away", status_since=D(2024, 6, 1))],
}


@pytest.mark.parametrize("kind", list(CHANGES))
def test_a_change_stores_and_records_what_the_single_service_does(actors, kind):
    expected_records, expected_entries = one_by_one(actors.owner, CHANGES[kind])
    start = last_entry()

    items = CHANGES[kind]()
    assert members_bulk_update(actor=actors.owner, changes=items) == 1

    assert stored([item.code for item in items]) == expected_records
    assert entries(start) == expected_entries
    assert len(expected_entries) == 1


def test_fields_and_status_changed_together_are_one_entry_from_before_both_to_after_both(actors):
    def make() -> list[MemberChange]:
        return [change("HB-DONG-02", full_name="Đặng Thu Linh Mới", status="active",
                       status_since=D(2024, 5, 2))]

    expected_records, expected_entries = one_by_one(actors.owner, make)
    assert len(expected_entries) == 2  # member_update's, then member_status_change's
    start = last_entry()

    members_bulk_update(actor=actors.owner, changes=make())

    assert stored(["HB-DONG-02"]) == expected_records
    (entry,) = entries(start)
    first, second = expected_entries
    assert entry[:4] == first[:4] == second[:4]
    assert (entry[4], entry[5]) == (second[4], second[5])
    assert (entry[6], entry[7]) == (first[6], second[7])


def test_many_changes_store_what_the_single_services_store(actors):
    def make() -> list[MemberChange]:
        return [item for items in CHANGES.values() for item in items()]

    expected_records, expected_entries = one_by_one(actors.owner, make)
    start = last_entry()

    assert members_bulk_update(actor=actors.owner, changes=make()) == len(CHANGES)

    assert stored([item.code for item in make()]) == expected_records
    assert sorted(entries(start)) == sorted(expected_entries)


def test_the_instances_hold_what_was_written(actors):
    item = change("HB-DONG-05", unit=unit("BN.HA.HB.TAY"), full_name="Đỗ Hương")
    members_bulk_update(actor=actors.owner, changes=[item])
    assert (item.member.unit.code, item.member.full_name) == ("BN.HA.HB.TAY", "Đỗ Hương")
    fresh = member("HB-DONG-05")
    assert (fresh.unit_id, fresh.full_name, fresh.search_key) == (
        item.member.unit_id, item.member.full_name, item.member.search_key)


def test_changes_equal_to_what_is_stored_write_nothing(actors):
    with nothing_written(), CaptureQueriesContext(connection) as queries:
        unchanged = [change("HB-DONG-04"), change("HB-DONG-05")]
        assert members_bulk_update(actor=actors.owner, changes=unchanged) == 0
    assert not [query for query in queries if query["sql"].lstrip().upper().startswith(("UPDATE", "INSERT"))]


def test_figures_after_a_bulk_update_are_those_after_the_single_services(actors):
    campaign = Campaign.objects.get(code="CD2024")
    commune = unit("BN.HA.HB")

    def make() -> list[MemberChange]:
        return [change("HB-DONG-03", status="active", status_since=D(2024, 3, 1)),
                change("HB-DONG-07", status="away", status_since=D(2024, 3, 1)),
                change("HB-DONG-08", status="transferred_out", status_since=D(2024, 3, 1)),
                change("HB-DONG-09", unit=unit("BN.HA.HB.TAY"))]

    as_of = D(2024, 3, 31)
    with transaction.atomic():
        for item in make():
            single(actors.owner, item)
        expected = unit_figures(unit=commune, campaign=campaign, as_of=as_of)
        transaction.set_rollback(True)
    before = unit_figures(unit=commune, campaign=campaign, as_of=as_of)

    members_bulk_update(actor=actors.owner, changes=make())

    after = unit_figures(unit=commune, campaign=campaign, as_of=as_of)
    assert after == expected
    assert after != before


# --- refusals: the single services' errors, nothing written ------------------------------------------

REFUSED: dict[str, Callable[[], MemberChange]] = {
    "a unit reporting counts": lambda: change("HB-DONG-04", unit=unit("BN.HA.HP.PM")),
    "a code taken": lambda: change("HB-DONG-04", code="HB-DONG-05"),
    "a sex not in the list": lambda: change("HB-DONG-04", sex="x"),
    "an implausible birth year": lambda: change("HB-DONG-04", birth_year=2020),
    "a name too long": lambda: change("HB-DONG-04", full_name="A" * 256),
    "a status not in the list": lambda: change("HB-DONG-04", status="retired", status_since=D(2024, 6, 1)),
    "the current status": lambda: change("HB-DONG-03", status="away", status_since=D(2024, 6, 1)),
    "a day before the current status": lambda: change("HB-DONG-03", status="active",
                                                      status_since=D(2023, 1, 1)),
    "the day of the current status": lambda: change("HB-DONG-03", status="active",
                                                    status_since=D(2023, 10, 15)),
}


def single_error(actor: Any, item: MemberChange) -> dict[str, list[str]]:
    with transaction.atomic():
        try:
            single(actor, item)
        except ValidationError as error:
            return error.message_dict
        finally:
            transaction.set_rollback(True)
    raise AssertionError("the single services accepted the change")


@pytest.mark.parametrize("kind", list(REFUSED))
def test_a_change_the_single_services_refuse_is_refused_with_their_message(actors, kind):
    # Hòa Bình keeps every member by name: a unit reporting counts is outside its officer's scope.
    actor = None if kind == "a unit reporting counts" else actors.owner
    expected = single_error(actor, REFUSED[kind]())
    good = change("HB-DONG-06", full_name="Bùi Ngọc Linh Mới")
    codes = ["HB-DONG-03", "HB-DONG-04", "HB-DONG-05", "HB-DONG-06"]
    before = stored(codes)

    with pytest.raises(MemberRowsInvalid) as caught, nothing_written():
        members_bulk_update(actor=actor, changes=[good, REFUSED[kind]()])

    assert list(caught.value.errors) == [1]
    assert caught.value.errors[1].message_dict == expected
    assert stored(codes) == before


def test_every_refused_change_is_listed(actors):
    items = [change("HB-DONG-04", sex="x"), change("HB-DONG-05", full_name="Đỗ Thị Hương Mới"),
             change("HB-DONG-03", status="away", status_since=D(2024, 6, 1))]
    with pytest.raises(MemberRowsInvalid) as caught:
        members_bulk_update(actor=actors.owner, changes=items)
    assert sorted(caught.value.errors) == [0, 2]


def test_a_code_given_up_by_a_change_above_is_free(actors):
    items = [change("HB-DONG-04", code="HB-DONG-04-OLD"), change("HB-DONG-05", code="HB-DONG-04")]
    members_bulk_update(actor=actors.owner, changes=items)
    assert member("HB-DONG-04").full_name == "Đỗ Thị Hương"
    assert member("HB-DONG-04-OLD").full_name == "Lò Ngọc Nga"


def test_a_code_taken_by_a_change_above_is_refused(actors):
    items = [change("HB-DONG-04", code="HB-NEW-CODE"), change("HB-DONG-05", code="HB-NEW-CODE")]
    with pytest.raises(MemberRowsInvalid) as caught:
        members_bulk_update(actor=actors.owner, changes=items)
    assert list(caught.value.errors) == [1]
    assert list(caught.value.errors[1].message_dict) == ["code"]


# --- scope and roles ---------------------------------------------------------------------------------


@pytest.mark.parametrize(("role", "exception"), [("viewer", NotAllowed), ("outsider", NotInScope)])
def test_only_an_editor_of_the_members_units_changes_them(actors, role, exception):
    actor = actors.viewer if role == "viewer" else actors.outsiders["officer"]
    with pytest.raises(exception), nothing_written():
        members_bulk_update(actor=actor, changes=[change("HB-DONG-04", full_name="Lò Ngọc Nga Mới")])
    assert member("HB-DONG-04").full_name == "Lò Ngọc Nga"


def test_a_member_cannot_be_moved_out_of_the_scope(actors):
    with pytest.raises(NotInScope), nothing_written():
        members_bulk_update(actor=actors.owner, changes=[change("HB-DONG-04", unit=unit("BN.HA.TT.KP1"))])
    assert member("HB-DONG-04").unit.code == "BN.HA.HB.DONG"


def test_a_member_outside_the_scope_cannot_be_changed(actors):
    outside = Member.objects.exclude(unit__path__startswith=unit("BN.HA.HB").path).first()
    assert outside is not None
    with pytest.raises(NotInScope):
        members_bulk_update(actor=actors.owner, changes=[change(outside.code, full_name="Tên Khác")])


# --- queries -----------------------------------------------------------------------------------------


def dong_changes(count: int) -> list[MemberChange]:
    codes = list(Member.objects.filter(unit__code="BN.HA.HB.DONG", statuses__valid_to__isnull=True,
                                       statuses__status="active").order_by("code")
                 .values_list("code", flat=True)[:count])
    assert len(codes) == count
    return [change(code, full_name=f"Tên Mới {index}", status="away", status_since=D(2024, 6, 1))
            for index, code in enumerate(codes)]


def test_the_queries_do_not_grow_with_the_changes(actors):
    few, more = dong_changes(8), None
    with transaction.atomic():
        with CaptureQueriesContext(connection) as two:
            members_bulk_update(actor=actors.owner, changes=few[:2])
        transaction.set_rollback(True)
    more = dong_changes(8)
    with CaptureQueriesContext(connection) as eight:
        assert members_bulk_update(actor=actors.owner, changes=more) == 8
    assert len(eight) == len(two)
    assert len(eight) <= 25  # the members (12), their counters (11 with earlier units; 13 on PostgreSQL)
    assert MemberStatus.objects.filter(member__code__in=[item.code for item in more], status="away",
                                       valid_from=D(2024, 6, 1), valid_to__isnull=True).count() == 8
