"""Each kind: a good file imports through the services; importing it again changes nothing and leaves no
audit entry; a changed row updates the stored record (and only that one)."""

import datetime
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest

from chuyende.accounts.models import User
from chuyende.audit.models import AuditEntry
from chuyende.events.models import Attendance, Event, Presenter
from chuyende.imports import engine
from chuyende.materials.models import MaterialTransfer
from chuyende.members.models import Member, MemberStatus
from chuyende.organisation.models import Unit
from chuyende.outreach.models import Outreach
from chuyende.pledges.models import Pledge, PledgeReturn
from chuyende.returns.models import MemberReturn, NonMemberReturn
from tests.builders import nothing_written, row_counts
from tests.imports.fixtures import kind_csv, kind_csv_of, template_with

pytestmark = pytest.mark.usefixtures("db")
D = datetime.date


@pytest.fixture
def district(actors) -> User:
    """An officer of the district (BN.HA), whose subtree has units reporting counts."""
    return User.objects.create(username="s.ha.officer", unit=Unit.objects.get(code="BN.HA"), role="officer")


def run(actor: User | None, kind: str, data: bytes, filename: str = "file.xlsx", **options: Any):
    return engine.run_import(actor=actor, kind=kind, file=data, filename=filename, **options)


@dataclass(frozen=True)
class Case:
    actor: str  # "owner" (officer of Hòa Bình) or "district"
    rows: tuple[dict[str, Any], ...]
    changed: tuple[dict[str, Any], ...]  # the same rows, one of them changed
    probe: Callable[[], Any]  # what the changed row changes, read from the database
    audit_entries: int = 1  # entries the changed row adds
    stored: int = 0  # rows equal to records the scenario already has


def _unit_name() -> str:
    return Unit.objects.get(code="BN.HA.HB.NEW").name


def _member() -> tuple:
    member = Member.objects.get(code="HB-NEW-1")
    periods = MemberStatus.objects.filter(member=member)
    statuses = list(periods.values_list("status", "valid_from", "valid_to"))
    return member.full_name, member.birth_year, statuses


def _member_return() -> int:
    return MemberReturn.objects.get(unit__code="BN.HA.HP.PM", as_of=D(2024, 3, 15)).studied


def _non_member_return() -> int:
    return NonMemberReturn.objects.get(unit__code="BN.HA.HB", as_of=D(2024, 3, 15)).studied


def _pledge_return() -> tuple:
    record = PledgeReturn.objects.get(unit__code="BN.HA.HP.PM", as_of=D(2024, 3, 20))
    return record.registered, record.good


def _presenter() -> str:
    return Presenter.objects.get(code="P-NEW").full_name


def _event() -> tuple:
    event = Event.objects.get(code="N1")
    sites = sorted(event.sites.values_list("unit__code", "other_members", "non_members"))
    return event.title, sites


def _attendance() -> list:
    return sorted(Attendance.objects.filter(event__code="E3").values_list("member__code", flat=True))


def _outreach() -> list:
    return sorted(Outreach.objects.filter(unit__code="BN.HA.HB", held_on=D(2024, 5, 2))
                  .values_list("channel", "sessions", "reach"))


def _materials() -> list:
    return sorted(MaterialTransfer.objects.filter(sender__code="BN.HA.HB", sent_on=D(2024, 2, 1))
                  .values_list("recipient__code", "item", "quantity"))


def _pledge() -> tuple:
    pledge = Pledge.objects.get(member__code="HB-DONG-18")
    return pledge.text, pledge.rating, pledge.rated_on


NEW_UNIT = {"code": "BN.HA.HB.NEW", "name": "Chi bộ thôn Mới", "kind": "cell", "parent": "BN.HA.HB",
            "tracking": "individual", "opened_on": D(2024, 2, 1)}
NEW_MEMBER = {"code": "HB-NEW-1", "full_name": "Lê Thị Mới", "sex": "female", "birth_year": 1990,
              "unit": "BN.HA.HB.DONG", "membership": "full", "status": "active"}
NEW_MEMBER_2 = {**NEW_MEMBER, "code": "HB-NEW-2", "full_name": "Trần Văn Hai", "sex": "male"}
RETURN = {"campaign": "CD2024", "unit": "BN.HA.HP.PM", "as_of": D(2024, 3, 15), "members_total": 40,
          "exempt": 3, "away": 2, "studied": 30}
RETURN_2 = {**RETURN, "unit": "BN.HA.HP.YT", "members_total": 7, "exempt": 0, "away": 0, "studied": 5}
NON_MEMBER = {"campaign": "CD2024", "unit": "BN.HA.HB", "as_of": D(2024, 3, 15), "expected": 14,
              "studied": 10}
PLEDGE_RETURN = {"campaign": "CD2024", "unit": "BN.HA.HP.PM", "as_of": D(2024, 3, 20), "registered": 30,
                 "excellent": 0, "good": 0, "not_met": 0}
PRESENTER = {"code": "P-NEW", "full_name": "Hà Văn Mới", "title": "Bí thư Chi bộ", "unit": "BN.HA.HB"}
EVENT_SITE_1 = {"campaign": "CD2024", "code": "N1", "organiser": "BN.HA.HB", "held_on": D(2024, 3, 22),
                "format": "in_person", "title": "Hội nghị chuyên đề", "presenters": "P3",
                "site_unit": "BN.HA.HB", "other_members": 5, "non_members": 2}
EVENT_SITE_2 = {**EVENT_SITE_1, "site_unit": "BN.HA.HB.DONG", "other_members": 3, "non_members": 0}
ATTENDEE_1 = {"campaign": "CD2024", "event": "E3", "site_unit": "BN.HA.HB", "member": "HB-DONG-04"}
ATTENDEE_2 = {**ATTENDEE_1, "member": "HB-DONG-06"}
ATTENDEE_3 = {**ATTENDEE_1, "member": "HB-TAY-04"}
OUTREACH = {"campaign": "CD2024", "unit": "BN.HA.HB", "held_on": D(2024, 5, 2), "channel": "oral",
            "sessions": 3, "reach": 120, "note": "Tuyên truyền tại nhà văn hóa"}
OUTREACH_2 = {**OUTREACH, "channel": "loudspeaker", "sessions": 4, "reach": None, "note": ""}
MATERIAL = {"campaign": "CD2024", "sender": "BN.HA.HB", "recipient": "BN.HA.HB.DONG", "item": "book",
            "quantity": 5, "sent_on": D(2024, 2, 1)}
MATERIAL_2 = {**MATERIAL, "recipient": "BN.HA.HB.TAY", "quantity": 4}
PLEDGE = {"campaign": "CD2024", "member": "HB-DONG-18", "registered_on": D(2024, 3, 21),
          "text": "Gương mẫu trong công việc", "rating": "good", "rated_on": D(2024, 12, 20)}
PLEDGE_2 = {**PLEDGE, "member": "HB-DONG-04", "registered_on": D(2024, 3, 20),
            "text": "Đăng ký làm theo: nêu gương trong thực hiện nhiệm vụ được giao", "rating": "excellent"}

CASES = {
    "units": Case("owner", (NEW_UNIT,), ({**NEW_UNIT, "name": "Chi bộ thôn Mới Lập"},), _unit_name),
    "members": Case("owner", (NEW_MEMBER, NEW_MEMBER_2),
                    ({**NEW_MEMBER, "full_name": "Lê Thị Mới Sửa", "status": "away",
                      "status_since": D(2024, 6, 1)}, NEW_MEMBER_2),
                    _member),  # name and status changed: one entry (members_bulk_update)
    "member_returns": Case("district", (RETURN, RETURN_2), ({**RETURN, "studied": 33}, RETURN_2),
                           _member_return),
    "non_member_returns": Case("owner", (NON_MEMBER,), ({**NON_MEMBER, "studied": 12},), _non_member_return),
    "pledge_returns": Case("district", (PLEDGE_RETURN,), ({**PLEDGE_RETURN, "good": 20},), _pledge_return),
    "presenters": Case("owner", (PRESENTER,), (), _presenter),
    "events": Case("owner", (EVENT_SITE_1, EVENT_SITE_2),
                   ({**EVENT_SITE_1, "other_members": 6}, EVENT_SITE_2), _event),
    # E3 already lists HB-DONG-04, HB-DONG-06 and HB-TAY-04.
    "attendance": Case("owner", (ATTENDEE_1, ATTENDEE_2, ATTENDEE_3), (ATTENDEE_1, ATTENDEE_2), _attendance,
                       stored=3),
    "outreach": Case("owner", (OUTREACH, OUTREACH_2), ({**OUTREACH, "reach": 150}, OUTREACH_2), _outreach),
    "materials": Case("owner", (MATERIAL, MATERIAL_2), ({**MATERIAL, "quantity": 6}, MATERIAL_2), _materials,
                      audit_entries=2),
    "pledges": Case("owner", (PLEDGE, PLEDGE_2), ({**PLEDGE, "text": "Gương mẫu, tận tụy"}, PLEDGE_2),
                    _pledge, stored=1),
}


def actor_for(case: Case, actors, district) -> User:
    return actors.owner if case.actor == "owner" else district


@pytest.mark.parametrize("kind", list(CASES))
def test_a_good_file_imports_then_changes_nothing_then_updates_a_changed_row(actors, district, kind):
    case = CASES[kind]
    actor = actor_for(case, actors, district)
    first = run(actor, kind, template_with(kind, *case.rows))
    assert first.problems == []
    assert first.rows == len(case.rows)
    assert (first.created, first.updated, first.unchanged) == (len(case.rows) - case.stored, 0, case.stored)
    stored = case.probe()

    with nothing_written():
        again = run(actor, kind, template_with(kind, *case.rows))
    assert again.problems == []
    assert (again.created, again.updated, again.unchanged) == (0, 0, len(case.rows))

    if not case.changed:
        return
    entries = AuditEntry.objects.count()
    changed = run(actor, kind, template_with(kind, *case.changed))
    assert changed.problems == []
    assert changed.created == 0
    assert changed.updated >= 1
    assert changed.unchanged == len(case.changed) - changed.updated
    assert case.probe() != stored
    assert AuditEntry.objects.count() == entries + case.audit_entries


def test_unit_created_with_its_values(actors):
    run(actors.owner, "units", template_with("units", NEW_UNIT))
    unit = Unit.objects.get(code="BN.HA.HB.NEW")
    assert unit.parent is not None
    assert (unit.parent.code, unit.kind, unit.tracking, unit.opened_on) == (
        "BN.HA.HB", "cell", "individual", D(2024, 2, 1))
    entry = AuditEntry.objects.filter(record_type="organisation.Unit", record_id=str(unit.pk)).get()
    assert entry.actor == actors.owner


def test_units_of_a_file_are_created_parents_first(actors):
    child = {**NEW_UNIT, "code": "BN.HA.HB.NEW.TO", "name": "Tổ 1", "parent": "BN.HA.HB.NEW"}
    result = run(actors.owner, "units", template_with("units", child, NEW_UNIT))
    assert result.problems == []
    assert Unit.objects.filter(code="BN.HA.HB.NEW.TO", parent__code="BN.HA.HB.NEW").exists()


def test_member_status_change_from_its_day(actors):
    run(actors.owner, "members", template_with("members", NEW_MEMBER))
    result = run(actors.owner, "members", template_with(
        "members", {**NEW_MEMBER, "status": "away", "status_since": D(2024, 6, 1)}))
    assert (result.updated, result.problems) == (1, [])
    assert _member()[2] == [("active", None, D(2024, 6, 1)), ("away", D(2024, 6, 1), None)]


def test_event_rows_make_one_event_with_its_bridge_points(actors):
    result = run(actors.owner, "events", template_with("events", EVENT_SITE_1, EVENT_SITE_2))
    assert (result.created, result.problems) == (2, [])
    event = Event.objects.get(code="N1")
    assert [p.code for p in event.presenters.all()] == ["P3"]
    assert _event()[1] == [("BN.HA.HB", 5, 2), ("BN.HA.HB.DONG", 3, 0)]


def test_events_keep_their_attendees_when_the_counts_change(actors):
    before = _attendance()
    e3 = {"campaign": "CD2024", "code": "E3", "organiser": "BN.HA.HB", "held_on": D(2024, 2, 27),
          "format": "video", "title": "Hội nghị học tập Chuyên đề qua đĩa ghi hình bài giảng",
          "presenters": "P3", "site_unit": "BN.HA.HB", "other_members": 1, "non_members": 4}
    result = run(actors.owner, "events", template_with("events", e3))
    assert (result.updated, result.problems) == (1, [])
    assert _attendance() == before
    assert Event.objects.get(code="E3").sites.get().other_members == 1


def test_attendance_adds_and_takes_off_members_of_the_bridge_points_named(actors):
    result = run(actors.owner, "attendance", template_with(
        "attendance", ATTENDEE_1, {**ATTENDEE_1, "member": "HB-DONG-07"}))
    assert (result.created, result.updated, result.problems) == (1, 1, [])
    assert _attendance() == ["HB-DONG-04", "HB-DONG-07"]


def test_pledge_registered_and_rated_in_one_file(actors):
    result = run(actors.owner, "pledges", template_with("pledges", PLEDGE))
    assert (result.created, result.problems) == (1, [])
    assert _pledge() == ("Gương mẫu trong công việc", "good", D(2024, 12, 20))
    unrated = {**PLEDGE, "rating": "", "rated_on": None}
    cleared = run(actors.owner, "pledges", template_with("pledges", unrated))
    assert (cleared.updated, cleared.problems) == (1, [])
    assert _pledge()[1:] == ("", None)


def test_a_csv_file_imports_like_the_workbook(actors):
    data = kind_csv("members", NEW_MEMBER)
    result = run(actors.owner, "members", data, filename="dang-vien.csv")
    assert (result.created, result.problems) == (1, [])
    with nothing_written():
        assert run(actors.owner, "members", data, filename="dang-vien.csv").unchanged == 1


def test_the_campaign_of_the_import_fills_empty_campaign_cells(actors, scenario_module):
    row = {**OUTREACH, "campaign": None}
    without = run(actors.owner, "outreach", template_with("outreach", row))
    assert [p.header for p in without.problems] == ["Mã đợt học tập"]
    result = run(actors.owner, "outreach", template_with("outreach", row), campaign=scenario_module)
    assert (result.created, result.problems) == (1, [])


def test_a_service_refusal_is_a_problem_on_its_row_and_column_and_nothing_is_written(actors, district):
    # Hòa Phú Phú Mỹ reports 40 members, 3 exempt and 2 away: 35 expected, so 36 cannot have studied.
    rows = (RETURN_2, {**RETURN, "studied": 36})
    with nothing_written():
        result = run(district, "member_returns", template_with("member_returns", *rows))
    assert [(p.row, p.column) for p in result.problems] == [(3, "Số đảng viên đã học tập (G)")]
    assert "36" in result.problems[0].message
    assert (result.created, result.updated, result.unchanged) == (0, 0, 0)


def test_progress_is_reported_to_the_end(actors):
    calls: list[tuple[int, int]] = []
    rows = [{**NEW_MEMBER, "code": f"HB-P-{n}"} for n in range(150)]
    result = run(actors.owner, "members", template_with("members", *rows),
                 progress=lambda done, total: calls.append((done, total)))
    assert result.created == 150
    assert calls[-1] == (150, 150)
    assert [done for done, _total in calls] == sorted(done for done, _total in calls)
    assert 50 <= len(calls) <= 210


def test_a_viewer_imports_nothing(actors):
    before = row_counts()
    result = run(actors.viewer, "members", template_with("members", NEW_MEMBER))
    assert [(p.row, p.column) for p in result.problems] == [(2, "Mã đơn vị (E)")]
    assert row_counts() == before


def test_events_without_the_presenters_column_keep_their_presenters(actors):
    e3 = {"campaign": "CD2024", "code": "E3", "organiser": "BN.HA.HB", "held_on": D(2024, 2, 27),
          "format": "video", "title": "Hội nghị học tập Chuyên đề qua đĩa ghi hình bài giảng",
          "site_unit": "BN.HA.HB", "other_members": 0, "non_members": 4}
    columns = list(e3)
    with nothing_written():
        result = run(actors.owner, "events", kind_csv_of("events", columns, e3), filename="buoi.csv")
    assert (result.unchanged, result.problems) == (1, [])
    assert [p.code for p in Event.objects.get(code="E3").presenters.all()] == ["P3"]


def test_an_event_without_a_code_is_found_by_its_organiser_date_format_and_title(actors):
    row = {**EVENT_SITE_1, "code": None}
    assert run(actors.owner, "events", template_with("events", row)).created == 1
    with nothing_written():
        assert run(actors.owner, "events", template_with("events", row)).unchanged == 1
    changed = run(actors.owner, "events", template_with("events", {**row, "non_members": 9}))
    assert (changed.updated, changed.problems) == (1, [])
    assert Event.objects.get(title="Hội nghị chuyên đề", code="").sites.get().non_members == 9
