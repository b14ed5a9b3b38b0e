"""The dashboard page: scope (404/403), the district figures of the scenario, no-data rows, queries."""

import datetime
import re
from decimal import Decimal

import pytest
from django.utils import timezone

from chuyende.accounts.services import user_create
from chuyende.campaigns.models import Campaign
from chuyende.campaigns.services import campaign_create
from chuyende.figures.selectors import default_as_of
from chuyende.organisation.models import Unit

pytestmark = pytest.mark.django_db


@pytest.fixture
def district_officer(users):
    return user_create(actor=None, username="t.ha.officer", password="x-test-2024",
                       unit=Unit.objects.get(code="BN.HA"), role="officer", full_name="Huyện")


def _text(response) -> str:
    """The page's visible text with whitespace collapsed."""
    html = response.content.decode()
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


def test_district_figures_as_of_31_march(district_officer, client_for, scenario):
    response = client_for(district_officer).get("/", {"campaign": scenario.pk, "as_of": "2024-03-31"})
    assert response.status_code == 200
    text = _text(response)
    assert "256/263" in text
    assert "97,34%" in text
    # the exclusions are spelled out with their counts, the excluded who studied counted apart
    rollup = response.context["rollup"]
    assert (rollup.tally.exempt, rollup.tally.away, rollup.tally.excluded_who_studied) == (18, 11, 2)
    assert re.search(r"\b18\b", text) and re.search(r"\b11\b", text)
    assert "121/126" in text  # non-members
    assert "605" in text and "495" in text  # person-times, of which party members
    assert "61" in text and "6.010" in text  # outreach sessions and known reach
    assert re.search(r"\b6\b", text)  # sessions whose reach is unknown, stated apart
    # units that organised study and reached the target
    assert "5/5" in text and "3/5" in text
    # one row per grassroots unit; Hòa Bình and THPT are below the 95% target
    html = response.content.decode()
    assert html.count('class="below-target"') == 2
    assert "94,44%" in text and "92,86%" in text
    # the total row is the roll-up's own figure, not a sum in the template
    assert re.search(r"<tfoot>.*263.*256.*97,34%.*</tfoot>", html, re.S)


def test_dates_typed_the_vietnamese_way_are_accepted(district_officer, client_for, scenario):
    response = client_for(district_officer).get("/", {"as_of": "31/03/2024"})
    assert response.context["as_of"] == datetime.date(2024, 3, 31)
    assert "256/263" in _text(response)


def test_default_date_is_the_study_deadline_once_it_has_passed(district_officer, client_for, scenario):
    response = client_for(district_officer).get("/")
    assert response.status_code == 200
    assert response.context["campaign"] == scenario
    assert response.context["as_of"] == default_as_of(campaign=scenario, today=timezone.localdate())
    assert default_as_of(campaign=scenario, today=datetime.date(2030, 1, 1)) == scenario.study_deadline
    assert default_as_of(campaign=scenario, today=datetime.date(2024, 3, 1)) == datetime.date(2024, 3, 1)


def test_units_without_data_are_listed_not_zero(district_officer, client_for, scenario):
    response = client_for(district_officer).get("/", {"as_of": "2024-02-29"})
    html = response.content.decode()
    rollup = response.context["rollup"]
    assert rollup.units_without_data
    for missing in rollup.units_without_data:
        assert missing.name in html
    assert 'class="no-data"' in html


def test_child_links_keep_campaign_and_date(district_officer, client_for, scenario):
    response = client_for(district_officer).get("/", {"as_of": "2024-03-31"})
    hb = Unit.objects.get(code="BN.HA.HB")
    assert f"?unit={hb.pk}&amp;campaign={scenario.pk}&amp;as_of=2024-03-31" in response.content.decode()


def test_own_unit_and_below_are_visible(users, client_for, scenario):
    hb = Unit.objects.get(code="BN.HA.HB")
    cell = Unit.objects.get(code="BN.HA.HB.DONG")
    client = client_for(users.viewer)
    response = client.get("/", {"as_of": "2024-03-31"})
    assert response.status_code == 200
    assert response.context["unit"] == hb
    assert "34/36" in _text(response)
    response = client.get("/", {"unit": cell.pk, "as_of": "2024-03-31"})
    assert response.status_code == 200
    # breadcrumb within scope: Hòa Bình, never the district above it
    assert [u.code for u in response.context["breadcrumb"]] == ["BN.HA.HB"]
    assert "Đảng bộ huyện Hòa An" not in response.content.decode()


def test_outsider_gets_404_for_a_unit_of_another_subtree(users, client_for, scenario):
    hb = Unit.objects.get(code="BN.HA.HB")
    for role in ("officer", "viewer"):
        client = client_for(users.outsiders[role])
        assert client.get("/", {"unit": hb.pk}).status_code == 404
        assert client.get("/", {"unit": hb.parent_id}).status_code == 404
        assert client.get("/", {"unit": 999999}).status_code == 404


def test_a_campaign_outside_the_scope_gives_404(users, client_for, scenario):
    hb = Unit.objects.get(code="BN.HA.HB")
    own = campaign_create(
        actor=None, owner=hb, code="HB-RIENG", kind="resolution", year=2024, title="Nghị quyết riêng",
        starts=datetime.date(2024, 1, 1), ends=None, study_deadline=datetime.date(2024, 6, 30),
        report_deadline=datetime.date(2024, 7, 5), target_rate=Decimal(95), excluded_statuses=[],
        rate_precision=1, non_party_categories=[], guiding_documents=[],
    )
    assert client_for(users.viewer).get("/", {"campaign": own.pk}).status_code == 200
    assert client_for(users.outsiders["viewer"]).get("/", {"campaign": own.pk}).status_code == 404


def test_a_campaign_excluding_nobody_says_so(users, client_for, scenario):
    Campaign.objects.filter(pk=scenario.pk).update(excluded_statuses=[])
    response = client_for(users.owner).get("/", {"as_of": "2024-03-31"})
    rollup = response.context["rollup"]
    assert response.context["exclusions"].any is False
    assert rollup.tally.eligible == rollup.tally.members_total == 42
    assert f"{rollup.tally.studied}/42" in _text(response)


def test_bad_date_falls_back_and_says_so(users, client_for, scenario):
    response = client_for(users.owner).get("/", {"as_of": "32/13/2024"})
    assert response.status_code == 200
    assert 'class="errors"' in response.content.decode()


def test_anonymous_is_sent_to_login(client, scenario):
    response = client.get("/")
    assert response.status_code == 302 and "/dang-nhap/" in response["Location"]


def test_dashboard_queries_are_few(district_officer, client_for, scenario, django_assert_max_num_queries):
    client = client_for(district_officer)
    # session, user, campaigns, unit, the roll-up's 11 and report completeness's 2
    with django_assert_max_num_queries(18):
        response = client.get("/", {"campaign": scenario.pk, "as_of": "2024-03-31"})
    assert response.status_code == 200


def test_dashboard_shows_reports_pledges_materials_and_supervision(district_officer, client_for, scenario):
    client = client_for(district_officer)
    response = client.get("/", {"campaign": scenario.pk, "as_of": "2024-03-31"})
    page = response.content.decode()
    completeness = page[page.index('id="completeness"'):page.index('id="pledges"')]
    assert "4/5" in completeness and "Chi bộ Trường THPT Hòa An" in completeness
    assert "Đảng bộ thị trấn Hòa An" in completeness and "28/03/2024" in completeness
    pledges = page[page.index('id="pledges"'):page.index('id="materials"')]
    assert "261/263" in pledges and "99,24%" in pledges
    materials = page[page.index('id="materials"'):page.index('id="supervision"')]
    assert all(figure in materials for figure in (">12<", ">90<", ">11<", ">83<"))
    supervision = page[page.index('id="supervision"'):]
    assert "1/5" in supervision and "Chi bộ Trung tâm Y tế huyện" in supervision


def test_year_end_ratings_show_on_the_dashboard(district_officer, client_for, scenario):
    response = client_for(district_officer).get("/", {"campaign": scenario.pk, "as_of": "2024-12-31"})
    pledges = response.content.decode().split('id="pledges"')[1].split('id="materials"')[0]
    assert all(f": {count}<" in pledges for count in (14, 29, 5))


def test_answer_first_headline_then_units_below_target_then_the_rest(district_officer, client_for, scenario):
    response = client_for(district_officer).get("/", {"campaign": scenario.pk, "as_of": "2024-03-31"})
    html = response.content.decode()
    headline = html.index('class="card headline"')
    below = html.index('id="below-target"')
    figures = html.index('class="figures"')
    table = html.index('id="units-below"')
    assert headline < below < figures < table
    # the units below the target, lowest rate first, with their rate in the list itself
    listed = html[below:html.index("</section>", below)]
    assert listed.index("Trường THPT") < listed.index("Hòa Bình")
    assert "92,86%" in listed and "94,44%" in listed and "97,22%" not in listed
    assert [child.unit.code for child in response.context["below_target"]] == ["BN.HA.THPT", "BN.HA.HB"]


def test_charts_get_their_figures_from_the_rollup_as_json(district_officer, client_for, scenario):
    response = client_for(district_officer).get("/", {"campaign": scenario.pk, "as_of": "2024-03-31"})
    html = response.content.decode()
    charts = response.context["charts"]
    rollup = response.context["rollup"]
    assert charts["target"] == 95.0
    assert [unit["name"] for unit in charts["units"]] == [child.unit.name for child in rollup.children]
    assert [unit["rate"] for unit in charts["units"]] == [float(child.rate) for child in rollup.children]
    assert charts["progress"][-1] == {"day": "31/03/2024", "rate": 97.34}
    assert charts["progress"][0]["day"] == scenario.starts.strftime("%d/%m/%Y")
    # the data as JSON for the static script (no inline script), the library only on this page
    assert '<script id="dashboard-charts" type="application/json">' in html
    assert "vendor/chartjs/chart.umd.min.js" in html and "js/dashboard-charts.js" in html
    assert re.search(r'<canvas id="coverage-canvas" role="img" aria-label="[^"]+"', html)
    # the progress chart's figures as a table for screen readers and print
    assert re.search(r'<table class="chart-table">.*31/03/2024.*256/263.*97,34%.*</table>', html, re.S)


def test_a_campaign_without_figures_draws_no_progress_chart(district_officer, client_for, scenario):
    response = client_for(district_officer).get("/", {"campaign": scenario.pk, "as_of": "2024-01-01"})
    assert response.status_code == 200
    assert response.context["progress_chart"] is False
    assert 'id="progress-chart"' not in response.content.decode()


def test_tables_of_the_dashboard_turn_into_cards_with_labels(district_officer, client_for, scenario):
    response = client_for(district_officer).get("/", {"campaign": scenario.pk, "as_of": "2024-03-31"})
    html = response.content.decode()
    assert '<table class="children stack">' in html
    rows = re.findall(r'<tr class="(?:below-target|no-data|)">(.*?)</tr>', html, re.S)
    assert rows
    for row in rows:
        cells = re.findall(r"<td([^>]*)>", row)
        # the unit's name heads the card; every other cell says which column it is
        assert 'data-label' not in cells[0]
        assert all('data-label="' in cell for cell in cells[1:])
