"""API: a report's section II as JSON and its .docx, .pdf and .xlsx with a token; the same functions as the
pages; another subtree's report is 404."""

import io
from urllib.parse import quote

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import translation
from docx import Document
from openpyxl import load_workbook
from rest_framework.test import APIClient

from chuyende.reports import documents
from chuyende.reports.models import Report
from chuyende.reports.services import report_create, report_template_upload
from tests.api.conftest import api_url, token_client
from tests.conftest import OUTSIDER_ROLES, unit
from tests.reports.test_documents import require_pdf_tools, without_marks
from tests.reports.test_templates import CHANGED_HEADING, variant

pytestmark = pytest.mark.usefixtures("db")

FORMATS = [("docx", documents.DOCX_TYPE), ("xlsx", documents.XLSX_TYPE), ("pdf", documents.PDF_TYPE)]


def hb_report() -> Report:
    return Report.objects.get(unit__code="BN.HA.HB", number=1)


def url(report: Report | int, what: str) -> str:
    pk = report.pk if isinstance(report, Report) else report
    return api_url(f"reports/{pk}/{what}/")


@pytest.fixture
def fast_pdf(monkeypatch):
    """The PDF without LibreOffice (the conversion is tested in test_pdf_is_converted_by_libreoffice)."""
    monkeypatch.setattr(documents, "report_pdf", lambda report: b"%PDF-1.4 test")


# --- section II ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize("role", ["owner", "reporter", "viewer"])
def test_section_ii_is_the_drafted_text(actors, role):
    report = hb_report()
    response = token_client(getattr(actors, role)).get(url(report, "section-ii"))
    assert response.status_code == 200
    body = response.json()
    drafted = documents.section_ii(report)
    assert body["report"] == report.pk and body["figures_frozen"] is True
    assert body["paragraphs"] == [{"text": p.text, "heading": p.heading} for p in drafted]
    assert body["text"] == "\n".join(p.text for p in drafted)
    assert body["paragraphs"][0] == {"text": "II. KẾT QUẢ THỰC HIỆN", "heading": True}
    assert "34/36 đảng viên đã học tập, đạt 94,44%" in body["text"]


def test_section_ii_of_a_draft_uses_live_figures_whatever_the_reader_s_language(actors, scenario_module):
    draft = report_create(actor=None, campaign=scenario_module, unit=unit("BN.HA.HB"),
                          as_of=hb_report().as_of, signer_name="Nguyễn Văn An")
    client = token_client(actors.owner)
    with translation.override("en"):
        body = client.get(url(draft, "section-ii"), HTTP_ACCEPT_LANGUAGE="en").json()
    assert body["figures_frozen"] is False
    assert body["paragraphs"][0]["text"] == "II. KẾT QUẢ THỰC HIỆN"


def test_section_ii_costs_a_fixed_number_of_queries(actors, django_assert_num_queries):
    client = token_client(actors.owner)
    report = hb_report()
    client.get(url(report, "section-ii"))
    # The token with its user, the user's unit, the report with its unit and campaign (its frozen figures
    # with it); the drafting reads the unit's name and kind on the report's date.
    with django_assert_num_queries(5):
        assert client.get(url(report, "section-ii")).status_code == 200


# --- the files ----------------------------------------------------------------------------------------------


@pytest.mark.parametrize(("extension", "content_type"), FORMATS)
@pytest.mark.parametrize("role", ["owner", "reporter", "viewer"])
def test_users_of_the_unit_download_each_document(actors, fast_pdf, role, extension, content_type):
    report = hb_report()
    response = token_client(getattr(actors, role)).get(url(report, extension))
    assert response.status_code == 200
    assert response["Content-Type"] == content_type
    ascii_name, full_name = documents.download_names(report, extension)
    assert ascii_name == f"BC-01-DU-BN.HA.HB.{extension}"
    assert response["Content-Disposition"] == (
        f"attachment; filename=\"{ascii_name}\"; filename*=UTF-8''{quote(full_name, safe='')}"
    )
    assert "no-store" in response["Cache-Control"]


def test_the_downloads_are_the_report_s_documents(actors):
    client = token_client(actors.owner)
    report = hb_report()
    document = Document(io.BytesIO(client.get(url(report, "docx")).content))
    assert document.tables[0].cell(0, 1).paragraphs[0].text == "ĐẢNG CỘNG SẢN VIỆT NAM"
    texts = without_marks([p.text for p in document.paragraphs])
    assert all(p.text in texts for p in documents.section_ii(report))
    workbook = load_workbook(io.BytesIO(client.get(url(report, "xlsx")).content))
    assert workbook.worksheets[0].cell(row=documents.FIRST_DATA_ROW, column=2).value == "Chi bộ thôn Đông"


def test_the_docx_uses_the_unit_s_own_template(actors):
    report_template_upload(actor=actors.owner, unit=unit("BN.HA.HB"), name="Mẫu xã",
                           file=SimpleUploadedFile("mau.docx", variant()))
    content = token_client(actors.viewer).get(url(hb_report(), "docx")).content
    texts = [p.text for p in Document(io.BytesIO(content)).paragraphs]
    assert CHANGED_HEADING in texts and "Đơn vị: Đảng bộ xã Hòa Bình" in texts


def test_pdf_is_converted_by_libreoffice(actors):
    require_pdf_tools()
    response = token_client(actors.viewer).get(url(hb_report(), "pdf"))
    assert response.status_code == 200
    assert response.content.startswith(b"%PDF")


def test_pdf_without_libreoffice_is_503_saying_why(actors, monkeypatch):
    monkeypatch.setattr(documents, "soffice_path", lambda: None)
    response = token_client(actors.owner).get(url(hb_report(), "pdf"))
    assert response.status_code == 503
    assert "LibreOffice" in response.json()["detail"]


@pytest.mark.parametrize("accept", ["application/pdf", "application/json", "text/html", "*/*"])
def test_a_download_answers_whatever_the_client_accepts(actors, fast_pdf, accept):
    response = token_client(actors.owner).get(url(hb_report(), "pdf"), HTTP_ACCEPT=accept)
    assert response.status_code == 200 and response["Content-Type"] == documents.PDF_TYPE
    missing = token_client(actors.owner).get(url(10**6, "pdf"), HTTP_ACCEPT=accept)
    assert missing.status_code == 404 and missing.json()["detail"]


def test_a_download_costs_a_fixed_number_of_queries(actors, django_assert_num_queries):
    client = token_client(actors.owner)
    report = hb_report()
    client.get(url(report, "xlsx"))
    # Token and user, unit, the report; then the unit's name on the report's date (frozen figures).
    with django_assert_num_queries(4):
        assert client.get(url(report, "xlsx")).status_code == 200
    # The .docx: the same, the drafting's unit kind, and the template in use.
    with django_assert_num_queries(6):
        assert client.get(url(report, "docx")).status_code == 200


# --- scope --------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("what", ["section-ii", "docx", "xlsx", "pdf"])
@pytest.mark.parametrize("role", OUTSIDER_ROLES)
def test_outsiders_get_404(actors, fast_pdf, role, what):
    response = token_client(actors.outsiders[role]).get(url(hb_report(), what))
    assert response.status_code == 404
    assert response["Content-Type"] == "application/json"


@pytest.mark.parametrize("what", ["section-ii", "docx", "xlsx", "pdf"])
def test_a_report_of_the_level_above_is_404_and_a_token_is_needed(actors, fast_pdf, what):
    district = report_create(actor=None, campaign=hb_report().campaign, unit=unit("BN.HA"),
                             as_of=hb_report().as_of)
    assert token_client(actors.owner).get(url(district, what)).status_code == 404
    assert APIClient().get(url(hb_report(), what)).status_code == 401
    assert token_client(actors.owner).post(url(hb_report(), what)).status_code == 405
