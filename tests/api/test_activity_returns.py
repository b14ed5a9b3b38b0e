"""API: member returns and non-member returns (counts reported by units that keep no roster).

Hòa Bình keeps its members by name, so its only return is the non-member one; a cell reporting counts
(BN.HA.HB.BAC) is added under it for the member returns. Hòa Phú's cells send member returns."""

import datetime

import pytest

from chuyende.organisation.models import Unit
from chuyende.returns.models import MemberReturn, NonMemberReturn
from chuyende.returns.services import member_return_save
from tests.api.conftest import api_url
from tests.api.test_activity_common import audit_count, make_user, refused_with, rows, uid
from tests.builders import make_campaign, make_unit, nothing_written
from tests.conftest import OUTSIDER_ROLES
from tests.view_helpers import translated

pytestmark = pytest.mark.django_db

MEMBER_RETURNS = api_url("member-returns/")
NON_MEMBER_RETURNS = api_url("non-member-returns/")


@pytest.fixture
def bac(actors, scenario_module) -> Unit:
    """A cell of Hòa Bình reporting counts, with a return as of 31/03/2024."""
    cell = make_unit("BN.HA.HB.BAC", Unit.objects.get(code="BN.HA.HB"))
    member_return_save(actor=None, campaign=scenario_module, unit=cell, as_of=datetime.date(2024, 3, 31),
                       members_total=12, exempt=1, away=1, studied=9)
    return cell


def member_return(the_campaign, **overrides: object) -> dict[str, object]:
    data: dict[str, object] = {"campaign": the_campaign.pk, "unit": uid("BN.HA.HB.BAC"),
                               "as_of": "2024-02-29", "members_total": 12, "exempt": 1, "away": 1,
                               "studied": 6}
    data.update(overrides)
    return data


def non_member_return(the_campaign, **overrides: object) -> dict[str, object]:
    data: dict[str, object] = {"campaign": the_campaign.pk, "unit": uid("BN.HA.HB"), "as_of": "2024-02-29",
                               "expected": 14, "studied": 9}
    data.update(overrides)
    return data


def detail(base: str, record: MemberReturn | NonMemberReturn) -> str:
    return f"{base}{record.pk}/"


# --- reading ---------------------------------------------------------------------------------------------


def test_each_subtree_lists_its_own_returns(actors, api_for, bac, scenario_module):
    hb = api_for(actors.viewer)
    listed = rows(hb.get(MEMBER_RETURNS))
    assert listed == [{
        "id": MemberReturn.objects.get(unit=bac).pk, "campaign": scenario_module.pk, "unit": bac.pk,
        "unit_code": "BN.HA.HB.BAC", "as_of": "2024-03-31", "members_total": 12, "exempt": 1, "away": 1,
        "studied": 9,
    }]
    assert [row["unit_code"] for row in rows(hb.get(NON_MEMBER_RETURNS))] == ["BN.HA.HB"]
    hp = api_for(actors.outsiders["viewer"])
    assert sorted(row["unit_code"] for row in rows(hp.get(MEMBER_RETURNS))) == [
        "BN.HA.HP.PL", "BN.HA.HP.PL", "BN.HA.HP.PM", "BN.HA.HP.YT",
    ]
    assert [row["unit_code"] for row in rows(hp.get(NON_MEMBER_RETURNS))] == ["BN.HA.HP"]


@pytest.mark.parametrize("role", OUTSIDER_ROLES)
def test_hoa_phu_never_sees_hoa_binh_returns(role, actors, api_for, bac):
    client = api_for(actors.outsiders[role])
    assert client.get(detail(MEMBER_RETURNS, MemberReturn.objects.get(unit=bac))).status_code == 404
    hb_return = NonMemberReturn.objects.get(unit__code="BN.HA.HB")
    assert client.get(detail(NON_MEMBER_RETURNS, hb_return)).status_code == 404
    for base in (MEMBER_RETURNS, NON_MEMBER_RETURNS):
        assert all(not row["unit_code"].startswith("BN.HA.HB") for row in rows(client.get(base)))
        assert client.get(base, {"unit": uid("BN.HA.HB")}).status_code == 404
        assert client.get(base, {"unit": bac.pk}).status_code == 404


def test_filters_and_pagination(actors, api_for, scenario_module):
    district = api_for(make_user("s.ha.officer", "BN.HA", "officer"))

    def units(**params: object) -> list[str]:
        return [row["unit_code"] for row in rows(district.get(MEMBER_RETURNS, params))]

    assert units(unit=uid("BN.HA.HP.PL")) == ["BN.HA.HP.PL", "BN.HA.HP.PL"]
    assert units(as_of="2024-02-29") == ["BN.HA.HP.PL"]
    assert units(date_to="2024-03-01") == ["BN.HA.HP.PL"]
    assert len(units(date_from="2024-03-01")) == 7
    assert len(units(campaign=scenario_module.pk)) == 8
    page = district.get(MEMBER_RETURNS, {"page_size": 3, "page": 3}).json()
    assert page["count"] == 8 and len(page["results"]) == 2 and page["next"] is None
    refused_with(district.get(MEMBER_RETURNS, {"as_of": "hôm qua"}), "as_of")


def test_list_queries_are_pinned(actors, api_for, django_assert_max_num_queries):
    client = api_for(make_user("s.ha.officer", "BN.HA", "officer"))
    client.get(MEMBER_RETURNS)
    with django_assert_max_num_queries(4):
        assert len(rows(client.get(MEMBER_RETURNS))) == 8
    with django_assert_max_num_queries(4):
        assert len(rows(client.get(NON_MEMBER_RETURNS))) == 5


# --- saving ----------------------------------------------------------------------------------------------


def test_owner_saves_a_member_return_and_saving_the_same_day_replaces_it(
    actors, api_for, bac, scenario_module
):
    client = api_for(actors.owner)
    before = audit_count()
    response = client.post(MEMBER_RETURNS, member_return(scenario_module), format="json")
    assert response.status_code == 201, response.content
    assert response.json()["studied"] == 6 and response.json()["unit_code"] == "BN.HA.HB.BAC"
    response = client.post(MEMBER_RETURNS, member_return(scenario_module, studied=8), format="json")
    assert response.status_code == 200, response.content
    assert MemberReturn.objects.filter(unit=bac).count() == 2  # 29/02 (replaced) and 31/03
    assert MemberReturn.objects.get(unit=bac, as_of="2024-02-29").studied == 8
    assert audit_count() == before + 2


def test_owner_saves_a_non_member_return(actors, api_for, scenario_module):
    data = non_member_return(scenario_module)
    response = api_for(actors.owner).post(NON_MEMBER_RETURNS, data, format="json")
    assert response.status_code == 201, response.content
    assert NonMemberReturn.objects.filter(unit__code="BN.HA.HB").count() == 2


def test_viewer_saves_nothing(actors, api_for, bac, scenario_module):
    client = api_for(actors.viewer)
    with nothing_written():
        response = client.post(MEMBER_RETURNS, member_return(scenario_module), format="json")
        assert response.status_code == 403
        response = client.post(NON_MEMBER_RETURNS, non_member_return(scenario_module), format="json")
        assert response.status_code == 403
        # Returns are saved, never changed in place or deleted through their address.
        record = detail(MEMBER_RETURNS, MemberReturn.objects.get(unit=bac))
        assert api_for(actors.owner).delete(record).status_code == 405
        response = api_for(actors.owner).put(record, member_return(scenario_module), format="json")
        assert response.status_code == 405


def test_ids_of_another_subtree_are_404_and_nothing_is_written(actors, api_for, bac, scenario_module):
    client = api_for(actors.owner)
    foreign_campaign = make_campaign(Unit.objects.get(code="BN.HA.HP"), code="HP-2024")
    with nothing_written():
        for data in (member_return(scenario_module, unit=uid("BN.HA.HP.PM")),
                     member_return(scenario_module, campaign=foreign_campaign.pk),
                     member_return(scenario_module, unit=uid("BN.HA.HP.PM"), studied="x")):
            assert client.post(MEMBER_RETURNS, data, format="json").status_code == 404
        for data in (non_member_return(scenario_module, unit=uid("BN.HA.HP")),
                     non_member_return(scenario_module, unit=uid("BN.HA"))):
            assert client.post(NON_MEMBER_RETURNS, data, format="json").status_code == 404
        # Hòa Phú's officer naming Hòa Bình's cell: 404 as well.
        response = api_for(actors.outsiders["officer"]).post(MEMBER_RETURNS, member_return(scenario_module),
                                                             format="json")
        assert response.status_code == 404


def test_rules_of_the_service_are_400_naming_the_field(actors, api_for, bac, scenario_module):
    client = api_for(actors.owner)
    with nothing_written():
        errors = refused_with(client.post(MEMBER_RETURNS, member_return(scenario_module, exempt=8, away=6),
                                          format="json"), "exempt")
        assert errors["exempt"] == [translated(
            "Exempt (%(exempt)s) and away (%(away)s) add up to more than the %(total)s members.",
            exempt=8, away=6, total=12)]
        refused_with(client.post(MEMBER_RETURNS, member_return(scenario_module, studied=11), format="json"),
                     "studied")
        refused_with(client.post(MEMBER_RETURNS, member_return(scenario_module, members_total=-1),
                                 format="json"), "members_total")
        refused_with(client.post(MEMBER_RETURNS, member_return(scenario_module, as_of="2023-12-31"),
                                 format="json"), "as_of")
        # A cell kept by name: its figures come from attendance.
        refused_with(client.post(MEMBER_RETURNS, member_return(scenario_module, unit=uid("BN.HA.HB.DONG")),
                                 format="json"), "unit")
        refused_with(client.post(NON_MEMBER_RETURNS, non_member_return(scenario_module, studied=15),
                                 format="json"), "studied")
        # Hòa Bình already reports its non-members; a cell of it would count them twice.
        refused_with(client.post(NON_MEMBER_RETURNS, non_member_return(scenario_module, unit=bac.pk),
                                 format="json"), "unit")


def test_wrong_types_and_unknown_fields_are_400_naming_them(actors, api_for, bac, scenario_module):
    client = api_for(actors.owner)
    with nothing_written():
        refused_with(client.post(MEMBER_RETURNS, member_return(scenario_module, studied="nine"),
                                 format="json"), "studied")
        refused_with(client.post(MEMBER_RETURNS, member_return(scenario_module, exempt=None, away=[1]),
                                 format="json"), "exempt", "away")
        refused_with(client.post(MEMBER_RETURNS, member_return(scenario_module, as_of="31/13/2024"),
                                 format="json"), "as_of")
        refused_with(client.post(MEMBER_RETURNS, member_return(scenario_module, members_total=10**20),
                                 format="json"), "members_total")
        refused_with(client.post(MEMBER_RETURNS, member_return(scenario_module, unit=True), format="json"),
                     "unit")
        refused_with(client.post(MEMBER_RETURNS, member_return(scenario_module, note="x"), format="json"),
                     "note")
        refused_with(client.post(MEMBER_RETURNS, {"unit": bac.pk}, format="json"),
                     "campaign", "as_of", "members_total", "exempt", "away", "studied")
        refused_with(client.post(NON_MEMBER_RETURNS, non_member_return(scenario_module, expected="14 người"),
                                 format="json"), "expected")
