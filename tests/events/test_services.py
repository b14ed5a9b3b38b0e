"""Events and bridge points: bad input, scope and roles, audit."""

import pytest

from chuyende.audit.models import AuditEntry
from chuyende.core.exceptions import NotAllowed, NotInScope
from chuyende.events.models import Attendance, Event, Presenter
from chuyende.events.services import SiteData, event_create, event_delete, event_update
from chuyende.members.models import Member
from tests.builders import D, forbidden, refused
from tests.conftest import unit

pytestmark = pytest.mark.usefixtures("db")


def members(*codes: str) -> tuple[Member, ...]:
    found = {m.code: m for m in Member.objects.select_related("unit").filter(code__in=codes)}
    return tuple(found[c] for c in codes)


def site(code: str, *attendees: str, **counts) -> SiteData:
    return SiteData(unit=unit(code), attendees=members(*attendees), **counts)


def new_event(campaign, organiser: str = "BN.HA.HB", *sites: SiteData, **changes):
    values = {
        "campaign": campaign, "organiser": unit(organiser), "held_on": D(2024, 3, 10),
        "format": "in_person", "title": "Hội nghị học bù", "code": "",
        "sites": list(sites) or [site(organiser, "HB-DONG-07", other_members=1, non_members=2)],
    }
    return {**values, **changes}


def update_kwargs(event: Event, **changes):
    values = {
        "event": event, "organiser": event.organiser, "held_on": event.held_on, "format": event.format,
        "title": event.title, "code": event.code, "is_make_up": event.is_make_up,
        "presenters": list(event.presenters.all()),
        "sites": [
            SiteData(unit=s.unit, other_members=s.other_members, non_members=s.non_members,
                     non_members_by_category=s.non_members_by_category,
                     attendees=tuple(a.member for a in s.attendances.select_related("member__unit")))
            for s in event.sites.select_related("unit")
        ],
    }
    return {**values, **changes}


def event(campaign, code: str) -> Event:
    return Event.objects.select_related("organiser", "campaign").get(campaign=campaign, code=code)


# Bad input

@pytest.mark.parametrize("day", [D(2024, 1, 9), D(2025, 1, 1)], ids=["before-start", "after-end"])
def test_an_event_dated_outside_the_campaign_is_refused(scenario_module, day):
    refused("held_on", event_create, actor=None, **new_event(scenario_module, held_on=day))


def test_a_site_outside_the_organisers_subtree_is_refused(scenario_module):
    refused("sites", event_create, actor=None,
            **new_event(scenario_module, "BN.HA.HB.DONG", site("BN.HA.HB.TAY")))
    refused("sites", event_create, actor=None,
            **new_event(scenario_module, "BN.HA.HB", site("BN.HA.HB"), site("BN.HA.HP")))


def test_an_attendee_not_under_the_site_is_refused(scenario_module):
    refused("sites", event_create, actor=None,
            **new_event(scenario_module, "BN.HA.HB", site("BN.HA.HB.DONG", "HB-DONG-07", "HB-TAY-04")))


def test_an_attendee_loaded_without_their_unit_is_checked_all_the_same(scenario_module, actors):
    # The service reads the units of such members at once; the rules are the same.
    tay = Member.objects.get(code="HB-TAY-04")
    refused("sites", event_create, actor=None,
            **new_event(scenario_module, "BN.HA.HB", SiteData(unit=unit("BN.HA.HB.DONG"), attendees=(tay,))))
    foreign = Member.objects.get(code="THPT-01")
    forbidden(NotInScope, event_create, actor=actors.owner,
              **new_event(scenario_module, "BN.HA.HB", SiteData(unit=unit("BN.HA.HB"), attendees=(foreign,))))
    created = event_create(actor=actors.owner, **new_event(
        scenario_module, "BN.HA.HB", SiteData(unit=unit("BN.HA.HB.TAY"), attendees=(tay,))))
    assert list(created.attendances.values_list("member__code", flat=True)) == ["HB-TAY-04"]


def test_a_member_listed_twice_at_one_site_is_refused(scenario_module):
    refused("sites", event_create, actor=None,
            **new_event(scenario_module, "BN.HA.HB", site("BN.HA.HB", "HB-DONG-07", "HB-DONG-07")))


def test_a_member_listed_at_two_sites_of_one_event_is_refused(scenario_module):
    refused("sites", event_create, actor=None,
            **new_event(scenario_module, "BN.HA.HB", site("BN.HA.HB", "HB-DONG-07"),
                        site("BN.HA.HB.DONG", "HB-DONG-07")))


@pytest.mark.parametrize(
    "counts",
    [{"other_members": -1}, {"non_members": -3}, {"non_members": 2, "non_members_by_category": {"mass": -1}}],
    ids=["other-members", "non-members", "by-category"],
)
def test_negative_site_counts_are_refused(scenario_module, counts):
    refused("sites", event_create, actor=None,
            **new_event(scenario_module, "BN.HA.HB", site("BN.HA.HB", **counts)))


@pytest.mark.parametrize(
    "by_category",
    [{"soldiers": 1}, {"mass": 2, "religious": 2}],
    ids=["category-not-in-campaign", "more-than-the-non-members"],
)
def test_non_members_by_category_must_fit_the_campaign_and_the_total(scenario_module, by_category):
    refused("sites", event_create, actor=None,
            **new_event(scenario_module, "BN.HA.HB",
                        site("BN.HA.HB", non_members=3, non_members_by_category=by_category)))


def test_an_event_needs_a_site_and_one_site_per_unit(scenario_module):
    refused("sites", event_create, actor=None, **new_event(scenario_module, sites=[]))
    refused("sites", event_create, actor=None,
            **new_event(scenario_module, "BN.HA.HB", site("BN.HA.HB"), site("BN.HA.HB")))


def test_a_duplicate_event_code_in_a_campaign_is_refused(scenario_module):
    refused("code", event_create, actor=None, **new_event(scenario_module, code="E3"))


def test_a_bad_update_changes_nothing(scenario_module):
    e3 = event(scenario_module, "E3")
    attendees_before = set(Attendance.objects.filter(event=e3).values_list("member__code", flat=True))
    refused("sites", event_update, actor=None,
            **update_kwargs(e3, sites=[site("BN.HA.HB", "HB-DONG-04", "HB-DONG-04")]))
    refused("held_on", event_update, actor=None, **update_kwargs(e3, held_on=D(2023, 12, 1)))
    e3.refresh_from_db()
    assert e3.held_on == D(2024, 2, 27)
    assert set(Attendance.objects.filter(event=e3).values_list("member__code", flat=True)) == attendees_before


# Scope and roles

def test_an_outsider_naming_a_foreign_unit_member_or_event_is_not_in_scope(scenario_module, actors):
    outsider = actors.outsiders["officer"]
    forbidden(NotInScope, event_create, actor=outsider, **new_event(scenario_module))  # foreign organiser
    # Own organiser, foreign site.
    forbidden(NotInScope, event_create, actor=outsider,
              **new_event(scenario_module, "BN.HA.HP", site("BN.HA.HP"), site("BN.HA.HB")))
    # Own organiser and site, foreign attendee.
    forbidden(NotInScope, event_create, actor=actors.owner,
              **new_event(scenario_module, "BN.HA.HB", site("BN.HA.HB", "THPT-01")))
    e3 = event(scenario_module, "E3")
    forbidden(NotInScope, event_update, actor=outsider, **update_kwargs(e3, title="X"))
    forbidden(NotInScope, event_delete, actor=outsider, event=e3)
    # An insider moving their event to a foreign organiser.
    forbidden(NotInScope, event_update, actor=actors.owner, **update_kwargs(e3, organiser=unit("BN.HA.HP")))
    # An event organised above (the province's online conference) cannot be changed from below.
    e1 = event(scenario_module, "E1")
    forbidden(NotInScope, event_delete, actor=actors.owner, event=e1)


def test_a_viewer_changes_nothing(scenario_module, actors):
    forbidden(NotAllowed, event_create, actor=actors.viewer, **new_event(scenario_module))
    e3 = event(scenario_module, "E3")
    forbidden(NotAllowed, event_update, actor=actors.viewer, **update_kwargs(e3, title="X"))
    forbidden(NotAllowed, event_delete, actor=actors.viewer, event=e3)


def test_a_reporter_records_for_their_unit_and_its_cells_not_the_sibling_commune(scenario_module, actors):
    event_create(actor=actors.reporter, **new_event(scenario_module, "BN.HA.HB"))
    event_create(actor=actors.reporter,
                 **new_event(scenario_module, "BN.HA.HB.DONG", site("BN.HA.HB.DONG", "HB-DONG-07")))
    forbidden(NotInScope, event_create, actor=actors.reporter,
              **new_event(scenario_module, "BN.HA.HP", site("BN.HA.HP", other_members=3)))
    forbidden(NotInScope, event_update, actor=actors.reporter,
              **update_kwargs(event(scenario_module, "E5"), title="X"))


# Audit

def test_create_update_and_delete_each_leave_one_audit_entry(scenario_module, actors):
    count = AuditEntry.objects.count()
    created = event_create(actor=actors.owner, **new_event(scenario_module, code="E99"))
    entry = AuditEntry.objects.latest("id")
    assert AuditEntry.objects.count() == count + 1
    assert (entry.action, entry.record_type, entry.before) == ("create", "events.Event", None)
    assert entry.after is not None
    assert entry.after["sites"] == [{"unit": "BN.HA.HB", "other_members": 1, "non_members": 2,
                                     "non_members_by_category": {}, "attendees": ["HB-DONG-07"]}]
    assert entry.unit_path == unit("BN.HA.HB").path

    event_update(actor=actors.owner, **update_kwargs(created, title="Học bù lần 2"))
    entry = AuditEntry.objects.latest("id")
    assert AuditEntry.objects.count() == count + 2
    assert entry.action == "update"
    assert entry.before is not None and entry.after is not None
    assert (entry.before["title"], entry.after["title"]) == ("Hội nghị học bù", "Học bù lần 2")

    event_delete(actor=actors.owner, event=created)
    entry = AuditEntry.objects.latest("id")
    assert AuditEntry.objects.count() == count + 3
    assert (entry.action, entry.after) == ("delete", None)
    assert entry.before is not None
    assert entry.before["code"] == "E99" and entry.before["sites"][0]["attendees"] == ["HB-DONG-07"]
    assert not Event.objects.filter(code="E99").exists()
    assert not Attendance.objects.filter(event_id=created.pk).exists()


def test_what_a_write_records_as_after_is_what_the_next_write_reads_as_before(scenario_module, actors):
    presenters = list(Presenter.objects.order_by("code")[:2])
    created = event_create(actor=actors.owner, presenters=presenters, **new_event(
        scenario_module, "BN.HA.HB", site("BN.HA.HB.TAY", "HB-TAY-04"),
        site("BN.HA.HB.DONG", "HB-DONG-07", "HB-DONG-04", non_members=3, non_members_by_category={"mass": 2}),
        code="E98"))
    written = AuditEntry.objects.latest("id").after
    event_update(actor=actors.owner, **update_kwargs(created, presenters=presenters[:1]))
    assert AuditEntry.objects.latest("id").before == written
    written = AuditEntry.objects.latest("id").after
    assert written is not None and written["presenters"] == [presenters[0].code]
    assert [site["attendees"] for site in written["sites"]] == [["HB-DONG-04", "HB-DONG-07"], ["HB-TAY-04"]]
    event_delete(actor=actors.owner, event=created)
    assert AuditEntry.objects.latest("id").before == written
