"""Member roster pages: list, detail, add, edit and status change, with scope and role checks."""

import datetime

import pytest
from django.db.models import F
from django.urls import reverse

from chuyende.accounts.services import user_create
from chuyende.members.models import Member, MemberStatus
from chuyende.organisation.models import Unit
from tests.conftest import OUTSIDER_ROLES, TEST_PASSWORD
from tests.view_helpers import message, table_counts

pytestmark = pytest.mark.django_db


def member(code: str) -> Member:
    return Member.objects.get(code=code)


def unit_id(code: str) -> int:
    return Unit.objects.get(code=code).pk


def new_member_data(**overrides: object) -> dict[str, object]:
    data = {
        "unit": unit_id("BN.HA.HB.DONG"), "code": "HB-DONG-99", "full_name": "Lò Văn Mới",
        "sex": "male", "birth_year": 1990, "membership": "probationary", "status": "active",
        "status_since": "",
    }
    data.update(overrides)
    return data


def edit_data(target: Member, **overrides: object) -> dict[str, object]:
    data = {
        "unit": target.unit_id, "code": target.code, "full_name": target.full_name, "sex": target.sex,
        "birth_year": target.birth_year, "membership": target.membership,
    }
    data.update(overrides)
    return data


# --- list -------------------------------------------------------------------------------------


def test_list_shows_the_subtree_only(users, client_for):
    response = client_for(users.owner).get(reverse("members:list"))
    assert response.status_code == 200
    assert "Lò Ngọc Nga" in response.content.decode()  # HB-DONG-04
    assert "THPT-01" not in response.content.decode()  # a member of another grassroots unit
    assert response.context["page"].paginator.count == 42


def test_list_search_by_name_or_code(users, client_for):
    client = client_for(users.owner)
    by_name = client.get(reverse("members:list"), {"q": "Ngọc Nga"})
    assert [m.code for m in by_name.context["page"].object_list] == ["HB-DONG-04"]
    by_code = client.get(reverse("members:list"), {"q": "hb-tay-1"})
    assert {m.code for m in by_code.context["page"].object_list} == {
        "HB-TAY-10", "HB-TAY-11", "HB-TAY-12", "HB-TAY-13", "HB-TAY-14", "HB-TAY-15",
    }


@pytest.mark.parametrize(
    ("query", "codes"),
    [
        ("đỗ", {"HB-DONG-05", "HB-TAY-09"}),  # Đỗ Thị Hương, Đỗ Đức Dũng; not every HB-DONG code
        ("DO", {"HB-DONG-05", "HB-TAY-09"}),
        ("Đỗ đức", {"HB-TAY-09"}),
        ("nguyen thu", {"HB-DONG-07"}),  # Nguyễn Thu Trang
        ("  NGUYỄN   THU ", {"HB-DONG-07"}),
        ("hb-dong-05", {"HB-DONG-05"}),
        ("xyz", set()),
    ],
)
def test_list_search_ignores_case_and_diacritics(query, codes, users, client_for):
    response = client_for(users.owner).get(reverse("members:list"), {"q": query})
    assert {m.code for m in response.context["page"].object_list} == codes


def test_search_follows_a_change_of_name(users, client_for):
    client = client_for(users.owner)
    target = member("HB-DONG-06")  # Bùi Ngọc Linh
    client.post(reverse("members:edit", args=[target.pk]), edit_data(target, full_name="Đinh Thị Ước"))
    assert [m.code for m in client.get(reverse("members:list"), {"q": "dinh thi uoc"}).context[
        "page"].object_list] == ["HB-DONG-06"]
    assert not client.get(reverse("members:list"), {"q": "bui ngoc linh"}).context["page"].object_list


def test_list_filters_by_unit_and_status_today(users, client_for):
    client = client_for(users.owner)
    in_cell = client.get(reverse("members:list"), {"unit": unit_id("BN.HA.HB.TH")})
    assert in_cell.context["page"].paginator.count == 9
    exempt = client.get(reverse("members:list"), {"status": "exempt"})
    assert {m.code for m in exempt.context["page"].object_list} == {"HB-DONG-01", "HB-DONG-02", "HB-TAY-01"}
    away_in_dong = client.get(reverse("members:list"), {"status": "away", "unit": unit_id("BN.HA.HB.DONG")})
    assert [m.code for m in away_in_dong.context["page"].object_list] == ["HB-DONG-03"]


def test_list_filter_by_a_unit_outside_the_subtree_is_not_found(users, client_for):
    response = client_for(users.outsiders["officer"]).get(
        reverse("members:list"), {"unit": unit_id("BN.HA.HB.DONG")}
    )
    assert response.status_code == 404


def test_a_user_without_a_roster_cannot_add_members(users, client_for):
    assert client_for(users.outsiders["officer"]).get(reverse("members:create")).status_code == 403


def test_list_is_paginated_by_50_with_a_fixed_number_of_queries(
    users, client_for, django_assert_max_num_queries
):
    district = user_create(actor=None, username="t.ha.officer", password=TEST_PASSWORD,
                           unit=Unit.objects.get(code="BN.HA"), role="officer")
    client = client_for(district)
    client.get(reverse("members:list"))  # warm up the session and the caches
    # session, user, count, page of members with unit and status, filter units, edit choices.
    with django_assert_max_num_queries(8):
        first = client.get(reverse("members:list"))
    assert first.context["page"].paginator.count == 56
    assert len(first.context["page"].object_list) == 50
    with django_assert_max_num_queries(8):
        second = client.get(reverse("members:list"), {"page": 2})
    assert len(second.context["page"].object_list) == 6


# --- detail -----------------------------------------------------------------------------------


def test_detail_shows_status_history_and_events_attended(users, client_for):
    target = member("HB-DONG-04")
    response = client_for(users.owner).get(reverse("members:detail", args=[target.pk]))
    assert response.status_code == 200
    assert response.context["member"] == target
    assert {a.event.code for a in response.context["attendances"]} == {"E3"}
    assert "Hội nghị học tập Chuyên đề qua đĩa ghi hình bài giảng" in response.content.decode()
    exempt = client_for(users.owner).get(reverse("members:detail", args=[member("HB-DONG-01").pk]))
    assert "01/06/2023" in exempt.content.decode()  # the exempt status began that day


def test_status_history_is_newest_first_with_the_open_start_period_last(users, client_for):
    """On every database: PostgreSQL sorts NULL first in a descending order unless told otherwise."""
    client = client_for(users.owner)
    target = member("HB-DONG-06")  # active since an unknown day (open start)
    client.post(reverse("members:status", args=[target.pk]), {"status": "away", "since": "2024-05-01"})
    expected = [("away", datetime.date(2024, 5, 1)), ("active", None)]
    for page in ("members:detail", "members:status"):
        response = client.get(reverse(page, args=[target.pk]))
        assert [(s.status, s.valid_from) for s in response.context["statuses"]] == expected, page


# --- add, edit, status ------------------------------------------------------------------------


def test_officer_adds_a_member(users, client_for):
    response = client_for(users.owner).post(reverse("members:create"), new_member_data())
    created = member("HB-DONG-99")
    assert response.status_code == 302
    assert response.url == reverse("members:detail", args=[created.pk])
    assert created.unit.code == "BN.HA.HB.DONG"
    assert created.statuses.get().status == "active"


def test_reporter_adds_a_member_to_a_cell(users, client_for):
    response = client_for(users.reporter).post(
        reverse("members:create"), new_member_data(unit=unit_id("BN.HA.HB.TAY"))
    )
    assert response.status_code == 302
    assert member("HB-DONG-99").unit.code == "BN.HA.HB.TAY"


def test_add_offers_only_individually_tracked_units_the_user_may_change(users, client_for):
    response = client_for(users.owner).get(reverse("members:create"))
    offered = {unit.code for unit in response.context["form"].fields["unit"].offered}
    assert offered == {"BN.HA.HB", "BN.HA.HB.DONG", "BN.HA.HB.TAY", "BN.HA.HB.TH"}


def test_a_unit_that_reports_counts_is_refused(users, client_for):
    district = user_create(actor=None, username="t.ha.officer", password=TEST_PASSWORD,
                           unit=Unit.objects.get(code="BN.HA"), role="officer")
    before = table_counts()
    response = client_for(district).post(
        reverse("members:create"), new_member_data(unit=unit_id("BN.HA.HP.PM"))
    )
    assert response.status_code == 200
    assert message("%(unit)s reports counts only; its members are not kept one by one.",
                   unit="Chi bộ thôn Phú Mỹ") in response.content.decode()
    assert table_counts() == before


def test_duplicate_member_code_is_refused_and_nothing_is_written(users, client_for):
    before = table_counts()
    response = client_for(users.owner).post(reverse("members:create"), new_member_data(code="HB-TAY-01"))
    assert response.status_code == 200
    assert response.context["form"].errors["code"]
    assert message("A member with code %(code)s already exists.", code="HB-TAY-01") in (
        response.content.decode()
    )
    assert table_counts() == before


def test_implausible_birth_year_is_refused(users, client_for):
    before = table_counts()
    response = client_for(users.owner).post(reverse("members:create"), new_member_data(birth_year=2020))
    assert response.status_code == 200
    assert message("The birth year %(year)s is not plausible.", year=2020) in response.content.decode()
    assert table_counts() == before


def test_officer_edits_a_member(users, client_for):
    target = member("HB-DONG-05")
    response = client_for(users.owner).post(
        reverse("members:edit", args=[target.pk]),
        edit_data(target, full_name="Đỗ Thị Hường", unit=unit_id("BN.HA.HB.TAY")),
    )
    assert response.status_code == 302
    target.refresh_from_db()
    assert (target.full_name, target.unit.code) == ("Đỗ Thị Hường", "BN.HA.HB.TAY")


def test_edit_to_a_duplicate_code_is_refused(users, client_for):
    target = member("HB-DONG-05")
    before = table_counts()
    response = client_for(users.owner).post(
        reverse("members:edit", args=[target.pk]), edit_data(target, code="HB-DONG-06")
    )
    assert response.status_code == 200
    assert message("A member with code %(code)s already exists.", code="HB-DONG-06") in (
        response.content.decode()
    )
    assert table_counts() == before
    target.refresh_from_db()
    assert target.code == "HB-DONG-05"


def test_status_change_closes_the_current_period(users, client_for):
    target = member("HB-DONG-06")
    response = client_for(users.owner).post(
        reverse("members:status", args=[target.pk]), {"status": "away", "since": "2024-05-01"}
    )
    assert response.status_code == 302
    periods = list(
        target.statuses.order_by(F("valid_from").asc(nulls_first=True))
        .values_list("status", "valid_from", "valid_to")
    )
    assert periods == [
        ("active", None, datetime.date(2024, 5, 1)),
        ("away", datetime.date(2024, 5, 1), None),
    ]


def test_status_change_before_the_current_status_is_refused(users, client_for):
    target = member("HB-DONG-01")  # exempt since 01/06/2023
    before = table_counts()
    response = client_for(users.owner).post(
        reverse("members:status", args=[target.pk]), {"status": "active", "since": "2023-01-01"}
    )
    assert response.status_code == 200
    assert message(
        "The new status must start after %(date)s, when the current status began.", date="01/06/2023"
    ) in response.content.decode()
    assert table_counts() == before


# --- roles and scope --------------------------------------------------------------------------


def test_viewer_cannot_write_in_their_own_subtree(users, client_for):
    client = client_for(users.viewer)
    target = member("HB-DONG-05")
    before = table_counts()
    assert client.get(reverse("members:create")).status_code == 403
    assert client.post(reverse("members:create"), new_member_data()).status_code == 403
    assert client.get(reverse("members:edit", args=[target.pk])).status_code == 403
    assert client.post(
        reverse("members:edit", args=[target.pk]), edit_data(target, full_name="X")
    ).status_code == 403
    assert client.get(reverse("members:status", args=[target.pk])).status_code == 403
    assert client.post(
        reverse("members:status", args=[target.pk]), {"status": "away", "since": "2024-05-01"}
    ).status_code == 403
    assert table_counts() == before
    assert client.get(reverse("members:detail", args=[target.pk])).status_code == 200


@pytest.mark.parametrize("role", OUTSIDER_ROLES)
def test_outsiders_get_404_on_every_page_of_a_hoa_binh_member(role, users, client_for):
    client = client_for(users.outsiders[role])
    target = member("HB-DONG-04")
    before = table_counts()
    pages = {
        reverse("members:detail", args=[target.pk]): None,
        reverse("members:edit", args=[target.pk]): edit_data(target, full_name="Đổi tên"),
        reverse("members:status", args=[target.pk]): {"status": "away", "since": "2024-05-01"},
    }
    for url, data in pages.items():
        assert client.get(url).status_code == 404, url
        if data is not None:
            assert client.post(url, data).status_code == 404, url
    # Tampering: adding a member to a Hòa Bình cell from the Hòa Phú form.
    response = client.post(reverse("members:create"), new_member_data(unit=unit_id("BN.HA.HB.DONG")))
    assert response.status_code == 404
    assert table_counts() == before
    listed = client.get(reverse("members:list"))
    assert listed.status_code == 200
    assert listed.context["page"].paginator.count == 0
    assert not MemberStatus.objects.filter(member__code="HB-DONG-99").exists()
