"""Pledge pages: the list with the roll-up's figures, a member's pledge, the cell's year-end rating
on one page and the pledge returns; 200/403/404 by role and scope, nothing written on bad input."""

from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils.html import escape

from chuyende.members.models import Member
from chuyende.organisation.models import Unit
from chuyende.pledges.models import Pledge, PledgeReturn
from tests.builders import D, make_member, make_unit
from tests.conftest import OUTSIDER_ROLES
from tests.pledges.helpers import nothing_written, pledge_values
from tests.view_helpers import message

pytestmark = pytest.mark.django_db

TEXT = "Gương mẫu thực hiện nhiệm vụ, giúp đỡ hộ nghèo trong thôn"


def unit_id(code: str) -> int:
    return Unit.objects.get(code=code).pk


def member(code: str) -> Member:
    return Member.objects.get(code=code)


def list_url(campaign: Any, unit_code: str, on: str = "2024-12-31") -> str:
    return f"{reverse('pledges:list')}?campaign={campaign.pk}&unit={unit_id(unit_code)}&on={on}"


def register_url(campaign: Any, unit_code: str = "BN.HA.HB.DONG") -> str:
    return f"{reverse('pledges:register', args=[unit_id(unit_code)])}?campaign={campaign.pk}"


def rate_url(campaign: Any, unit_code: str = "BN.HA.HB.DONG") -> str:
    return f"{reverse('pledges:rate_cell', args=[unit_id(unit_code)])}?campaign={campaign.pk}"


def refused(client: Any, url: str, data: dict[str, Any]) -> Any:
    """Posts bad input: the page comes back (200) with its errors shown and nothing written."""
    before = pledge_values()
    with nothing_written():
        response = client.post(url, data)
    assert response.status_code == 200
    form = response.context["form"]
    assert form.errors
    page = response.content.decode()
    for errors in form.errors.values():
        for error in errors:
            assert escape(error) in page
    assert pledge_values() == before
    return response


def rating_data(campaign: Any, rated_on: str = "2024-12-27", **ratings: str) -> dict[str, Any]:
    """A POST of the Đông cell's rating page: every pledge keeps its rating unless given."""
    data: dict[str, Any] = {"rated_on": rated_on}
    for pledge in Pledge.objects.filter(campaign=campaign, member__unit__code="BN.HA.HB.DONG"):
        data[f"member-{pledge.member_id}"] = ratings.get(pledge.member.code.replace("-", "_"), pledge.rating)
        data[f"note-{pledge.member_id}"] = pledge.rating_note
    return data


# --- list -----------------------------------------------------------------------------------------


def test_cell_lists_pledges_and_the_members_without_one(users, client_for, scenario):
    response = client_for(users.viewer).get(list_url(scenario, "BN.HA.HB.DONG"))
    assert response.status_code == 200
    cell = response.context["cell"]
    assert [row.member.code for row in cell.with_pledge] == sorted(
        (f"HB-DONG-{n:02}" for n in range(4, 18)), key=lambda code: member(code).full_name
    )
    without = {row.member.code: (row.status, row.excluded) for row in cell.without_pledge}
    assert without == {"HB-DONG-01": ("exempt", True), "HB-DONG-02": ("exempt", True),
                       "HB-DONG-03": ("away", True), "HB-DONG-18": ("active", False)}
    page = response.content.decode()
    assert "Trần Ngọc Hoa" in page and "Lường Hữu Hải" in page
    # Figures come from the roll-up: 14 of the 15 members expected (18 less 2 exempt and 1 away).
    rollup = response.context["rollup"]
    assert (rollup.tally.pledges_registered, rollup.tally.eligible) == (14, 15)
    assert "14/15" in page and "93,33%" in page
    assert response.context["ratings"][0][1] == rollup.tally.pledge_ratings["excellent"] == 4
    # A viewer reads but is offered no change.
    assert reverse("pledges:rate_cell", args=[unit_id("BN.HA.HB.DONG")]) not in page


def test_cell_page_offers_register_and_rating_to_editors(users, client_for, scenario):
    page = client_for(users.reporter).get(list_url(scenario, "BN.HA.HB.DONG")).content.decode()
    assert reverse("pledges:rate_cell", args=[unit_id("BN.HA.HB.DONG")]) in page
    assert f"member={member('HB-DONG-18').pk}" in page
    assert reverse("pledges:edit", args=[Pledge.objects.get(member__code="HB-DONG-04").pk]) in page


def test_the_day_limits_the_figures(users, client_for, scenario):
    response = client_for(users.owner).get(list_url(scenario, "BN.HA.HB.DONG", on="2024-03-19"))
    assert response.context["rollup"].tally.pledges_registered == 0
    assert all(row.registered_after_day for row in response.context["cell"].with_pledge)


def test_committee_lists_its_cells_from_the_roll_up(users, client_for, scenario):
    response = client_for(users.owner).get(reverse("pledges:list"))
    assert response.status_code == 200
    assert response.context["unit"].code == "BN.HA.HB"
    assert response.context["cell"] is None
    rows = {row["figures"].unit.name: row for row in response.context["child_rows"]}
    assert rows["Chi bộ thôn Đông"]["figures"].tally.pledges_registered == 14
    assert response.context["rollup"].tally.pledges_registered == 35


def test_aggregate_units_show_their_pledge_returns(users, client_for, scenario):
    response = client_for(users.outsiders["reporter"]).get(list_url(scenario, "BN.HA.HP"))
    assert response.status_code == 200
    returns = response.context["returns"]
    assert {row.unit.code for row in returns} == {"BN.HA.HP.PM", "BN.HA.HP.PL", "BN.HA.HP.YT"}
    assert {row.pk for row in returns} == response.context["in_force"]
    assert response.context["can_add_return"]
    assert response.context["rollup"].tally.pledges_registered == sum(row.registered for row in returns)


def test_a_unit_of_another_subtree_is_not_found(users, client_for, scenario):
    for role in OUTSIDER_ROLES:
        response = client_for(users.outsiders[role]).get(list_url(scenario, "BN.HA.HB.DONG"))
        assert response.status_code == 404


def test_list_needs_login(client, scenario):
    assert client.get(reverse("pledges:list")).status_code == 302


def _queries(client: Any, url: str) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return len(queries)


def test_list_query_count_does_not_grow_with_the_members(users, client_for, scenario,
                                                         django_assert_max_num_queries):
    client = client_for(users.reporter)
    small = _queries(client, list_url(scenario, "BN.HA.HB.TH"))  # 9 members, 9 pledges
    large = _queries(client, list_url(scenario, "BN.HA.HB.DONG"))  # 18 members, 14 pledges
    assert small == large
    with django_assert_max_num_queries(30):
        client.get(list_url(scenario, "BN.HA.HB.DONG"))


# --- register and edit --------------------------------------------------------------------------


def register_data(code: str = "HB-DONG-18", **changes: Any) -> dict[str, Any]:
    return {"member": member(code).pk, "registered_on": "2024-03-20", "text": TEXT, **changes}


def test_register_page_by_role(users, client_for, scenario):
    assert client_for(users.reporter).get(register_url(scenario)).status_code == 200
    assert client_for(users.viewer).get(register_url(scenario)).status_code == 403
    for role in OUTSIDER_ROLES:
        assert client_for(users.outsiders[role]).get(register_url(scenario)).status_code == 404


def test_register_offers_the_members_of_the_cell_without_a_pledge(users, client_for, scenario):
    form = client_for(users.owner).get(register_url(scenario)).context["form"]
    offered = {label for value, label in form.fields["member"].choices if value}
    assert offered == {f"{member(code).full_name} ({code})" for code in
                       ("HB-DONG-01", "HB-DONG-02", "HB-DONG-03", "HB-DONG-18")}


def test_register_saves_the_pledge(users, client_for, scenario):
    response = client_for(users.reporter).post(register_url(scenario), register_data(), follow=True)
    assert response.redirect_chain[-1][0] == f"{reverse('pledges:list')}?campaign={scenario.pk}&unit=" \
        f"{unit_id('BN.HA.HB.DONG')}"
    pledge = Pledge.objects.get(member__code="HB-DONG-18")
    assert (pledge.registered_on, pledge.text) == (D(2024, 3, 20), TEXT)
    assert [m.level_tag for m in response.context["messages"]] == ["success"]


def test_register_a_member_the_campaign_excludes_saves_with_a_warning(users, client_for, scenario):
    response = client_for(users.reporter).post(register_url(scenario), register_data("HB-DONG-01"),
                                               follow=True)
    assert Pledge.objects.filter(member__code="HB-DONG-01").exists()
    warnings = [str(m) for m in response.context["messages"] if m.level_tag == "warning"]
    assert len(warnings) == 1
    assert "Lường Hữu Hải" in warnings[0]
    assert message("Exempt from work and party activities") in escape(warnings[0])
    assert "20/03/2024" in warnings[0]


def test_register_a_member_of_another_cell_is_refused_with_a_message(users, client_for, scenario):
    response = refused(client_for(users.reporter), register_url(scenario), register_data("HB-TAY-01"))
    page = response.content.decode()
    assert message("%(member)s is not a member of %(unit)s.", member="Phạm Minh Dũng",
                   unit="Chi bộ thôn Đông") in page


def test_register_a_member_who_already_pledged_or_left_is_refused(users, client_for, scenario):
    client = client_for(users.reporter)
    page = refused(client, register_url(scenario), register_data("HB-DONG-04")).content.decode()
    assert "Lò Ngọc Nga" in page
    refused(client, register_url(scenario), register_data(text=" "))
    refused(client, register_url(scenario), register_data(registered_on="2025-02-01"))


@pytest.fixture
def foreign_members(scenario) -> list[Member]:
    """A member of Hòa Phú (in a cell kept by name made for the test) and one of the THPT school."""
    cell = make_unit("BN.HA.HP.NEW", Unit.objects.get(code="BN.HA.HP"), individual=True)
    return [make_member(cell, code="HP-NEW-01"), member("THPT-14")]


def test_a_member_from_another_subtree_is_not_found_and_nothing_written(users, client_for, scenario,
                                                                       foreign_members):
    for foreign in foreign_members:
        with nothing_written():
            response = client_for(users.owner).post(register_url(scenario), register_data() | {
                "member": foreign.pk})
        assert response.status_code == 404


def test_edit_page_by_role(users, client_for, scenario):
    url = reverse("pledges:edit", args=[Pledge.objects.get(member__code="HB-DONG-04").pk])
    assert client_for(users.reporter).get(url).status_code == 200
    assert client_for(users.viewer).get(url).status_code == 403
    assert client_for(users.outsiders["admin"]).get(url).status_code == 404
    with nothing_written():
        response = client_for(users.viewer).post(url, {"registered_on": "2024-03-21", "text": TEXT})
    assert response.status_code == 403


def test_edit_saves_and_refuses_a_day_after_the_rating(users, client_for, scenario):
    pledge = Pledge.objects.get(member__code="HB-DONG-04")
    url = reverse("pledges:edit", args=[pledge.pk])
    client = client_for(users.owner)
    page = refused(client, url, {"registered_on": "2024-12-21", "text": TEXT}).content.decode()
    assert "20/12/2024" in page
    assert client.post(url, {"registered_on": "2024-03-21", "text": TEXT}).status_code == 302
    pledge.refresh_from_db()
    assert (pledge.registered_on, pledge.text) == (D(2024, 3, 21), TEXT)


# --- the cell's year-end rating ------------------------------------------------------------------


def test_rating_page_by_role(users, client_for, scenario):
    response = client_for(users.reporter).get(rate_url(scenario))
    assert response.status_code == 200
    page = response.content.decode()
    assert page.count('type="radio"') == 3 * 14
    assert "Trần Ngọc Hoa" in page  # listed below, not ratable
    assert f'name="member-{member("HB-DONG-18").pk}"' not in page
    assert client_for(users.viewer).get(rate_url(scenario)).status_code == 403
    for role in OUTSIDER_ROLES:
        assert client_for(users.outsiders[role]).get(rate_url(scenario)).status_code == 404


def test_rating_page_of_a_unit_that_is_not_a_cell_kept_by_name_is_not_found(users, client_for, scenario):
    assert client_for(users.owner).get(rate_url(scenario, "BN.HA.HB")).status_code == 404
    assert client_for(users.outsiders["officer"]).get(rate_url(scenario, "BN.HA.HP.PM")).status_code == 404


def test_the_whole_cell_is_rated_in_one_post(users, client_for, scenario):
    data = rating_data(scenario)
    for key in data:
        if key.startswith("member-"):
            data[key] = "excellent"
    data[f"note-{member('HB-DONG-07').pk}"] = "Tiến bộ rõ"
    response = client_for(users.reporter).post(rate_url(scenario), data)
    assert response.status_code == 302
    rated = Pledge.objects.filter(member__unit__code="BN.HA.HB.DONG")
    assert {(p.rating, p.rated_on) for p in rated} == {("excellent", D(2024, 12, 27))}
    assert rated.get(member__code="HB-DONG-07").rating_note == "Tiến bộ rõ"


def test_one_bad_row_saves_nothing_and_is_shown_next_to_its_row(users, client_for, scenario):
    pledge = Pledge.objects.get(member__code="HB-DONG-06")
    Pledge.objects.filter(pk=pledge.pk).update(registered_on=D(2024, 6, 1), rating="", rated_on=None)
    data = rating_data(scenario, rated_on="2024-05-02", HB_DONG_04="not_met", HB_DONG_06="good")
    response = refused(client_for(users.reporter), rate_url(scenario), data)
    assert list(response.context["form"].errors) == [f"member-{pledge.member_id}"]
    page = response.content.decode()
    row = page.split(f'id="row-{pledge.member_id}"')[1].split("</fieldset>")[0]
    assert "Bùi Ngọc Linh" in row and "01/06/2024" in row


def test_a_rating_that_is_not_one_of_the_three_is_refused(users, client_for, scenario):
    data = rating_data(scenario, HB_DONG_04="perfect")
    refused(client_for(users.reporter), rate_url(scenario), data)


def test_viewer_cannot_post_ratings(users, client_for, scenario):
    with nothing_written():
        assert client_for(users.viewer).post(rate_url(scenario), rating_data(scenario)).status_code == 403


def test_rating_page_query_count_does_not_grow_with_the_members(users, client_for, scenario,
                                                                django_assert_max_num_queries):
    client = client_for(users.reporter)
    assert _queries(client, rate_url(scenario, "BN.HA.HB.TH")) == _queries(client, rate_url(scenario))
    with django_assert_max_num_queries(10):
        client.get(rate_url(scenario))


# --- pledge returns -----------------------------------------------------------------------------


def return_data(campaign: Any, **changes: Any) -> dict[str, Any]:
    return {"campaign": campaign.pk, "unit": unit_id("BN.HA.HP.PM"), "as_of": "2024-12-20", "registered": 35,
            "excellent": 10, "good": 20, "not_met": 5, **changes}


def test_return_page_by_role(users, client_for, scenario):
    url = reverse("pledges:return")
    assert client_for(users.outsiders["reporter"]).get(url).status_code == 200
    assert client_for(users.outsiders["viewer"]).get(url).status_code == 403
    # Hòa Bình keeps its members by name: nothing to report as counts.
    assert client_for(users.owner).get(url).status_code == 403


def test_return_saves_counts(users, client_for, scenario):
    response = client_for(users.outsiders["reporter"]).post(reverse("pledges:return"), return_data(scenario))
    assert response.status_code == 302
    saved = PledgeReturn.objects.get(unit__code="BN.HA.HP.PM", as_of=D(2024, 12, 20))
    assert (saved.registered, saved.excellent, saved.good, saved.not_met) == (35, 10, 20, 5)


def test_return_refuses_more_rated_than_registered_and_negative_counts(users, client_for, scenario):
    client = client_for(users.outsiders["reporter"])
    page = refused(client, reverse("pledges:return"), return_data(scenario, registered=30)).content.decode()
    assert message("%(rated)s pledges are rated but only %(registered)s were registered.", rated=35,
                   registered=30) in page
    refused(client, reverse("pledges:return"), return_data(scenario, not_met=-1))


def test_return_for_a_unit_of_another_subtree_is_not_found(users, client_for, scenario):
    with nothing_written():
        response = client_for(users.owner).post(reverse("pledges:return"), return_data(scenario))
    assert response.status_code == 404


def test_return_edit_changes_counts_only(users, client_for, scenario):
    record = PledgeReturn.objects.filter(unit__code="BN.HA.HP.PM").first()
    assert record is not None
    url = reverse("pledges:return_edit", args=[record.pk])
    assert client_for(users.owner).get(url).status_code == 404
    assert client_for(users.outsiders["viewer"]).get(url).status_code == 403
    response = client_for(users.outsiders["officer"]).post(url, {"registered": 34, "excellent": 0, "good": 0,
                                                                 "not_met": 0})
    assert response.status_code == 302
    record.refresh_from_db()
    assert record.registered == 34
