"""Restructuring decisions on the 2024 scenario: applied from their date with the figures before it
unchanged, undone, and refused with a message naming the operation when they cannot be applied."""

import datetime

import pytest
from django.core.exceptions import ValidationError

from chuyende.accounts.models import User
from chuyende.core.exceptions import NotAllowed, NotInScope
from chuyende.figures import ledger, tree
from chuyende.figures.rollup import unit_figures
from chuyende.members.models import Member
from chuyende.members.services import member_move
from chuyende.organisation.models import Unit
from chuyende.restructuring.models import Decision, Succession
from chuyende.restructuring.services import (
    OperationData,
    decision_apply,
    decision_create,
    decision_preview,
    decision_undo,
)
from chuyende.returns.services import member_return_save
from tests.builders import forbidden, nothing_written
from tests.conftest import unit

D = datetime.date
BEFORE, EFFECTIVE, AFTER = D(2024, 3, 31), D(2025, 7, 1), D(2025, 9, 30)

pytestmark = pytest.mark.usefixtures("db")


def decision(*operations: OperationData, scope: str = "BN", actor: User | None = None,
             effective: datetime.date = EFFECTIVE) -> Decision:
    return decision_create(actor=actor, unit=unit(scope), number="01-QĐ/TU",
                           issued_on=min(effective, D(2025, 6, 27)),
                           issuer="Ban Thường vụ Tỉnh ủy", title="Sắp xếp", effective_on=effective,
                           operations=list(operations))


def merge_communes() -> OperationData:
    return OperationData(kind="merge", data={
        "units": ["BN.HA.HB", "BN.HA.HP"],
        "into": {"code": "BN.HBP", "name": "Đảng bộ xã Hòa Bình Phú", "parent": "BN.HA",
                 "kind": "party_committee"},
    })


def coverage(code: str, campaign, day: datetime.date) -> tuple[int, int]:
    figures = unit_figures(unit=unit(code), campaign=campaign, as_of=day)
    return figures.tally.studied, figures.tally.eligible


def test_a_merge_moves_children_and_keeps_earlier_figures(scenario_module):
    before = {code: coverage(code, scenario_module, BEFORE) for code in ("BN.HA", "BN.HA.HB", "BN.HA.HP")}
    decision_apply(actor=None, decision=decision(merge_communes()))
    assert {code: coverage(code, scenario_module, BEFORE) for code in before} == before
    merged = unit("BN.HBP")
    assert sorted(tree.children_on(merged, AFTER).values_list("unit__code", flat=True)) == [
        "BN.HA.HB.DONG", "BN.HA.HB.TAY", "BN.HA.HB.TH", "BN.HA.HP.PL", "BN.HA.HP.PM", "BN.HA.HP.YT"]
    assert unit("BN.HA.HB").closed_on == EFFECTIVE
    assert set(Succession.objects.filter(successor=merged).values_list("predecessor__code", "kind")) == {
        ("BN.HA.HB", "merge"), ("BN.HA.HP", "merge")}
    # On the new tree the merged commune holds both communes' roster and returns as of the later day.
    after = coverage("BN.HBP", scenario_module, AFTER)
    studied = [coverage(code, scenario_module, D(2025, 6, 30)) for code in ("BN.HA.HB", "BN.HA.HP")]
    assert after == (sum(s for s, _ in studied), sum(e for _, e in studied))
    assert coverage("BN.HA", scenario_module, AFTER) == coverage("BN.HA", scenario_module, D(2025, 6, 30))
    assert ledger.differences() == []


def test_a_change_of_parent_and_name_takes_effect_on_its_day(scenario_module):
    town = unit("BN.HA.TT")
    decision_apply(actor=None, decision=decision(
        OperationData(kind="change", data={"unit": "BN.HA.TT", "parent": "BN", "name": "Đảng bộ xã Hòa An"})))
    assert tree.position_on(town, BEFORE).name == "Đảng bộ thị trấn Hòa An"
    assert tree.position_on(town, AFTER).parent_id == unit("BN").pk
    unit_before = coverage("BN.HA", scenario_module, BEFORE)
    assert unit_before == (256, 263)
    town_after = coverage("BN.HA.TT", scenario_module, AFTER)
    assert coverage("BN.HA", scenario_module, AFTER)[1] == 263 - town_after[1]
    assert ledger.differences() == []


def test_undo_puts_everything_back(scenario_module):
    counts = ledger.stored_counts()
    made = decision_apply(actor=None, decision=decision(merge_communes()))
    decision_undo(actor=None, decision=made)
    assert not Unit.objects.filter(code="BN.HBP").exists()
    assert unit("BN.HA.HB").closed_on is None
    assert tree.position_on(unit("BN.HA.HB.DONG"), AFTER).parent_id == unit("BN.HA.HB").pk
    assert ledger.stored_counts() == counts
    assert Decision.objects.get(pk=made.pk).state == Decision.State.UNDONE


def test_undo_is_refused_once_records_were_written_on_the_new_tree(scenario_module):
    made = decision_apply(actor=None, decision=decision(merge_communes(), effective=D(2024, 6, 1)))
    member_return_save(actor=None, campaign=scenario_module, unit=unit("BN.HA.HP.PM"), as_of=D(2024, 9, 30),
                       members_total=40, exempt=0, away=0, studied=30)
    with pytest.raises(ValidationError, match="không thể hủy"), nothing_written():
        decision_undo(actor=None, decision=made)


@pytest.mark.parametrize(("operation", "said"), [
    (OperationData(kind="change", data={"unit": "BN.HA", "parent": "BN.HA.HB"}), "trực thuộc chính nó"),
    (OperationData(kind="merge", data={"units": ["BN.HA.HB", "BN.HA.HB.DONG"], "into": {
        "code": "X", "name": "X", "parent": "BN.HA", "kind": "party_committee"}}), "khác cấp"),
    (OperationData(kind="close", data={"unit": "BN.HA.HB"}), "vẫn còn đơn vị trực thuộc"),
    (OperationData(kind="change", data={"unit": "BN.HA.HB.DONG", "parent": "BN.HA.HB.TAY"}), "là chi bộ"),
    (OperationData(kind="change", data={"unit": "BN.NOPE", "name": "X"}), "không có đơn vị mã BN.NOPE"),
    (OperationData(kind="move_members", data={"members": ["HB-DONG-04"], "to": "BN.HA.HB.DONG"}),
     "đã sinh hoạt tại"),
], ids=["cycle", "levels", "open-children", "under-a-cell", "unknown", "same-unit"])
def test_a_plan_that_cannot_be_applied_is_refused_whole(scenario_module, operation, said):
    made = decision(OperationData(kind="change", data={"unit": "BN.HA.TT", "name": "Đảng bộ xã Hòa An"}),
                    operation)
    with pytest.raises(ValidationError) as caught, nothing_written():
        decision_apply(actor=None, decision=made)
    assert list(caught.value.message_dict) == ["operations[1]"]
    assert said in " ".join(caught.value.message_dict["operations[1]"])


def test_an_operation_on_a_unit_closed_by_an_earlier_one_is_refused(scenario_module):
    made = decision(merge_communes(), OperationData(kind="change", data={"unit": "BN.HA.HB", "name": "X"}))
    with pytest.raises(ValidationError, match="không hoạt động vào ngày 01/07/2025"), nothing_written():
        decision_apply(actor=None, decision=made)


def test_two_decisions_contradicting_each_other_on_one_day_are_refused(scenario_module):
    decision_apply(actor=None, decision=decision(
        OperationData(kind="change", data={"unit": "BN.HA.TT", "name": "Đảng bộ xã Hòa An"})))
    second = decision(OperationData(kind="change",
                                    data={"unit": "BN.HA.TT", "name": "Đảng bộ phường Hòa An"}))
    with pytest.raises(ValidationError, match="thay đổi khác đi"), nothing_written():
        decision_apply(actor=None, decision=second)


def test_a_member_move_keeps_their_earlier_unit_before_its_day(scenario_module):
    member = Member.objects.get(code="HB-DONG-04")
    day_before = coverage("BN.HA.HB.DONG", scenario_module, D(2025, 8, 31))
    member_move(actor=None, member=member, unit=unit("BN.HA.HB.TAY"), on=D(2025, 9, 1))
    assert coverage("BN.HA.HB.DONG", scenario_module, D(2025, 8, 31)) == day_before
    assert coverage("BN.HA.HB.DONG", scenario_module, D(2025, 9, 1)) == (day_before[0] - 1, day_before[1] - 1)
    assert ledger.differences() == []


@pytest.mark.parametrize(("target", "on", "field", "said"), [
    ("BN.HA.HB.TAY", D(2023, 1, 1), "on", None),
    ("BN.HA.HB", D(2025, 9, 1), "unit", "is not open"),
], ids=["before-joining", "closed-unit"])
def test_a_member_move_that_cannot_be_is_refused(scenario_module, target, on, field, said):
    member = Member.objects.get(code="HB-DONG-03")  # away since 15/10/2023
    if said:
        decision_apply(actor=None, decision=decision(merge_communes()))
    with pytest.raises(ValidationError) as caught, nothing_written():
        member_move(actor=None, member=member, unit=unit(target), on=on)
    assert "members" in caught.value.message_dict


def test_a_plan_outside_the_actor_subtree_is_not_found_and_a_reporter_may_not(actors):
    made = decision(OperationData(kind="change", data={"unit": "BN.HA.HP", "name": "X"}), scope="BN.HA.HP")
    forbidden(NotInScope, decision_apply, actor=actors.owner, decision=made)
    own = decision(OperationData(kind="change", data={"unit": "BN.HA.HB.DONG", "name": "X"}),
                   scope="BN.HA.HB")
    forbidden(NotAllowed, decision_apply, actor=actors.reporter, decision=own)


def test_the_preview_shows_the_change_and_writes_nothing(scenario_module):
    made = decision(merge_communes())
    with nothing_written():
        preview = decision_preview(actor=None, decision=made)
    assert preview.errors == {}
    assert {change.code for change in preview.units} >= {"BN.HBP", "BN.HA.HB", "BN.HA.HB.DONG"}
    assert all(change.day >= EFFECTIVE for change in preview.figures)
    assert any(change.unit == "BN.HBP" and change.figure == "members_total" for change in preview.figures)


def test_the_preview_of_a_plan_that_cannot_be_applied_names_the_operation(scenario_module):
    made = decision(OperationData(kind="close", data={"unit": "BN.HA.HB"}))
    with nothing_written():
        preview = decision_preview(actor=None, decision=made)
    assert list(preview.errors) == ["operations[0]"]
