"""Study event pages: list, detail, the event form with bridge points, attendees and delete."""

import pytest
from django.urls import reverse

from chuyende.events.models import Attendance, Event, Presenter, Site
from chuyende.members.models import Member
from chuyende.organisation.models import Unit
from tests.conftest import OUTSIDER_ROLES
from tests.view_helpers import message, table_counts, translated

pytestmark = pytest.mark.django_db


def event(code: str) -> Event:
    return Event.objects.get(code=code)


def unit_id(code: str) -> int:
    return Unit.objects.get(code=code).pk


def member_ids(*codes: str) -> list[int]:
    return list(Member.objects.filter(code__in=codes).values_list("pk", flat=True))


def event_data(campaign, *, organiser: str, sites: list[dict[str, object]], with_campaign: bool = True,
               **fields: object) -> dict[str, object]:
    data: dict[str, object] = {
        "organiser": unit_id(organiser), "held_on": "2024-03-20", "format": "in_person",
        "title": "Hội nghị học tập Chuyên đề (thử)", "code": "", "presenters": [],
        "sites-TOTAL_FORMS": len(sites), "sites-INITIAL_FORMS": 0,
        "sites-MIN_NUM_FORMS": 0, "sites-MAX_NUM_FORMS": 1000,
    }
    if with_campaign:
        data["campaign"] = campaign.pk
    data.update(fields)
    for i, site in enumerate(sites):
        data[f"sites-{i}-unit"] = unit_id(str(site["unit"]))
        data[f"sites-{i}-other_members"] = site.get("other_members", 0)
        data[f"sites-{i}-non_members"] = site.get("non_members", 0)
        for key, value in site.items():
            if key.startswith("category_"):
                data[f"sites-{i}-{key}"] = value
    return data


def site_label(number: int, unit_code: str) -> str:
    name = Unit.objects.get(code=unit_code).name
    return translated("Bridge point %(number)s (%(unit)s)", number=number, unit=name)


# --- list and detail --------------------------------------------------------------------------


def test_list_shows_events_organised_in_the_subtree_or_with_a_site_in_it(users, client_for):
    response = client_for(users.owner).get(reverse("events:list"))
    assert response.status_code == 200
    codes = {e.code for e in response.context["page"].object_list}
    assert codes == {"E1", "E3", "E4a", "E4b", "E7", "E9"}


def test_list_filters_by_campaign_format_and_dates(users, client_for, scenario):
    client = client_for(users.owner)
    video = client.get(reverse("events:list"), {"campaign": scenario.pk, "format": "video"})
    assert [e.code for e in video.context["page"].object_list] == ["E3"]
    march = client.get(reverse("events:list"), {"date_from": "2024-03-01", "date_to": "2024-03-31"})
    assert {e.code for e in march.context["page"].object_list} == {"E4a", "E4b", "E9"}


def test_list_and_detail_take_a_fixed_number_of_queries(users, client_for, django_assert_max_num_queries):
    client = client_for(users.owner)
    client.get(reverse("events:list"))
    with django_assert_max_num_queries(8):
        client.get(reverse("events:list"))
    with django_assert_max_num_queries(9):
        client.get(reverse("events:detail", args=[event("E1").pk]))


def test_detail_shows_only_the_sites_the_user_can_see(users, client_for):
    e1 = event("E1")  # organised by the province, five bridge points
    response = client_for(users.owner).get(reverse("events:detail", args=[e1.pk]))
    assert response.status_code == 200
    assert [row.site.unit.code for row in response.context["sites"]] == ["BN.HA.HB"]
    assert response.context["can_edit"] is False
    assert response.context["totals"]["all"] == 38  # 32 named + 6 non-members
    page = response.content.decode()
    assert "Đảng bộ xã Hòa Phú" not in page


def test_detail_lists_attendee_names(users, client_for):
    response = client_for(users.owner).get(reverse("events:detail", args=[event("E3").pk]))
    page = response.content.decode()
    for name in ("Lò Ngọc Nga", "Bùi Ngọc Linh", "Hoàng Thu Nga"):
        assert name in page
    assert response.context["can_edit"] is True


# --- create, attendees, edit, delete ----------------------------------------------------------


def test_create_an_event_with_two_sites_then_tick_attendees(users, client_for, scenario):
    client = client_for(users.owner)
    p3 = Presenter.objects.get(code="P3")
    data = event_data(
        scenario, organiser="BN.HA.HB", presenters=[p3.pk], is_make_up="on",
        sites=[
            {"unit": "BN.HA.HB", "other_members": 0, "non_members": 5, "category_civil_servants": 3},
            {"unit": "BN.HA.HB.DONG", "other_members": 2},
        ],
    )
    response = client.post(reverse("events:create"), data)
    created = Event.objects.get(title="Hội nghị học tập Chuyên đề (thử)")
    assert response.status_code == 302
    assert response.url == reverse("events:detail", args=[created.pk])
    assert created.is_make_up and list(created.presenters.all()) == [p3]
    sites = {s.unit.code: s for s in created.sites.all()}
    assert sites["BN.HA.HB"].non_members_by_category == {"civil_servants": 3}
    assert sites["BN.HA.HB.DONG"].other_members == 2

    dong = sites["BN.HA.HB.DONG"]
    page = client.get(reverse("events:attendees", args=[created.pk, dong.unit_id]))
    assert page.status_code == 200
    assert 'data-filter-target="attendee-list"' in page.content.decode()
    assert len(page.context["members"]) == 18  # members of Chi bộ thôn Đông only
    response = client.post(reverse("events:attendees", args=[created.pk, dong.unit_id]),
                           {"members": member_ids("HB-DONG-04", "HB-DONG-05")})
    assert response.status_code == 302
    named = Attendance.objects.filter(site__event=created, site__unit=dong.unit)
    assert set(named.values_list("member__code", flat=True)) == {"HB-DONG-04", "HB-DONG-05"}


def rendered_data(response) -> dict[str, object]:
    """What the browser posts back when the user changes nothing on the rendered form."""
    data: dict[str, object] = {}
    formset = response.context["formset"]
    for form in [response.context["form"], formset.management_form, *formset.forms]:
        for field in form:
            value = field.value()
            if value is None or value is False:
                continue
            if value is True:
                value = "on"
            elif isinstance(value, list):
                value = [getattr(v, "pk", v) for v in value]
            elif hasattr(value, "pk"):
                value = value.pk
            data[field.html_name] = value
    return data


def test_the_edit_form_posted_back_unchanged_saves_the_same_event(users, client_for):
    e3 = event("E3")
    client = client_for(users.owner)
    page = client.get(reverse("events:edit", args=[e3.pk]))
    data = rendered_data(page)
    assert data["sites-INITIAL_FORMS"] == 1 and data["sites-TOTAL_FORMS"] == 3
    response = client.post(reverse("events:edit", args=[e3.pk]), data)
    assert response.status_code == 302
    assert [(s.unit.code, s.non_members) for s in e3.sites.all()] == [("BN.HA.HB", 4)]
    assert Attendance.objects.filter(event=e3).count() == 3
    assert list(e3.presenters.values_list("code", flat=True)) == ["P3"]


def test_the_create_form_starts_with_the_users_unit(users, client_for):
    client = client_for(users.owner)
    page = client.get(reverse("events:create"))
    data = rendered_data(page)
    # The browser posts the first format when none is chosen.
    data.update({"held_on": "2024-03-21", "format": "in_person", "title": "Hội nghị mới",
                 "sites-0-non_members": 3})
    response = client.post(reverse("events:create"), data)
    assert response.status_code == 302
    created = Event.objects.get(title="Hội nghị mới")
    assert created.organiser.code == "BN.HA.HB"
    assert [(s.unit.code, s.non_members) for s in created.sites.all()] == [("BN.HA.HB", 3)]


def test_a_bridge_point_can_be_removed(users, client_for, scenario):
    e1_like = event_data(scenario, organiser="BN.HA.HB",
                         sites=[{"unit": "BN.HA.HB"}, {"unit": "BN.HA.HB.TAY", "other_members": 3}])
    client = client_for(users.owner)
    client.post(reverse("events:create"), e1_like)
    created = Event.objects.get(title="Hội nghị học tập Chuyên đề (thử)")
    data = rendered_data(client.get(reverse("events:edit", args=[created.pk])))
    data["sites-1-DELETE"] = "on"
    assert client.post(reverse("events:edit", args=[created.pk]), data).status_code == 302
    assert [s.unit.code for s in created.sites.all()] == ["BN.HA.HB"]


def test_edit_keeps_the_attendees_of_unchanged_sites(users, client_for, scenario):
    e3 = event("E3")
    data = event_data(scenario, organiser="BN.HA.HB", with_campaign=False, held_on="2024-02-28",
                      format="video", title="Tiêu đề mới", code="E3",
                      sites=[{"unit": "BN.HA.HB", "non_members": 4}])
    response = client_for(users.owner).post(reverse("events:edit", args=[e3.pk]), data)
    assert response.status_code == 302
    e3.refresh_from_db()
    assert e3.title == "Tiêu đề mới"
    assert Attendance.objects.filter(event=e3).count() == 3


def test_delete_asks_then_deletes(users, client_for):
    e3 = event("E3")
    client = client_for(users.owner)
    assert client.get(reverse("events:delete", args=[e3.pk])).status_code == 200
    assert Event.objects.filter(pk=e3.pk).exists()
    response = client.post(reverse("events:delete", args=[e3.pk]))
    assert response.status_code == 302
    assert not Event.objects.filter(pk=e3.pk).exists()
    assert not Site.objects.filter(event_id=e3.pk).exists()


# --- bad input: 200, a message, nothing written -----------------------------------------------


def _refused(client, url, data, expected: str):
    before = table_counts()
    response = client.post(url, data)
    assert response.status_code == 200
    assert expected in response.content.decode()
    assert table_counts() == before
    return response


def test_date_outside_the_campaign_is_refused(users, client_for, scenario):
    data = event_data(scenario, organiser="BN.HA.HB", held_on="2024-01-05", sites=[{"unit": "BN.HA.HB"}])
    _refused(client_for(users.owner), reverse("events:create"), data, message(
        "The date %(date)s is outside the campaign (%(start)s to %(end)s).",
        date="05/01/2024", start="10/01/2024", end="31/12/2024",
    ))


def test_site_outside_the_organisers_subtree_is_refused(users, client_for, scenario):
    data = event_data(scenario, organiser="BN.HA.HB.DONG", sites=[{"unit": "BN.HA.HB.TAY"}])
    _refused(client_for(users.owner), reverse("events:create"), data, message(
        "%(site)s: the unit is not under the organising unit.", site=site_label(1, "BN.HA.HB.TAY")
    ))


def test_negative_count_at_a_site_is_refused(users, client_for, scenario):
    data = event_data(scenario, organiser="BN.HA.HB", sites=[{"unit": "BN.HA.HB", "other_members": -3}])
    _refused(client_for(users.owner), reverse("events:create"), data, message(
        "%(site)s: %(field)s cannot be negative.",
        site=site_label(1, "BN.HA.HB"), field=translated("party members not listed by name"),
    ))


def test_categories_above_the_non_members_are_refused(users, client_for, scenario):
    data = event_data(scenario, organiser="BN.HA.HB",
                      sites=[{"unit": "BN.HA.HB", "non_members": 2, "category_religious": 3}])
    _refused(client_for(users.owner), reverse("events:create"), data, message(
        "%(site)s: non-members by category add up to more than the %(total)s non-members.",
        site=site_label(1, "BN.HA.HB"), total=2,
    ))


def test_event_without_a_site_is_refused(users, client_for, scenario):
    data = event_data(scenario, organiser="BN.HA.HB", sites=[])
    _refused(client_for(users.owner), reverse("events:create"), data,
             message("An event needs at least one bridge point."))


def test_attendee_not_under_the_site_is_refused(users, client_for):
    e4a = event("E4a")  # cell meeting of Chi bộ thôn Đông
    site = e4a.sites.get()
    response = _refused(
        client_for(users.owner), reverse("events:attendees", args=[e4a.pk, site.unit_id]),
        {"members": member_ids("HB-DONG-04", "HB-TAY-04")},
        message("%(site)s: %(member)s is not a member of a unit under this bridge point.",
                site=site_label(1, "BN.HA.HB.DONG"), member=Member.objects.get(code="HB-TAY-04")),
    )
    assert Attendance.objects.filter(site=site).count() == 10
    assert response.context["current"] == set(member_ids("HB-DONG-04", "HB-TAY-04"))


# --- roles and scope --------------------------------------------------------------------------


def test_viewer_cannot_write_in_their_own_subtree(users, client_for, scenario):
    client = client_for(users.viewer)
    e3 = event("E3")
    site = e3.sites.get()
    before = table_counts()
    create = event_data(scenario, organiser="BN.HA.HB", sites=[{"unit": "BN.HA.HB"}])
    assert client.get(reverse("events:create")).status_code == 403
    assert client.post(reverse("events:create"), create).status_code == 403
    edit = event_data(scenario, organiser="BN.HA.HB", with_campaign=False, sites=[{"unit": "BN.HA.HB"}])
    for url, data in (
        (reverse("events:edit", args=[e3.pk]), edit),
        (reverse("events:delete", args=[e3.pk]), {}),
        (reverse("events:attendees", args=[e3.pk, site.unit_id]), {"members": member_ids("HB-DONG-07")}),
    ):
        assert client.get(url).status_code == 403, url
        assert client.post(url, data).status_code == 403, url
    assert table_counts() == before
    assert client.get(reverse("events:detail", args=[e3.pk])).status_code == 200


def test_reporter_cannot_change_an_event_organised_above(users, client_for, scenario):
    e1 = event("E1")
    client = client_for(users.reporter)
    assert client.get(reverse("events:edit", args=[e1.pk])).status_code == 403
    assert client.post(reverse("events:delete", args=[e1.pk])).status_code == 403
    assert Event.objects.filter(pk=e1.pk).exists()


@pytest.mark.parametrize("role", OUTSIDER_ROLES)
def test_outsiders_get_404_on_every_page_of_a_hoa_binh_event(role, users, client_for, scenario):
    client = client_for(users.outsiders[role])
    e3 = event("E3")
    site = e3.sites.get()
    before = table_counts()
    edit = event_data(scenario, organiser="BN.HA.HP", with_campaign=False, sites=[{"unit": "BN.HA.HP"}])
    for url, data in (
        (reverse("events:detail", args=[e3.pk]), None),
        (reverse("events:edit", args=[e3.pk]), edit),
        (reverse("events:delete", args=[e3.pk]), {}),
        (reverse("events:attendees", args=[e3.pk, site.unit_id]), {"members": member_ids("HB-DONG-07")}),
    ):
        assert client.get(url).status_code == 404, url
        if data is not None:
            assert client.post(url, data).status_code == 404, url
    assert table_counts() == before


@pytest.mark.parametrize("role", OUTSIDER_ROLES)
def test_outsiders_tampering_with_posted_ids_get_404(role, users, client_for, scenario):
    client = client_for(users.outsiders[role])
    e5 = event("E5")  # organised by Hòa Phú, one bridge point at Hòa Phú
    e5_site = e5.sites.get()
    before = table_counts()
    attempts = [
        # A Hòa Bình unit as organiser of a new event.
        (reverse("events:create"), event_data(scenario, organiser="BN.HA.HB", sites=[{"unit": "BN.HA.HP"}])),
        # A Hòa Bình unit as a bridge point of a Hòa Phú event.
        (reverse("events:create"),
         event_data(scenario, organiser="BN.HA.HP", sites=[{"unit": "BN.HA.HB"}])),
        (reverse("events:edit", args=[e5.pk]),
         event_data(scenario, organiser="BN.HA.HP", with_campaign=False,
                    sites=[{"unit": "BN.HA.HP"}, {"unit": "BN.HA.HB"}])),
        # A Hòa Bình presenter.
        (reverse("events:create"),
         event_data(scenario, organiser="BN.HA.HP", sites=[{"unit": "BN.HA.HP"}],
                    presenters=[Presenter.objects.get(code="P3").pk])),
        # A Hòa Bình member as attendee at the Hòa Phú bridge point.
        (reverse("events:attendees", args=[e5.pk, e5_site.unit_id]), {"members": member_ids("HB-DONG-04")}),
        # The same behind an id that does not exist at all.
        (reverse("events:attendees", args=[e5.pk, e5_site.unit_id]),
         {"members": [999999, *member_ids("HB-DONG-04")]}),
    ]
    for url, data in attempts:
        assert client.post(url, data).status_code == 404, (url, data)
    assert table_counts() == before
