"""API: members' pledges, a cell's year-end rating and pledge returns, with roles and subtree scope.

Hòa Bình's cells are kept by name: 35 pledges (Đông 14, Tây 12, Trường Tiểu học 9), all rated on
20/12/2024. Hòa Phú's cells send pledge returns; BN.HA.HB.BAC, a cell reporting counts, is added under
Hòa Bình for its own."""

import datetime

import pytest

from chuyende.campaigns.models import Campaign
from chuyende.members.models import Member
from chuyende.organisation.models import Unit
from chuyende.pledges.models import Pledge, PledgeReturn
from chuyende.pledges.services import pledge_return_save
from tests.api.conftest import api_url
from tests.api.test_activity_common import audit_count, make_user, refused_with, rows, uid
from tests.builders import make_campaign, make_unit, nothing_written
from tests.conftest import OUTSIDER_ROLES

pytestmark = pytest.mark.django_db

PLEDGES = api_url("pledges/")
RETURNS = api_url("pledge-returns/")


def member(code: str) -> Member:
    return Member.objects.get(code=code)


def pledge_of(code: str) -> Pledge:
    return Pledge.objects.get(member__code=code)


def pledge_url(code: str) -> str:
    return api_url(f"pledges/{pledge_of(code).pk}/")


def ratings_url(unit_code: str) -> str:
    return api_url(f"units/{uid(unit_code)}/pledge-ratings/")


def post(client, url: str, data: object):
    return client.post(url, data, format="json")


def new_pledge(the_campaign: Campaign, **overrides: object) -> dict[str, object]:
    data: dict[str, object] = {"campaign": the_campaign.pk, "member": member("HB-DONG-18").pk,
                               "registered_on": "2024-03-22", "text": "Gương mẫu trong sinh hoạt chi bộ"}
    data.update(overrides)
    return data


def ratings(
    the_campaign: Campaign, *rows_: tuple[str, str], rated_on: str = "2024-12-20"
) -> dict[str, object]:
    return {"campaign": the_campaign.pk, "rated_on": rated_on,
            "ratings": [{"member": member(code).pk, "rating": rating} for code, rating in rows_]}


@pytest.fixture
def cd(scenario_module) -> Campaign:
    """The scenario's campaign CD2024."""
    return scenario_module


@pytest.fixture
def bac(actors, cd) -> Unit:
    """A cell of Hòa Bình reporting counts, with a pledge return as of 31/03/2024."""
    cell = make_unit("BN.HA.HB.BAC", Unit.objects.get(code="BN.HA.HB"))
    pledge_return_save(actor=None, campaign=cd, unit=cell, as_of=datetime.date(2024, 3, 31),
                       registered=10)
    return cell


def new_return(the_campaign: Campaign, **overrides: object) -> dict[str, object]:
    data: dict[str, object] = {"campaign": the_campaign.pk, "unit": uid("BN.HA.HB.BAC"),
                               "as_of": "2024-12-20", "registered": 10, "excellent": 3, "good": 6,
                               "not_met": 1}
    data.update(overrides)
    return data


# --- pledges: reading ------------------------------------------------------------------------------------


def test_owner_reads_the_pledges_of_the_subtree(actors, api_for, cd):
    client = api_for(actors.viewer)
    page = client.get(PLEDGES).json()
    assert page["count"] == 35
    assert {row["member_code"][:6] for row in page["results"]} == {"HB-DON", "HB-TAY", "HB-TH-"}
    one = client.get(pledge_url("HB-DONG-04")).json()
    assert one == {
        "id": pledge_of("HB-DONG-04").pk, "campaign": cd.pk, "member": member("HB-DONG-04").pk,
        "member_code": "HB-DONG-04", "member_name": member("HB-DONG-04").full_name,
        "unit": uid("BN.HA.HB.DONG"), "registered_on": "2024-03-20",
        "text": "Đăng ký làm theo: nêu gương trong thực hiện nhiệm vụ được giao",
        "rating": "excellent", "rated_on": "2024-12-20", "rating_note": "",
    }


def test_filters_and_pagination(actors, api_for, cd):
    client = api_for(actors.owner)

    def count(**params: object) -> int:
        return client.get(PLEDGES, params).json()["count"]

    assert count(unit=uid("BN.HA.HB.TAY")) == 12
    assert count(unit=uid("BN.HA.HB.DONG"), rating="not_met") == 2  # HB-DONG-07 and HB-DONG-17
    assert count(campaign=cd.pk, registered_on="2024-03-20") == 35
    assert count(date_from="2024-03-21") == 0
    page = client.get(PLEDGES, {"page_size": 10, "page": 4}).json()
    assert len(page["results"]) == 5 and page["next"] is None
    refused_with(client.get(PLEDGES, {"rating": "superb"}), "rating")


@pytest.mark.parametrize("role", OUTSIDER_ROLES)
def test_hoa_phu_never_sees_hoa_binh_pledges(role, actors, api_for, bac):
    client = api_for(actors.outsiders[role])
    assert client.get(PLEDGES).json()["count"] == 0  # Hòa Phú reports pledges as counts
    assert client.get(pledge_url("HB-DONG-04")).status_code == 404
    assert client.get(PLEDGES, {"unit": uid("BN.HA.HB")}).status_code == 404
    listed = rows(client.get(RETURNS))
    assert sorted(row["unit_code"] for row in listed) == ["BN.HA.HP.PL", "BN.HA.HP.PM", "BN.HA.HP.YT"]
    assert client.get(api_url(f"pledge-returns/{PledgeReturn.objects.get(unit=bac).pk}/")).status_code == 404
    assert client.get(RETURNS, {"unit": bac.pk}).status_code == 404


def test_list_queries_are_pinned(actors, api_for, django_assert_max_num_queries):
    client = api_for(actors.owner)
    client.get(PLEDGES)
    with django_assert_max_num_queries(4):
        assert len(rows(client.get(PLEDGES))) == 35
    district = api_for(make_user("s.ha.officer", "BN.HA", "officer"))
    district.get(RETURNS)
    with django_assert_max_num_queries(4):
        assert len(rows(district.get(RETURNS))) == 7


# --- pledges: writing ------------------------------------------------------------------------------------


def test_owner_registers_and_changes_a_pledge(actors, api_for, cd):
    client = api_for(actors.owner)
    before = audit_count()
    response = post(client, PLEDGES, new_pledge(cd, text="  Gương mẫu  "))
    assert response.status_code == 201, response.content
    assert (response.json()["member_code"], response.json()["text"], response.json()["rating"]) == (
        "HB-DONG-18", "Gương mẫu", "")
    url = api_url(f"pledges/{response.json()['id']}/")
    change = {"registered_on": "2024-03-25", "text": "Đi đầu trong phong trào"}
    response = client.put(url, change, format="json")
    assert response.status_code == 200, response.content
    assert response.json()["registered_on"] == "2024-03-25"
    response = client.patch(url, {"text": "Đi đầu trong phong trào chuyển đổi số"}, format="json")
    assert response.status_code == 200
    assert response.json()["registered_on"] == "2024-03-25"
    assert audit_count() == before + 3


def test_viewer_changes_nothing(actors, api_for, cd, bac):
    client = api_for(actors.viewer)
    with nothing_written():
        assert post(client, PLEDGES, new_pledge(cd)).status_code == 403
        assert client.patch(pledge_url("HB-DONG-04"), {"text": "x"}, format="json").status_code == 403
        assert post(client, ratings_url("BN.HA.HB.DONG"),
                    ratings(cd, ("HB-DONG-04", "good"))).status_code == 403
        assert post(client, RETURNS, new_return(cd)).status_code == 403
        assert api_for(actors.owner).delete(pledge_url("HB-DONG-04")).status_code == 405


@pytest.mark.parametrize("role", ("admin", "officer"))
def test_hoa_phu_cannot_change_hoa_binh_pledges(role, actors, api_for, cd, bac):
    client = api_for(actors.outsiders[role])
    with nothing_written():
        assert client.patch(pledge_url("HB-DONG-04"), {"text": "x"}, format="json").status_code == 404
        assert client.put(pledge_url("HB-DONG-04"), {"registered_on": "2024-03-20", "text": "x"},
                          format="json").status_code == 404
        assert post(client, PLEDGES, new_pledge(cd)).status_code == 404
        assert post(client, ratings_url("BN.HA.HB.DONG"),
                    ratings(cd, ("HB-DONG-04", "good"))).status_code == 404
        assert post(client, RETURNS, new_return(cd)).status_code == 404


def test_ids_of_another_subtree_are_404_and_nothing_is_written(actors, api_for, cd, bac):
    client = api_for(actors.owner)
    foreign_campaign = make_campaign(Unit.objects.get(code="BN.HA.HP"), code="HP-2024")
    with nothing_written():
        for data in (new_pledge(cd, member=member("THPT-05").pk),
                     new_pledge(cd, campaign=foreign_campaign.pk),
                     new_pledge(cd, member=member("THPT-05").pk, text=None)):
            assert post(client, PLEDGES, data).status_code == 404
        assert post(client, ratings_url("BN.HA.HB.DONG"),
                    ratings(cd, ("HB-DONG-04", "good"), ("THPT-05", "good"))).status_code == 404
        assert post(client, RETURNS, new_return(cd, unit=uid("BN.HA.HP.PM"))).status_code == 404
        assert post(client, RETURNS, new_return(cd, campaign=foreign_campaign.pk)).status_code == 404


def test_rules_of_the_service_are_400_naming_the_field(actors, api_for, cd):
    client = api_for(actors.owner)
    with nothing_written():
        refused_with(post(client, PLEDGES, new_pledge(cd, member=member("HB-DONG-04").pk)), "member")
        refused_with(post(client, PLEDGES, new_pledge(cd, text="   ")), "text")
        refused_with(post(client, PLEDGES, new_pledge(cd, registered_on="2025-02-01")),
                     "registered_on")
        # The pledge was rated on 20/12/2024: it cannot be registered after that.
        refused_with(client.patch(pledge_url("HB-DONG-04"), {"registered_on": "2024-12-24"}, format="json"),
                     "registered_on")


def test_wrong_types_and_unknown_fields_are_400_naming_them(actors, api_for, cd):
    client = api_for(actors.owner)
    with nothing_written():
        refused_with(post(client, PLEDGES, new_pledge(cd, member="HB-DONG-18")), "member")
        refused_with(post(client, PLEDGES, new_pledge(cd, registered_on="20/03")), "registered_on")
        refused_with(post(client, PLEDGES, new_pledge(cd, rating="good")), "rating")
        refused_with(post(client, PLEDGES, {}), "campaign", "member", "registered_on", "text")
        response = client.patch(pledge_url("HB-DONG-04"), {"member": member("HB-DONG-05").pk}, format="json")
        refused_with(response, "member")


# --- a cell's year-end rating ----------------------------------------------------------------------------


def test_owner_rates_a_cell(actors, api_for, cd):
    client = api_for(actors.owner)
    body = ratings(cd, ("HB-DONG-04", "good"), ("HB-DONG-05", "good"), ("HB-DONG-06", ""))
    body["ratings"][0]["note"] = "Chưa đi đầu"  # type: ignore[index]
    response = post(client, ratings_url("BN.HA.HB.DONG"), body)
    assert response.status_code == 200, response.content
    assert response.json() == {"changed": 2}  # HB-DONG-05 was already rated good
    assert (pledge_of("HB-DONG-04").rating, pledge_of("HB-DONG-04").rating_note) == ("good", "Chưa đi đầu")
    assert (pledge_of("HB-DONG-06").rating, pledge_of("HB-DONG-06").rated_on) == ("", None)


def test_cell_rating_refused(actors, api_for, cd):
    client = api_for(actors.owner)
    with nothing_written():
        # A member of another cell: the row is named.
        errors = refused_with(post(client, ratings_url("BN.HA.HB.DONG"),
                                   ratings(cd, ("HB-DONG-04", "good"), ("HB-TAY-04", "good"))),
                              "ratings.1")
        assert member("HB-TAY-04").full_name in errors["ratings.1"][0]
        refused_with(post(client, ratings_url("BN.HA.HB.DONG"),
                          ratings(cd, ("HB-DONG-04", "good"), rated_on="2024-03-01")), "ratings.0")
        refused_with(post(client, ratings_url("BN.HA.HB.DONG"),
                          ratings(cd, ("HB-DONG-18", "good"))), "ratings.0")
        refused_with(post(client, ratings_url("BN.HA.HB.DONG"),
                          ratings(cd, ("HB-DONG-04", "superb"))), "ratings.0.rating")
        refused_with(post(client, ratings_url("BN.HA.HB.DONG"), ratings(cd)), "ratings")
        refused_with(post(client, ratings_url("BN.HA.HB.DONG"),
                          {**ratings(cd, ("HB-DONG-04", "good")), "unit": 1}), "unit")
        # Not a cell kept by name: there is nothing to rate there.
        assert post(client, ratings_url("BN.HA.HB"),
                    ratings(cd, ("HB-DONG-04", "good"))).status_code == 404
        assert client.get(ratings_url("BN.HA.HB.DONG")).status_code == 405


# --- pledge returns --------------------------------------------------------------------------------------


def test_owner_saves_a_pledge_return_and_the_same_day_replaces_it(actors, api_for, cd, bac):
    client = api_for(actors.owner)
    response = post(client, RETURNS, new_return(cd))
    assert response.status_code == 201, response.content
    assert response.json()["excellent"] == 3
    response = post(client, RETURNS, new_return(cd, good=5, not_met=2))
    assert response.status_code == 200
    assert PledgeReturn.objects.filter(unit=bac).count() == 2
    listed = rows(api_for(actors.viewer).get(RETURNS))
    assert [(row["as_of"], row["registered"], row["not_met"]) for row in listed] == [
        ("2024-12-20", 10, 2), ("2024-03-31", 10, 0),
    ]


def test_pledge_return_refused(actors, api_for, cd, bac):
    client = api_for(actors.owner)
    with nothing_written():
        refused_with(post(client, RETURNS, new_return(cd, excellent=9)), "excellent")
        refused_with(post(client, RETURNS, new_return(cd, registered=-1)), "registered")
        refused_with(post(client, RETURNS, new_return(cd, unit=uid("BN.HA.HB.DONG"))), "unit")
        refused_with(post(client, RETURNS, new_return(cd, good="six")), "good")
        refused_with(post(client, RETURNS, new_return(cd, rated=10)), "rated")
        assert post(api_for(actors.viewer), RETURNS, new_return(cd, good="six")).status_code == 403
