"""Supervision services and selectors: bad input, scope and roles, audit, who sees which visit.

The scenario's district officers Lò Thị Mai and Trần Văn Hùng (home unit Hòa An, BN.HA) supervise
the communes; Mai visited Hòa Phú on 12/03/2024. Anything else is made here through the services.
"""

from typing import Any

import pytest

from chuyende.accounts.models import User
from chuyende.audit.models import AuditEntry
from chuyende.core.exceptions import NotAllowed, NotInScope
from chuyende.supervision.models import Supervisor, Visit
from chuyende.supervision.selectors import (
    assignments_visible_to,
    supervisors_for_list,
    visits_for_list,
    visits_visible_to,
)
from chuyende.supervision.services import assignment_create, supervisor_create, visit_create, visit_update
from tests.builders import D, forbidden, refused
from tests.conftest import unit

pytestmark = pytest.mark.usefixtures("db")


def officer(name: str = "Lò Thị Mai") -> Supervisor:
    return Supervisor.objects.get(full_name=name, unit__code="BN.HA")


def district_user(role: str = "officer") -> User:
    return User.objects.create(username=f"s.ha.{role}", unit=unit("BN.HA"), role=role)


def visit_values(campaign, **changes: Any) -> dict[str, Any]:
    values = {"campaign": campaign, "supervisor": officer(), "unit": unit("BN.HA.HB"),
              "visited_on": D(2024, 3, 20), "findings": "Sổ cam kết chưa đầy đủ",
              "follow_up": "Bổ sung sổ cam kết trước 30/4", "closed_on": None}
    return {**values, **changes}


# Officers

def test_an_officer_is_added_with_the_name_tidied_and_an_audit_entry(scenario_module, actors):
    count = AuditEntry.objects.count()
    added = supervisor_create(actor=actors.owner, unit=unit("BN.HA.HB"), full_name="  Vi  Văn   Sơn ",
                              title=" Phó Bí thư ")
    assert (added.full_name, added.title, added.unit.code) == ("Vi Văn Sơn", "Phó Bí thư", "BN.HA.HB")
    entry = AuditEntry.objects.latest("id")
    assert AuditEntry.objects.count() == count + 1
    assert (entry.action, entry.record_type, entry.unit_path) == (
        "create", "supervision.Supervisor", unit("BN.HA.HB").path,
    )


def test_an_officer_needs_a_name_not_taken_in_the_unit(scenario_module, actors):
    refused("full_name", supervisor_create, actor=actors.owner, unit=unit("BN.HA.HB"), full_name="   ")
    refused("full_name", supervisor_create, actor=None, unit=unit("BN.HA"), full_name="Lò  Thị Mai")
    # The same name in another unit is another person.
    supervisor_create(actor=actors.owner, unit=unit("BN.HA.HB"), full_name="Lò Thị Mai")


def test_officers_are_added_only_where_the_user_may_write(scenario_module, actors):
    forbidden(NotAllowed, supervisor_create, actor=actors.viewer, unit=unit("BN.HA.HB"), full_name="A B")
    forbidden(NotInScope, supervisor_create, actor=actors.owner, unit=unit("BN.HA.HP"), full_name="A B")
    forbidden(NotInScope, supervisor_create, actor=actors.owner, unit=unit("BN.HA"), full_name="A B")


# Assignments

def test_an_officer_supervises_only_units_below_their_own(scenario_module, actors):
    commune = supervisor_create(actor=None, unit=unit("BN.HA.HB"), full_name="Vi Văn Sơn")
    assignment_create(actor=actors.owner, campaign=scenario_module, supervisor=commune,
                      unit=unit("BN.HA.HB.DONG"))
    refused("unit", assignment_create, actor=None, campaign=scenario_module, supervisor=commune,
            unit=unit("BN.HA.HP.PM"))
    refused("unit", assignment_create, actor=None, campaign=scenario_module, supervisor=commune,
            unit=unit("BN.HA.HB"))
    refused("unit", assignment_create, actor=None, campaign=scenario_module, supervisor=officer(),
            unit=unit("BN.HA"))


def test_an_officer_is_assigned_to_a_unit_once_per_campaign(scenario_module):
    refused("unit", assignment_create, actor=None, campaign=scenario_module, supervisor=officer(),
            unit=unit("BN.HA.HB"))


def test_a_commune_user_cannot_assign_the_district_officers(scenario_module, actors):
    forbidden(NotInScope, assignment_create, actor=actors.owner, campaign=scenario_module,
              supervisor=officer(), unit=unit("BN.HA.HB.DONG"))
    commune = supervisor_create(actor=None, unit=unit("BN.HA.HB"), full_name="Vi Văn Sơn")
    forbidden(NotAllowed, assignment_create, actor=actors.viewer, campaign=scenario_module,
              supervisor=commune, unit=unit("BN.HA.HB.DONG"))


# Visits

def test_a_visit_is_recorded_with_an_audit_entry(scenario_module):
    user = district_user()
    count = AuditEntry.objects.count()
    visit = visit_create(actor=user, **visit_values(scenario_module, findings="  Sổ chưa đủ  "))
    assert visit.findings == "Sổ chưa đủ"
    assert AuditEntry.objects.count() == count + 1
    entry = AuditEntry.objects.latest("id")
    assert (entry.action, entry.record_type) == ("create", "supervision.Visit")
    assert entry.after is not None and entry.after["visited_on"] == "2024-03-20"


def test_a_visit_to_a_unit_outside_the_officers_subtree_is_refused(scenario_module):
    commune = supervisor_create(actor=None, unit=unit("BN.HA.HB"), full_name="Vi Văn Sơn")
    error = refused("unit", visit_create, actor=district_user(),
                    **visit_values(scenario_module, supervisor=commune, unit=unit("BN.HA.HP")))
    assert "Vi Văn Sơn" in error.message_dict["unit"][0]
    refused("unit", visit_create, actor=None, **visit_values(scenario_module, unit=unit("BN.HA")))


@pytest.mark.parametrize(
    ("field", "changes"),
    [
        ("findings", {"findings": "  \n "}),
        ("closed_on", {"closed_on": D(2024, 3, 19)}),
        ("visited_on", {"visited_on": D(2025, 1, 2), "closed_on": None}),
        ("visited_on", {"visited_on": D(2024, 1, 9)}),
    ],
    ids=["empty-findings", "closed-before-visit", "after-campaign", "before-campaign"],
)
def test_bad_visits_are_refused(scenario_module, field, changes):
    refused(field, visit_create, actor=None, **visit_values(scenario_module, **changes))


def test_a_follow_up_closed_on_the_day_of_the_visit_is_accepted(scenario_module):
    visit = visit_create(actor=None, **visit_values(scenario_module, closed_on=D(2024, 3, 20)))
    assert not visit.follow_up_open_on(D(2024, 3, 20))


def test_only_users_of_the_officers_unit_record_their_visits(scenario_module, actors):
    # Hòa Bình's officer sees Hòa Bình but not the district officer: not in scope.
    forbidden(NotInScope, visit_create, actor=actors.owner, **visit_values(scenario_module))
    forbidden(NotAllowed, visit_create, actor=district_user("viewer"), **visit_values(scenario_module))


def test_closing_a_follow_up_and_editing_a_visit(scenario_module, actors):
    user = district_user()
    visit = visit_create(actor=user, **visit_values(scenario_module))
    assert visit.follow_up_open_on(D(2024, 4, 30))
    refused("closed_on", visit_update, actor=user, visit=visit, visited_on=visit.visited_on,
            findings=visit.findings, follow_up=visit.follow_up, closed_on=D(2024, 3, 1))
    refused("findings", visit_update, actor=user, visit=visit, visited_on=visit.visited_on,
            findings=" ", follow_up=visit.follow_up, closed_on=None)
    count = AuditEntry.objects.count()
    visit_update(actor=user, visit=visit, visited_on=visit.visited_on, findings=visit.findings,
                 follow_up=visit.follow_up, closed_on=D(2024, 4, 15))
    saved = Visit.objects.get(pk=visit.pk)
    assert saved.closed_on == D(2024, 4, 15)
    assert saved.follow_up_open_on(D(2024, 4, 14)) and not saved.follow_up_open_on(D(2024, 4, 15))
    entry = AuditEntry.objects.latest("id")
    assert AuditEntry.objects.count() == count + 1
    assert entry.before is not None and entry.after is not None
    assert (entry.action, entry.before["closed_on"], entry.after["closed_on"]) == (
        "update", None, "2024-04-15",
    )
    forbidden(NotInScope, visit_update, actor=actors.owner, visit=visit, visited_on=visit.visited_on,
              findings="x", follow_up="", closed_on=None)


def test_a_visit_without_follow_up_is_never_open(scenario_module):
    visit = visit_create(actor=None, **visit_values(scenario_module, follow_up=""))
    assert not visit.follow_up_open_on(D(2024, 12, 31))


# Who sees what

def test_a_district_visit_to_a_commune_is_seen_by_the_commune_not_by_its_sibling(scenario_module, actors):
    to_hb = visit_create(actor=None, **visit_values(scenario_module))
    hoa_phu_visit = Visit.objects.get(unit__code="BN.HA.HP")
    def seen(actor: User) -> set[int]:
        return set(visits_visible_to(actor=actor, campaign=scenario_module).values_list("pk", flat=True))

    assert seen(actors.owner) == {to_hb.pk}
    assert seen(actors.outsiders["viewer"]) == {hoa_phu_visit.pk}
    assert seen(district_user()) == {to_hb.pk, hoa_phu_visit.pk}


def assigned(actor: User, campaign) -> dict[str, list[str]]:
    """Officer -> codes of the assigned units the user sees (prefetched as `visible_assignments`)."""
    rows: list[Any] = list(supervisors_for_list(actor=actor, campaign=campaign))
    return {row.full_name: [a.unit.code for a in row.visible_assignments] for row in rows}


def test_a_commune_sees_the_district_officer_with_its_own_assignment_only(scenario_module, actors):
    # Hùng supervises other communes; of Mai's units, Hòa Bình sees its own only.
    assert assigned(actors.owner, scenario_module) == {"Lò Thị Mai": ["BN.HA.HB"]}
    assert [a.unit.code for a in assignments_visible_to(actor=actors.outsiders["officer"],
                                                         campaign=scenario_module)] == ["BN.HA.HP"]


def test_the_district_sees_every_officer_and_assignment(scenario_module):
    assert assigned(district_user(), scenario_module) == {"Lò Thị Mai": ["BN.HA.HB", "BN.HA.HP"],
                    "Trần Văn Hùng": ["BN.HA.TT", "BN.HA.YT", "BN.HA.THPT"]}


def test_open_follow_ups_come_first_then_the_newest(scenario_module):
    user = district_user()
    closed = visit_create(actor=None, **visit_values(scenario_module, visited_on=D(2024, 3, 25),
                                                      closed_on=D(2024, 3, 28)))
    open_one = visit_create(actor=None, **visit_values(scenario_module, visited_on=D(2024, 3, 14)))
    later = visit_create(actor=None, **visit_values(scenario_module, visited_on=D(2024, 4, 2)))
    scenario_visit = Visit.objects.get(unit__code="BN.HA.HP")
    rows: list[Any] = list(visits_for_list(actor=user, campaign=scenario_module, on=D(2024, 3, 27)))
    # On 27/03 the follow-up of the 25/03 visit is still open; the 02/04 visit has not happened.
    assert [(r.pk, r.open_on_day) for r in rows] == [
        (closed.pk, True), (open_one.pk, True), (scenario_visit.pk, False),
    ]
    rows = list(visits_for_list(actor=user, campaign=scenario_module, on=D(2024, 4, 30)))
    assert [r.pk for r in rows] == [later.pk, open_one.pk, closed.pk, scenario_visit.pk]


def test_closing_a_visit_without_a_follow_up_is_refused(scenario_module):
    mai = Supervisor.objects.get(full_name="Lò Thị Mai")
    refused("closed_on", visit_create, actor=None, campaign=scenario_module, supervisor=mai,
            unit=unit("BN.HA.HB"), visited_on=D(2024, 3, 14), findings="Đã kiểm tra", follow_up="",
            closed_on=D(2024, 3, 20))
