"""Campaigns: bad input, scope and roles, audit."""

from decimal import Decimal

import pytest

from chuyende.audit.models import AuditEntry
from chuyende.campaigns.models import Campaign
from chuyende.campaigns.services import GuidingDocumentData, campaign_create
from chuyende.core.exceptions import NotAllowed, NotInScope
from tests.builders import D, forbidden, refused
from tests.conftest import unit

pytestmark = pytest.mark.usefixtures("scenario_module", "db")


def new_campaign(owner_code: str = "BN.HA.HB", **changes):
    values = {
        "owner": unit(owner_code), "code": "NQ2024", "kind": "resolution", "year": 2024,
        "title": "Học tập, quán triệt Nghị quyết", "starts": D(2024, 4, 1), "ends": None,
        "study_deadline": D(2024, 6, 30), "report_deadline": D(2024, 7, 5), "target_rate": Decimal("90"),
        "excluded_statuses": ["exempt"], "rate_precision": 1, "non_party_categories": ["mass"],
        "guiding_documents": [GuidingDocumentData(number="05-HD/ĐU", issued_on=D(2024, 3, 20),
                                                  issuer="Đảng ủy xã", title="Hướng dẫn")],
    }
    return {**values, **changes}


@pytest.mark.parametrize(
    ("field", "changes"),
    [
        ("code", {"code": "CD2024"}),
        ("ends", {"ends": D(2024, 3, 1)}),
        ("study_deadline", {"study_deadline": D(2024, 3, 1)}),
        ("excluded_statuses", {"excluded_statuses": ["deceased"]}),
        ("non_party_categories", {"non_party_categories": ["tourists"]}),
        ("rate_precision", {"rate_precision": 3}),
        ("rate_precision", {"rate_precision": 0}),
        ("target_rate", {"target_rate": Decimal("100.5")}),
        ("target_rate", {"target_rate": Decimal("-1")}),
        ("kind", {"kind": "festival"}),
    ],
)
def test_bad_campaigns_are_refused(field, changes):
    refused(field, campaign_create, actor=None, **new_campaign(**changes))


def test_an_officer_creates_a_campaign_for_their_unit_with_one_audit_entry(actors):
    count = AuditEntry.objects.count()
    campaign = campaign_create(actor=actors.owner, **new_campaign())
    assert campaign.ends == D(2024, 12, 31)  # no end given: the end of the year
    assert [d.number for d in campaign.guiding_documents.all()] == ["05-HD/ĐU"]
    assert AuditEntry.objects.count() == count + 1
    entry = AuditEntry.objects.latest("id")
    assert (entry.action, entry.record_type, entry.before) == ("create", "campaigns.Campaign", None)
    assert entry.after is not None
    assert entry.after["code"] == "NQ2024" and entry.after["excluded_statuses"] == ["exempt"]


def test_an_outsider_cannot_create_a_campaign_for_a_foreign_unit(actors):
    forbidden(NotInScope, campaign_create, actor=actors.outsiders["officer"], **new_campaign())
    assert not Campaign.objects.filter(code="NQ2024").exists()


def test_a_viewer_cannot_create_a_campaign(actors):
    forbidden(NotAllowed, campaign_create, actor=actors.viewer, **new_campaign())
