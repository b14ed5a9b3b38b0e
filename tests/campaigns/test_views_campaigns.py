import datetime
from decimal import Decimal

import pytest

from chuyende.campaigns.models import Campaign
from chuyende.campaigns.services import campaign_create

pytestmark = pytest.mark.django_db


def _campaign_of(unit, code: str) -> Campaign:
    return campaign_create(
        actor=None, owner=unit, code=code, kind="resolution", year=2024, title="Nghị quyết riêng",
        starts=datetime.date(2024, 1, 1), ends=None, study_deadline=datetime.date(2024, 6, 30),
        report_deadline=datetime.date(2024, 7, 5), target_rate=Decimal(90), excluded_statuses=[],
        rate_precision=1, non_party_categories=[], guiding_documents=[],
    )


def _valid_post(**overrides: str) -> dict[str, str | list[str]]:
    data: dict[str, str | list[str]] = {
        "code": "NQ57", "kind": "resolution", "year": "2025", "title": "Nghị quyết 57-NQ/TW",
        "starts": "2025-01-10", "study_deadline": "2025-03-31", "report_deadline": "2025-04-05",
        "target_rate": "95", "rate_precision": "2", "excluded_statuses": ["exempt"],
        "doc-TOTAL_FORMS": "3", "doc-INITIAL_FORMS": "0",
        "doc-0-number": "05-HD/BTGHU", "doc-0-issued_on": "2025-01-05",
        "doc-0-issuer": "Ban Tuyên giáo Huyện ủy", "doc-0-title": "Hướng dẫn học tập",
    }
    data.update(overrides)
    return data


def test_everyone_in_the_tree_sees_the_province_campaign(users, client_for, scenario):
    for user in (users.owner, users.viewer, *users.outsiders.values()):
        response = client_for(user).get(f"/dot-hoc-tap/{scenario.pk}/")
        assert response.status_code == 200
        assert "12-HD/BTGTU" in response.content.decode()


def test_a_campaign_of_hoa_binh_is_invisible_to_hoa_phu(users, client_for, unit_of):
    own = _campaign_of(unit_of("BN.HA.HB"), "HB-RIENG")
    assert client_for(users.viewer).get(f"/dot-hoc-tap/{own.pk}/").status_code == 200
    for outsider in users.outsiders.values():
        client = client_for(outsider)
        assert client.get(f"/dot-hoc-tap/{own.pk}/").status_code == 404
        assert "HB-RIENG" not in client.get("/dot-hoc-tap/").content.decode()


def test_officer_creates_a_campaign_for_their_unit(users, client_for):
    response = client_for(users.owner).post("/dot-hoc-tap/tao-moi/", _valid_post())
    assert response.status_code == 302
    campaign = Campaign.objects.get(code="NQ57")
    assert campaign.owner.code == "BN.HA.HB"
    assert campaign.ends == datetime.date(2025, 12, 31)
    assert campaign.excluded_statuses == ["exempt"]
    assert list(campaign.guiding_documents.values_list("number", flat=True)) == ["05-HD/BTGHU"]


def test_viewer_may_not_create(users, client_for):
    client = client_for(users.viewer)
    assert client.get("/dot-hoc-tap/tao-moi/").status_code == 403
    assert client.post("/dot-hoc-tap/tao-moi/", _valid_post()).status_code == 403
    assert not Campaign.objects.filter(code="NQ57").exists()


@pytest.mark.parametrize(
    "overrides",
    [
        {"study_deadline": "2024-12-01"},
        {"target_rate": "120"},
        {"code": "CD2024"},
        {"doc-0-issuer": ""},
    ],
)
def test_bad_input_is_refused_and_nothing_is_written(users, client_for, overrides):
    before = Campaign.objects.count()
    response = client_for(users.owner).post("/dot-hoc-tap/tao-moi/", _valid_post(**overrides))
    assert response.status_code == 200
    assert 'class="error' in response.content.decode()
    assert Campaign.objects.count() == before
