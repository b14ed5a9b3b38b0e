"""Downloads of a report's .docx, .xlsx and .pdf: readable within the user's subtree, 404 outside."""

import io
from urllib.parse import quote

import pytest
from django.urls import reverse
from docx import Document
from openpyxl import load_workbook

from chuyende.reports import documents
from chuyende.reports.models import Report
from chuyende.reports.services import report_create
from tests.conftest import OUTSIDER_ROLES, unit
from tests.reports.test_documents import require_pdf_tools

pytestmark = pytest.mark.usefixtures("db")

KINDS = [
    ("reports:docx", documents.DOCX_TYPE, "docx"),
    ("reports:xlsx", documents.XLSX_TYPE, "xlsx"),
    ("reports:pdf", documents.PDF_TYPE, "pdf"),
]


def hb_report() -> Report:
    return Report.objects.get(unit__code="BN.HA.HB")


@pytest.fixture
def fast_pdf(monkeypatch):
    """The PDF view without LibreOffice: its conversion is tested in test_documents."""
    monkeypatch.setattr(documents, "report_pdf", lambda report: b"%PDF-1.4 test")


@pytest.mark.parametrize(("name", "content_type", "extension"), KINDS)
@pytest.mark.parametrize("role", ["owner", "reporter", "viewer"])
def test_users_of_the_unit_download_each_document(
    actors, client_for, scenario_module, fast_pdf, role, name, content_type, extension,
):
    report = hb_report()
    response = client_for(getattr(actors, role)).get(reverse(name, args=[report.pk]))
    assert response.status_code == 200
    assert response["Content-Type"] == content_type
    ascii_name, full_name = documents.download_names(report, extension)
    assert ascii_name == f"BC-{report.number:02d}-ĐU-BN.HA.HB.{extension}".replace("Đ", "D")
    assert response["Content-Disposition"] == (
        f"attachment; filename=\"{ascii_name}\"; filename*=UTF-8''{quote(full_name, safe='')}"
    )
    assert "no-store" in response["Cache-Control"]


def test_the_downloads_are_the_documents(actors, client_for, scenario_module):
    report = hb_report()
    client = client_for(actors.owner)
    document = Document(io.BytesIO(client.get(reverse("reports:docx", args=[report.pk])).content))
    assert document.tables[0].cell(0, 1).paragraphs[0].text == "ĐẢNG CỘNG SẢN VIỆT NAM"
    workbook = load_workbook(io.BytesIO(client.get(reverse("reports:xlsx", args=[report.pk])).content))
    assert workbook.worksheets[0].cell(row=documents.FIRST_DATA_ROW, column=2).value == "Chi bộ thôn Đông"


def test_the_pdf_download_runs_libreoffice(actors, client_for, scenario_module):
    require_pdf_tools()
    response = client_for(actors.viewer).get(reverse("reports:pdf", args=[hb_report().pk]))
    assert response.status_code == 200
    assert response.content.startswith(b"%PDF")


def test_the_pdf_download_without_libreoffice_says_why(actors, client_for, scenario_module, monkeypatch):
    monkeypatch.setattr(documents, "soffice_path", lambda: None)
    response = client_for(actors.owner).get(reverse("reports:pdf", args=[hb_report().pk]))
    assert response.status_code == 503
    assert "LibreOffice" in response.content.decode()


@pytest.mark.parametrize(("name", "content_type", "extension"), KINDS)
@pytest.mark.parametrize("role", OUTSIDER_ROLES)
def test_outsiders_get_404(actors, client_for, scenario_module, fast_pdf, role, name, content_type,
                           extension):
    response = client_for(actors.outsiders[role]).get(reverse(name, args=[hb_report().pk]))
    assert response.status_code == 404


@pytest.mark.parametrize(("name", "content_type", "extension"), KINDS)
def test_a_report_of_the_level_above_is_404(actors, client_for, scenario_module, fast_pdf, name,
                                            content_type, extension):
    district = Report.objects.create(
        campaign=scenario_module, unit=unit("BN.HA"), as_of=hb_report().as_of, term="2020-2025",
        number=1, symbol="BC/BTGHU", place="Hòa An", issued_on=hb_report().as_of,
        superior_body="HUYỆN ỦY HÒA AN", issuing_body="BAN TUYÊN GIÁO", summary="Báo cáo",
        signature_title="TRƯỞNG BAN", signer_name="Nguyễn Văn An",
    )
    assert client_for(actors.owner).get(reverse(name, args=[district.pk])).status_code == 404
    assert client_for(actors.owner).get(reverse(name, args=[district.pk + 1000])).status_code == 404


def test_anonymous_users_are_sent_to_log_in(client, scenario_module):
    response = client.get(reverse("reports:docx", args=[hb_report().pk]))
    assert response.status_code == 302
    assert "?next=" in response["Location"]


def test_only_get(actors, client_for, scenario_module):
    response = client_for(actors.owner).post(reverse("reports:docx", args=[hb_report().pk]))
    assert response.status_code == 405


def test_a_download_costs_a_bounded_number_of_queries(
    actors, client_for, scenario_module, django_assert_max_num_queries,
):
    client = client_for(actors.owner)
    submitted = hb_report()  # frozen figures: no roll-up (the unit's name on the report's date: one)
    with django_assert_max_num_queries(5):
        assert client.get(reverse("reports:xlsx", args=[submitted.pk])).status_code == 200
    draft = report_create(actor=None, campaign=scenario_module, unit=unit("BN.HA.HB"), as_of=submitted.as_of,
                          signer_name="Nguyễn Văn An")
    # The roll-up, its completeness, the events (two) and the levels, the guiding documents cited,
    # last year's campaign of the same kind, the report template in use, the events grouped by sector,
    # audience and partner, and the partial returns (three).
    with django_assert_max_num_queries(26):
        assert client.get(reverse("reports:docx", args=[draft.pk])).status_code == 200
