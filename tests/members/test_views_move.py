"""The move pages: one member, or several by code, to another unit from a day on."""

import pytest
from django.urls import reverse

from chuyende.members.models import Member
from tests.builders import nothing_written
from tests.conftest import unit

pytestmark = pytest.mark.usefixtures("db")


def member(code: str) -> Member:
    return Member.objects.get(code=code)


def test_an_officer_moves_a_member_from_a_day_on(users, client_for):
    moving = member("HB-DONG-04")
    response = client_for(users.owner).post(reverse("members:move", args=[moving.pk]),
                                            {"unit": unit("BN.HA.HB.TAY").pk, "on": "2024-09-01"})
    assert response.status_code == 302
    moved = member("HB-DONG-04")
    assert (moved.unit.code, str(moved.unit_since)) == ("BN.HA.HB.TAY", "2024-09-01")
    assert moved.placements.get().unit.code == "BN.HA.HB.DONG"


def test_a_move_before_the_member_joined_is_refused_and_nothing_written(users, client_for):
    moving = member("HB-DONG-03")  # away since 15/10/2023: joined then
    with nothing_written():
        response = client_for(users.owner).post(reverse("members:move", args=[moving.pk]),
                                                {"unit": unit("BN.HA.HB.TAY").pk, "on": "2023-01-01"})
    assert response.status_code == 200
    assert "15/10/2023" in response.content.decode()


def test_other_subtrees_get_404_and_viewers_403(users, client_for):
    moving = member("HB-DONG-04")
    url = reverse("members:move", args=[moving.pk])
    assert client_for(users.outsiders["officer"]).get(url).status_code == 404
    assert client_for(users.viewer).get(url).status_code == 403


def test_several_members_move_together_or_none(users, client_for):
    client = client_for(users.owner)
    target = unit("BN.HA.HB.TAY").pk
    with nothing_written():
        refused = client.post(reverse("members:transfer"),
                              {"codes": "HB-DONG-04\nHB-NOPE", "unit": target, "on": "2024-09-01"})
    assert refused.status_code == 200 and "HB-NOPE" in refused.content.decode()
    response = client.post(reverse("members:transfer"),
                           {"codes": "HB-DONG-04, HB-DONG-05", "unit": target, "on": "2024-09-01"})
    assert response.status_code == 302
    assert {member("HB-DONG-04").unit.code, member("HB-DONG-05").unit.code} == {"BN.HA.HB.TAY"}
