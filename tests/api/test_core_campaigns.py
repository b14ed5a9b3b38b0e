"""API: campaigns (list and detail of those the caller may see, create through the service)."""

import pytest

from chuyende.accounts.models import User
from chuyende.accounts.services import user_create
from chuyende.campaigns.models import Campaign
from chuyende.organisation.models import Unit
from chuyende.reports.models import Report
from tests.api.conftest import api_url, errors_of
from tests.conftest import TEST_PASSWORD
from tests.view_helpers import translated

pytestmark = pytest.mark.django_db


def uid(code: str) -> int:
    return Unit.objects.get(code=code).pk


def codes(response) -> list[str]:
    assert response.status_code == 200, response.content
    return [row["code"] for row in response.json()["results"]]


def new_campaign(**overrides: object) -> dict[str, object]:
    data: dict[str, object] = {
        "code": "NQ-HB-2024",
        "kind": "resolution",
        "year": 2024,
        "title": "Quán triệt Nghị quyết Đảng bộ xã",
        "starts": "2024-04-01",
        "study_deadline": "2024-06-30",
        "report_deadline": "2024-07-15",
        "target_rate": "90.00",
        "excluded_statuses": ["exempt"],
        "non_party_categories": ["mass"],
        "guiding_documents": [
            {
                "number": "05-KH/ĐU",
                "issued_on": "2024-03-20",
                "issuer": "Đảng ủy xã Hòa Bình",
                "title": "Kế hoạch",
            }
        ],
    }
    data.update(overrides)
    return data


def test_everyone_reads_the_provincial_campaign(users, api_for, scenario):
    for user in (users.owner, users.viewer, users.outsiders["viewer"]):
        response = api_for(user).get(api_url("campaigns/"))
        assert codes(response) == ["CD2024"]
        row = response.json()["results"][0]
        assert row["owner_code"] == "BN" and row["excluded_statuses"] == ["exempt", "away"]
        assert [d["number"] for d in row["guiding_documents"]] == ["12-HD/BTGTU", "87-KH/HU"]
        detail = api_for(user).get(api_url(f"campaigns/{scenario.pk}/"))
        assert detail.status_code == 200 and detail.json()["target_rate"] == "95.00"


def test_owner_creates_a_campaign_of_their_unit(users, api_for):
    response = api_for(users.owner).post(api_url("campaigns/"), new_campaign(), format="json")
    assert response.status_code == 201, response.content
    campaign = Campaign.objects.get(code="NQ-HB-2024")
    assert campaign.owner.code == "BN.HA.HB"
    assert str(campaign.ends) == "2024-12-31"  # the service's default
    assert campaign.guiding_documents.get().number == "05-KH/ĐU"
    assert response.json()["id"] == campaign.pk


def test_a_hoa_binh_campaign_is_hidden_from_hoa_phu(users, api_for):
    api_for(users.owner).post(api_url("campaigns/"), new_campaign(), format="json")
    campaign = Campaign.objects.get(code="NQ-HB-2024")
    outsider = api_for(users.outsiders["officer"])
    assert codes(outsider.get(api_url("campaigns/"))) == ["CD2024"]
    assert outsider.get(api_url(f"campaigns/{campaign.pk}/")).status_code == 404
    # The district sees its sub-unit's campaign.
    assert "NQ-HB-2024" in codes(api_for(users.owner).get(api_url("campaigns/"), {"year": 2024}))


def test_filters(users, api_for, district):
    client = api_for(district)
    client.post(api_url("campaigns/"), new_campaign(code="NQ-HA-2024", year=2024), format="json")
    assert codes(client.get(api_url("campaigns/"), {"kind": "annual_topic"})) == ["CD2024"]
    assert codes(client.get(api_url("campaigns/"), {"owner": uid("BN.HA")})) == ["NQ-HA-2024"]
    assert codes(client.get(api_url("campaigns/"), {"date": "2024-02-01"})) == ["CD2024"]
    assert client.get(api_url("campaigns/"), {"owner": uid("BN")}).status_code == 404  # above the scope
    assert list(errors_of(client.get(api_url("campaigns/"), {"year": "x"}))) == ["year"]


@pytest.mark.parametrize("who", ["viewer"])
def test_viewer_gets_403_and_nothing_is_written(who, users, api_for):
    before = Campaign.objects.count()
    response = api_for(getattr(users, who)).post(api_url("campaigns/"), new_campaign(), format="json")
    assert response.status_code == 403
    assert Campaign.objects.count() == before


def test_an_owner_of_another_subtree_is_404(users, api_for):
    before = Campaign.objects.count()
    response = api_for(users.owner).post(
        api_url("campaigns/"), new_campaign(owner=uid("BN.HA.HP")), format="json"
    )
    assert response.status_code == 404
    assert Campaign.objects.count() == before


def test_errors_name_the_fields(users, api_for):
    client = api_for(users.owner)
    before = Campaign.objects.count()
    typed = client.post(
        api_url("campaigns/"),
        new_campaign(
            year="2024a",
            target_rate=120,
            excluded_statuses=["active"],
            starts=None,
            guiding_documents=[{"number": "1", "issuer": "x", "title": "y"}],
        ),
        format="json",
    )
    assert typed.status_code == 400
    errors = errors_of(typed)
    assert set(errors) == {
        "year",
        "target_rate",
        "excluded_statuses.0",
        "starts",
        "guiding_documents.0.issued_on",
    }
    rules = client.post(
        api_url("campaigns/"),
        new_campaign(starts="2024-07-01", study_deadline="2024-06-30", ends="2024-05-01"),
        format="json",
    )
    assert errors_of(rules) == {
        "ends": [translated("The campaign ends before it starts.")],
        "study_deadline": [translated("The study deadline is before the campaign starts.")],
    }
    taken = client.post(api_url("campaigns/"), new_campaign(code="CD2024"), format="json")
    assert errors_of(taken) == {
        "code": [translated("A campaign with code %(code)s already exists.", code="CD2024")]
    }
    assert Campaign.objects.count() == before


def test_list_query_count_is_fixed(users, api_for, district, django_assert_max_num_queries):
    client = api_for(district)
    for n in range(3):
        client.post(api_url("campaigns/"), new_campaign(code=f"NQ-{n}"), format="json")
    # token with user, the user's unit, count, page with owners (ancestors in a subquery), documents
    with django_assert_max_num_queries(5):
        assert len(codes(client.get(api_url("campaigns/")))) == 4


# --- corrections (PATCH / PUT) ---------------------------------------------------------------------------


@pytest.fixture
def own(users, api_for) -> Campaign:
    response = api_for(users.owner).post(api_url("campaigns/"), new_campaign(), format="json")
    assert response.status_code == 201, response.content
    return Campaign.objects.get(code="NQ-HB-2024")


@pytest.fixture
def province_officer(users) -> User:
    return user_create(actor=None, username="t.bn.officer", password=TEST_PASSWORD,
                       unit=Unit.objects.get(code="BN"), role="officer", full_name="t.bn.officer")


def frozen_snapshots(campaign: Campaign) -> dict[int, object]:
    return dict(Report.objects.filter(campaign=campaign).values_list("pk", "snapshot"))


def test_owner_patches_the_title_and_documents_fields_left_out_keep_their_values(users, api_for, own):
    kept = own.guiding_documents.get()
    response = api_for(users.owner).patch(api_url(f"campaigns/{own.pk}/"), {
        "title": "Tên đã sửa",
        "guiding_documents": [
            {"id": kept.pk, "number": kept.number, "issued_on": "2024-03-21", "issuer": kept.issuer,
             "title": "Kế hoạch (sửa)"},
            {"number": "06-HD/ĐU", "issued_on": "2024-03-25", "issuer": "Đảng ủy xã", "title": "Hướng dẫn"},
        ],
    }, format="json")
    assert response.status_code == 200, response.content
    body = response.json()
    assert (body["title"], body["code"], body["target_rate"]) == ("Tên đã sửa", "NQ-HB-2024", "90.00")
    first = body["guiding_documents"][0]
    assert (first["id"], first["title"]) == (kept.pk, "Kế hoạch (sửa)")
    assert [d["number"] for d in body["guiding_documents"]] == ["05-KH/ĐU", "06-HD/ĐU"]
    assert api_for(users.owner).patch(
        api_url(f"campaigns/{own.pk}/"), {"target_rate": "91.5"}, format="json"
    ).json()["guiding_documents"] == body["guiding_documents"]


def test_put_needs_every_correctable_field(users, api_for, own):
    client = api_for(users.owner)
    partial = client.put(api_url(f"campaigns/{own.pk}/"), {"title": "X"}, format="json")
    assert partial.status_code == 400
    assert {"starts", "target_rate", "guiding_documents"} <= set(errors_of(partial))
    fixed = {"code", "kind", "year"}
    full = {key: value for key, value in new_campaign(title="Toàn bộ").items() if key not in fixed}
    full |= {"rate_precision": 1, "guiding_documents": []}
    response = client.put(api_url(f"campaigns/{own.pk}/"), full, format="json")
    assert response.status_code == 200, response.content
    assert response.json()["guiding_documents"] == [] and response.json()["rate_precision"] == 1


def test_code_kind_year_and_owner_cannot_be_changed(users, api_for, own):
    response = api_for(users.owner).patch(
        api_url(f"campaigns/{own.pk}/"), {"code": "X", "owner": uid("BN.HA.HB.DONG"), "year": 2025},
        format="json",
    )
    assert set(errors_of(response)) == {"code", "owner", "year"}
    assert Campaign.objects.get(pk=own.pk).code == "NQ-HB-2024"


def test_bad_corrections_name_their_field_and_write_nothing(users, api_for, own):
    client = api_for(users.owner)
    before = client.get(api_url(f"campaigns/{own.pk}/")).json()
    rules = client.patch(api_url(f"campaigns/{own.pk}/"), {"ends": "2024-01-01"}, format="json")
    assert errors_of(rules) == {"ends": [translated("The campaign ends before it starts.")]}
    unknown = {"id": 999_999, "number": "1", "issued_on": "2024-01-01", "issuer": "x", "title": "y"}
    documents = client.patch(api_url(f"campaigns/{own.pk}/"), {"guiding_documents": [unknown]}, format="json")
    assert list(errors_of(documents)) == ["guiding_documents"]
    missing = client.patch(api_url(f"campaigns/{own.pk}/"), {"guiding_documents": [{"number": "1"}]},
                           format="json")
    assert set(errors_of(missing)) == {"guiding_documents.0.issued_on", "guiding_documents.0.issuer",
                                       "guiding_documents.0.title"}
    assert client.get(api_url(f"campaigns/{own.pk}/")).json() == before


def test_who_may_not_correct(users, api_for, own, scenario):
    body = {"title": "X"}
    viewer = api_for(users.viewer)
    assert viewer.patch(api_url(f"campaigns/{own.pk}/"), body, format="json").status_code == 403
    outsider = api_for(users.outsiders["admin"])
    assert outsider.patch(api_url(f"campaigns/{own.pk}/"), body, format="json").status_code == 404
    assert outsider.put(api_url(f"campaigns/{own.pk}/"), body, format="json").status_code == 404
    province = api_for(users.owner).patch(api_url(f"campaigns/{scenario.pk}/"), body, format="json")
    assert province.status_code == 403
    assert Campaign.objects.get(pk=own.pk).title != "X"


def test_a_figure_change_after_submission_needs_confirm_after_submission(province_officer, api_for, scenario):
    client = api_for(province_officer)
    frozen = frozen_snapshots(scenario)
    refused = client.patch(api_url(f"campaigns/{scenario.pk}/"), {"excluded_statuses": []}, format="json")
    assert refused.status_code == 400
    assert list(errors_of(refused)) == ["confirm_after_submission"]
    assert Campaign.objects.get(pk=scenario.pk).excluded_statuses == ["exempt", "away"]
    saved = client.patch(api_url(f"campaigns/{scenario.pk}/"),
                         {"excluded_statuses": [], "confirm_after_submission": True}, format="json")
    assert saved.status_code == 200, saved.content
    assert saved.json()["excluded_statuses"] == []
    assert frozen_snapshots(scenario) == frozen
    title = client.patch(api_url(f"campaigns/{scenario.pk}/"), {"title": "Tên mới"}, format="json")
    assert title.status_code == 200
