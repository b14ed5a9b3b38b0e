"""An event's write runs the same number of queries with 5 bridge points and 50 attendees as with 50
bridge points and 500 attendees (pinned exactly, Zulip style)."""

from collections.abc import Iterator
from dataclasses import dataclass

import pytest
from django.db import connection, transaction

from chuyende.accounts.models import User
from chuyende.campaigns.models import Campaign
from chuyende.events.models import Attendance, Event, Site, StudyRecord
from chuyende.events.services import SiteData, event_create, event_delete, event_update
from chuyende.members.models import Member
from chuyende.organisation.models import Unit
from tests.builders import D, make_campaign, make_member, make_unit

# Queries of one write, by database (PostgreSQL takes many rows by COPY, which Django does not count).
EVENT_CREATE_QUERIES = {"sqlite": 25, "postgresql": 23}
EVENT_UPDATE_QUERIES = {"sqlite": 33, "postgresql": 31}
EVENT_DELETE_QUERIES = {"sqlite": 29, "postgresql": 29}

ATTENDEES_A_POINT = 10
POINTS = [pytest.param(5, id="5-points-50-attendees"), pytest.param(50, id="50-points-500-attendees")]

pytestmark = pytest.mark.usefixtures("db")


def expected(queries: dict[str, int]) -> int:
    return queries[connection.vendor]


@dataclass(frozen=True)
class Organiser:
    """A commune with `points` cells of ATTENDEES_A_POINT members each, its campaign and its officer."""

    unit: Unit
    campaign: Campaign
    officer: User
    cells: list[Unit]

    def sites(self, *, keep: slice = slice(None), other_members: int = 1) -> list[SiteData]:
        """A bridge point at every cell, listing the cell's members (those of the `keep` slice)."""
        members: dict[int, list[Member]] = {}
        for member in Member.objects.select_related("unit").filter(unit__in=self.cells).order_by("code"):
            members.setdefault(member.unit_id, []).append(member)
        return [SiteData(unit=cell, other_members=other_members, non_members=2,
                         non_members_by_category={"mass": 1}, attendees=tuple(members[cell.pk][keep]))
                for cell in self.cells]

    def create(self, sites: list[SiteData] | None = None) -> Event:
        return event_create(actor=self.officer, campaign=self.campaign, organiser=self.unit,
                            held_on=D(2024, 3, 1), format="in_person", title="Hội nghị học tập",
                            sites=self.sites() if sites is None else sites, code="HN1")


@pytest.fixture(scope="module")
def organisers(django_db_setup, django_db_blocker) -> Iterator[dict[int, Organiser]]:
    """An Organiser for every size of POINTS, built once for the module and rolled back at its end."""
    with django_db_blocker.unblock(), transaction.atomic():
        built = {}
        for param in POINTS:
            points = param.values[0]
            assert isinstance(points, int)
            commune = make_unit(f"Q{points}")
            cells = [make_unit(f"Q{points}.C{number:02}", commune, individual=True)
                     for number in range(points)]
            for cell in cells:
                for number in range(ATTENDEES_A_POINT):
                    make_member(cell, code=f"{cell.code}.M{number:02}")
            officer = User.objects.create(username=f"officer.q{points}", unit=commune, role="officer")
            built[points] = Organiser(unit=commune, campaign=make_campaign(commune), officer=officer,
                                      cells=cells)
        yield built
        transaction.set_rollback(True)


def attendances_of(event: Event) -> int:
    return Attendance.objects.filter(event=event).count()


@pytest.mark.parametrize("points", POINTS)
def test_event_create_queries_do_not_grow_with_bridge_points_and_attendees(
        organisers, points, django_assert_num_queries):
    organiser = organisers[points]
    sites = organiser.sites()
    with django_assert_num_queries(expected(EVENT_CREATE_QUERIES)):
        event = organiser.create(sites=sites)
    assert Site.objects.filter(event=event).count() == points
    assert attendances_of(event) == points * ATTENDEES_A_POINT
    assert StudyRecord.objects.filter(campaign=organiser.campaign).count() == points * ATTENDEES_A_POINT


@pytest.mark.parametrize("points", POINTS)
def test_event_update_queries_do_not_grow_with_bridge_points_and_attendees(
        organisers, points, django_assert_num_queries):
    organiser = organisers[points]
    event = organiser.create()
    sites = organiser.sites(keep=slice(3, None), other_members=4)
    with django_assert_num_queries(expected(EVENT_UPDATE_QUERIES)):
        event_update(actor=organiser.officer, event=event, organiser=organiser.unit, held_on=D(2024, 3, 2),
                     format="online", title="Hội nghị trực tuyến", sites=sites, code="HN1")
    assert attendances_of(event) == points * (ATTENDEES_A_POINT - 3)
    assert set(Site.objects.filter(event=event).values_list("other_members", "listed_members")) == {
        (4, ATTENDEES_A_POINT - 3)}
    studied = StudyRecord.objects.filter(campaign=organiser.campaign)
    assert set(studied.values_list("first_studied_on", flat=True)) == {D(2024, 3, 2)}
    assert studied.count() == points * (ATTENDEES_A_POINT - 3)


@pytest.mark.parametrize("points", POINTS)
def test_event_delete_queries_do_not_grow_with_bridge_points_and_attendees(
        organisers, points, django_assert_num_queries):
    organiser = organisers[points]
    event = organiser.create()
    with django_assert_num_queries(expected(EVENT_DELETE_QUERIES)):
        event_delete(actor=organiser.officer, event=event)
    assert not Site.objects.filter(event_id=event.pk).exists()
    assert not StudyRecord.objects.filter(campaign=organiser.campaign).exists()
