"""API: study events with their bridge points, the members listed per bridge point, and presenters.

Hòa Bình (BN.HA.HB) sees the events it organised (E3, E7), those of its cells (E4a, E4b, E9) and the
province's online conference E1 through its own bridge point only; Hòa Phú sees E1 and E5."""

import datetime

import pytest

from chuyende.campaigns.models import Campaign
from chuyende.events.models import Attendance, Event, Presenter, Site, StudyRecord
from chuyende.events.services import presenter_create
from chuyende.members.models import Member
from chuyende.organisation.models import Unit
from tests.api.conftest import api_url
from tests.api.test_activity_common import audit_count, make_user, refused_with, rows, uid
from tests.builders import make_campaign, nothing_written
from tests.conftest import OUTSIDER_ROLES
from tests.view_helpers import translated

pytestmark = pytest.mark.django_db

HB_EVENTS = {"E1", "E3", "E4a", "E4b", "E7", "E9"}


def event(code: str) -> Event:
    return Event.objects.get(code=code)


def url(code: str | None = None, suffix: str = "") -> str:
    return api_url("events/" if code is None else f"events/{event(code).pk}/{suffix}")


def attendees_url(code: str, unit_code: str) -> str:
    return url(code, f"sites/{uid(unit_code)}/attendees/")


def member_ids(*codes: str) -> list[int]:
    return [Member.objects.get(code=code).pk for code in codes]


def new_event(the_campaign: Campaign, **overrides: object) -> dict[str, object]:
    data: dict[str, object] = {
        "campaign": the_campaign.pk, "organiser": uid("BN.HA.HB"), "held_on": "2024-03-18",
        "format": "in_person",
        "title": "Hội nghị học tập Chuyên đề cho đảng viên hai thôn", "code": "HB-API-1",
        "presenters": [Presenter.objects.get(code="P3").pk, Presenter.objects.get(code="P1").pk],
        "sites": [
            {"unit": uid("BN.HA.HB.DONG"), "other_members": 2, "non_members": 5,
             "non_members_by_category": {"mass": 3}},
            {"unit": uid("BN.HA.HB.TAY")},
        ],
    }
    data.update(overrides)
    return data


@pytest.fixture
def district(actors):
    return make_user("s.ha.officer", "BN.HA", "officer")


# --- reading ---------------------------------------------------------------------------------------------


def test_owner_lists_the_events_of_the_subtree_and_from_above(actors, api_for, scenario_module):
    listed = rows(api_for(actors.viewer).get(url(), {"page_size": 100}))
    assert {row["code"] for row in listed} == HB_EVENTS
    assert [row["held_on"] for row in listed] == sorted((row["held_on"] for row in listed), reverse=True)
    e1 = next(row for row in listed if row["code"] == "E1")
    # The province's conference: organised above, only Hòa Bình's own bridge point is shown.
    assert e1["organiser_code"] == "BN" and e1["format"] == "online"
    assert [(site["unit_code"], site["listed_members"], site["other_members"], site["non_members"])
            for site in e1["sites"]] == [("BN.HA.HB", 32, 0, 6)]
    e3 = api_for(actors.viewer).get(url("E3")).json()
    assert e3["presenters"] == [Presenter.objects.get(code="P3").pk]
    assert e3["campaign"] == scenario_module.pk and e3["is_make_up"] is False


def test_filters_unit_campaign_format_and_dates(actors, api_for, scenario_module, district):
    client = api_for(actors.owner)

    def codes(**params: object) -> set[str]:
        return {row["code"] for row in rows(client.get(url(), params))}

    assert codes(unit=uid("BN.HA.HB.DONG")) == {"E4a"}
    assert codes(unit=uid("BN.HA.HB.TAY")) == {"E4b", "E9"}
    assert codes(unit=uid("BN.HA.HB")) == HB_EVENTS
    assert codes(organiser=uid("BN.HA.HB")) == {"E3", "E4a", "E4b", "E7", "E9"}
    assert codes(campaign=scenario_module.pk) == HB_EVENTS
    assert codes(event_format="cell_meeting") == {"E4a", "E4b"}
    assert codes(date_from="2024-03-01", date_to="2024-03-31") == {"E4a", "E4b", "E9"}
    assert codes(held_on="2024-04-05") == {"E7"}
    # The district sees its own conference E2 and, through its unit filter, Hòa Phú's events.
    hp_events = rows(api_for(district).get(url(), {"unit": uid("BN.HA.HP")}))
    assert {row["code"] for row in hp_events} == {"E1", "E5"}
    bad = (("date_from", "2024-13-45"), ("event_format", "webinar"), ("unit", "abc"))
    for name, value in bad:
        response = client.get(url(), {name: value})
        refused_with(response, name)
    # An id of no campaign is answered like another subtree's (404).
    assert client.get(url(), {"campaign": 999999}).status_code == 404


@pytest.mark.parametrize("role", OUTSIDER_ROLES)
def test_hoa_phu_never_sees_hoa_binh_events(role, actors, api_for):
    client = api_for(actors.outsiders[role])
    listed = rows(client.get(url(), {"page_size": 100}))
    assert {row["code"] for row in listed} == {"E1", "E5"}
    e1 = next(row for row in listed if row["code"] == "E1")
    assert [site["unit_code"] for site in e1["sites"]] == ["BN.HA.HP"]
    for code in ("E3", "E4a", "E7"):
        assert client.get(url(code)).status_code == 404
    assert client.get(attendees_url("E3", "BN.HA.HB")).status_code == 404
    # E1 is visible, but not its Hòa Bình bridge point.
    assert client.get(attendees_url("E1", "BN.HA.HB")).status_code == 404
    for name in ("unit", "organiser"):
        assert client.get(url(), {name: uid("BN.HA.HB")}).status_code == 404


def test_pagination(actors, api_for):
    client = api_for(actors.owner)
    first = client.get(url(), {"page_size": 4}).json()
    assert first["count"] == 6 and len(first["results"]) == 4 and first["next"] and first["previous"] is None
    second = client.get(url(), {"page_size": 4, "page": 2}).json()
    assert len(second["results"]) == 2 and second["next"] is None
    assert {row["code"] for row in first["results"] + second["results"]} == HB_EVENTS
    assert client.get(url(), {"page": 9}).status_code == 404


def test_list_queries_do_not_grow_with_the_events(
    actors, api_for, scenario_module, django_assert_max_num_queries
):
    client = api_for(actors.owner)
    client.get(url())  # token lookup warmed
    with django_assert_max_num_queries(6):
        assert len(rows(client.get(url()))) == 6
    for day in range(10):
        client.post(url(), new_event(scenario_module, code=f"Q{day}"), format="json")
    with django_assert_max_num_queries(6):
        assert len(rows(client.get(url()))) == 16


# --- creating and changing -------------------------------------------------------------------------------


def test_owner_records_an_event_with_its_bridge_points(actors, api_for, scenario_module):
    before = audit_count()
    response = api_for(actors.owner).post(url(), new_event(scenario_module), format="json")
    assert response.status_code == 201, response.content
    body = response.json()
    created = Event.objects.get(pk=body["id"])
    assert (created.code, created.organiser.code, created.held_on) == ("HB-API-1", "BN.HA.HB",
                                                                       datetime.date(2024, 3, 18))
    assert sorted(created.presenters.values_list("code", flat=True)) == ["P1", "P3"]
    assert [(site["unit_code"], site["other_members"], site["non_members"], site["non_members_by_category"],
             site["listed_members"]) for site in body["sites"]] == [
        ("BN.HA.HB.DONG", 2, 5, {"mass": 3}, 0), ("BN.HA.HB.TAY", 0, 0, {}, 0),
    ]
    assert audit_count() == before + 1


def test_reporter_records_an_event_of_a_cell(actors, api_for, scenario_module):
    data = new_event(scenario_module, organiser=uid("BN.HA.HB.TAY"), presenters=[],
                     sites=[{"unit": uid("BN.HA.HB.TAY"), "other_members": 1}])
    response = api_for(actors.reporter).post(url(), data, format="json")
    assert response.status_code == 201, response.content


def test_owner_changes_an_event_and_the_listed_members_stay(actors, api_for):
    client = api_for(actors.owner)
    e3 = event("E3")
    data = {"organiser": uid("BN.HA.HB"), "held_on": "2024-02-28", "format": "video", "title": "Đổi tên",
            "presenters": [], "sites": [{"unit": uid("BN.HA.HB"), "non_members": 7},
                                        {"unit": uid("BN.HA.HB.TH"), "other_members": 3}]}
    response = client.put(url("E3"), data, format="json")
    assert response.status_code == 200, response.content
    e3.refresh_from_db()
    assert (e3.title, e3.held_on, e3.code) == ("Đổi tên", datetime.date(2024, 2, 28), "")
    assert list(e3.presenters.all()) == []
    sites = {site["unit_code"]: site for site in response.json()["sites"]}
    assert sites["BN.HA.HB"]["listed_members"] == 3 and sites["BN.HA.HB"]["non_members"] == 7
    assert sites["BN.HA.HB.TH"]["other_members"] == 3
    assert Attendance.objects.filter(event=e3).count() == 3
    # PATCH: the fields left out keep their values, bridge points included.
    patch = {"title": "Hội nghị qua đĩa ghi hình", "is_make_up": True}
    response = client.patch(api_url(f"events/{e3.pk}/"), patch, format="json")
    assert response.status_code == 200, response.content
    assert response.json()["title"] == "Hội nghị qua đĩa ghi hình" and response.json()["is_make_up"] is True
    assert len(response.json()["sites"]) == 2 and response.json()["held_on"] == "2024-02-28"
    # Bridge points given in a PATCH replace the event's, each with its defaults.
    patch = {"sites": [{"unit": uid("BN.HA.HB")}]}
    response = client.patch(api_url(f"events/{e3.pk}/"), patch, format="json")
    assert response.status_code == 200, response.content
    sites = response.json()["sites"]
    assert [(site["unit_code"], site["listed_members"], site["non_members"]) for site in sites] == [
        ("BN.HA.HB", 3, 0),
    ]
    with nothing_written():
        response = client.patch(api_url(f"events/{e3.pk}/"), {"sites": [{"non_members": 2}]}, format="json")
        refused_with(response, "sites.0.unit")


def test_owner_deletes_an_event_and_its_study_records_follow(actors, api_for, scenario_module):
    hb_tay_02 = Member.objects.get(code="HB-TAY-02")  # studied only through E9
    assert StudyRecord.objects.filter(member=hb_tay_02, campaign=scenario_module).exists()
    response = api_for(actors.owner).delete(url("E9"))
    assert response.status_code == 204
    assert not Event.objects.filter(code="E9").exists()
    assert not StudyRecord.objects.filter(member=hb_tay_02, campaign=scenario_module).exists()


def test_viewer_changes_nothing(actors, api_for, scenario_module):
    client = api_for(actors.viewer)
    with nothing_written():
        assert client.post(url(), new_event(scenario_module), format="json").status_code == 403
        assert client.patch(url("E3"), {"title": "x"}, format="json").status_code == 403
        assert client.delete(url("E3")).status_code == 403
        response = client.put(attendees_url("E3", "BN.HA.HB"), {"member_codes": []}, format="json")
        assert response.status_code == 403
    assert response.json() == {"detail": translated("Your role does not allow this change.")}


def test_an_event_organised_above_is_read_only_here(actors, api_for):
    client = api_for(actors.owner)
    with nothing_written():
        assert client.patch(url("E1"), {"title": "x"}, format="json").status_code == 403
        assert client.delete(url("E1")).status_code == 403
        response = client.put(attendees_url("E1", "BN.HA.HB"), {"member_codes": ["HB-DONG-04"]},
                              format="json")
        assert response.status_code == 403


@pytest.mark.parametrize("role", ("admin", "officer"))
def test_hoa_phu_cannot_change_hoa_binh_events(role, actors, api_for):
    client = api_for(actors.outsiders[role])
    with nothing_written():
        assert client.put(url("E3"), {"title": "x"}, format="json").status_code == 404
        assert client.patch(url("E3"), {"title": "x"}, format="json").status_code == 404
        assert client.delete(url("E3")).status_code == 404
        response = client.put(attendees_url("E3", "BN.HA.HB"), {"member_codes": []}, format="json")
        assert response.status_code == 404


def test_ids_of_another_subtree_are_404_and_nothing_is_written(actors, api_for, scenario_module):
    client = api_for(actors.owner)
    hp = Unit.objects.get(code="BN.HA.HP")
    foreign_presenter = presenter_create(actor=None, unit=hp, code="HP-P9", full_name="Lê Văn Phú")
    foreign_campaign = make_campaign(hp, code="HP-2024")
    tampered = [
        new_event(scenario_module, organiser=uid("BN.HA.HP")),
        new_event(scenario_module, campaign=foreign_campaign.pk),
        new_event(scenario_module, presenters=[foreign_presenter.pk]),
        new_event(scenario_module, sites=[{"unit": uid("BN.HA.HB")}, {"unit": uid("BN.HA.HP.PM")}]),
        # A type error elsewhere in the body does not hide the foreign id.
        new_event(scenario_module, title=["x"], sites=[{"unit": uid("BN.HA.HP")}]),
    ]
    with nothing_written():
        for data in tampered:
            response = client.post(url(), data, format="json")
            assert response.status_code == 404, (data, response.content)
        response = client.patch(url("E3"), {"sites": [{"unit": uid("BN.HA.HP")}]}, format="json")
        assert response.status_code == 404
        # Members of another subtree, by id or by code.
        thpt = ["THPT-01"]
        assert client.put(attendees_url("E3", "BN.HA.HB"), {"members": member_ids(*thpt)},
                          format="json").status_code == 404
        assert client.put(attendees_url("E3", "BN.HA.HB"), {"member_codes": ["HB-DONG-04", *thpt]},
                          format="json").status_code == 404
    # Viewers too: the foreign id is a 404 before the role is looked at.
    with nothing_written():
        response = api_for(actors.viewer).post(url(), tampered[0], format="json")
        assert response.status_code == 404


def test_rules_of_the_service_are_400_naming_the_field(actors, api_for, scenario_module):
    client = api_for(actors.owner)
    cases = [
        (new_event(scenario_module, held_on="2023-12-01"), "held_on"),
        (new_event(scenario_module, sites=[]), "sites"),
        (new_event(scenario_module, organiser=uid("BN.HA.HB.DONG")), "sites"),  # Tây is not under Đông
        (new_event(scenario_module, sites=[{"unit": uid("BN.HA.HB"), "non_members": -2}]), "sites"),
        (new_event(scenario_module, sites=[{"unit": uid("BN.HA.HB"), "non_members": 2,
                                            "non_members_by_category": {"soldiers": 2}}]), "sites"),
        (new_event(scenario_module, sites=[{"unit": uid("BN.HA.HB")}, {"unit": uid("BN.HA.HB")}]), "sites"),
        (new_event(scenario_module, code="E3"), "code"),
    ]
    with nothing_written():
        for data, field in cases:
            refused_with(client.post(url(), data, format="json"), field)
    errors = refused_with(client.post(url(), new_event(scenario_module, sites=[]), format="json"), "sites")
    assert errors["sites"] == [translated("An event needs at least one bridge point.")]


def test_wrong_types_and_unknown_fields_are_400_naming_them(actors, api_for, scenario_module):
    client = api_for(actors.owner)
    cases = [
        (new_event(scenario_module, colour="red"), ["colour"]),
        (new_event(scenario_module, id=5), ["id"]),
        (new_event(scenario_module, held_on="18/03/2024"), ["held_on"]),
        (new_event(scenario_module, format="webinar", is_make_up="perhaps"), ["format", "is_make_up"]),
        (new_event(scenario_module, presenters="P3"), ["presenters"]),
        (new_event(scenario_module, presenters=[True]), ["presenters"]),
        (new_event(scenario_module, campaign="CD2024"), ["campaign"]),
        (new_event(scenario_module, sites=[{"unit": uid("BN.HA.HB"), "other_members": "many"}]),
         ["sites.0.other_members"]),
        (new_event(scenario_module, sites=[{"unit": uid("BN.HA.HB"), "attendees": ["HB-DONG-04"]}]),
         ["sites.0.attendees"]),
        (new_event(scenario_module, sites=[{"unit": uid("BN.HA.HB"), "non_members": 10**12}]),
         ["sites.0.non_members"]),
        (new_event(scenario_module,
                   sites=[{"unit": uid("BN.HA.HB"), "non_members_by_category": {"mass": "x"}}]),
         ["sites.0.non_members_by_category.mass"]),
        (new_event(scenario_module, sites={"unit": uid("BN.HA.HB")}), ["sites"]),
        ({"title": "Thiếu hết"}, ["campaign", "organiser", "held_on", "format", "sites"]),
    ]
    with nothing_written():
        for data, fields in cases:
            refused_with(client.post(url(), data, format="json"), *fields)
        refused_with(client.post(url(), ["not", "an", "object"], format="json"), "non_field_errors")
        # A unit id of no unit: the answer of another subtree's unit (404).
        assert client.post(url(), new_event(scenario_module, sites=[{"unit": 10**9}]),
                           format="json").status_code == 404
        # The campaign of an event is fixed once created.
        refused_with(client.patch(url("E3"), {"campaign": scenario_module.pk}, format="json"), "campaign")
    response = client.post(url(), new_event(scenario_module, colour="red"), format="json")
    errors = refused_with(response, "colour")
    assert errors["colour"] == [translated("Unknown field.")]


# --- members listed per bridge point ---------------------------------------------------------------------


def test_listed_members_of_a_bridge_point(actors, api_for):
    response = api_for(actors.viewer).get(attendees_url("E3", "BN.HA.HB"))
    assert response.status_code == 200
    assert sorted(row["code"] for row in response.json()) == ["HB-DONG-04", "HB-DONG-06", "HB-TAY-04"]
    assert set(response.json()[0]) == {"id", "code", "full_name", "unit", "unit_code"}
    # The province's conference: Hòa Bình reads its own bridge point.
    assert len(api_for(actors.viewer).get(attendees_url("E1", "BN.HA.HB")).json()) == 32
    assert api_for(actors.viewer).get(attendees_url("E3", "BN.HA.HB.DONG")).status_code == 404  # no site


def test_owner_replaces_the_listed_members_by_code_and_id(actors, api_for, scenario_module):
    client = api_for(actors.owner)
    hb_tay_03 = Member.objects.get(code="HB-TAY-03")
    assert not StudyRecord.objects.filter(member=hb_tay_03, campaign=scenario_module).exists()
    before = audit_count()
    response = client.put(attendees_url("E3", "BN.HA.HB"),
                          {"member_codes": ["HB-TAY-03", "HB-DONG-04"], "members": member_ids("HB-DONG-04")},
                          format="json")
    assert response.status_code == 200, response.content
    assert sorted(row["code"] for row in response.json()) == ["HB-DONG-04", "HB-TAY-03"]
    site = Site.objects.get(event__code="E3")
    assert site.listed_members == 2
    assert StudyRecord.objects.filter(member=hb_tay_03, campaign=scenario_module).exists()
    assert audit_count() == before + 1
    # An empty list removes every member listed; the counts of the bridge point stay.
    response = client.put(attendees_url("E3", "BN.HA.HB"), {"members": []}, format="json")
    assert response.status_code == 200 and response.json() == []
    site = Site.objects.get(event__code="E3")  # bridge points are written anew on every save
    assert (site.listed_members, site.non_members) == (0, 4)


def test_bad_attendee_lists_are_400_naming_the_field(actors, api_for):
    client = api_for(actors.owner)
    with nothing_written():
        refused_with(client.put(attendees_url("E3", "BN.HA.HB"), {}, format="json"), "members")
        errors = refused_with(client.put(attendees_url("E3", "BN.HA.HB"), {"member_codes": ["NO-SUCH"]},
                                         format="json"), "member_codes")
        assert "NO-SUCH" in errors["member_codes"][0]
        refused_with(client.put(attendees_url("E3", "BN.HA.HB"), {"members": [10**9]}, format="json"),
                     "members")
        refused_with(client.put(attendees_url("E3", "BN.HA.HB"), {"members": "HB-DONG-04"}, format="json"),
                     "members")
        refused_with(client.put(attendees_url("E3", "BN.HA.HB"), {"codes": ["HB-DONG-04"]}, format="json"),
                     "codes")
        # A member of Hòa Bình who is not under this bridge point: the service's rule.
        response = client.put(attendees_url("E4a", "BN.HA.HB.DONG"), {"member_codes": ["HB-TAY-04"]},
                              format="json")
        errors = refused_with(response, "sites")
        assert "HB-TAY-04" in errors["sites"][0]
    # A member already listed at another bridge point of the same event.
    created = client.post(url(), {
        "campaign": Event.objects.get(code="E3").campaign_id, "organiser": uid("BN.HA.HB"),
        "held_on": "2024-03-18", "format": "in_person", "title": "Hai điểm cầu",
        "sites": [{"unit": uid("BN.HA.HB.DONG")}, {"unit": uid("BN.HA.HB.TAY")}],
    }, format="json")
    assert created.status_code == 201
    new = Event.objects.get(pk=created.json()["id"])
    assert client.put(api_url(f"events/{new.pk}/sites/{uid('BN.HA.HB.DONG')}/attendees/"),
                      {"member_codes": ["HB-DONG-04"]}, format="json").status_code == 200
    with nothing_written():
        refused_with(client.put(api_url(f"events/{new.pk}/sites/{uid('BN.HA.HB.TAY')}/attendees/"),
                                {"member_codes": ["HB-DONG-04"]}, format="json"), "sites")


# --- presenters ------------------------------------------------------------------------------------------


def test_presenters_of_the_subtree_and_above(actors, api_for):
    listed = rows(api_for(actors.viewer).get(api_url("presenters/")))
    assert [row["code"] for row in listed] == ["P2", "P1", "P3"]  # by name: Lò, Phan, Đinh
    own = rows(api_for(actors.viewer).get(api_url("presenters/"), {"unit": uid("BN.HA.HB")}))
    assert [row["code"] for row in own] == ["P3"]
    hp = api_for(actors.outsiders["officer"])
    assert [row["code"] for row in rows(hp.get(api_url("presenters/")))] == ["P2", "P1"]
    assert hp.get(api_url(f"presenters/{Presenter.objects.get(code='P3').pk}/")).status_code == 404
    assert hp.get(api_url("presenters/"), {"unit": uid("BN.HA.HB")}).status_code == 404


def test_owner_adds_a_presenter(actors, api_for):
    data = {"unit": uid("BN.HA.HB"), "code": "P4", "full_name": "Vi Thị Hoa", "title": "Phó Bí thư"}
    response = api_for(actors.owner).post(api_url("presenters/"), data, format="json")
    assert response.status_code == 201, response.content
    assert response.json()["unit_code"] == "BN.HA.HB" and Presenter.objects.filter(code="P4").exists()


def test_presenter_writes_refused(actors, api_for):
    data = {"unit": uid("BN.HA.HB"), "code": "P4", "full_name": "Vi Thị Hoa"}
    with nothing_written():
        assert api_for(actors.viewer).post(api_url("presenters/"), data, format="json").status_code == 403
        response = api_for(actors.owner).post(api_url("presenters/"), {**data, "unit": uid("BN.HA.HP")},
                                              format="json")
        assert response.status_code == 404
        response = api_for(actors.owner).post(api_url("presenters/"), {**data, "unit": uid("BN.HA")},
                                              format="json")
        assert response.status_code == 404  # above the subtree
        refused_with(api_for(actors.owner).post(api_url("presenters/"), {**data, "code": "P1"},
                                                format="json"), "code")
        refused_with(api_for(actors.owner).post(api_url("presenters/"), {**data, "full_name": ""},
                                                format="json"), "full_name")
        refused_with(api_for(actors.owner).post(api_url("presenters/"), {**data, "rank": 1}, format="json"),
                     "rank")


def test_presenter_list_queries_are_pinned(actors, api_for, django_assert_max_num_queries):
    client = api_for(actors.owner)
    client.get(api_url("presenters/"))
    with django_assert_max_num_queries(4):
        assert len(rows(client.get(api_url("presenters/")))) == 3
