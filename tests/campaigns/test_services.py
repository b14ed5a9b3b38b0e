"""Campaigns: bad input, scope and roles, audit; corrections and the reports already sent."""

import datetime
from decimal import Decimal

import pytest

from chuyende.audit.models import AuditEntry
from chuyende.campaigns.models import Campaign
from chuyende.campaigns.services import GuidingDocumentData, campaign_create, campaign_update
from chuyende.core.exceptions import NotAllowed, NotInScope
from chuyende.reports.models import Report
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


# --- campaign_update -------------------------------------------------------------------------------------


def edit(campaign: Campaign, **changes):
    """campaign_update's arguments: the campaign as it stands, with `changes`."""
    values = {
        name: getattr(campaign, name)
        for name in ("title", "starts", "ends", "study_deadline", "report_deadline", "target_rate",
                     "excluded_statuses", "rate_precision", "non_party_categories")
    }
    values["guiding_documents"] = [
        GuidingDocumentData(id=d.pk, number=d.number, issued_on=d.issued_on, issuer=d.issuer, title=d.title)
        for d in campaign.guiding_documents.all()
    ]
    return {"campaign": campaign, **values, **changes}


@pytest.fixture
def province(scenario_module) -> Campaign:
    """The scenario's campaign (owned by the province), read afresh: the module's object is shared."""
    return Campaign.objects.get(pk=scenario_module.pk)


def frozen_snapshots(campaign: Campaign) -> dict[int, object]:
    return dict(Report.objects.filter(campaign=campaign).values_list("pk", "snapshot"))


def test_an_officer_corrects_their_campaign_and_its_documents_with_one_audit_entry(actors):
    campaign = campaign_create(actor=None, **new_campaign())
    kept = campaign.guiding_documents.get()
    count = AuditEntry.objects.count()
    campaign_update(actor=actors.owner, **edit(
        campaign, title="Nghị quyết (sửa)", study_deadline=D(2024, 7, 15), target_rate=Decimal("92.5"),
        excluded_statuses=["exempt", "away"], non_party_categories=["mass", "religious"], ends=None,
        guiding_documents=[
            GuidingDocumentData(id=kept.pk, number="05-HD/ĐU", issued_on=D(2024, 3, 21), issuer="Đảng ủy",
                                title="Hướng dẫn (sửa)"),
            GuidingDocumentData(number="06-KH/ĐU", issued_on=D(2024, 3, 25), issuer="Đảng ủy",
                                title="Kế hoạch"),
        ],
    ))
    campaign.refresh_from_db()
    assert (campaign.code, campaign.owner.code, campaign.title) == ("NQ2024", "BN.HA.HB", "Nghị quyết (sửa)")
    assert (campaign.study_deadline, campaign.target_rate) == (D(2024, 7, 15), Decimal("92.5"))
    assert campaign.excluded_statuses == ["exempt", "away"]
    assert campaign.ends == D(2024, 12, 31)
    documents = list(campaign.guiding_documents.values_list("pk", "number", "title"))
    assert documents[0] == (kept.pk, "05-HD/ĐU", "Hướng dẫn (sửa)")
    assert [number for _pk, number, _title in documents] == ["05-HD/ĐU", "06-KH/ĐU"]
    assert AuditEntry.objects.count() == count + 1
    entry = AuditEntry.objects.latest("id")
    assert (entry.action, entry.record_type, entry.actor) == ("update", "campaigns.Campaign", actors.owner)
    assert entry.before is not None and entry.after is not None
    assert (entry.before["target_rate"], entry.after["target_rate"]) == ("90.00", "92.5")
    assert len(entry.before["guiding_documents"]) == 1 and len(entry.after["guiding_documents"]) == 2

    campaign_update(actor=actors.owner, **edit(campaign, guiding_documents=[]))
    assert not campaign.guiding_documents.exists()


@pytest.mark.parametrize(
    ("field", "changes"),
    [
        ("ends", {"ends": D(2024, 3, 1)}),
        ("study_deadline", {"study_deadline": D(2024, 3, 1)}),
        ("excluded_statuses", {"excluded_statuses": ["deceased"]}),
        ("non_party_categories", {"non_party_categories": ["tourists"]}),
        ("rate_precision", {"rate_precision": 3}),
        ("target_rate", {"target_rate": Decimal("100.5")}),
        ("title", {"title": ""}),
    ],
)
def test_bad_corrections_are_refused_with_nothing_written(field, changes):
    campaign = campaign_create(actor=None, **new_campaign())
    refused(field, campaign_update, actor=None, **edit(campaign, **changes))


def test_a_document_of_another_campaign_cannot_be_edited_through_this_one(province):
    campaign = campaign_create(actor=None, **new_campaign())
    foreign = province.guiding_documents.first()
    other = GuidingDocumentData(id=foreign.pk, number="X", issued_on=D(2024, 3, 1), issuer="X", title="X")
    refused("guiding_documents", campaign_update, actor=None, **edit(campaign, guiding_documents=[other]))
    assert province.guiding_documents.filter(pk=foreign.pk, number=foreign.number).exists()


def test_a_shorter_period_must_still_cover_the_records_of_the_campaign(province):
    first_event = province.events.order_by("held_on").first()
    error = refused("starts", campaign_update, actor=None,
                    **edit(province, starts=first_event.held_on + datetime.timedelta(days=1),
                           confirm_after_submission=True))
    assert first_event.held_on.strftime("%d/%m/%Y") in " ".join(error.message_dict["starts"])


def test_a_figure_change_after_reports_were_sent_needs_confirmation_and_never_touches_them(province):
    frozen = frozen_snapshots(province)
    sent = Report.objects.filter(campaign=province, status__in=["submitted", "accepted"])
    assert sent.count() >= 1
    error = refused("confirm_after_submission", campaign_update, actor=None,
                    **edit(province, target_rate=Decimal("80")))
    message = error.message_dict["confirm_after_submission"][0]
    first = sent.first()
    assert first is not None
    assert str(sent.count()) in message and first.number_and_symbol in message

    campaign_update(actor=None, **edit(province, target_rate=Decimal("80"), rate_precision=1,
                                       confirm_after_submission=True))
    province.refresh_from_db()
    assert (province.target_rate, province.rate_precision) == (Decimal("80"), 1)
    assert frozen_snapshots(province) == frozen


@pytest.mark.parametrize(
    "changes",
    [
        {"title": "Tên mới của chuyên đề"},
        {"non_party_categories": ["mass"]},
        {"excluded_statuses": ["away", "exempt"]},  # the same statuses in another order
        {"guiding_documents": []},
    ],
)
def test_changes_that_move_no_figure_are_saved_after_submission_without_confirmation(province, changes):
    frozen = frozen_snapshots(province)
    campaign_update(actor=None, **edit(province, **changes))
    assert frozen_snapshots(province) == frozen


def test_who_may_edit_the_owning_unit_edits_the_campaign(actors, province):
    own = campaign_create(actor=None, **new_campaign())
    forbidden(NotAllowed, campaign_update, actor=actors.viewer, **edit(own, title="X"))
    forbidden(NotInScope, campaign_update, actor=actors.outsiders["admin"], **edit(own, title="X"))
    # Hòa Bình sees the province's campaign but may not change it.
    forbidden(NotAllowed, campaign_update, actor=actors.owner, **edit(province, title="X"))
    campaign_update(actor=actors.reporter, **edit(own, title="Sửa bởi báo cáo viên"))
    assert Campaign.objects.get(pk=own.pk).title == "Sửa bởi báo cáo viên"
