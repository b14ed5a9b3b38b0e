"""The maintained counters against a recount from the records, after the writes that are hard to
keep exactly: a status dated in the past, an event deleted, a unit moved or closed, a return
superseded, a tracking mode changed. Each write goes through its service; then `differences()` must
find nothing, and the roll-up read from the counters must equal the roll-up after a rebuild. Each
test runs twice: on the counters alone, and with an opening at every month start of every unit (the
writes then carry their deltas into the openings after their days)."""

import datetime
from typing import Any

import pytest

from chuyende.campaigns.models import Campaign
from chuyende.events.models import Event, StudyRecord
from chuyende.events.services import event_delete
from chuyende.figures.ledger import add_openings, ancestors_or_self, differences, rebuild, subtract, union
from chuyende.figures.models import DailyCount, OpeningCount
from chuyende.figures.rollup import RollUp, unit_figures
from chuyende.members.models import Member
from chuyende.members.services import member_status_change
from chuyende.organisation.models import Unit
from chuyende.organisation.services import unit_create, unit_update
from chuyende.returns.services import member_return_save
from tests.conftest import unit

pytestmark = pytest.mark.django_db
DATES = (datetime.date(2024, 1, 1), datetime.date(2024, 2, 29), datetime.date(2024, 3, 1),
         datetime.date(2024, 3, 15), datetime.date(2024, 3, 31), datetime.date(2024, 12, 31))


@pytest.fixture(params=[False, True], ids=["counters", "openings"])
def scenario(request, scenario):
    if request.param:
        assert add_openings(min_rows=1) > 0
        assert add_openings(min_rows=1) == 0
    return scenario


def every_rollup(campaign: Campaign) -> dict[tuple[str, datetime.date], RollUp]:
    return {(u.code, day): unit_figures(unit=u, campaign=campaign, as_of=day)
            for u in Unit.objects.order_by("path") for day in DATES}


def assert_counters_exact(campaign: Campaign) -> None:
    assert differences() == []
    live = every_rollup(campaign)
    rebuild()
    OpeningCount.objects.all().delete()
    assert every_rollup(campaign) == live


def test_the_scenario_as_loaded_has_exact_counters(scenario):
    assert DailyCount.objects.exists()
    assert_counters_exact(scenario)


def test_a_status_dated_before_a_study_record(scenario):
    record = StudyRecord.objects.filter(campaign=scenario).order_by("first_studied_on").last()
    assert record is not None
    member = Member.objects.get(pk=record.member_id)
    before = unit_figures(unit=member.unit, campaign=scenario, as_of=DATES[-1])
    member_status_change(actor=None, member=member, status="away",
                         since=record.first_studied_on - datetime.timedelta(days=3))
    after = unit_figures(unit=member.unit, campaign=scenario, as_of=DATES[-1])
    assert after.tally.away == before.tally.away + 1
    assert_counters_exact(scenario)


def test_a_deleted_event(scenario):
    event = Event.objects.filter(campaign=scenario, sites__isnull=False).order_by("held_on").first()
    assert event is not None
    event_delete(actor=None, event=event)
    assert_counters_exact(scenario)


def _update(target: Unit, **changes: Any) -> None:
    values = {"code": target.code, "name": target.name, "kind": target.kind, "tracking": target.tracking,
              "parent": target.parent, "opened_on": target.opened_on, "closed_on": target.closed_on}
    unit_update(actor=None, unit=target, **{**values, **changes})


def test_a_moved_unit(scenario):
    cell, commune = unit("BN.HA.HB.DONG"), unit("BN.HA.HP")
    rollup = unit_figures(unit=cell, campaign=scenario, as_of=DATES[-1])
    _update(cell, parent=commune)
    moved = unit_figures(unit=commune, campaign=scenario, as_of=DATES[-1])
    assert any(child.unit.code == "BN.HA.HB.DONG" for child in moved.children)
    assert unit_figures(unit=unit("BN.HA.HB.DONG"), campaign=scenario, as_of=DATES[-1]).tally == rollup.tally
    assert_counters_exact(scenario)


def test_a_closed_unit_and_a_changed_tracking_mode(scenario):
    _update(unit("BN.HA.HB.TAY"), closed_on=datetime.date(2024, 3, 20))
    target = unit("BN.HA.TT.KP1")
    _update(target, tracking=Unit.Tracking.AGGREGATE
            if target.tracking == Unit.Tracking.INDIVIDUAL else Unit.Tracking.INDIVIDUAL)
    assert_counters_exact(scenario)


def test_a_return_superseded_and_one_dated_earlier(scenario):
    leaves = Unit.objects.filter(tracking=Unit.Tracking.AGGREGATE, children__isnull=True)
    reporting = leaves.order_by("path")[0]
    for day, studied in ((datetime.date(2024, 3, 20), 5), (datetime.date(2024, 3, 5), 3)):
        member_return_save(actor=None, campaign=scenario, unit=reporting, as_of=day, members_total=20,
                           exempt=1, away=1, studied=studied)
    assert_counters_exact(scenario)


def test_paths_are_made_of_the_ids():
    assert ancestors_or_self("000000001.000000042.") == [1, 42]


def test_windows_merge_and_cut():
    day = datetime.date
    assert union([(day(2024, 1, 1), day(2024, 2, 1)), (day(2024, 2, 1), None)]) == [(day(2024, 1, 1), None)]
    assert subtract([(day(2024, 1, 1), None)], [(day(2024, 2, 1), day(2024, 3, 1))]) == [
        (day(2024, 1, 1), day(2024, 2, 1)), (day(2024, 3, 1), None)]


def test_a_unit_whose_only_sub_unit_closed_is_a_leaf_with_open_units_below(scenario):
    district = unit("BN.HA")
    per_person = Unit.Tracking.INDIVIDUAL
    commune = unit_create(actor=None, code="BN.HA.NEW", name="Xã mới", kind=Unit.Kind.PARTY_COMMITTEE,
                          parent=district, tracking=per_person)
    closed = unit_create(actor=None, code="BN.HA.NEW.OLD", name="Chi bộ cũ", kind=Unit.Kind.CELL,
                         parent=commune, tracking=per_person, closed_on=datetime.date(2024, 3, 1))
    unit_create(actor=None, code="BN.HA.NEW.OLD.A", name="Tổ A", kind=Unit.Kind.CELL, parent=closed,
                tracking=per_person)
    listed = unit_figures(unit=district, campaign=scenario, as_of=DATES[2]).units_without_data
    assert {"BN.HA.NEW", "BN.HA.NEW.OLD.A"} <= {ref.code for ref in listed}
    before = unit_figures(unit=district, campaign=scenario, as_of=DATES[0]).units_without_data
    assert "BN.HA.NEW" not in {ref.code for ref in before}  # its sub-unit was still open
    assert_counters_exact(scenario)


def test_a_restructuring_then_writes_dated_on_both_sides_of_it(scenario):
    from chuyende.events.services import SiteData, event_create
    from chuyende.members.services import member_move
    from chuyende.restructuring.services import OperationData, decision_apply, decision_create

    effective = datetime.date(2024, 3, 10)
    decision = decision_create(
        actor=None, unit=unit("BN"), number="01", issued_on=effective, issuer="Tỉnh ủy", title="Sắp xếp",
        effective_on=effective, operations=[
            OperationData(kind="merge", data={"units": ["BN.HA.HB", "BN.HA.HP"], "into": {
                "code": "BN.HA.HBP", "name": "Đảng bộ xã Hòa Bình Phú", "parent": "BN.HA",
                "kind": "party_committee"}}),
            OperationData(kind="change", data={"unit": "BN.HA.YT", "parent": "BN.HA.TT", "kind": "cell"}),
        ])
    decision_apply(actor=None, decision=decision)
    assert_counters_exact(scenario)
    members = list(Member.objects.filter(unit=unit("BN.HA.HB.DONG"), statuses__status="active",
                                         statuses__valid_to__isnull=True).order_by("code")[:3])
    member_status_change(actor=None, member=members[0], status="away", since=datetime.date(2024, 3, 1))
    member_status_change(actor=None, member=members[1], status="exempt", since=datetime.date(2024, 3, 20))
    member_move(actor=None, member=members[2], unit=unit("BN.HA.HB.TAY"), on=datetime.date(2024, 3, 25))
    event_create(actor=None, campaign=scenario, organiser=unit("BN.HA.HBP"),
                 held_on=datetime.date(2024, 3, 26), format="in_person", title="Hội nghị sau sắp xếp",
                 sites=[SiteData(unit=unit("BN.HA.HB.DONG"), other_members=3)])
    member_return_save(actor=None, campaign=scenario, unit=unit("BN.HA.HP.PM"),
                       as_of=datetime.date(2024, 3, 5), members_total=40, exempt=1, away=1, studied=30)
    assert_counters_exact(scenario)


def test_a_restructuring_undone(scenario):
    from chuyende.restructuring.services import OperationData, decision_apply, decision_create, decision_undo

    effective = datetime.date(2024, 3, 10)
    decision = decision_create(
        actor=None, unit=unit("BN"), number="02", issued_on=effective, issuer="Tỉnh ủy", title="Sắp xếp",
        effective_on=effective,
        operations=[OperationData(kind="change", data={"unit": "BN.HA.TT", "parent": "BN"})])
    before = every_rollup(scenario)
    decision_apply(actor=None, decision=decision)
    decision_undo(actor=None, decision=decision)
    assert every_rollup(scenario) == before
    assert_counters_exact(scenario)
