"""API: reports (list, detail with frozen figures, draft, change, submit, accept, return)."""

import datetime
from typing import Any

import pytest

from chuyende.organisation.models import Unit
from chuyende.reports.models import Report
from chuyende.reports.services import report_create
from tests.api.conftest import api_url, errors_of
from tests.conftest import OUTSIDER_ROLES
from tests.view_helpers import table_counts, translated

pytestmark = pytest.mark.django_db

MARCH_31 = datetime.date(2024, 3, 31)


def uid(code: str) -> int:
    return Unit.objects.get(code=code).pk


def hb_submitted() -> Report:
    return Report.objects.get(unit__code="BN.HA.HB", number=1)


def draft(campaign, code: str = "BN.HA.HB", **fields: Any) -> Report:
    return report_create(
        actor=None, campaign=campaign, unit=Unit.objects.get(code=code), as_of=MARCH_31, **fields
    )


def units_of(response) -> list[str]:
    assert response.status_code == 200, response.content
    return [row["unit_code"] for row in response.json()["results"]]


def url(report: Report, step: str = "") -> str:
    return api_url(f"reports/{report.pk}/{step + '/' if step else ''}")


# --- reading ---------------------------------------------------------------------------------------------


def test_district_lists_the_sub_units_reports_with_frozen_figures(users, api_for, district, scenario):
    response = api_for(district).get(api_url("reports/"), {"campaign": scenario.pk})
    assert units_of(response) == ["BN.HA.HB", "BN.HA.HP", "BN.HA.TT", "BN.HA.YT"]
    row = response.json()["results"][0]
    assert row["status"] == "submitted" and row["submitted_on"] == "2024-03-22" and row["is_late"] is False
    assert row["frozen_on"] == "2024-03-22"
    assert row["figures"]["unit"] == "BN.HA.HB"
    assert row["figures"]["party_members"]["eligible"] > 0
    late = next(r for r in response.json()["results"] if r["unit_code"] == "BN.HA.TT")
    assert late["is_late"] is True  # sent on 28/03, after the deadline of 25/03


def test_filters(users, api_for, district, scenario):
    client = api_for(district)
    draft(scenario, "BN.HA")
    assert units_of(client.get(api_url("reports/"), {"status": "draft"})) == ["BN.HA"]
    assert units_of(client.get(api_url("reports/"), {"unit": uid("BN.HA.HP")})) == ["BN.HA.HP"]
    assert units_of(
        client.get(api_url("reports/"), {"date_from": "2024-03-25", "date_to": "2024-03-28"})
    ) == [
        "BN.HA.HP",
        "BN.HA.TT",
    ]
    assert units_of(client.get(api_url("reports/"), {"as_of": "2024-03-31"})) == ["BN.HA"]
    for name, value in (
        ("status", "lost"),
        ("date_from", "yesterday"),
        ("campaign", "x"),
    ):
        response = client.get(api_url("reports/"), {name: value})
        assert response.status_code == 400, (name, value)
        assert list(errors_of(response)) == [name]
    # An id of no campaign: the answer of another subtree's campaign (404), never telling which.
    assert client.get(api_url("reports/"), {"campaign": 10**6}).status_code == 404


@pytest.mark.parametrize("role", OUTSIDER_ROLES)
def test_hoa_phu_users_get_404_on_hoa_binh_reports(role, users, api_for, scenario):
    client = api_for(users.outsiders[role])
    report = hb_submitted()
    before = table_counts()
    assert units_of(client.get(api_url("reports/"))) == ["BN.HA.HP"]
    assert client.get(url(report)).status_code == 404
    assert client.get(api_url("reports/"), {"unit": uid("BN.HA.HB")}).status_code == 404
    assert client.patch(url(report), {"strengths": "x"}, format="json").status_code == 404
    for step in ("submit", "accept"):
        assert client.post(url(report, step), {}, format="json").status_code == 404
    assert client.post(url(report, "return"), {"comment": "x"}, format="json").status_code == 404
    created = client.post(
        api_url("reports/"),
        {"campaign": scenario.pk, "unit": uid("BN.HA.HB"), "as_of": "2024-03-31"},
        format="json",
    )
    assert created.status_code == 404
    assert table_counts() == before


def test_detail(users, api_for):
    response = api_for(users.viewer).get(url(hb_submitted()))
    assert response.status_code == 200
    body = response.json()
    assert body["number_and_symbol"] == hb_submitted().number_and_symbol
    assert set(body["figures"]) >= {"party_members", "non_party", "children", "completeness"}


def test_list_query_count_is_fixed(users, api_for, district, django_assert_max_num_queries):
    client = api_for(district)
    # token with user, the user's unit, count, page with units, campaigns and reviewers
    with django_assert_max_num_queries(4):
        assert len(units_of(client.get(api_url("reports/")))) == 4


# --- writing ---------------------------------------------------------------------------------------------


def test_owner_creates_and_edits_a_draft(users, api_for, scenario):
    client = api_for(users.owner)
    response = client.post(
        api_url("reports/"),
        {
            "campaign": scenario.pk,
            "unit": uid("BN.HA.HB"),
            "as_of": "2024-03-31",
            "strengths": "Tổ chức tốt.",
        },
        format="json",
    )
    assert response.status_code == 201, response.content
    created = Report.objects.get(pk=response.json()["id"])
    assert (created.status, created.number, created.strengths) == ("draft", 2, "Tổ chức tốt.")
    assert created.issuing_body  # the header filled in by the service
    assert response.json()["figures"] is None
    changed = client.patch(url(created), {"version": created.version, "tasks": "Tiếp tục."}, format="json")
    assert changed.status_code == 200, changed.content
    created.refresh_from_db()
    assert (created.tasks, created.strengths, created.version) == ("Tiếp tục.", "Tổ chức tốt.", 2)
    stale = client.patch(url(created), {"version": 1, "tasks": "Cũ."}, format="json")
    assert stale.status_code == 409
    assert Report.objects.get(pk=created.pk).tasks == "Tiếp tục."
    # the optional paragraphs of section II left out, in the report's order; an unknown one refused
    chosen = client.patch(url(created), {"omitted_paragraphs": ["pledges", "levels"]}, format="json")
    assert chosen.status_code == 200, chosen.content
    assert chosen.json()["omitted_paragraphs"] == ["levels", "pledges"]
    refused = client.patch(url(created), {"omitted_paragraphs": ["tables"]}, format="json")
    assert refused.status_code == 400 and "omitted_paragraphs" in refused.content.decode()
    assert Report.objects.get(pk=created.pk).omitted_paragraphs == ["levels", "pledges"]


def test_viewer_gets_403_on_every_write(users, api_for, scenario):
    client = api_for(users.viewer)
    report = draft(scenario, signer_name="Nguyễn Văn An")
    before = table_counts()
    created = client.post(
        api_url("reports/"),
        {"campaign": scenario.pk, "unit": uid("BN.HA.HB"), "as_of": "2024-03-31"},
        format="json",
    )
    assert created.status_code == 403
    assert client.patch(url(report), {"strengths": "x"}, format="json").status_code == 403
    assert client.post(url(report, "submit"), {}, format="json").status_code == 403
    assert table_counts() == before


def test_errors_name_the_fields(users, api_for, scenario):
    client = api_for(users.owner)
    before = table_counts()
    typed = client.post(
        api_url("reports/"),
        {
            "campaign": "CD2024",
            "unit": uid("BN.HA.HB"),
            "as_of": "31/03/2024",
            "number": -1,
            "status": "accepted",
        },
        format="json",
    )
    assert typed.status_code == 400
    assert set(errors_of(typed)) == {"status"}  # a read-only field is refused first
    typed = client.post(
        api_url("reports/"),
        {"campaign": "CD2024", "unit": uid("BN.HA.HB"), "as_of": "31/03/2024", "number": -1},
        format="json",
    )
    assert set(errors_of(typed)) == {"campaign", "as_of", "number"}
    early = client.post(
        api_url("reports/"),
        {"campaign": scenario.pk, "unit": uid("BN.HA.HB"), "as_of": "2024-01-01"},
        format="json",
    )
    assert errors_of(early) == {
        "as_of": [
            translated(
                "The figures cannot be as of %(date)s, before the campaign starts on %(start)s.",
                date="01/01/2024",
                start="10/01/2024",
            )
        ]
    }
    assert table_counts() == before


def test_submit_freezes_the_figures(users, api_for, district, scenario):
    report = draft(scenario, "BN.HA", signer_name="Nguyễn Văn An")
    response = api_for(district).post(url(report, "submit"), format="json")
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["status"] == "submitted"
    assert (body["figures"]["party_members"]["studied"], body["figures"]["party_members"]["eligible"]) == (
        256,
        263,
    )


def test_submit_without_a_signer_names_the_field(users, api_for, scenario):
    report = draft(scenario)
    response = api_for(users.owner).post(url(report, "submit"), {}, format="json")
    assert errors_of(response) == {
        "signer_name": [translated("Enter the name of the person who signs the report.")]
    }
    assert Report.objects.get(pk=report.pk).status == "draft"
    unknown = api_for(users.owner).post(url(report, "submit"), {"force": True}, format="json")
    assert errors_of(unknown) == {"force": [translated("Unknown field.")]}


def test_district_accepts_and_returns(users, api_for, district):
    client = api_for(district)
    report = hb_submitted()
    no_comment = client.post(url(report, "return"), {"comment": "   "}, format="json")
    assert no_comment.status_code == 400 and list(errors_of(no_comment)) == ["comment"]
    returned = client.post(url(report, "return"), {"comment": "Bổ sung số liệu."}, format="json")
    assert returned.status_code == 200, returned.content
    assert (returned.json()["status"], returned.json()["review_comment"]) == ("returned", "Bổ sung số liệu.")
    again = client.post(url(report, "accept"), format="json")
    assert again.status_code == 400 and "non_field_errors" in errors_of(again)
    hp = Report.objects.get(unit__code="BN.HA.HP")
    accepted = client.post(url(hp, "accept"), format="json")
    assert accepted.status_code == 200 and accepted.json()["status"] == "accepted"


@pytest.mark.parametrize("who", ["owner", "viewer"])
def test_the_unit_cannot_review_its_own_report(who, users, api_for):
    report = hb_submitted()
    client = api_for(getattr(users, who))
    assert client.post(url(report, "accept"), format="json").status_code == 403
    assert client.post(url(report, "return"), {"comment": "x"}, format="json").status_code == 403
    assert hb_submitted().status == "submitted"
