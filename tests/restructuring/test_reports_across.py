"""The 2024 district report, sent before the 2025 restructuring and drafted again after it, prints
the figures, names and levels of 31/03/2024 (the .docx opened back)."""

import datetime

import pytest
from django.conf import settings

from chuyende.campaigns.models import Campaign
from chuyende.demo.scenario import load_scenario
from chuyende.reports.documents import report_docx
from chuyende.reports.models import Report
from chuyende.reports.services import report_create, report_submit
from tests.conftest import unit
from tests.reports.test_documents import paragraphs_of

MARCH_31 = datetime.date(2024, 3, 31)

pytestmark = pytest.mark.usefixtures("db")


def district_report() -> Report:
    return report_create(actor=None, campaign=Campaign.objects.get(code="CD2024"), unit=unit("BN.HA"),
                         as_of=MARCH_31, signer_name="Nguyễn Văn An")


def test_the_2024_district_report_reads_as_of_2024_after_the_reform(scenario):
    sent = district_report()
    report_submit(actor=None, report=sent, on=datetime.date(2024, 4, 2))
    sent_before = paragraphs_of(report_docx(Report.objects.get(pk=sent.pk)))
    load_scenario(settings.DEMO_REFORM)
    drafted_after = district_report()
    assert paragraphs_of(report_docx(Report.objects.get(pk=sent.pk))) == sent_before
    for texts in (sent_before, paragraphs_of(report_docx(drafted_after))):
        text = "\n".join(texts)
        assert "256/263" in text
        assert "HUYỆN ỦY HÒA AN" in text
        assert "Cấp cơ sở:" in text  # the level under the district in 2024
        assert "Hòa Bình Phú" not in text and "Xã, phường" not in text
        assert "Đảng bộ thị trấn Hòa An" in text or "thị trấn Hòa An" in text
