"""The checks page: violations per unit of the subtree, high first, each linked to its record."""

import datetime

import pytest
from django.urls import reverse
from django.utils.html import escape

from chuyende.events.models import Site
from chuyende.organisation.models import Unit
from chuyende.reports.services import report_create
from chuyende.returns.models import NonMemberReturn
from tests.conftest import OUTSIDER_ROLES
from tests.view_helpers import message, table_counts

pytestmark = pytest.mark.django_db

URL = reverse("reports:checks")
MARCH_31 = datetime.date(2024, 3, 31)


def unit_id(code: str) -> int:
    return Unit.objects.get(code=code).pk


def query(campaign, **values: object) -> dict[str, object]:
    return {"campaign": campaign.pk, "as_of": "2024-03-31", **values}


def test_the_page_answers_every_role_of_the_unit(users, client_for, scenario):
    for user in (users.owner, users.reporter, users.viewer):
        response = client_for(user).get(URL)
        assert response.status_code == 200
        assert response.context["unit"].code == "BN.HA.HB"
        assert response.context["campaign"] == scenario


@pytest.mark.parametrize("role", OUTSIDER_ROLES)
def test_a_unit_outside_the_subtree_is_not_found(role, users, client_for, scenario):
    client = client_for(users.outsiders[role])
    assert client.get(URL, query(scenario, unit=unit_id("BN.HA.HP.PM"))).status_code == 200
    before = table_counts()
    assert client.get(URL, query(scenario, unit=unit_id("BN.HA.HB"))).status_code == 404
    assert client.get(URL, query(scenario, unit=unit_id("BN.HA"))).status_code == 404
    assert table_counts() == before


def test_the_scenario_shows_no_problem_at_the_deadline(users, client_for, scenario):
    response = client_for(users.owner).get(URL, query(scenario))
    assert response.context["total"] == 0
    assert message("No problem found.") in response.content.decode()


def test_problems_are_grouped_per_unit_high_first_with_links(users, client_for, scenario):
    # Hòa Bình's non-members: more studied than expected (arrived by import, past the service).
    record = NonMemberReturn.objects.get(unit__code="BN.HA.HB")
    NonMemberReturn.objects.filter(pk=record.pk).update(studied=20)
    # Chi bộ thôn Đông: a bridge point with nobody (low).
    site = Site.objects.get(event__code="E4a")
    Site.objects.filter(pk=site.pk).update(other_members=0, non_members=0, listed_members=0)

    response = client_for(users.owner).get(URL, query(scenario))
    groups = response.context["groups"]
    assert [g.code for g in groups] == ["BN.HA.HB", "BN.HA.HB.DONG"]
    hb, dong = groups
    assert [f.violation.rule for f in hb.findings] == ["non_member_return_studied_above_expected"]
    assert hb.findings[0].link == reverse("returns:non_member_edit", args=[record.pk])
    assert [f.violation.rule for f in dong.findings] == ["site_no_attendance"]
    assert dong.findings[0].link == reverse("events:detail", args=[site.event_id])
    assert [(level, count) for level, _label, count in response.context["counts"]] == [
        ("high", 1), ("medium", 0), ("low", 1)]
    page = response.content.decode()
    assert escape(hb.findings[0].violation.message) in page
    # A sub-unit's group leads to the checks of that unit alone.
    assert f"?unit={unit_id('BN.HA.HB.DONG')}&amp;" in page

    # A viewer may not change the return: the link goes to the list of returns instead.
    viewer_groups = client_for(users.viewer).get(URL, query(scenario)).context["groups"]
    assert viewer_groups[0].findings[0].link.startswith(reverse("returns:list"))


def test_a_report_text_slip_is_listed_with_a_link_to_the_report(users, client_for, scenario):
    report = report_create(actor=None, campaign=scenario, unit=Unit.objects.get(code="BN.HA.HB"),
                           as_of=MARCH_31, leadership="Có 50/52 đảng viên học tập, đạt 96,51%.")
    response = client_for(users.owner).get(URL, query(scenario))
    [group] = response.context["groups"]
    [finding] = group.findings
    assert (finding.violation.rule, finding.violation.where) == ("text_rate_mismatch", "leadership")
    assert finding.link == reverse("reports:detail", args=[report.pk])
    assert "96,15%" in finding.violation.message


def test_a_bad_date_is_reported_and_replaced_by_its_default(users, client_for, scenario):
    response = client_for(users.owner).get(URL, {"campaign": scenario.pk, "as_of": "31/02/2024"})
    assert response.status_code == 200
    assert response.context["as_of"] == scenario.study_deadline
    assert response.context["form"].errors["as_of"]


def test_an_unknown_unit_is_answered_like_another_subtrees(users, client_for, scenario):
    client = client_for(users.owner)
    assert client.get(URL, query(scenario, unit=999999)).status_code == 404
    assert client.get(URL, query(scenario, unit=Unit.objects.get(code="BN.HA.HP").pk)).status_code == 404


PAGE_QUERIES = 26


def test_the_page_reads_a_fixed_number_of_queries(users, client_for, scenario, django_assert_max_num_queries):
    client = client_for(users.owner)
    client.get(URL, query(scenario))
    with django_assert_max_num_queries(PAGE_QUERIES):
        client.get(URL, query(scenario))
    for site in Site.objects.filter(unit__path__startswith=users.owner.unit.path):
        Site.objects.filter(pk=site.pk).update(other_members=0, non_members=0, listed_members=0)
    with django_assert_max_num_queries(PAGE_QUERIES):
        response = client.get(URL, query(scenario))
    assert response.context["total"] >= 4
