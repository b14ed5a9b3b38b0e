"""The sources page: which records make up one figure of a report, within the user's scope."""

import datetime
from typing import Any
from urllib.parse import quote

import pytest
from django.urls import reverse

from chuyende.accounts.models import User
from chuyende.accounts.services import user_create
from chuyende.events.models import Event
from chuyende.organisation.models import Unit
from chuyende.reports.models import Report
from chuyende.reports.services import report_create
from chuyende.returns.services import member_return_save
from tests.conftest import OUTSIDER_ROLES, TEST_PASSWORD
from tests.reports.test_drafting import vietnamese  # noqa: F401  (fixture)
from tests.view_helpers import message

pytestmark = pytest.mark.usefixtures("db", "vietnamese")

MARCH_31 = datetime.date(2024, 3, 31)


def source_url(report: Report, key: str) -> str:
    return f"{reverse('reports:figure_source', args=[report.pk])}?figure={quote(key)}"


def hb_report() -> Report:
    return Report.objects.get(unit__code="BN.HA.HB")


def frozen_figures(report: Report) -> dict[str, Any]:
    assert report.snapshot is not None
    return report.snapshot["figures"]


@pytest.fixture
def district(scenario, fast_passwords) -> tuple[User, Report]:
    """An officer of Hòa An and a draft district report as of 31/03/2024."""
    unit = Unit.objects.get(code="BN.HA")
    officer = user_create(actor=None, username="t.ha.officer", password=TEST_PASSWORD, unit=unit,
                          role="officer", full_name="t.ha.officer")
    report = report_create(actor=None, campaign=scenario, unit=unit, as_of=MARCH_31,
                           signer_name="Nguyễn Văn An")
    return officer, report


def test_owner_sees_per_cell_rows_and_where_each_number_comes_from(users, client_for):
    report = hb_report()
    response = client_for(users.owner).get(source_url(report, "party_members.studied"))
    assert response.status_code == 200
    page = response.content.decode()
    assert response.context["frozen"] is True
    assert response.context["value"] == str(frozen_figures(report)["party_members"]["studied"])
    assert [row.name for row in response.context["children"]] == [
        "Chi bộ thôn Đông", "Chi bộ thôn Tây", "Chi bộ Trường Tiểu học Hòa Bình"]
    # Hòa Bình keeps its members by name: each cell links to its roster.
    dong = Unit.objects.get(code="BN.HA.HB.DONG")
    assert f"{reverse('members:list')}?unit={dong.pk}" in page
    assert message("The report was submitted on %(day)s: the values shown are the ones frozen then. The "
                   "records listed below are as they stand today and may have changed since.",
                   day="22/03/2024") in page
    # the first sentence printing it: the opening, with the members beside the non-members
    assert "đảng viên 34/36 = 94,44%" in response.context["sentence"]


@pytest.mark.parametrize("role", OUTSIDER_ROLES)
def test_outsiders_get_404(users, client_for, role):
    response = client_for(users.outsiders[role]).get(source_url(hb_report(), "party_members.studied"))
    assert response.status_code == 404


def test_viewer_of_the_unit_may_read(users, client_for):
    assert client_for(users.viewer).get(source_url(hb_report(), "party_members.rate")).status_code == 200


def test_a_unit_below_cannot_read_the_report_of_its_parent(users, client_for, district):
    _officer, report = district
    assert client_for(users.owner).get(source_url(report, "party_members.studied")).status_code == 404


def test_anonymous_is_sent_to_login(client, scenario):
    response = client.get(source_url(hb_report(), "party_members.studied"))
    assert response.status_code == 302
    assert reverse("login") in response["Location"]


@pytest.mark.parametrize("key", ["party_members.nothing", "", "children[BN.XX].rate", "events[E1].x",
                                 "a..b"])
def test_unknown_figure_is_a_404_with_a_clear_message(users, client_for, key):
    response = client_for(users.owner).get(source_url(hb_report(), key))
    assert response.status_code == 404
    assert message("This report has no figure “%(key)s”. Open the figure from the text of the report to see "
                   "its sources.", key=key) in response.content.decode()


def test_a_report_that_does_not_exist_is_a_404(users, client_for):
    url = f"{reverse('reports:figure_source', args=[999999])}?figure=party_members.studied"
    assert client_for(users.owner).get(url).status_code == 404


def test_draft_figures_are_live_and_said_so(client_for, district):
    officer, report = district
    response = client_for(officer).get(source_url(report, "party_members.eligible"))
    assert response.status_code == 200
    assert response.context["frozen"] is False
    assert response.context["value"] == "263"
    assert message("The report is a draft: its figures are computed now from the records below, counting "
                   "those dated on or before %(day)s.", day="31/03/2024") in response.content.decode()


def test_aggregate_units_show_the_return_in_force(client_for, district):
    officer, report = district
    response = client_for(officer).get(source_url(report, "children[BN.HA.HP].studied"))
    assert response.status_code == 200
    assert [row.name for row in response.context["children"]] == ["Đảng bộ xã Hòa Phú"]
    leaves = {row.unit.code: row for row in response.context["leaves"]}
    assert set(leaves) == {"BN.HA.HP.PM", "BN.HA.HP.PL", "BN.HA.HP.YT"}
    assert all(row.roster_url is None for row in leaves.values())
    # Phú Lộc has a superseded return of 29/02; the one of 31/03 is in force.
    assert leaves["BN.HA.HP.PL"].member_return.as_of == MARCH_31


def test_units_below_target_lists_them(client_for, district):
    officer, report = district
    response = client_for(officer).get(source_url(report, "children[reached_target=false,has_data=true]"))
    assert response.status_code == 200
    assert [row.name for row in response.context["children"]] == [
        "Đảng bộ xã Hòa Bình", "Chi bộ Trường THPT Hòa An"]
    assert response.context["lines"] == 2


def test_event_lines_link_to_their_events(client_for, district):
    officer, report = district
    response = client_for(officer).get(source_url(report, "events_attended[E1].sites"))
    assert response.status_code == 200
    assert response.context["value"] == "5"
    [row] = response.context["events"]
    assert row.url == reverse("events:detail", args=[Event.objects.get(code="E1").pk])
    assert row.line.attendance_person_times == 374
    # the grassroots level: its own events and the province's conference at its bridge points
    group = client_for(officer).get(source_url(report, "events_by_level.3.attendance_person_times"))
    assert sorted(row.line.code for row in group.context["events"]) == ["E1", "E3", "E5", "E6", "E8"]
    above = client_for(officer).get(source_url(report, "events_by_level.3.parts[online-above].events"))
    assert above.context["value"] == "1"
    assert [row.line.code for row in above.context["events"]] == ["E1"]
    conference = client_for(officer).get(source_url(report, "conferences[E2].attendance_person_times"))
    assert conference.context["value"] == "51"
    assert [row.line.code for row in conference.context["events"]] == ["E2"]
    kind = client_for(officer).get(source_url(report, "events_by_kind.cell_meetings"))
    assert sorted(row.line.code for row in kind.context["events"]) == ["E4a", "E4b", "E8"]
    video = client_for(officer).get(source_url(report, "events_by_level.3.by_format.video"))
    assert video.context["value"] == "2"
    assert sorted(row.line.code for row in video.context["events"]) == ["E3", "E5"]
    every = client_for(officer).get(source_url(report, "events_held"))
    assert len(every.context["events"]) == 9
    assert every.context["value"] == "9"


def test_outreach_of_unknown_reach(client_for, district):
    officer, report = district
    response = client_for(officer).get(source_url(report, "outreach.sessions_without_reach"))
    rows = list(response.context["outreach_page"].object_list)
    assert rows and all(row.reach is None for row in rows)
    assert sum(row.sessions for row in rows) == 6
    everything = client_for(officer).get(source_url(report, "outreach.sessions"))
    assert sum(row.sessions for row in everything.context["outreach_page"].object_list) == 61


def test_materials_received_are_the_transfers_to_the_unit(client_for, district):
    officer, report = district
    response = client_for(officer).get(source_url(report, "materials.dvd.received"))
    transfers = response.context["transfers"]
    assert transfers and all(t.recipient.code == "BN.HA" and t.item == "dvd" for t in transfers)
    assert sum(t.quantity for t in transfers) == 12
    passed = client_for(officer).get(source_url(report, "materials.book.passed_down")).context["transfers"]
    assert sum(t.quantity for t in passed) == 83 and all(t.sender.code == "BN.HA" for t in passed)


def test_completeness_lists_the_sub_unit_reports(client_for, district):
    officer, report = district
    response = client_for(officer).get(source_url(report, "completeness.on_time"))
    rows = {row.code: row for row in response.context["completeness_rows"]}
    assert list(rows) == ["BN.HA.HB", "BN.HA.HP", "BN.HA.TT", "BN.HA.YT", "BN.HA.THPT"]
    assert rows["BN.HA.TT"].on == datetime.date(2024, 3, 28)
    assert rows["BN.HA.THPT"].reports == []
    assert [r.first_submitted_on for r, _url in rows["BN.HA.HB"].reports] == [datetime.date(2024, 3, 22)]
    assert "Chi bộ Trường THPT Hòa An" in response.content.decode()


def test_non_members_show_the_returns_in_force(client_for, district):
    officer, report = district
    response = client_for(officer).get(source_url(report, "non_party.studied"))
    assert response.context["value"] == "121"
    returns = response.context["non_member_returns"]
    assert sum(r.studied for r in returns) == 121


def test_frozen_value_stays_while_records_move(users, client_for, scenario):
    report = hb_report()
    frozen = frozen_figures(report)["party_members"]["studied"]
    member_return_save(actor=None, campaign=scenario, unit=Unit.objects.get(code="BN.HA.HP.PM"),
                       as_of=datetime.date(2024, 3, 20), members_total=40, exempt=0, away=0, studied=1)
    response = client_for(users.owner).get(source_url(report, "party_members.studied"))
    assert response.context["value"] == str(frozen)


def test_the_page_takes_a_fixed_number_of_queries(client_for, district, django_assert_max_num_queries):
    officer, report = district
    client = client_for(officer)
    for key in ("party_members.studied", "events_held", "outreach.sessions", "completeness.late",
                "pledges.registered"):
        client.get(source_url(report, key))
        # With the guiding documents and last year's campaign, the events grouped by sector, audience
        # and partner and the partial returns.
        with django_assert_max_num_queries(29):
            assert client.get(source_url(report, key)).status_code == 200
