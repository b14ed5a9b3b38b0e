"""Aggregate return pages: the list with the return in force, the member and non-member forms."""

import pytest
from django.urls import reverse
from django.utils.html import escape

from chuyende.organisation.models import Unit
from chuyende.returns.models import MemberReturn, NonMemberReturn
from tests.conftest import OUTSIDER_ROLES
from tests.view_helpers import message, table_counts

pytestmark = pytest.mark.django_db


def unit_id(code: str) -> int:
    return Unit.objects.get(code=code).pk


def member_return_data(campaign, **overrides: object) -> dict[str, object]:
    data = {
        "campaign": campaign.pk, "unit": unit_id("BN.HA.HP.PM"), "as_of": "2024-04-30",
        "members_total": 40, "exempt": 3, "away": 2, "studied": 35,
    }
    data.update(overrides)
    return data


def non_member_data(campaign, **overrides: object) -> dict[str, object]:
    data = {"campaign": campaign.pk, "unit": unit_id("BN.HA.HP"), "as_of": "2024-04-30",
            "expected": 16, "studied": 16}
    data.update(overrides)
    return data


def hb_non_member_return() -> NonMemberReturn:
    return NonMemberReturn.objects.get(unit__code="BN.HA.HB")


def refused(client, url, data) -> str:
    """Posts bad input: the page comes back (200) with an error and nothing is written."""
    before = table_counts()
    response = client.post(url, data)
    assert response.status_code == 200
    form = response.context["form"]
    assert form.errors
    page = response.content.decode()
    for errors in form.errors.values():
        for error in errors:
            assert escape(error) in page
    assert table_counts() == before
    return page


# --- list -------------------------------------------------------------------------------------


def test_list_shows_returns_newest_first_and_the_one_in_force(users, client_for, scenario):
    response = client_for(users.outsiders["officer"]).get(reverse("returns:list"))
    assert response.status_code == 200
    rows = response.context["member_returns"]
    assert [(r.unit.code, str(r.as_of)) for r in rows] == [
        ("BN.HA.HP.PM", "2024-03-31"), ("BN.HA.HP.PL", "2024-03-31"), ("BN.HA.HP.YT", "2024-03-31"),
        ("BN.HA.HP.PL", "2024-02-29"),
    ]
    in_force = response.context["member_in_force"]
    assert [r.pk in in_force for r in rows] == [True, True, True, False]
    assert [r.unit.code for r in response.context["non_member_returns"]] == ["BN.HA.HP"]


def test_list_in_force_on_an_earlier_day(users, client_for, scenario):
    response = client_for(users.outsiders["officer"]).get(
        reverse("returns:list"), {"campaign": scenario.pk, "on": "2024-03-15"}
    )
    in_force = {
        (r.unit.code, str(r.as_of)) for r in response.context["member_returns"]
        if r.pk in response.context["member_in_force"]
    }
    assert in_force == {("BN.HA.HP.PL", "2024-02-29")}


def test_list_keeps_to_the_subtree(users, client_for):
    response = client_for(users.owner).get(reverse("returns:list"))
    assert response.context["member_returns"] == []
    assert [r.unit.code for r in response.context["non_member_returns"]] == ["BN.HA.HB"]


# --- forms ------------------------------------------------------------------------------------


def test_member_return_form_offers_only_aggregate_leaf_units(users, client_for):
    response = client_for(users.outsiders["officer"]).get(reverse("returns:member_create"))
    offered = {u.code for u in response.context["form"].fields["unit"].offered}
    assert offered == {"BN.HA.HP.PM", "BN.HA.HP.PL", "BN.HA.HP.YT"}
    # Hòa Bình keeps its members by name: nothing to report by counts.
    assert client_for(users.owner).get(reverse("returns:member_create")).status_code == 403


def test_officer_saves_a_member_return(users, client_for, scenario):
    response = client_for(users.outsiders["officer"]).post(
        reverse("returns:member_create"), member_return_data(scenario)
    )
    assert response.status_code == 302
    saved = MemberReturn.objects.get(unit__code="BN.HA.HP.PM", as_of="2024-04-30")
    assert (saved.members_total, saved.exempt, saved.away, saved.studied) == (40, 3, 2, 35)


def test_officer_saves_a_non_member_return(users, client_for, scenario):
    response = client_for(users.outsiders["officer"]).post(
        reverse("returns:non_member_create"), non_member_data(scenario, studied=15)
    )
    assert response.status_code == 302
    assert NonMemberReturn.objects.get(unit__code="BN.HA.HP", as_of="2024-04-30").studied == 15


def test_edit_changes_the_counts_of_a_saved_return(users, client_for):
    record = hb_non_member_return()
    before = NonMemberReturn.objects.count()
    client = client_for(users.owner)
    page = client.get(reverse("returns:non_member_edit", args=[record.pk]))
    assert page.status_code == 200
    response = client.post(
        reverse("returns:non_member_edit", args=[record.pk]), {"expected": 14, "studied": 14}
    )
    assert response.status_code == 302
    record.refresh_from_db()
    assert (record.expected, record.studied) == (14, 14)
    assert NonMemberReturn.objects.count() == before


@pytest.mark.parametrize(
    "overrides",
    [
        {"exempt": 30, "away": 15},  # exempt + away > total
        {"studied": 41},  # studied > total (and > expected)
        {"members_total": -1},
        {"away": -2},
        {"as_of": "2025-02-01"},  # outside the campaign
    ],
)
def test_bad_member_return_is_refused(overrides, users, client_for, scenario):
    refused(client_for(users.outsiders["officer"]), reverse("returns:member_create"),
            member_return_data(scenario, **overrides))


def test_member_return_of_a_unit_with_sub_units_is_refused(users, client_for, scenario):
    page = refused(client_for(users.outsiders["officer"]), reverse("returns:member_create"),
                   member_return_data(scenario, unit=unit_id("BN.HA.HP")))
    assert message("%(unit)s has sub-units; each of them sends its own return.",
                   unit="Đảng bộ xã Hòa Phú") in page


def test_exempt_and_away_above_total_message(users, client_for, scenario):
    page = refused(client_for(users.outsiders["officer"]), reverse("returns:member_create"),
                   member_return_data(scenario, exempt=30, away=15))
    assert message(
        "Exempt (%(exempt)s) and away (%(away)s) add up to more than the %(total)s members.",
        exempt=30, away=15, total=40,
    ) in page


def test_studied_above_those_expected_is_refused(users, client_for, scenario):
    """40 members less 3 exempt and 2 away (both excluded by the campaign): at most 35 studied."""
    assert set(scenario.excluded_statuses) == {"exempt", "away"}
    before = table_counts()
    response = client_for(users.outsiders["officer"]).post(
        reverse("returns:member_create"),
        member_return_data(scenario, members_total=40, exempt=3, away=2, studied=36),
    )
    assert response.status_code == 200
    expected = message(
        "%(studied)s members studied, more than the %(expected)s members expected to study "
        "(%(total)s members less those the campaign excludes).",
        studied=36, expected=35, total=40,
    )
    assert [escape(error) for error in response.context["form"].errors["studied"]] == [expected]
    assert expected in response.content.decode()
    assert table_counts() == before


@pytest.mark.parametrize(
    ("overrides", "expected"),
    [
        ({"expected": 10, "studied": 12},
         ("%(studied)s non-members studied, more than the %(expected)s expected.",
          {"studied": 12, "expected": 10})),
        ({"studied": -1}, None),
        ({"unit": "BN.HA.HP.PM"},  # Hòa Phú itself already reports its non-members
         None),
    ],
)
def test_bad_non_member_return_is_refused(overrides, expected, users, client_for, scenario):
    if overrides.get("unit"):
        overrides = {**overrides, "unit": unit_id(str(overrides["unit"]))}
    page = refused(client_for(users.outsiders["officer"]), reverse("returns:non_member_create"),
                   non_member_data(scenario, **overrides))
    if expected:
        assert message(expected[0], **expected[1]) in page


def test_edit_with_bad_counts_is_refused(users, client_for):
    record = hb_non_member_return()
    page = refused(client_for(users.owner), reverse("returns:non_member_edit", args=[record.pk]),
                   {"expected": 5, "studied": 9})
    assert message("%(studied)s non-members studied, more than the %(expected)s expected.",
                   studied=9, expected=5) in page
    record.refresh_from_db()
    assert (record.expected, record.studied) == (14, 13)


# --- roles and scope --------------------------------------------------------------------------


def test_viewer_cannot_write_in_their_own_subtree(users, client_for, scenario):
    client = client_for(users.viewer)
    record = hb_non_member_return()
    before = table_counts()
    assert client.get(reverse("returns:non_member_create")).status_code == 403
    assert client.post(reverse("returns:non_member_create"),
                       non_member_data(scenario, unit=unit_id("BN.HA.HB"))).status_code == 403
    assert client.get(reverse("returns:non_member_edit", args=[record.pk])).status_code == 403
    assert client.post(reverse("returns:non_member_edit", args=[record.pk]),
                       {"expected": 14, "studied": 14}).status_code == 403
    assert table_counts() == before
    assert client.get(reverse("returns:list")).status_code == 200


@pytest.mark.parametrize("role", OUTSIDER_ROLES)
def test_outsiders_get_404_on_hoa_binh_returns(role, users, client_for, scenario):
    client = client_for(users.outsiders[role])
    record = hb_non_member_return()
    before = table_counts()
    url = reverse("returns:non_member_edit", args=[record.pk])
    assert client.get(url).status_code == 404
    assert client.post(url, {"expected": 1, "studied": 1}).status_code == 404
    # Tampering: a Hòa Bình unit in the Hòa Phú forms.
    assert client.post(reverse("returns:non_member_create"),
                       non_member_data(scenario, unit=unit_id("BN.HA.HB"))).status_code == 404
    assert client.post(reverse("returns:member_create"),
                       member_return_data(scenario, unit=unit_id("BN.HA.HB.DONG"))).status_code == 404
    assert table_counts() == before
    listed = client.get(reverse("returns:list"))
    assert "BN.HA.HB" not in {r.unit.code for r in listed.context["non_member_returns"]}


def test_hoa_binh_users_get_404_on_hoa_phu_member_returns(users, client_for):
    """The same rule the other way round, for a member return (Hòa Bình has none of its own)."""
    record = MemberReturn.objects.filter(unit__code="BN.HA.HP.PM").first()
    assert record is not None
    url = reverse("returns:member_edit", args=[record.pk])
    before = table_counts()
    for insider in (users.owner, users.reporter, users.viewer):
        client = client_for(insider)
        assert client.get(url).status_code == 404
        assert client.post(url, {"members_total": 1, "exempt": 0, "away": 0, "studied": 1}).status_code == 404
    assert table_counts() == before
