"""attendance_lists_replace: the lists of many bridge points replaced at once, storing and recording
what event_update stores and records for the same lists, refusing what it refuses, in a fixed number
of queries, with the first study days (StudyRecord) and listed counts kept right."""

from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext

from chuyende.audit.models import AuditEntry
from chuyende.campaigns.models import Campaign
from chuyende.core.exceptions import NotAllowed, NotInScope, RowsInvalid
from chuyende.events.models import Attendance, Event, Site, StudyRecord
from chuyende.events.services import AttendanceList, SiteData, attendance_lists_replace, event_update
from chuyende.figures.rollup import unit_figures
from chuyende.members.models import Member
from tests.builders import D, nothing_written
from tests.conftest import unit

pytestmark = pytest.mark.usefixtures("scenario_module", "db")


def event(code: str) -> Event:
    return Event.objects.select_related("organiser", "campaign").get(code=code)


def members(*codes: str) -> tuple[Member, ...]:
    found = {m.code: m for m in Member.objects.filter(code__in=codes).select_related("unit")}
    return tuple(found[code] for code in codes)


def listing(event_code: str, unit_code: str, *codes: str) -> AttendanceList:
    return AttendanceList(event(event_code), unit(unit_code), members(*codes))


def through_event_update(actor: Any, lists: list[AttendanceList]) -> None:
    """The lists given by event_update, the event otherwise as stored (as imports did)."""
    for code in dict.fromkeys(item.event.code for item in lists):
        stored = event(code)
        named = {item.unit.id: item.members for item in lists if item.event.code == code}
        sites = [SiteData(unit=site.unit, other_members=site.other_members, non_members=site.non_members,
                          non_members_by_category=dict(site.non_members_by_category),
                          attendees=named.get(site.unit_id, tuple(a.member for a in site.attendances.all())))
                 for site in stored.sites.select_related("unit").order_by("unit__path")]
        event_update(actor=actor, event=stored, organiser=stored.organiser, held_on=stored.held_on,
                     format=stored.format, title=stored.title, sites=sites,
                     presenters=list(stored.presenters.all()), is_make_up=stored.is_make_up, code=stored.code)


def state() -> list[Any]:
    attendances = sorted(Attendance.objects.values_list("event__code", "site__unit__code", "member__code"))
    listed = sorted(Site.objects.values_list("event__code", "unit__code", "listed_members"))
    records = sorted(StudyRecord.objects.values_list("campaign_id", "member__code", "first_studied_on"))
    return [attendances, listed, records]


def entries(after_pk: int) -> list[tuple[Any, ...]]:
    return [(e.actor_id, e.action, e.record_type, e.record_id, e.record_label, e.unit_path, e.before, e.after)
            for e in AuditEntry.objects.filter(pk__gt=after_pk).order_by("record_id")]


def last_entry() -> int:
    return AuditEntry.objects.order_by("-pk").values_list("pk", flat=True).first() or 0


def expected(actor: Any, lists: list[AttendanceList]) -> tuple[list[Any], list[Any]]:
    with transaction.atomic():
        start = last_entry()
        through_event_update(actor, lists)
        result = state(), entries(start)
        transaction.set_rollback(True)
    return result


def dong_list() -> AttendanceList:
    # E4a at thôn Đông: 10 listed; three taken off (and one put on, if not listed).
    listed = Attendance.objects.filter(event__code="E4a")
    stored = sorted(listed.values_list("member__code", flat=True))
    return listing("E4a", "BN.HA.HB.DONG", *dict.fromkeys([*stored[3:], "HB-DONG-04"]))


def test_lists_store_and_record_what_event_update_does(actors):
    def make() -> list[AttendanceList]:
        return [dong_list(), listing("E9", "BN.HA.HB.TAY", "HB-TAY-01", "HB-TAY-02")]

    want_state, want_entries = expected(actors.owner, make())
    start = last_entry()

    assert attendance_lists_replace(actor=actors.owner, lists=make()) == 2

    assert state() == want_state
    assert entries(start) == want_entries
    assert len(want_entries) == 2


def test_figures_after_the_lists_are_those_after_event_update(actors):
    campaign, commune, as_of = Campaign.objects.get(code="CD2024"), unit("BN.HA.HB"), D(2024, 3, 31)
    lists = [dong_list(), listing("E9", "BN.HA.HB.TAY", "HB-TAY-01", "HB-TAY-02")]
    with transaction.atomic():
        through_event_update(actors.owner, lists)
        want = unit_figures(unit=commune, campaign=campaign, as_of=as_of)
        transaction.set_rollback(True)

    attendance_lists_replace(actor=actors.owner, lists=[dong_list(), *lists[1:]])

    assert unit_figures(unit=commune, campaign=campaign, as_of=as_of) == want


def test_lists_as_stored_write_nothing(actors):
    stored = [a.member.code for a in Attendance.objects.filter(event__code="E4a").select_related("member")]
    with nothing_written(), CaptureQueriesContext(connection) as queries:
        same = [listing("E4a", "BN.HA.HB.DONG", *stored)]
        assert attendance_lists_replace(actor=actors.owner, lists=same) == 0
    assert not [q for q in queries if q["sql"].lstrip().upper().startswith(("UPDATE", "INSERT", "DELETE"))]


# --- refusals -----------------------------------------------------------------------------------------


def event_update_error(actor: Any, lists: list[AttendanceList]) -> dict[str, list[str]]:
    with transaction.atomic():
        try:
            through_event_update(actor, lists)
        except ValidationError as error:
            return error.message_dict
        finally:
            transaction.set_rollback(True)
    raise AssertionError("event_update accepted the lists")


@pytest.mark.parametrize("kind", ["a member of another cell", "a member listed twice"])
def test_lists_event_update_refuses_are_refused_with_its_message(actors, kind):
    def make() -> list[AttendanceList]:
        if kind == "a member of another cell":
            return [listing("E4a", "BN.HA.HB.DONG", "HB-DONG-04", "HB-TAY-01")]
        return [listing("E1", "BN.HA.HB", "HB-DONG-04", "HB-DONG-04")]

    actor = None if kind == "a member listed twice" else actors.owner  # E1 is the province's
    want = event_update_error(actor, make())
    ok = listing("E9", "BN.HA.HB.TAY", "HB-TAY-01")
    before = state()

    with pytest.raises(RowsInvalid) as caught, nothing_written():
        attendance_lists_replace(actor=actor, lists=[ok, *make()])

    assert list(caught.value.errors) == [1]
    assert caught.value.errors[1].message_dict == want
    assert state() == before


def test_a_member_listed_at_a_bridge_point_kept_and_at_one_named_is_refused(actors):
    e1 = Attendance.objects.filter(event__code="E1", site__unit__code="BN.HA.HB")
    kept = e1.select_related("member").first()
    assert kept is not None
    other = Site.objects.filter(event__code="E1").exclude(unit__code="BN.HA.HB").select_related("unit")[0]
    assert other.unit.path < unit("BN.HA.HB").path
    lists = [listing("E1", other.unit.code, kept.member.code)]
    want = event_update_error(None, lists)
    assert str(kept.member) in want["sites"][0]
    with pytest.raises(RowsInvalid) as caught:
        attendance_lists_replace(actor=None, lists=lists)
    assert caught.value.errors[0].message_dict == want


def test_a_list_for_a_unit_without_a_bridge_point_is_refused(actors):
    with pytest.raises(RowsInvalid) as caught, nothing_written():
        attendance_lists_replace(actor=actors.owner, lists=[listing("E4a", "BN.HA.HB.TAY", "HB-TAY-01")])
    assert list(caught.value.errors[0].message_dict) == ["sites"]


@pytest.mark.parametrize(("role", "exception"), [("viewer", NotAllowed), ("outsider", NotInScope)])
def test_only_an_editor_of_the_organiser_replaces_lists(actors, role, exception):
    actor = actors.viewer if role == "viewer" else actors.outsiders["officer"]
    with pytest.raises(exception), nothing_written():
        attendance_lists_replace(actor=actor, lists=[listing("E9", "BN.HA.HB.TAY", "HB-TAY-01")])


def test_the_queries_do_not_grow_with_the_lists(actors):
    one = [listing("E9", "BN.HA.HB.TAY", "HB-TAY-01", "HB-TAY-03")]
    three = [listing("E4b", "BN.HA.HB.TAY", "HB-TAY-02"),
             listing("E7", "BN.HA.HB", "HB-DONG-05", "HB-TAY-04"),
             listing("E3", "BN.HA.HB", "HB-DONG-06")]
    with CaptureQueriesContext(connection) as few:
        assert attendance_lists_replace(actor=actors.owner, lists=one) == 1
    with CaptureQueriesContext(connection) as more:
        assert attendance_lists_replace(actor=actors.owner, lists=three) == 3
    assert len(more) == len(few)
    assert sorted(Attendance.objects.filter(event__code="E7").values_list("member__code", flat=True)) == [
        "HB-DONG-05", "HB-TAY-04"]
    assert Site.objects.get(event__code="E7").listed_members == 2
