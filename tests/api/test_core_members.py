"""API: party members (list with status on a date, search, detail, add, change, status change)."""

import datetime

import pytest

from chuyende.members.models import Member, MemberStatus
from chuyende.organisation.models import Unit
from tests.api.conftest import api_url, errors_of
from tests.conftest import OUTSIDER_ROLES
from tests.view_helpers import table_counts, translated

pytestmark = pytest.mark.django_db


def uid(code: str) -> int:
    return Unit.objects.get(code=code).pk


def mid(code: str) -> int:
    return Member.objects.get(code=code).pk


def codes(response) -> set[str]:
    assert response.status_code == 200, response.content
    return {row["code"] for row in response.json()["results"]}


def new_member(**overrides: object) -> dict[str, object]:
    data: dict[str, object] = {
        "unit": uid("BN.HA.HB.DONG"),
        "code": "HB-DONG-99",
        "full_name": "Lò Văn Mới",
        "sex": "male",
        "birth_year": 1990,
        "membership": "probationary",
    }
    data.update(overrides)
    return data


# --- reading ---------------------------------------------------------------------------------------------


def test_owner_lists_the_members_of_the_subtree(users, api_for):
    response = api_for(users.viewer).get(api_url("members/"), {"page_size": 100})
    body = response.json()
    assert body["count"] == 42
    assert all(code.startswith("HB-") for code in codes(response))
    row = next(r for r in body["results"] if r["code"] == "HB-DONG-01")
    assert row["unit"] == uid("BN.HA.HB.DONG") and row["unit_code"] == "BN.HA.HB.DONG"
    assert row["status"] == "exempt"
    assert row["statuses"] == [{"status": "exempt", "valid_from": "2023-06-01", "valid_to": None}]


def test_filters_unit_status_search_and_as_of(users, api_for):
    client = api_for(users.owner)
    assert len(codes(client.get(api_url("members/"), {"unit": uid("BN.HA.HB.TH")}))) == 9
    assert codes(client.get(api_url("members/"), {"status": "exempt"})) == {
        "HB-DONG-01",
        "HB-DONG-02",
        "HB-TAY-01",
    }
    assert codes(client.get(api_url("members/"), {"status": "away", "unit": uid("BN.HA.HB.DONG")})) == {
        "HB-DONG-03"
    }
    assert codes(client.get(api_url("members/"), {"q": "ngoc nga"})) == {"HB-DONG-04"}
    assert codes(client.get(api_url("members/"), {"code": "HB-TAY-09"})) == {"HB-TAY-09"}
    # Before 1 June 2023 HB-DONG-01 was not yet exempt.
    early = client.get(api_url("members/"), {"status": "exempt", "as_of": "2023-01-01"})
    assert "HB-DONG-01" not in codes(early)


def test_bad_filter_values_are_400_naming_the_parameter(users, api_for):
    client = api_for(users.owner)
    for name, value in (
        ("as_of", "31/03/2024"),
        ("as_of", "0001-01-01"),
        ("status", "asleep"),
        ("unit", "x"),
    ):
        response = client.get(api_url("members/"), {name: value})
        assert response.status_code == 400, (name, value)
        assert list(errors_of(response)) == [name]


@pytest.mark.parametrize("role", OUTSIDER_ROLES)
def test_hoa_phu_users_see_no_hoa_binh_member(role, users, api_for):
    client = api_for(users.outsiders[role])
    assert client.get(api_url("members/")).json()["count"] == 0  # Hòa Phú reports counts only
    assert client.get(api_url(f"members/{mid('HB-DONG-04')}/")).status_code == 404
    assert client.get(api_url("members/"), {"unit": uid("BN.HA.HB.DONG")}).status_code == 404
    assert client.get(api_url("members/"), {"q": "HB-DONG"}).json()["count"] == 0


def test_detail(users, api_for):
    response = api_for(users.owner).get(api_url(f"members/{mid('HB-DONG-04')}/"))
    assert response.status_code == 200
    assert response.json()["full_name"] == "Lò Ngọc Nga"


def test_list_query_count_is_fixed(users, api_for, district, django_assert_max_num_queries):
    client = api_for(district)
    # token with user, the user's unit, count, page of members with units and status, their status periods
    with django_assert_max_num_queries(5):
        response = client.get(api_url("members/"), {"page_size": 200})
    assert len(response.json()["results"]) > 50


# --- writing ---------------------------------------------------------------------------------------------


def test_owner_adds_a_member(users, api_for):
    response = api_for(users.reporter).post(
        api_url("members/"), new_member(status="away", status_since="2024-02-01"), format="json"
    )
    assert response.status_code == 201, response.content
    member = Member.objects.get(code="HB-DONG-99")
    assert response.json()["id"] == member.pk
    assert member.search_key  # written by the service
    assert list(member.statuses.values_list("status", "valid_from")) == [("away", datetime.date(2024, 2, 1))]


def test_viewer_gets_403_on_every_write_and_nothing_is_written(users, api_for):
    client = api_for(users.viewer)
    before = table_counts()
    target = mid("HB-DONG-04")
    assert client.post(api_url("members/"), new_member(), format="json").status_code == 403
    assert client.patch(api_url(f"members/{target}/"), {"full_name": "X"}, format="json").status_code == 403
    status = client.post(
        api_url(f"members/{target}/status/"), {"status": "away", "since": "2024-05-01"}, format="json"
    )
    assert status.status_code == 403
    assert table_counts() == before
    assert Member.objects.get(pk=target).full_name == "Lò Ngọc Nga"


def test_outsiders_get_404_on_hoa_binh_members_and_units(users, api_for):
    client = api_for(users.outsiders["officer"])
    before = table_counts()
    target = mid("HB-DONG-04")
    assert client.post(api_url("members/"), new_member(), format="json").status_code == 404
    assert client.patch(api_url(f"members/{target}/"), {"full_name": "X"}, format="json").status_code == 404
    status = client.post(
        api_url(f"members/{target}/status/"), {"status": "away", "since": "2024-05-01"}, format="json"
    )
    assert status.status_code == 404
    assert table_counts() == before


def test_moving_a_member_to_another_subtree_is_404(users, api_for):
    target = mid("HB-DONG-04")
    response = api_for(users.owner).patch(
        api_url(f"members/{target}/"), {"unit": uid("BN.HA.HP.PM")}, format="json"
    )
    assert response.status_code == 404
    assert Member.objects.get(pk=target).unit.code == "BN.HA.HB.DONG"


def test_errors_name_the_fields_and_nothing_is_written(users, api_for):
    client = api_for(users.owner)
    before = table_counts()
    wrong = client.post(
        api_url("members/"),
        new_member(birth_year="nineteen", sex="m", unit=True, status_since="2024-13-01", nickname="Mới"),
        format="json",
    )
    assert wrong.status_code == 400
    assert errors_of(wrong) == {"nickname": [translated("Unknown field.")]}  # unknown keys are told first
    typed = client.post(
        api_url("members/"),
        new_member(birth_year="nineteen", sex="m", unit=True, status_since="2024-13-01"),
        format="json",
    )
    assert set(errors_of(typed)) == {"birth_year", "sex", "unit", "status_since"}
    old = client.post(api_url("members/"), new_member(birth_year=2015), format="json")
    assert errors_of(old) == {
        "birth_year": [translated("The birth year %(year)s is not plausible.", year=2015)]
    }
    taken = client.post(api_url("members/"), new_member(code="HB-DONG-04"), format="json")
    assert errors_of(taken) == {
        "code": [translated("A member with code %(code)s already exists.", code="HB-DONG-04")]
    }
    assert table_counts() == before


def test_a_unit_that_reports_counts_keeps_no_member(users, api_for, district):
    before = table_counts()
    response = api_for(district).post(api_url("members/"), new_member(unit=uid("BN.HA.HP.PM")), format="json")
    assert response.status_code == 400
    assert errors_of(response) == {
        "unit": [
            translated(
                "%(unit)s reports counts only; its members are not kept one by one.",
                unit="Chi bộ thôn Phú Mỹ",
            )
        ]
    }
    assert table_counts() == before


def test_owner_changes_the_fields_sent(users, api_for):
    target = mid("HB-DONG-04")
    response = api_for(users.owner).patch(
        api_url(f"members/{target}/"),
        {"full_name": "Lò Ngọc Ngà", "unit": uid("BN.HA.HB.TAY")},
        format="json",
    )
    assert response.status_code == 200, response.content
    member = Member.objects.get(pk=target)
    assert (member.full_name, member.unit.code, member.code) == ("Lò Ngọc Ngà", "BN.HA.HB.TAY", "HB-DONG-04")
    assert response.json()["unit_code"] == "BN.HA.HB.TAY"


def test_status_change(users, api_for):
    client = api_for(users.owner)
    target = mid("HB-DONG-04")
    response = client.post(
        api_url(f"members/{target}/status/"), {"status": "away", "since": "2024-05-01"}, format="json"
    )
    assert response.status_code == 201, response.content
    assert response.json() == {"status": "away", "valid_from": "2024-05-01", "valid_to": None}
    assert MemberStatus.objects.filter(member_id=target).count() == 2
    again = client.post(
        api_url(f"members/{target}/status/"), {"status": "away", "since": "2024-06-01"}, format="json"
    )
    assert errors_of(again) == {"status": [translated("The member already has this status.")]}
    assert MemberStatus.objects.filter(member_id=target).count() == 2
    missing = client.post(api_url(f"members/{target}/status/"), {"status": "dead"}, format="json")
    assert set(errors_of(missing)) == {"status", "since"}
