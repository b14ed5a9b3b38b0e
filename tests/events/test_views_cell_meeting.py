"""The one-screen cell meeting (Ghi buổi sinh hoạt chi bộ): who may record one, for which cell, and
that it is recorded by the event service as a cell meeting the figures count like any other."""

import datetime

import pytest
from django.urls import reverse

from chuyende.audit.models import AuditEntry
from chuyende.events.models import Attendance, Event
from chuyende.figures.rollup import unit_figures
from chuyende.members.models import Member
from chuyende.organisation.models import Unit
from tests.conftest import OUTSIDER_ROLES
from tests.view_helpers import message, table_counts, translated

pytestmark = pytest.mark.django_db

URL = reverse("events:cell_meeting")
DAY = datetime.date(2024, 3, 20)


def cell(code: str) -> Unit:
    return Unit.objects.get(code=code)


def members_of(code: str) -> list[Member]:
    return list(Member.objects.filter(unit__code=code).order_by("code"))


def url_for(code: str) -> str:
    return f"{URL}?don_vi={cell(code).pk}"


def post(client, code: str, members: list[Member], *, held_on: str = "20/03/2024", campaign=None):
    data = {"held_on": held_on, "members": [m.pk for m in members]}
    if campaign is not None:
        data["campaign"] = campaign.pk
    return client.post(url_for(code), data)


def test_a_user_with_several_cells_chooses_one_first(users, client_for):
    response = client_for(users.reporter).get(URL)
    assert response.status_code == 200
    assert [c.code for c in response.context["cells"]] == ["BN.HA.HB.DONG", "BN.HA.HB.TAY", "BN.HA.HB.TH"]
    assert f'href="{url_for("BN.HA.HB.DONG")}"'.replace("&", "&amp;") in response.content.decode()


def test_the_form_lists_only_the_cells_members_and_preselects_the_only_topic(users, client_for, scenario):
    response = client_for(users.reporter).get(url_for("BN.HA.HB.DONG"))
    assert response.status_code == 200
    listed = {member.code for member, _status in response.context["members"]}
    assert listed == {m.code for m in members_of("BN.HA.HB.DONG")}
    assert not listed & {m.code for m in members_of("BN.HA.HB.TAY")}
    page = response.content.decode()
    assert f'<option value="{scenario.pk}" selected>' in page
    assert "---------" not in page  # one topic: nothing to choose
    # The 2024 campaign has ended (the tests run later): the date starts on its last day.
    assert 'value="31/12/2024"' in page
    assert 'data-check-all="meeting-members"' in page


def test_recording_a_meeting_goes_through_the_event_service_as_a_cell_meeting(users, client_for, scenario):
    client = client_for(users.reporter)
    dong = cell("BN.HA.HB.DONG")
    attended = members_of("BN.HA.HB.DONG")[:4]
    before = unit_figures(unit=dong, campaign=scenario, as_of=DAY)
    response = post(client, "BN.HA.HB.DONG", attended, campaign=scenario)
    event = Event.objects.get(organiser=dong, held_on=DAY, format=Event.Format.CELL_MEETING)
    assert response.status_code == 302
    assert response.url == reverse("events:detail", args=[event.pk])
    assert event.campaign == scenario and event.title == translated(
        "Cell meeting on the %(topic)s", topic=f"{scenario.get_kind_display()} {scenario.year}")
    sites = list(event.sites.all())
    assert [(s.unit_id, s.other_members, s.non_members, s.listed_members) for s in sites] == [
        (dong.pk, 0, 0, 4)]
    assert set(Attendance.objects.filter(event=event).values_list("member_id", flat=True)) == {
        m.pk for m in attended}
    assert AuditEntry.objects.filter(record_id=str(event.pk), action="create",
                                     record_type__icontains="event").exists()
    after = unit_figures(unit=dong, campaign=scenario, as_of=DAY)
    assert after.tally.events_by_format["cell_meeting"] == before.tally.events_by_format["cell_meeting"] + 1
    assert after.tally.member_person_times == before.tally.member_person_times + 4
    page = client.get(response.url).content.decode()
    assert message("The cell meeting has been recorded: %(count)s party members attended.", count=4) in page


def test_a_member_of_another_cell_is_refused_and_nothing_is_written(users, client_for, scenario):
    client = client_for(users.reporter)
    counts = table_counts()
    stranger = members_of("BN.HA.HB.TAY")[0]
    response = post(client, "BN.HA.HB.DONG", [members_of("BN.HA.HB.DONG")[0], stranger], campaign=scenario)
    assert response.status_code == 200
    assert table_counts() == counts
    assert "không thuộc" in response.content.decode() or response.context["form"].errors


def test_a_day_outside_the_campaign_names_the_date_field(users, client_for, scenario):
    client = client_for(users.reporter)
    counts = table_counts()
    response = post(client, "BN.HA.HB.DONG", members_of("BN.HA.HB.DONG")[:1], held_on="20/03/2023",
                    campaign=scenario)
    assert response.status_code == 200
    assert response.context["form"].errors["held_on"]
    assert table_counts() == counts
    bad = post(client, "BN.HA.HB.DONG", [], held_on="31/02/2024", campaign=scenario)
    assert bad.status_code == 200 and bad.context["form"].errors["held_on"]
    assert table_counts() == counts


def test_an_officer_of_the_commune_may_record_for_any_of_its_cells(users, client_for, scenario):
    response = post(client_for(users.owner), "BN.HA.HB.TH", members_of("BN.HA.HB.TH")[:2], campaign=scenario)
    assert response.status_code == 302
    assert Event.objects.filter(organiser__code="BN.HA.HB.TH", format="cell_meeting", held_on=DAY).exists()


def test_a_viewer_is_refused(users, client_for, scenario):
    client = client_for(users.viewer)
    counts = table_counts()
    assert client.get(URL).status_code == 403
    assert client.get(url_for("BN.HA.HB.DONG")).status_code == 403
    one = members_of("BN.HA.HB.DONG")[:1]
    assert post(client, "BN.HA.HB.DONG", one, campaign=scenario).status_code == 403
    assert table_counts() == counts


def test_a_unit_that_is_not_a_cell_is_refused(users, client_for):
    assert client_for(users.owner).get(url_for("BN.HA.HB")).status_code == 403


@pytest.mark.parametrize("role", OUTSIDER_ROLES)
def test_another_subtree_is_invisible(users, client_for, scenario, role):
    client = client_for(users.outsiders[role])
    counts = table_counts()
    assert client.get(url_for("BN.HA.HB.DONG")).status_code == 404
    one = members_of("BN.HA.HB.DONG")[:1]
    assert post(client, "BN.HA.HB.DONG", one, campaign=scenario).status_code == 404
    assert client.get(f"{URL}?don_vi=999999").status_code == 404
    assert table_counts() == counts


def test_an_outsider_cannot_list_a_member_of_another_subtree_in_their_own_cell(users, client_for, scenario):
    client = client_for(users.outsiders["officer"])
    counts = table_counts()
    response = post(client, "BN.HA.HP.PM", members_of("BN.HA.HB.DONG")[:1], campaign=scenario)
    assert response.status_code == 404
    assert table_counts() == counts


def test_the_form_takes_a_fixed_number_of_queries(users, client_for, django_assert_num_queries):
    client = client_for(users.reporter)
    client.get(url_for("BN.HA.HB.DONG"))
    # session, user, the user's unit, the cells they may record for, the campaigns, the members with
    # their status, and the middleware's: pinned, whatever the number of members
    with django_assert_num_queries(7):
        assert client.get(url_for("BN.HA.HB.DONG")).status_code == 200


def test_a_report_counts_the_meeting_among_cell_meetings_not_conferences(users, client_for, scenario):
    """The same counting rules as any event (figures.events): a cell meeting, never a conference, and
    its attendees are person-times of the cell's level."""
    from chuyende.figures.events import report_events

    hb = cell("BN.HA.HB")
    before = report_events(unit=hb, campaign=scenario, as_of=DAY)
    assert post(client_for(users.reporter), "BN.HA.HB.TAY", members_of("BN.HA.HB.TAY")[:3],
                campaign=scenario).status_code == 302
    after = report_events(unit=hb, campaign=scenario, as_of=DAY)
    assert after.by_kind["cell_meetings"] == before.by_kind["cell_meetings"] + 1
    assert after.by_kind["conferences"] == before.by_kind["conferences"]
    assert [line.code for line in after.conferences] == [line.code for line in before.conferences]
