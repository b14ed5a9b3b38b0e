"""API: supervision visits (list with filters, record, change), roles and subtree scope.

The district's officer Lò Thị Mai visited Hòa Phú on 12/03/2024. Hòa Bình's own officer (added here)
visits its cells."""

import datetime

import pytest

from chuyende.campaigns.models import Campaign
from chuyende.organisation.models import Unit
from chuyende.supervision.models import Supervisor, Visit
from chuyende.supervision.services import supervisor_create, visit_create
from tests.api.conftest import api_url
from tests.api.test_activity_common import audit_count, make_user, refused_with, rows, uid
from tests.builders import make_campaign, nothing_written
from tests.conftest import OUTSIDER_ROLES

pytestmark = pytest.mark.django_db

LIST = api_url("supervision-visits/")


@pytest.fixture
def cd(scenario_module) -> Campaign:
    return scenario_module


@pytest.fixture
def hb_officer(actors) -> Supervisor:
    return supervisor_create(actor=None, unit=Unit.objects.get(code="BN.HA.HB"), full_name="Vi Văn Sơn",
                             title="Phó Bí thư Đảng ủy")


@pytest.fixture
def hb_visit(cd, hb_officer) -> Visit:
    dong = Unit.objects.get(code="BN.HA.HB.DONG")
    return visit_create(actor=None, campaign=cd, supervisor=hb_officer, unit=dong,
                        visited_on=datetime.date(2024, 3, 14), findings="Chi bộ chưa lập danh sách học bù",
                        follow_up="Lập danh sách trước 31/3")


def post(client, data: object):
    return client.post(LIST, data, format="json")


def detail(visit: Visit) -> str:
    return api_url(f"supervision-visits/{visit.pk}/")


def district_visit() -> Visit:
    return Visit.objects.get(unit__code="BN.HA.HP")


def new_visit(the_campaign: Campaign, officer: Supervisor, **overrides: object) -> dict[str, object]:
    data: dict[str, object] = {
        "campaign": the_campaign.pk, "supervisor": officer.pk, "unit": uid("BN.HA.HB.TAY"),
        "visited_on": "2024-03-20", "findings": "Chi bộ đã tổ chức học tập đầy đủ", "follow_up": "",
    }
    data.update(overrides)
    return data


# --- reading ---------------------------------------------------------------------------------------------


def test_each_subtree_reads_its_visits(actors, api_for, cd, hb_visit):
    listed = rows(api_for(actors.viewer).get(LIST))
    assert listed == [{
        "id": hb_visit.pk, "campaign": cd.pk, "unit": uid("BN.HA.HB.DONG"), "unit_code": "BN.HA.HB.DONG",
        "supervisor": hb_visit.supervisor_id, "supervisor_name": "Vi Văn Sơn", "visited_on": "2024-03-14",
        "findings": "Chi bộ chưa lập danh sách học bù", "follow_up": "Lập danh sách trước 31/3",
        "closed_on": None,
    }]
    # Hòa Phú sees the district officer's visit to it.
    hp = rows(api_for(actors.outsiders["viewer"]).get(LIST))
    assert [(row["unit_code"], row["supervisor_name"]) for row in hp] == [("BN.HA.HP", "Lò Thị Mai")]


def test_filters_and_pagination(actors, api_for, cd, hb_visit):
    client = api_for(make_user("s.ha.officer", "BN.HA", "officer"))

    def units(**params: object) -> list[str]:
        return [row["unit_code"] for row in rows(client.get(LIST, params))]

    assert units() == ["BN.HA.HB.DONG", "BN.HA.HP"]
    assert units(unit=uid("BN.HA.HB")) == ["BN.HA.HB.DONG"]
    assert units(campaign=cd.pk, visited_on="2024-03-12") == ["BN.HA.HP"]
    assert units(date_from="2024-03-13") == ["BN.HA.HB.DONG"]
    assert units(date_to="2024-03-13") == ["BN.HA.HP"]
    page = client.get(LIST, {"page_size": 1}).json()
    assert page["count"] == 2 and len(page["results"]) == 1 and page["next"]
    refused_with(client.get(LIST, {"visited_on": "mai"}), "visited_on")


@pytest.mark.parametrize("role", OUTSIDER_ROLES)
def test_hoa_phu_never_sees_hoa_binh_visits(role, actors, api_for, hb_visit):
    client = api_for(actors.outsiders[role])
    assert all(row["unit_code"] == "BN.HA.HP" for row in rows(client.get(LIST)))
    assert client.get(detail(hb_visit)).status_code == 404
    assert client.get(LIST, {"unit": uid("BN.HA.HB.DONG")}).status_code == 404


def test_list_queries_are_pinned(actors, api_for, cd, hb_officer, django_assert_max_num_queries):
    client = api_for(actors.owner)
    for day in range(15, 25):
        assert post(client, new_visit(cd, hb_officer, visited_on=f"2024-03-{day}")).status_code == 201
    with django_assert_max_num_queries(4):
        assert len(rows(client.get(LIST))) == 10


# --- writing ---------------------------------------------------------------------------------------------


def test_owner_records_and_closes_a_visit(actors, api_for, cd, hb_officer):
    client = api_for(actors.owner)
    before = audit_count()
    response = post(client, new_visit(cd, hb_officer, follow_up="Tổ chức học bù"))
    assert response.status_code == 201, response.content
    assert response.json()["supervisor_name"] == "Vi Văn Sơn"
    url = api_url(f"supervision-visits/{response.json()['id']}/")
    response = client.patch(url, {"closed_on": "2024-04-02"}, format="json")
    assert response.status_code == 200, response.content
    assert response.json()["closed_on"] == "2024-04-02" and response.json()["follow_up"] == "Tổ chức học bù"
    response = client.put(url, {"visited_on": "2024-03-21", "findings": "Đã học đủ"}, format="json")
    assert response.status_code == 200
    assert (response.json()["follow_up"], response.json()["closed_on"]) == ("", None)
    assert audit_count() == before + 3


def test_viewer_changes_nothing(actors, api_for, cd, hb_officer, hb_visit):
    client = api_for(actors.viewer)
    with nothing_written():
        assert post(client, new_visit(cd, hb_officer)).status_code == 403
        assert client.patch(detail(hb_visit), {"findings": "x"}, format="json").status_code == 403
        assert api_for(actors.owner).delete(detail(hb_visit)).status_code == 405


def test_a_visit_by_an_officer_from_above_is_read_only_below(actors, api_for):
    with nothing_written():
        response = api_for(actors.outsiders["officer"]).patch(detail(district_visit()), {"closed_on": None},
                                                              format="json")
        assert response.status_code == 403


@pytest.mark.parametrize("role", ("admin", "officer"))
def test_hoa_phu_cannot_change_hoa_binh_visits(role, actors, api_for, hb_visit):
    with nothing_written():
        response = api_for(actors.outsiders[role]).patch(detail(hb_visit), {"findings": "x"}, format="json")
        assert response.status_code == 404


def test_ids_of_another_subtree_are_404_and_nothing_is_written(actors, api_for, cd, hb_officer):
    client = api_for(actors.owner)
    lo_thi_mai = district_visit().supervisor  # her home unit is the district, above Hòa Bình
    foreign_campaign = make_campaign(Unit.objects.get(code="BN.HA.HP"), code="HP-2024")
    with nothing_written():
        for data in (new_visit(cd, lo_thi_mai),
                     new_visit(cd, hb_officer, unit=uid("BN.HA.HP.PM")),
                     new_visit(cd, hb_officer, campaign=foreign_campaign.pk),
                     new_visit(cd, hb_officer, unit=uid("BN.HA.HP"), findings="")):
            assert post(client, data).status_code == 404, data


def test_rules_of_the_service_are_400_naming_the_field(actors, api_for, cd, hb_officer, hb_visit):
    client = api_for(actors.owner)
    with nothing_written():
        refused_with(post(client, new_visit(cd, hb_officer, unit=uid("BN.HA.HB"))), "unit")
        refused_with(post(client, new_visit(cd, hb_officer, findings="  ")), "findings")
        refused_with(post(client, new_visit(cd, hb_officer, closed_on="2024-03-25")), "closed_on")
        refused_with(post(client, new_visit(cd, hb_officer, visited_on="2023-03-20")), "visited_on")
        refused_with(client.patch(detail(hb_visit), {"closed_on": "2024-03-01"}, format="json"), "closed_on")


def test_wrong_types_and_unknown_fields_are_400_naming_them(actors, api_for, cd, hb_officer, hb_visit):
    client = api_for(actors.owner)
    with nothing_written():
        refused_with(post(client, new_visit(cd, hb_officer, supervisor="Vi Văn Sơn")), "supervisor")
        refused_with(post(client, new_visit(cd, hb_officer, closed_on="sắp tới")), "closed_on")
        refused_with(post(client, new_visit(cd, hb_officer, rating=5)), "rating")
        refused_with(post(client, {}), "campaign", "supervisor", "unit", "visited_on", "findings")
        refused_with(client.patch(detail(hb_visit), {"unit": uid("BN.HA.HB.TAY")}, format="json"), "unit")
