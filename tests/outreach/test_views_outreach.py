"""Outreach pages: the list with the roll-up's figures, the add/edit/delete forms, roles and scope."""

import datetime
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils.html import escape

from chuyende.accounts.services import user_create
from chuyende.figures.rollup import unit_figures
from chuyende.organisation.models import Unit
from chuyende.outreach.models import Outreach
from chuyende.outreach.services import outreach_create
from tests.conftest import OUTSIDER_ROLES
from tests.view_helpers import message, table_counts, translated

pytestmark = pytest.mark.django_db


def unit_id(code: str) -> int:
    return Unit.objects.get(code=code).pk


def hb_outreach() -> Outreach:
    # Hòa Bình's scenario outreach: 12 oral sessions on 15/03/2024 reaching 640 person-times.
    return Outreach.objects.get(unit__code="BN.HA.HB")


def outreach_data(campaign, **overrides: object) -> dict[str, object]:
    data: dict[str, object] = {
        "campaign": campaign.pk, "unit": unit_id("BN.HA.HB.TAY"), "held_on": "2024-03-25",
        "channel": "loudspeaker", "sessions": 4, "reach": "", "note": "Loa truyền thanh thôn Tây",
    }
    data.update(overrides)
    return data


def edit_data(**overrides: object) -> dict[str, object]:
    data: dict[str, object] = {"unit": unit_id("BN.HA.HB"), "held_on": "2024-03-15", "channel": "oral",
                               "sessions": 14, "reach": 700, "note": ""}
    data.update(overrides)
    return data


def counts() -> dict[str, int]:
    return {**table_counts(), "outreach.Outreach": Outreach.objects.count()}


def refused(client, url, data) -> str:
    """Posts bad input: the page comes back (200) with the error shown and nothing is written."""
    before = counts()
    response = client.post(url, data)
    assert response.status_code == 200
    form = response.context["form"]
    assert form.errors
    page = response.content.decode()
    for errors in form.errors.values():
        for error in errors:
            assert escape(error) in page
    assert counts() == before
    return page


def outreach_of(response) -> tuple[int, int, int]:
    """Sessions, known reach and sessions of unknown reach, as the page got them from the roll-up."""
    tally = response.context["rollup"].tally
    return tally.outreach_sessions, tally.outreach_reach, tally.outreach_sessions_without_reach


def text_of(response) -> str:
    """The page's visible text with whitespace collapsed."""
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", response.content.decode()))


@pytest.fixture
def district(users):
    """An officer and a reporter of the district Hòa An (the users fixture is Hòa Bình and Hòa Phú)."""
    ha = Unit.objects.get(code="BN.HA")
    return {role: user_create(actor=None, username=f"t.ha.{role}", password="x-test-2024", unit=ha, role=role,
                              full_name=role) for role in ("officer", "reporter")}


# --- list and figures -------------------------------------------------------------------------


def test_district_figures_as_of_31_march(district, client_for, scenario):
    response = client_for(district["officer"]).get(
        reverse("outreach:list"), {"campaign": scenario.pk, "as_of": "2024-03-31"}
    )
    assert response.status_code == 200
    assert outreach_of(response) == (61, 6010, 6)
    # Stated on the page as one sentence: the unknown sessions apart, their reach never guessed.
    assert message("%(sessions)s sessions, %(reach)s person-times; %(unknown)s sessions of unknown reach",
                   sessions="61", reach="6.010", unknown="6") in text_of(response)
    channels = {row.label: (row.sessions, row.reach, row.sessions_without_reach)
                for row in response.context["channels"]}
    assert channels == {
        translated("Oral outreach"): (45, 2610, 0),
        translated("Radio and television"): (6, 0, 6),
        translated("Social media"): (10, 3400, 0),
    }
    children = {child.unit.code: (child.tally.outreach_sessions, child.tally.outreach_reach,
                                  child.tally.outreach_sessions_without_reach)
                for child in response.context["rollup"].children}
    assert children == {"BN.HA.HB": (12, 640, 0), "BN.HA.HP": (15, 820, 0), "BN.HA.TT": (18, 1150, 0),
                        "BN.HA.YT": (0, 0, 0), "BN.HA.THPT": (0, 0, 0)}
    # The district's own sessions (radio 6 of unknown reach, social media 10 for 3.400) have a row.
    own = response.context["rollup"].own
    assert (own.outreach_sessions, own.outreach_reach, own.outreach_sessions_without_reach) == (16, 3400, 6)
    # The records: the six dated by 31/03, not the 10/04 one; the radio one's reach is unknown.
    rows = list(response.context["page"].object_list)
    assert len(rows) == 5
    assert [str(row.held_on) for row in rows] == [
        "2024-03-20", "2024-03-18", "2024-03-16", "2024-03-15", "2024-03-10",
    ]
    assert escape(translated("unknown")) in response.content.decode()


def test_district_figures_as_of_30_april(district, client_for, scenario):
    response = client_for(district["officer"]).get(
        reverse("outreach:list"), {"campaign": scenario.pk, "as_of": "2024-04-30"}
    )
    assert outreach_of(response) == (65, 6220, 6)
    assert message("%(sessions)s sessions, %(reach)s person-times; %(unknown)s sessions of unknown reach",
                   sessions="65", reach="6.220", unknown="6") in text_of(response)
    assert response.context["page"].paginator.count == 6


def test_hoa_binh_sees_only_its_subtree_and_no_unknown_reach(users, client_for, scenario):
    response = client_for(users.viewer).get(
        reverse("outreach:list"), {"campaign": scenario.pk, "as_of": "2024-03-31"}
    )
    assert response.status_code == 200
    assert [row.unit.code for row in response.context["page"].object_list] == ["BN.HA.HB"]
    assert outreach_of(response) == (12, 640, 0)
    assert message("%(sessions)s sessions, %(reach)s person-times", sessions="12", reach="640") in text_of(
        response
    )
    assert "sessions of unknown reach" not in text_of(response)
    # A viewer changes nothing: no add button, no edit link.
    assert response.context["can_add"] is False
    assert response.context["editable_units"] == set()


def test_list_filtered_to_a_sub_unit(district, client_for, scenario):
    response = client_for(district["officer"]).get(
        reverse("outreach:list"),
        {"campaign": scenario.pk, "unit": unit_id("BN.HA.TT"), "as_of": "2024-04-30"},
    )
    assert [(row.unit.code, row.sessions) for row in response.context["page"].object_list] == [
        ("BN.HA.TT", 4), ("BN.HA.TT", 18),
    ]
    tally = response.context["rollup"].tally
    assert (tally.outreach_sessions, tally.outreach_reach) == (22, 1360)


def test_list_before_any_outreach_states_it(district, client_for, scenario):
    response = client_for(district["officer"]).get(
        reverse("outreach:list"), {"campaign": scenario.pk, "as_of": "2024-02-29"}
    )
    assert response.context["page"].paginator.count == 0
    assert escape(translated("No outreach recorded by this day.")) in response.content.decode()


def test_list_is_paginated_and_its_queries_do_not_grow(district, client_for, scenario,
                                                       django_assert_max_num_queries):
    for day in range(1, 61):
        outreach_create(actor=None, campaign=scenario, unit=Unit.objects.get(code="BN.HA.HP.PM"),
                        held_on=datetime.date(2024, 2, 1) + datetime.timedelta(days=day % 28),
                        channel="oral", sessions=1, reach=10 if day % 2 else None)
    client = client_for(district["officer"])
    params = {"campaign": scenario.pk, "as_of": "2024-04-30"}
    with CaptureQueriesContext(connection) as rollup_queries:
        unit_figures(unit=Unit.objects.get(code="BN.HA"), campaign=scenario, as_of=datetime.date(2024, 4, 30))
    # Besides the roll-up's own: session, user, the user's unit, the campaign (default and chosen),
    # the add form's units, the page count, the page's rows (units joined), and the filter form's
    # campaigns and units when drawn. Nothing per row.
    with django_assert_max_num_queries(len(rollup_queries) + 11):
        response = client.get(reverse("outreach:list"), params)
    assert len(response.context["page"].object_list) == 50
    assert response.context["page"].paginator.count == 66
    second = client.get(reverse("outreach:list"), {**params, "page": 2})
    assert len(second.context["page"].object_list) == 16
    tally = second.context["rollup"].tally
    assert (tally.outreach_sessions, tally.outreach_reach, tally.outreach_sessions_without_reach) == (
        125, 6520, 36,
    )


# --- forms ------------------------------------------------------------------------------------


def test_form_offers_only_units_the_user_may_change(users, district, client_for):
    page = client_for(district["reporter"]).get(reverse("outreach:create"))
    offered = page.context["form"].fields["unit"].offered
    # A district reporter changes the district and the units just below it, not the cells.
    assert {u.code for u in offered} == {
        "BN.HA", "BN.HA.HB", "BN.HA.HP", "BN.HA.TT", "BN.HA.YT", "BN.HA.THPT",
    }
    offered = client_for(users.owner).get(reverse("outreach:create")).context["form"].fields["unit"].offered
    assert {u.code for u in offered} == {"BN.HA.HB", "BN.HA.HB.DONG", "BN.HA.HB.TAY", "BN.HA.HB.TH"}


def test_owner_adds_outreach_of_unknown_reach(users, client_for, scenario):
    response = client_for(users.owner).post(reverse("outreach:create"), outreach_data(scenario))
    assert response.status_code == 302
    saved = Outreach.objects.get(unit__code="BN.HA.HB.TAY")
    assert (saved.held_on, saved.channel, saved.sessions, saved.reach) == (
        datetime.date(2024, 3, 25), "loudspeaker", 4, None,
    )


def test_owner_edits_and_deletes(users, client_for):
    record = hb_outreach()
    client = client_for(users.owner)
    assert client.get(reverse("outreach:edit", args=[record.pk])).status_code == 200
    response = client.post(reverse("outreach:edit", args=[record.pk]), edit_data())
    assert response.status_code == 302
    record.refresh_from_db()
    assert (record.sessions, record.reach, record.campaign.code) == (14, 700, record.campaign.code)
    assert client.get(reverse("outreach:delete", args=[record.pk])).status_code == 200
    assert client.post(reverse("outreach:delete", args=[record.pk])).status_code == 302
    assert not Outreach.objects.filter(pk=record.pk).exists()


def test_reach_for_zero_sessions_is_refused_naming_the_field(users, client_for, scenario):
    page = refused(client_for(users.owner), reverse("outreach:create"),
                   outreach_data(scenario, sessions=0, reach=120))
    assert message(
        "Sessions must be at least 1: %(reach)s person-times cannot be reached without a session.",
        reach="120",
    ) in page


@pytest.mark.parametrize(
    ("overrides", "field", "expected"),
    [
        ({"sessions": -3}, "sessions", ("%(field)s cannot be negative.", {"field": translated("Sessions")})),
        ({"sessions": 0, "reach": ""}, "sessions", ("Sessions must be at least 1.", {})),
        ({"sessions": 25000}, "sessions",
         ("Sessions cannot exceed %(max)s on one record; check the number.", {"max": "10.000"})),
        ({"reach": -1}, "reach",
         ("%(field)s cannot be negative.", {"field": translated("Person-times reached")})),
        ({"reach": 99_000_000}, "reach",
         ("Person-times reached cannot exceed %(max)s on one record; check the number.",
          {"max": "10.000.000"})),
        ({"held_on": "2025-01-15"}, "held_on",
         ("The date %(date)s is outside the campaign (%(start)s to %(end)s).",
          {"date": "15/01/2025", "start": "10/01/2024", "end": "31/12/2024"})),
        ({"sessions": "mười"}, "sessions", None),
    ],
)
def test_bad_input_is_refused(overrides, field, expected, users, client_for, scenario):
    client = client_for(users.owner)
    page = refused(client, reverse("outreach:create"), outreach_data(scenario, **overrides))
    record = hb_outreach()
    edit_overrides = {k: v for k, v in overrides.items() if k != "campaign"}
    edit_page = refused(client, reverse("outreach:edit", args=[record.pk]), edit_data(**edit_overrides))
    record.refresh_from_db()
    assert (record.sessions, record.reach) == (12, 640)
    if expected:
        assert message(expected[0], **expected[1]) in page
        assert message(expected[0], **expected[1]) in edit_page


# --- roles and scope --------------------------------------------------------------------------


def test_viewer_cannot_write_in_their_own_subtree(users, client_for, scenario):
    client = client_for(users.viewer)
    record = hb_outreach()
    before = counts()
    assert client.get(reverse("outreach:create")).status_code == 403
    assert client.post(reverse("outreach:create"), outreach_data(scenario)).status_code == 403
    assert client.get(reverse("outreach:edit", args=[record.pk])).status_code == 403
    assert client.post(reverse("outreach:edit", args=[record.pk]), edit_data()).status_code == 403
    assert client.get(reverse("outreach:delete", args=[record.pk])).status_code == 403
    assert client.post(reverse("outreach:delete", args=[record.pk])).status_code == 403
    assert counts() == before
    record.refresh_from_db()
    assert record.sessions == 12


@pytest.mark.parametrize("role", OUTSIDER_ROLES)
def test_outsiders_get_404_on_hoa_binh_outreach(role, users, client_for, scenario):
    client = client_for(users.outsiders[role])
    record = hb_outreach()
    before = counts()
    edit = reverse("outreach:edit", args=[record.pk])
    delete = reverse("outreach:delete", args=[record.pk])
    assert client.get(edit).status_code == 404
    assert client.post(edit, edit_data(unit=unit_id("BN.HA.HP"))).status_code == 404
    assert client.get(delete).status_code == 404
    assert client.post(delete).status_code == 404
    # The list narrowed to a Hòa Bình unit, and a Hòa Bình unit slipped into the Hòa Phú form.
    assert client.get(reverse("outreach:list"), {"unit": unit_id("BN.HA.HB.DONG")}).status_code == 404
    assert client.post(reverse("outreach:create"),
                       outreach_data(scenario, unit=unit_id("BN.HA.HB"))).status_code == 404
    assert counts() == before
    listed = client.get(reverse("outreach:list"), {"campaign": scenario.pk, "as_of": "2024-12-31"})
    assert [row.unit.code for row in listed.context["page"].object_list] == ["BN.HA.HP"]


def test_owner_cannot_move_outreach_out_of_their_subtree(users, client_for):
    record = hb_outreach()
    before = counts()
    response = client_for(users.owner).post(reverse("outreach:edit", args=[record.pk]),
                                            edit_data(unit=unit_id("BN.HA.HP")))
    assert response.status_code == 404
    assert counts() == before
    record.refresh_from_db()
    assert record.unit.code == "BN.HA.HB"
