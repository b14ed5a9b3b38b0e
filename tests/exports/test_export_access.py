"""Who may export: anyone who may read the list (viewers too), only their own subtree; anonymous
users are sent to the login page. The change log stays closed to those who may not read it."""

import html
import re

import pytest
from django.conf import settings
from django.http import QueryDict
from django.urls import reverse

from tests.exports.readers import all_cells, csv_rows, xlsx_rows
from tests.view_helpers import message

pytestmark = pytest.mark.django_db

# Every list page with an export, and the tables of the pages that list several.
EXPORTS = [
    ("members:list", ""), ("events:list", ""), ("returns:list", "member"), ("returns:list", "non_member"),
    ("outreach:list", ""), ("materials:list", "received"), ("materials:list", "passed"),
    ("pledges:list", "pledges"), ("pledges:list", "returns"), ("supervision:list", "visits"),
    ("supervision:list", "officers"), ("reports:list", ""), ("audit:list", ""), ("organisation:tree", ""),
]
IDS = [f"{name}{'-' + table if table else ''}" for name, table in EXPORTS]
# What Hòa Bình's rows would carry: its units' names and codes, its members' codes.
HOA_BINH = ("Hòa Bình", "BN.HA.HB", "HB-")


def query(table: str, fmt: str, **extra: object) -> dict[str, object]:
    return {"export": fmt, **({"table": table} if table else {}), **extra}


@pytest.mark.parametrize(("name", "table"), EXPORTS, ids=IDS)
def test_anonymous_is_sent_to_the_login_page(client, actors, name, table):
    response = client.get(reverse(name), query(table, "csv"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse(settings.LOGIN_URL))


@pytest.mark.parametrize(("name", "table"), EXPORTS, ids=IDS)
def test_a_viewer_exports_what_they_may_read(client, actors, name, table):
    client.force_login(actors.viewer)
    response = client.get(reverse(name), query(table, "xlsx"))
    if name == "audit:list":
        assert response.status_code == 403  # viewers do not read the change log
        return
    rows = xlsx_rows(response)
    assert rows[0]  # the header row at least


@pytest.mark.parametrize("role", ["officer", "viewer"])
@pytest.mark.parametrize(("name", "table"), EXPORTS, ids=IDS)
def test_an_outsiders_export_never_holds_hoa_binh_rows(client, actors, scenario_module, name, table, role):
    client.force_login(actors.outsiders[role])
    # Every day and unit of the campaign: the widest list the outsider can ask for.
    params = query(table, "csv", campaign=scenario_module.pk, on="2024-12-31", as_of="2024-12-31")
    response = client.get(reverse(name), params)
    if name == "audit:list" and role == "viewer":
        assert response.status_code == 403
        return
    workbook = client.get(reverse(name), {**params, "export": "xlsx"})
    cells = all_cells(csv_rows(response)) + all_cells(xlsx_rows(workbook))
    leaked = [cell for cell in cells if any(mark in cell for mark in HOA_BINH)]
    assert leaked == []


@pytest.mark.parametrize("name", ["members:list", "events:list", "outreach:list", "reports:list"])
def test_a_unit_of_another_subtree_in_the_filter_is_not_exported(client, actors, scenario_module, name):
    """Naming Hòa Bình in the filter of a Hòa Phú user: a 404 (the scoped filter refuses the id) or,
    on pages whose filter ignores it, a file without a Hòa Bình row; never Hòa Bình's rows."""
    from chuyende.organisation.models import Unit

    client.force_login(actors.outsiders["officer"])
    foreign = Unit.objects.get(code="BN.HA.HB").pk
    response = client.get(reverse(name), {"unit": foreign, "campaign": scenario_module.pk, "export": "csv"})
    if response.status_code == 404:
        return
    cells = all_cells(csv_rows(response))
    assert not [cell for cell in cells if any(mark in cell for mark in HOA_BINH)]


LINKED = [
    ("members:list", "", {}), ("events:list", "", {}), ("returns:list", "member", {}),
    ("returns:list", "non_member", {}), ("outreach:list", "", {}), ("materials:list", "received", {}),
    ("materials:list", "passed", {}), ("pledges:list", "pledges", {"unit": "BN.HA.HB.DONG"}),
    ("pledges:list", "returns", {}), ("supervision:list", "visits", {}), ("supervision:list", "officers", {}),
    ("reports:list", "", {}), ("audit:list", "", {}), ("organisation:tree", "", {}),
]
HREF = re.compile(r'<a class="button" href="\?([^"]*)"[^>]*>([^<]*)</a>')


@pytest.mark.parametrize(("name", "table", "extra"), LINKED, ids=[f"{n}-{t}" for n, t, _e in LINKED])
def test_the_list_page_links_to_its_exports_with_its_filters(client, district, scenario_module, name, table,
                                                             extra):
    from chuyende.organisation.models import Unit

    client.force_login(district)
    params: dict[str, object] = {"campaign": scenario_module.pk, "on": "2024-12-31", "as_of": "2024-12-31",
                                 "page": "1", "received_page": "1"}
    params.update({key: Unit.objects.get(code=code).pk for key, code in extra.items()})
    page = client.get(reverse(name), params).content.decode()
    links = [(QueryDict(html.unescape(href)), text) for href, text in HREF.findall(page)
             if "export=" in href]
    if table:
        links = [(link, text) for link, text in links if link.get("table") == table]
    assert [(link["export"], text) for link, text in links] == [
        ("xlsx", message("Download Excel")), ("csv", message("Download CSV")),
    ]
    for link, _text in links:
        assert "page" not in link and "received_page" not in link
        assert link["campaign"] == str(scenario_module.pk)
        for key, value in params.items():
            if key not in {"page", "received_page"}:
                assert link[key] == str(value)
    assert message("(all pages, with the filters applied)") in page
