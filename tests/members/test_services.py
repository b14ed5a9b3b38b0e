"""Members: bad input, status history, scope and roles, audit."""

import pytest
from django.db.models import F

from chuyende.audit.models import AuditEntry
from chuyende.core.exceptions import NotAllowed, NotInScope
from chuyende.members.models import Member, MemberStatus, status_on
from chuyende.members.selectors import members_visible_to, with_status_on
from chuyende.members.services import member_create, member_status_change, member_update
from tests.builders import D, forbidden, refused
from tests.conftest import unit

pytestmark = pytest.mark.usefixtures("scenario_module", "db")


def member(code: str) -> Member:
    return Member.objects.select_related("unit").get(code=code)


def new_member(unit_code: str = "BN.HA.HB.DONG", **changes):
    values = {
        "unit": unit(unit_code), "code": "HB-DONG-99", "full_name": "Lò Văn Mới", "sex": "male",
        "birth_year": 1990, "membership": "probationary",
    }
    return {**values, **changes}


def update_kwargs(target: Member, **changes):
    values = {
        "member": target, "unit": target.unit, "code": target.code, "full_name": target.full_name,
        "sex": target.sex, "birth_year": target.birth_year, "membership": target.membership,
    }
    return {**values, **changes}


# Bad input

def test_duplicate_member_code_is_refused_on_create():
    refused("code", member_create, actor=None, **new_member(code="HB-DONG-01"))


def test_duplicate_member_code_is_refused_on_update():
    target = member("HB-DONG-04")
    refused("code", member_update, actor=None, **update_kwargs(target, code="HB-DONG-05"))
    assert member("HB-DONG-04").full_name == target.full_name


def test_a_member_cannot_be_kept_by_name_in_a_unit_that_reports_counts():
    refused("unit", member_create, actor=None, **new_member("BN.HA.HP.PM"))
    refused("unit", member_update, actor=None,
            **update_kwargs(member("HB-DONG-04"), unit=unit("BN.HA.HP.PM")))


@pytest.mark.parametrize(("field", "value"), [("birth_year", 1850), ("birth_year", 2024), ("sex", "x"),
                                               ("membership", "honorary")])
def test_implausible_values_are_refused(field, value):
    refused(field, member_create, actor=None, **new_member(**{field: value}))


def test_an_unknown_status_is_refused():
    refused("status", member_create, actor=None, **new_member(status="retired"))


# Status history

def test_status_on_follows_the_history():
    person = member("HB-DONG-04")
    member_status_change(actor=None, member=person, status="exempt", since=D(2024, 3, 1))
    member_status_change(actor=None, member=person, status="away", since=D(2024, 5, 1))

    def status_at(day):
        return MemberStatus.objects.get(status_on(day), member=person).status

    assert status_at(D(2020, 1, 1)) == "active"
    assert status_at(D(2024, 2, 29)) == "active"
    assert status_at(D(2024, 3, 1)) == "exempt"  # a new status holds from its first day
    assert status_at(D(2024, 4, 30)) == "exempt"
    assert status_at(D(2024, 5, 1)) == "away"
    assert status_at(D(2030, 1, 1)) == "away"
    annotated = with_status_on(Member.objects.filter(pk=person.pk), D(2024, 4, 1)).get()
    assert annotated.status_now == "exempt"  # type: ignore[attr-defined]  # set by the annotation
    history = person.statuses.order_by(F("valid_from").asc(nulls_first=True))
    periods = list(history.values_list("status", "valid_from", "valid_to"))
    assert periods == [
        ("active", None, D(2024, 3, 1)),
        ("exempt", D(2024, 3, 1), D(2024, 5, 1)),
        ("away", D(2024, 5, 1), None),
    ]


@pytest.mark.parametrize("since", [D(2023, 6, 1), D(2023, 1, 1)], ids=["same-day", "before"])
def test_a_status_change_before_the_current_start_is_refused(since):
    person = member("HB-DONG-01")  # exempt since 01/06/2023
    refused("since", member_status_change, actor=None, member=person, status="active", since=since)
    assert person.statuses.get().valid_to is None


def test_the_same_status_again_is_refused():
    refused("status", member_status_change, actor=None, member=member("HB-DONG-01"), status="exempt",
            since=D(2024, 2, 1))


# Scope and roles

def test_an_outsider_naming_a_foreign_unit_or_member_is_not_in_scope(actors):
    outsider = actors.outsiders["officer"]
    forbidden(NotInScope, member_create, actor=outsider, **new_member())
    target = member("HB-DONG-04")
    forbidden(NotInScope, member_update, actor=outsider, **update_kwargs(target, full_name="X"))
    forbidden(NotInScope, member_status_change, actor=outsider, member=target, status="away",
              since=D(2024, 3, 1))
    # An insider moving a member into a unit outside their subtree names a foreign unit.
    forbidden(NotInScope, member_update, actor=actors.owner,
              **update_kwargs(target, unit=unit("BN.HA.THPT")))
    forbidden(NotInScope, member_update, actor=actors.owner,
              **update_kwargs(member("THPT-01"), full_name="X"))
    assert not members_visible_to(actor=outsider).filter(code="HB-DONG-04").exists()


def test_a_viewer_changes_nothing(actors):
    forbidden(NotAllowed, member_create, actor=actors.viewer, **new_member())
    target = member("HB-DONG-04")
    forbidden(NotAllowed, member_update, actor=actors.viewer, **update_kwargs(target, full_name="X"))
    forbidden(NotAllowed, member_status_change, actor=actors.viewer, member=target, status="away",
              since=D(2024, 3, 1))


def test_a_reporter_edits_their_unit_and_its_cells_but_not_the_sibling_commune(actors):
    created = member_create(actor=actors.reporter, **new_member("BN.HA.HB.TAY"))
    member_update(actor=actors.reporter, **update_kwargs(created, unit=unit("BN.HA.HB.TH")))
    member_status_change(actor=actors.reporter, member=created, status="away", since=D(2024, 2, 1))
    assert member("HB-DONG-99").unit.code == "BN.HA.HB.TH"
    sibling = actors.outsiders["reporter"]
    forbidden(NotInScope, member_update, actor=sibling, **update_kwargs(created, full_name="X"))
    forbidden(NotInScope, member_create, actor=actors.reporter, **new_member("BN.HA.THPT", code="THPT-99"))


# Audit

def test_create_update_and_status_change_each_leave_one_audit_entry(actors):
    count = AuditEntry.objects.count()
    created = member_create(actor=actors.owner, **new_member())
    entry = AuditEntry.objects.latest("id")
    assert AuditEntry.objects.count() == count + 1
    assert (entry.action, entry.record_type, entry.actor_id) == ("create", "members.Member", actors.owner.pk)
    assert entry.before is None
    assert entry.after is not None
    assert entry.after["code"] == "HB-DONG-99" and entry.after["statuses"] == [["active", None, None]]

    member_update(actor=actors.owner, **update_kwargs(created, full_name="Lò Văn Đổi"))
    entry = AuditEntry.objects.latest("id")
    assert AuditEntry.objects.count() == count + 2
    assert entry.before is not None and entry.after is not None
    assert (entry.before["full_name"], entry.after["full_name"]) == ("Lò Văn Mới", "Lò Văn Đổi")

    member_status_change(actor=actors.owner, member=created, status="away", since=D(2024, 2, 1))
    entry = AuditEntry.objects.latest("id")
    assert AuditEntry.objects.count() == count + 3
    assert entry.before is not None
    assert entry.before["statuses"] == [["active", None, None]]
    assert entry.after is not None
    assert entry.after["statuses"] == [["active", None, "2024-02-01"], ["away", "2024-02-01", None]]
