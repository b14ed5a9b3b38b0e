"""Supervision pages: the list (officers, visits with open follow-ups first, units never visited) and
the forms (officer, assignment, visit, edit/close). 200 for those who may, 403 for those who see but
may not change, 404 for ids from another subtree; bad input shows the message and writes nothing."""

import datetime
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from django.utils.html import escape

from chuyende.accounts.models import User
from chuyende.accounts.services import user_create
from chuyende.figures.rollup import unit_figures
from chuyende.organisation.models import Unit
from chuyende.supervision.models import Assignment, Supervisor, Visit
from chuyende.supervision.services import supervisor_create, visit_create
from tests.conftest import OUTSIDER_ROLES, TEST_PASSWORD
from tests.view_helpers import message, table_counts

pytestmark = pytest.mark.django_db

D = datetime.date
LIST = reverse("supervision:list")


def unit_id(code: str) -> int:
    return Unit.objects.get(code=code).pk


def mai() -> Supervisor:
    return Supervisor.objects.get(full_name="Lò Thị Mai", unit__code="BN.HA")


@pytest.fixture
def district(users) -> User:
    """An officer of the district (Hòa An), whose commission the scenario's officers work for."""
    return user_create(actor=None, username="t.ha.officer", password=TEST_PASSWORD,
                       unit=Unit.objects.get(code="BN.HA"), role="officer", full_name="t.ha.officer")


@pytest.fixture
def hb_visit(scenario) -> Visit:
    """Mai's visit to Hòa Bình, with a follow-up still open."""
    return visit_create(actor=None, campaign=scenario, supervisor=mai(),
                        unit=Unit.objects.get(code="BN.HA.HB"), visited_on=D(2024, 3, 20),
                        findings="Sổ cam kết chưa đầy đủ", follow_up="Bổ sung sổ cam kết")


def visit_data(campaign, **overrides: object) -> dict[str, object]:
    data: dict[str, object] = {
        "campaign": campaign.pk, "supervisor": mai().pk, "unit": unit_id("BN.HA.HB"),
        "visited_on": "2024-03-21", "findings": "Chưa lập danh sách học bù", "follow_up": "Lập danh sách",
        "closed_on": "",
    }
    data.update(overrides)
    return data


def assigned(response: Any) -> dict[str, list[str]]:
    """Officer -> codes of the assigned units the page shows."""
    return {o.full_name: [a.unit.code for a in o.visible_assignments] for o in response.context["officers"]}


def refused(client, url: str, data: dict[str, Any], field: str) -> str:
    """Bad input: the page comes back (200) with the error on `field`, shown, and nothing written."""
    before = table_counts()
    response = client.post(url, data)
    assert response.status_code == 200
    errors = response.context["form"].errors
    assert list(errors) == [field], errors
    page = response.content.decode()
    for error in errors[field]:
        assert escape(error) in page
    assert table_counts() == before
    return page


def not_written(client, method: str, url: str, data: dict[str, Any] | None = None) -> int:
    before = table_counts()
    response = getattr(client, method)(url, data or {})
    assert table_counts() == before
    return int(response.status_code)


# --- list -------------------------------------------------------------------------------------


def test_the_district_sees_its_officers_visits_and_units_never_visited(district, client_for, scenario):
    response = client_for(district).get(LIST, {"campaign": scenario.pk, "on": "2024-03-31"})
    assert response.status_code == 200
    assert assigned(response) == {"Lò Thị Mai": ["BN.HA.HB", "BN.HA.HP"],
                        "Trần Văn Hùng": ["BN.HA.TT", "BN.HA.YT", "BN.HA.THPT"]}
    assert [(v.unit.code, v.visited_on) for v in response.context["visits"]] == [("BN.HA.HP", D(2024, 3, 12))]
    figures = response.context["figures"]
    assert [ref.code for ref in figures.never_visited] == ["BN.HA.HB", "BN.HA.TT", "BN.HA.YT", "BN.HA.THPT"]
    assert figures.open_follow_ups == 0
    page = response.content.decode()
    assert "Chưa lập danh sách đảng viên chưa tham gia học tập để tổ chức học bù" in page
    assert "12/03/2024" in page and "Chi bộ Trường THPT Hòa An" in page


def test_before_the_visit_the_list_is_as_of_that_day(district, client_for, scenario):
    response = client_for(district).get(LIST, {"campaign": scenario.pk, "on": "2024-03-11"})
    assert response.context["visits"] == []
    assert len(response.context["figures"].never_visited) == 5


def test_open_follow_ups_come_first(district, client_for, scenario, hb_visit):
    response = client_for(district).get(LIST, {"campaign": scenario.pk, "on": "2024-03-31"})
    assert [v.pk for v in response.context["visits"]] == [
        hb_visit.pk, Visit.objects.get(unit__code="BN.HA.HP").pk,
    ]
    assert response.context["figures"].open_follow_ups == 1
    assert response.context["editable_visits"] == {v.pk for v in response.context["visits"]}
    assert reverse("supervision:visit_edit", args=[hb_visit.pk]) in response.content.decode()


def test_a_commune_sees_the_district_visit_to_it_without_editing(users, client_for, scenario, hb_visit):
    response = client_for(users.owner).get(LIST, {"campaign": scenario.pk, "on": "2024-03-31"})
    assert response.status_code == 200
    assert [v.pk for v in response.context["visits"]] == [hb_visit.pk]
    assert assigned(response) == {"Lò Thị Mai": ["BN.HA.HB"]}
    assert response.context["figures"].never_visited == []
    assert response.context["editable_visits"] == set()
    page = response.content.decode()
    assert "Bổ sung sổ cam kết" in page
    assert reverse("supervision:visit_edit", args=[hb_visit.pk]) not in page
    assert "Đảng bộ xã Hòa Phú" not in page


def test_the_list_defaults_to_the_latest_campaign(district, client_for, scenario):
    response = client_for(district).get(LIST)
    assert response.status_code == 200
    assert response.context["campaign"] == scenario
    assert response.context["on"] == min(timezone.localdate(), scenario.ends)


# The page's own queries: session, user, user's unit, campaign twice (default, filter), units offered
# to a new officer, visits, officers, their assignments, campaign choices rendered twice. The roll-up's
# are counted apart so that a new figure in it does not hide a query added here.
OWN_QUERIES = 11


def test_list_query_count_does_not_grow_with_visits(
    district, client_for, scenario, django_assert_max_num_queries
):
    client = client_for(district)
    params = {"campaign": scenario.pk, "on": "2024-04-30"}
    with CaptureQueriesContext(connection) as rollup:
        unit_figures(unit=Unit.objects.get(code="BN.HA"), campaign=scenario, as_of=D(2024, 4, 30))
    most = OWN_QUERIES + len(rollup) - 1  # read now: each request clears the query log; less the .get
    client.get(LIST, params)  # warm the session and the caches
    with django_assert_max_num_queries(most):
        client.get(LIST, params)
    hb, hp = Unit.objects.get(code="BN.HA.HB"), Unit.objects.get(code="BN.HA.HP")
    hung = Supervisor.objects.get(full_name="Trần Văn Hùng")
    for day in range(13, 23):
        for officer, unit in ((mai(), hb), (mai(), hp), (hung, Unit.objects.get(code="BN.HA.TT"))):
            visit_create(actor=None, campaign=scenario, supervisor=officer, unit=unit,
                         visited_on=D(2024, 3, day), findings="Kiểm tra", follow_up="Bổ sung")
    supervisor_create(actor=None, unit=hb, full_name="Vi Văn Sơn")
    with django_assert_max_num_queries(most):
        response = client.get(LIST, params)
    assert len(response.context["visits"]) == 31
    assert len(response.context["officers"]) == 3


# --- forms: the district records -----------------------------------------------------------------


def test_the_district_records_a_visit(district, client_for, scenario):
    client = client_for(district)
    assert client.get(reverse("supervision:visit_create")).status_code == 200
    response = client.post(reverse("supervision:visit_create"), visit_data(scenario))
    assert response.status_code == 302
    assert response["Location"] == f"{LIST}?campaign={scenario.pk}"
    saved = Visit.objects.get(unit__code="BN.HA.HB")
    assert (saved.supervisor, saved.visited_on, saved.follow_up, saved.closed_on) == (
        mai(), D(2024, 3, 21), "Lập danh sách", None,
    )


def test_the_district_assigns_an_officer_to_several_units(district, client_for, scenario):
    client = client_for(district)
    hung = Supervisor.objects.get(full_name="Trần Văn Hùng")
    response = client.post(reverse("supervision:assign"), {
        "campaign": scenario.pk, "supervisor": hung.pk,
        "units": [unit_id("BN.HA.HB.DONG"), unit_id("BN.HA.HP")],
    })
    assert response.status_code == 302
    assert set(Assignment.objects.filter(supervisor=hung).values_list("unit__code", flat=True)) == {
        "BN.HA.TT", "BN.HA.YT", "BN.HA.THPT", "BN.HA.HB.DONG", "BN.HA.HP",
    }


def test_an_assignment_with_one_bad_unit_writes_none(district, client_for, scenario):
    page = refused(client_for(district), reverse("supervision:assign"), {
        "campaign": scenario.pk, "supervisor": mai().pk, "units": [unit_id("BN.HA.TT"), unit_id("BN.HA.HB")],
    }, "units")
    assert message("%(officer)s is already assigned to %(unit)s.", officer="Lò Thị Mai",
                   unit="Đảng bộ xã Hòa Bình") in page


def test_the_district_adds_an_officer(district, client_for):
    client = client_for(district)
    response = client.post(reverse("supervision:supervisor_create"),
                           {"unit": unit_id("BN.HA"), "full_name": "Hà Văn Nam", "title": "Ủy viên UBKT"})
    assert response.status_code == 302
    assert Supervisor.objects.get(full_name="Hà Văn Nam").unit.code == "BN.HA"


def test_closing_a_follow_up(district, client_for, hb_visit):
    url = reverse("supervision:visit_edit", args=[hb_visit.pk])
    client = client_for(district)
    page = client.get(url)
    assert page.status_code == 200
    assert page.context["form"].initial["findings"] == "Sổ cam kết chưa đầy đủ"
    response = client.post(url, {"visited_on": "2024-03-20", "findings": hb_visit.findings,
                                 "follow_up": hb_visit.follow_up, "closed_on": "2024-04-10"})
    assert response.status_code == 302
    hb_visit.refresh_from_db()
    assert hb_visit.closed_on == D(2024, 4, 10)


# --- bad input ----------------------------------------------------------------------------------


def test_a_visit_outside_the_officers_subtree_is_refused_on_the_unit(district, client_for, scenario):
    son = supervisor_create(actor=None, unit=Unit.objects.get(code="BN.HA.HB"), full_name="Vi Văn Sơn")
    page = refused(client_for(district), reverse("supervision:visit_create"),
                   visit_data(scenario, supervisor=son.pk, unit=unit_id("BN.HA.HP")), "unit")
    assert message(
        "%(officer)s works for %(home)s and can supervise only units below it; %(unit)s is not.",
        officer="Vi Văn Sơn", home="Đảng bộ xã Hòa Bình", unit="Đảng bộ xã Hòa Phú",
    ) in page


def test_a_follow_up_closed_before_the_visit_is_refused(district, client_for, scenario):
    page = refused(client_for(district), reverse("supervision:visit_create"),
                   visit_data(scenario, closed_on="2024-03-20"), "closed_on")
    assert message("The follow-up cannot be closed on %(closed)s, before the visit on %(visited)s.",
                   closed="20/03/2024", visited="21/03/2024") in page


@pytest.mark.parametrize("findings", ["", "   "])
def test_a_visit_without_findings_is_refused(findings, district, client_for, scenario):
    page = refused(client_for(district), reverse("supervision:visit_create"),
                   visit_data(scenario, findings=findings), "findings")
    assert message("Write what the visit found.") in page


def test_a_visit_outside_the_campaign_is_refused(district, client_for, scenario):
    refused(client_for(district), reverse("supervision:visit_create"),
            visit_data(scenario, visited_on="2025-01-05"), "visited_on")


def test_editing_a_visit_with_bad_dates_or_no_findings_is_refused(district, client_for, hb_visit):
    url = reverse("supervision:visit_edit", args=[hb_visit.pk])
    client = client_for(district)
    page = refused(client, url, {"visited_on": "2024-03-20", "findings": "x", "follow_up": "y",
                                 "closed_on": "2024-03-01"}, "closed_on")
    assert message("The follow-up cannot be closed on %(closed)s, before the visit on %(visited)s.",
                   closed="01/03/2024", visited="20/03/2024") in page
    refused(client, url, {"visited_on": "2024-03-20", "findings": " ", "follow_up": "", "closed_on": ""},
            "findings")
    hb_visit.refresh_from_db()
    assert (hb_visit.findings, hb_visit.closed_on) == ("Sổ cam kết chưa đầy đủ", None)


def test_an_officer_without_a_name_or_with_a_taken_one_is_refused(district, client_for):
    client = client_for(district)
    url = reverse("supervision:supervisor_create")
    page = refused(client, url, {"unit": unit_id("BN.HA"), "full_name": "  ", "title": ""}, "full_name")
    assert message("Enter the officer's full name.") in page
    page = refused(client, url, {"unit": unit_id("BN.HA"), "full_name": "Lò Thị Mai", "title": ""},
                   "full_name")
    assert message("%(unit)s already has an officer named %(name)s.", unit="Đảng bộ huyện Hòa An",
                   name="Lò Thị Mai") in page


def test_an_assignment_needs_a_unit(district, client_for, scenario):
    page = refused(client_for(district), reverse("supervision:assign"),
                   {"campaign": scenario.pk, "supervisor": mai().pk}, "units")
    assert message("Tick at least one unit.") in page


# --- roles and scope ------------------------------------------------------------------------------


def test_a_commune_officer_adds_and_assigns_its_own_officer(users, client_for, scenario):
    client = client_for(users.owner)
    form = client.get(reverse("supervision:supervisor_create")).context["form"]
    assert [u.code for u in form.fields["unit"].offered] == ["BN.HA.HB"]
    assert client.post(reverse("supervision:supervisor_create"),
                       {"unit": unit_id("BN.HA.HB"), "full_name": "Vi Văn Sơn"}).status_code == 302
    son = Supervisor.objects.get(full_name="Vi Văn Sơn")
    page = client.get(reverse("supervision:assign"))
    assert [o.full_name for o in page.context["form"].fields["supervisor"].offered] == ["Vi Văn Sơn"]
    response = client.post(reverse("supervision:assign"), {
        "campaign": scenario.pk, "supervisor": son.pk, "units": [unit_id("BN.HA.HB.DONG")],
    })
    assert response.status_code == 302
    assert Assignment.objects.get(supervisor=son).unit.code == "BN.HA.HB.DONG"


def test_the_viewer_writes_nothing(users, client_for, scenario, hb_visit):
    client = client_for(users.viewer)
    assert client.get(LIST).status_code == 200
    for name in ("supervisor_create", "assign", "visit_create"):
        assert not_written(client, "get", reverse(f"supervision:{name}")) == 403
    assert not_written(client, "post", reverse("supervision:supervisor_create"),
                       {"unit": unit_id("BN.HA.HB"), "full_name": "Vi Văn Sơn"}) == 403
    edit = reverse("supervision:visit_edit", args=[hb_visit.pk])
    assert not_written(client, "get", edit) == 403
    assert not_written(client, "post", edit, {"visited_on": "2024-03-20", "findings": "x"}) == 403


def test_a_commune_officer_cannot_edit_the_district_visit_it_sees(users, client_for, hb_visit):
    client = client_for(users.owner)
    edit = reverse("supervision:visit_edit", args=[hb_visit.pk])
    assert not_written(client, "get", edit) == 403
    assert not_written(client, "post", edit, {"visited_on": "2024-03-20", "findings": "x",
                                              "closed_on": "2024-04-01"}) == 403
    # Naming the district's officer in the commune's visit form: not in the commune's scope.
    assert not_written(client, "post", reverse("supervision:visit_create"),
                       visit_data(hb_visit.campaign)) == 404


@pytest.mark.parametrize("role", OUTSIDER_ROLES)
def test_outsiders_get_404_on_hoa_binh_records(role, users, client_for, scenario, hb_visit):
    client = client_for(users.outsiders[role])
    edit = reverse("supervision:visit_edit", args=[hb_visit.pk])
    assert not_written(client, "get", edit) == 404
    assert not_written(client, "post", edit, {"visited_on": "2024-03-20", "findings": "x"}) == 404
    son = supervisor_create(actor=None, unit=Unit.objects.get(code="BN.HA.HB"), full_name="Vi Văn Sơn")
    # Tampered ids: Hòa Bình's officer and units in the Hòa Phú forms.
    assert not_written(client, "post", reverse("supervision:supervisor_create"),
                       {"unit": unit_id("BN.HA.HB"), "full_name": "Vi Văn Sơn"}) == 404
    assert not_written(client, "post", reverse("supervision:assign"), {
        "campaign": scenario.pk, "supervisor": son.pk, "units": [unit_id("BN.HA.HB.DONG")],
    }) == 404
    assert not_written(client, "post", reverse("supervision:visit_create"),
                       visit_data(scenario, supervisor=son.pk, unit=unit_id("BN.HA.HB.DONG"))) == 404
    listed = client.get(LIST, {"campaign": scenario.pk, "on": "2024-03-31"})
    assert hb_visit.pk not in {v.pk for v in listed.context["visits"]}
    assert "Vi Văn Sơn" not in listed.content.decode()


def test_hoa_phu_officer_naming_a_hoa_binh_unit_for_its_own_officer_gets_404(users, client_for, scenario):
    hp_officer = supervisor_create(actor=None, unit=Unit.objects.get(code="BN.HA.HP"), full_name="Lý Thị Hoa")
    client = client_for(users.outsiders["officer"])
    assert not_written(client, "post", reverse("supervision:assign"), {
        "campaign": scenario.pk, "supervisor": hp_officer.pk,
        "units": [unit_id("BN.HA.HP.PM"), unit_id("BN.HA.HB")],
    }) == 404
    assert not_written(client, "post", reverse("supervision:visit_create"),
                       visit_data(scenario, supervisor=hp_officer.pk, unit=unit_id("BN.HA.HB"))) == 404
    own = visit_data(scenario, supervisor=hp_officer.pk, unit=unit_id("BN.HA.HP.PM"))
    assert client.post(reverse("supervision:visit_create"), own).status_code == 302
