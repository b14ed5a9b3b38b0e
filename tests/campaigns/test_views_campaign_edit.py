"""The campaign edit page: who may open it, corrections saved, bad input, reports already sent."""

import datetime
from decimal import Decimal

import pytest
from django.urls import reverse

from chuyende.accounts.services import user_create
from chuyende.audit.services import snapshot
from chuyende.campaigns.models import Campaign
from chuyende.campaigns.services import GuidingDocumentData, campaign_create
from chuyende.organisation.models import Unit
from chuyende.reports.models import Report
from tests.conftest import TEST_PASSWORD
from tests.view_helpers import message

pytestmark = pytest.mark.django_db


@pytest.fixture
def own(users) -> Campaign:
    """A campaign of Hòa Bình, with one guiding document."""
    return campaign_create(
        actor=None, owner=Unit.objects.get(code="BN.HA.HB"), code="HB-2024", kind="resolution", year=2024,
        title="Nghị quyết của xã", starts=datetime.date(2024, 1, 1), ends=None,
        study_deadline=datetime.date(2024, 6, 30), report_deadline=datetime.date(2024, 7, 5),
        target_rate=Decimal(90), excluded_statuses=[], rate_precision=1, non_party_categories=[],
        guiding_documents=[GuidingDocumentData(number="01-HD/ĐU", issued_on=datetime.date(2023, 12, 20),
                                               issuer="Đảng ủy xã", title="Hướng dẫn")],
    )


@pytest.fixture
def province_officer(users):
    return user_create(actor=None, username="t.bn.officer", password=TEST_PASSWORD,
                       unit=Unit.objects.get(code="BN"), role="officer", full_name="t.bn.officer")


def url(campaign: Campaign) -> str:
    return reverse("campaigns:edit", args=[campaign.pk])


def post_of(campaign: Campaign, **overrides: object) -> dict[str, object]:
    """The form as the page fills it in, with `overrides`."""
    documents = list(campaign.guiding_documents.all())
    data: dict[str, object] = {
        "title": campaign.title, "starts": str(campaign.starts), "ends": str(campaign.ends),
        "study_deadline": str(campaign.study_deadline), "report_deadline": str(campaign.report_deadline),
        "target_rate": str(campaign.target_rate).replace(".", ","),
        "rate_precision": str(campaign.rate_precision),
        "excluded_statuses": list(campaign.excluded_statuses),
        "non_party_categories": list(campaign.non_party_categories),
        "doc-TOTAL_FORMS": str(len(documents) + 1), "doc-INITIAL_FORMS": str(len(documents)),
    }
    for index, document in enumerate(documents):
        data.update({
            f"doc-{index}-id": str(document.pk), f"doc-{index}-number": document.number,
            f"doc-{index}-issued_on": str(document.issued_on), f"doc-{index}-issuer": document.issuer,
            f"doc-{index}-title": document.title,
        })
    data.update(overrides)
    return data


def test_the_owner_opens_the_page_a_viewer_is_refused_an_outsider_sees_nothing(users, client_for, own):
    page = client_for(users.owner).get(url(own))
    assert page.status_code == 200
    assert "01-HD/ĐU" in page.content.decode()
    assert client_for(users.viewer).get(url(own)).status_code == 403
    assert client_for(users.viewer).post(url(own), post_of(own, title="X")).status_code == 403
    for outsider in users.outsiders.values():
        assert client_for(outsider).get(url(own)).status_code == 404
        assert client_for(outsider).post(url(own), post_of(own, title="X")).status_code == 404
    assert client_for(users.owner).get(reverse("campaigns:edit", args=[999_999])).status_code == 404
    assert Campaign.objects.get(pk=own.pk).title == "Nghị quyết của xã"


def test_hoa_binh_sees_the_province_campaign_but_may_not_edit_it(users, client_for, scenario):
    client = client_for(users.owner)
    assert url(scenario) not in client.get(reverse("campaigns:detail", args=[scenario.pk])).content.decode()
    assert client.get(url(scenario)).status_code == 403


def test_edit_links_on_the_list_and_the_detail_for_those_who_may_edit(users, client_for, own):
    for page in (reverse("campaigns:list"), reverse("campaigns:detail", args=[own.pk])):
        assert url(own) in client_for(users.owner).get(page).content.decode()
        assert url(own) not in client_for(users.viewer).get(page).content.decode()


def test_the_owner_corrects_the_title_dates_and_documents(users, client_for, own):
    kept = own.guiding_documents.get()
    response = client_for(users.owner).post(url(own), post_of(
        own, title="Nghị quyết của xã (sửa)", study_deadline="2024-07-10", target_rate="92,5",
        **{"doc-0-title": "Hướng dẫn (sửa)", "doc-1-number": "02-KH/ĐU", "doc-1-issued_on": "2024-01-02",
           "doc-1-issuer": "Đảng ủy xã", "doc-1-title": "Kế hoạch"},
    ))
    assert response.status_code == 302
    own.refresh_from_db()
    assert (own.code, own.title, own.study_deadline) == ("HB-2024", "Nghị quyết của xã (sửa)",
                                                        datetime.date(2024, 7, 10))
    assert own.target_rate == Decimal("92.5")
    assert list(own.guiding_documents.values_list("pk", "title")) == [
        (kept.pk, "Hướng dẫn (sửa)"), (own.guiding_documents.last().pk, "Kế hoạch")]

    response = client_for(users.owner).post(url(own), post_of(own, **{"doc-0-DELETE": "on"}))
    assert response.status_code == 302
    assert list(own.guiding_documents.values_list("number", flat=True)) == ["02-KH/ĐU"]


@pytest.mark.parametrize(
    ("overrides", "shown"),
    [
        ({"ends": "2023-12-01"}, message("The campaign ends before it starts.")),
        ({"study_deadline": "2023-06-01"}, message("The study deadline is before the campaign starts.")),
        ({"target_rate": "120"}, None),
        ({"title": ""}, None),
        ({"doc-0-issuer": ""}, message("Fill in the number, date, issuer and title of the document.")),
        ({"doc-0-id": "999999"}, None),
    ],
)
def test_bad_input_shows_a_message_and_writes_nothing(users, client_for, own, overrides, shown):
    own.refresh_from_db()
    before = snapshot(own)
    documents = list(own.guiding_documents.values())
    response = client_for(users.owner).post(url(own), post_of(own, **overrides))
    assert response.status_code == 200
    page = response.content.decode()
    assert 'class="error' in page
    if shown:
        assert shown in page
    own.refresh_from_db()
    assert snapshot(own) == before
    assert list(own.guiding_documents.values()) == documents


def test_after_reports_were_sent_a_figure_change_asks_for_confirmation(province_officer, client_for,
                                                                       scenario):
    client = client_for(province_officer)
    sent = Report.objects.filter(campaign=scenario, status__in=["submitted", "accepted"]).order_by("pk")
    frozen = dict(sent.values_list("pk", "snapshot"))
    first = sent.first()
    assert first is not None
    page = client.get(url(scenario)).content.decode()
    assert 'id="sent-reports"' in page and 'name="confirm_after_submission"' in page

    refused = client.post(url(scenario), post_of(scenario, target_rate="99"))
    assert refused.status_code == 200
    assert first.number_and_symbol in refused.content.decode()
    assert Campaign.objects.get(pk=scenario.pk).target_rate == Decimal("95")

    saved = client.post(url(scenario), post_of(scenario, target_rate="99", confirm_after_submission="on"))
    assert saved.status_code == 302
    assert Campaign.objects.get(pk=scenario.pk).target_rate == Decimal("99")
    assert dict(sent.values_list("pk", "snapshot")) == frozen
    report = client.get(reverse("reports:detail", args=[first.pk])).content.decode()
    assert 'id="changed-figures"' in report


def test_after_reports_were_sent_the_title_is_saved_without_confirmation(province_officer, client_for,
                                                                         scenario):
    client = client_for(province_officer)
    response = client.post(url(scenario), post_of(scenario, title="Chuyên đề năm 2024 (tên sửa)"))
    assert response.status_code == 302
    assert Campaign.objects.get(pk=scenario.pk).title == "Chuyên đề năm 2024 (tên sửa)"
