"""The report's documents for Hòa An as of 31/03/2024: the .docx per Hướng dẫn 36-HD/VPTW, the .xlsx
appendix whose total row is the district's figures, and the .pdf converted by LibreOffice."""

import datetime
import io
import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest
from django.utils import translation
from docx import Document
from docx.oxml.ns import qn
from docx.shared import Length
from openpyxl import load_workbook

from chuyende.events.services import SiteData, event_create
from chuyende.figures.snapshot import from_json
from chuyende.members.models import Member
from chuyende.reports import documents
from chuyende.reports.documents import appendix_xlsx, figures_for, report_docx, report_pdf
from chuyende.reports.drafting import results_section
from chuyende.reports.models import Report
from chuyende.reports.services import report_create, report_return, report_submit
from tests.conftest import unit
from tests.view_helpers import translated

MARCH_31 = datetime.date(2024, 3, 31)
CHILDREN = ["BN.HA.HB", "BN.HA.HP", "BN.HA.TT", "BN.HA.YT", "BN.HA.THPT"]

pytestmark = pytest.mark.usefixtures("db")


def draft(campaign, code: str = "BN.HA", **fields) -> Report:
    return report_create(actor=None, campaign=campaign, unit=unit(code), as_of=MARCH_31,
                         signer_name="Nguyễn Văn An", **fields)


FOOTNOTE_MARKS = str.maketrans("", "", "⁰¹²³⁴⁵⁶⁷⁸⁹")


def without_marks(texts: list[str]) -> list[str]:
    """The paragraphs without their footnote marks (superscript numbers), as drafted."""
    return [text.translate(FOOTNOTE_MARKS) for text in texts]


def paragraphs_of(content: bytes) -> list[str]:
    """Every paragraph of the document in reading order: body, then table cells, then page headers."""
    document = Document(io.BytesIO(content))
    texts = [p.text for p in document.paragraphs]
    for table in document.tables:
        for row in table.rows:
            for cell in row.cells:
                texts.extend(p.text for p in cell.paragraphs)
    for section in document.sections:
        for header in (section.header, section.first_page_header):
            texts.extend(p.text for p in header.paragraphs)
    return texts


def paragraph_with(texts: list[str], needle: str) -> str:
    found = [text for text in texts if needle in text]
    assert found, f"no paragraph contains {needle!r}"
    return found[0]


def pt(length: Length | None) -> float:
    assert length is not None
    return length.pt


def mm(length: Length | None) -> int:
    assert length is not None
    return round(length.mm)


def all_runs(content: bytes):
    document = Document(io.BytesIO(content))
    for paragraph in document.paragraphs:
        yield from paragraph.runs
    for table in document.tables:
        for row in table.rows:
            for cell in row.cells:
                for paragraph in cell.paragraphs:
                    yield from paragraph.runs


# --- .docx ------------------------------------------------------------------------------------------


def test_docx_header_block_follows_36_hd_vptw(scenario_module):
    report = draft(scenario_module)
    document = Document(io.BytesIO(report_docx(report)))
    header = document.tables[0]
    left = [p.text for p in header.cell(0, 0).paragraphs]
    assert left == ["HUYỆN ỦY HÒA AN", "BAN TUYÊN GIÁO", "*"]
    assert header.cell(0, 0).paragraphs[1].runs[0].bold
    assert not header.cell(0, 0).paragraphs[0].runs[0].bold
    party = header.cell(0, 1).paragraphs[0]
    assert party.text == "ĐẢNG CỘNG SẢN VIỆT NAM"
    assert party.runs[0].bold and party.runs[0].underline and pt(party.runs[0].font.size) == 15
    assert header.cell(1, 0).text == "Số 01-BC/BTGHU"
    date = header.cell(1, 1).paragraphs[0]
    assert date.text == "Hòa An, ngày 31 tháng 3 năm 2024"
    assert date.runs[0].italic and pt(date.runs[0].font.size) == 14
    title = document.paragraphs[0]
    assert title.text == "BÁO CÁO" and title.runs[0].bold and pt(title.runs[0].font.size) == 16
    assert document.paragraphs[1].text == report.summary
    # No borders on the layout tables.
    borders = header._tbl.tblPr.find(qn("w:tblBorders"))
    assert borders is not None
    assert {edge.get(qn("w:val")) for edge in borders} == {"nil"}


def test_docx_is_a4_times_new_roman_with_the_margins_of_the_guidance(scenario_module):
    content = report_docx(draft(scenario_module))
    document = Document(io.BytesIO(content))
    section = document.sections[0]
    assert mm(section.page_width) == 210 and mm(section.page_height) == 297
    assert 20 <= mm(section.top_margin) <= 25 and 20 <= mm(section.bottom_margin) <= 25
    assert 30 <= mm(section.left_margin) <= 35 and 15 <= mm(section.right_margin) <= 20
    assert document.styles["Normal"].font.name == "Times New Roman"
    runs = list(all_runs(content))
    assert runs
    assert {run.font.name for run in runs} == {"Times New Roman"}
    properties = [run._element.rPr for run in runs]
    assert {rpr.rFonts.get(qn("w:eastAsia")) if rpr is not None and rpr.rFonts is not None else None
            for rpr in properties} == {"Times New Roman"}
    body = [p for p in document.paragraphs if p.text and p.paragraph_format.first_line_indent]
    assert body, "body paragraphs carry a first-line indent"
    assert {pt(run.font.size) for p in body for run in p.runs} == {14}


def test_docx_carries_every_figure_of_the_district_in_vietnamese_format(scenario_module):
    report = draft(scenario_module, leadership="Ban Thường vụ Huyện ủy ban hành Kế hoạch số 87-KH/HU.",
                   strengths="Triển khai nghiêm túc.", shortcomings="Một số đơn vị báo cáo chậm.",
                   tasks="Tổ chức học bù.", results_note="Ghi chú thêm về kết quả.")
    texts = paragraphs_of(report_docx(report))
    text = "\n".join(texts)

    coverage = paragraph_with(texts, "256/263 đảng viên đã học tập")
    assert "97,34%" in coverage
    # The exclusions are spelled out beside the rate, and the excluded members who studied apart.
    assert re.search(r"\b18\b", coverage) and re.search(r"\b11\b", coverage)
    assert "2" in coverage
    assert "121/126" in text and "96,03%" in text
    units = paragraph_with(texts, "5/5")
    assert "3/5" in units
    reports = paragraph_with(texts, "4/5")
    assert re.search(r"\b3\b", reports.replace("4/5", ""))
    assert "25/03/2024" in reports
    assert "Đảng bộ thị trấn Hòa An (28/03/2024)" in reports
    assert reports.index("thị trấn Hòa An") < reports.index("Trường THPT Hòa An")
    outreach = paragraph_with(texts, "6.010")
    assert "61" in outreach
    assert "90" in paragraph_with(texts, "83")  # books received and passed down
    assert "261/263" in text and "99,24%" in text
    assert "605" in text
    # The same, as the Vietnamese sentences a district officer reads in the document.
    assert "(trừ 18 đảng viên miễn công tác và sinh hoạt đảng và 11 đảng viên đi làm ăn xa)" in coverage
    assert "3/5 chi, đảng bộ cơ sở" in units
    assert "4/5 đơn vị đã gửi báo cáo, trong đó 3 đơn vị gửi đúng hạn" in reports
    assert "Gửi muộn: Đảng bộ thị trấn Hòa An (28/03/2024)" in reports
    assert "Chưa gửi: Chi bộ Trường THPT Hòa An" in reports
    assert "61 buổi tuyên truyền với 6.010 lượt người; 6 buổi chưa xác định được số lượt người" in outreach
    assert "12 đĩa DVD và 90 cuốn sách" in text and "11 đĩa DVD và 83 cuốn sách" in text

    # Section II is the drafted text, whole and in order; the user's sections keep their place.
    with translation.override("vi"):
        drafted = [p.text for p in results_section(figures_for(report), campaign=scenario_module,
                                                   unit_name="Đảng bộ huyện Hòa An")]
    assert drafted
    texts = without_marks(texts)
    start = texts.index(drafted[0])
    assert texts[start:start + len(drafted)] == drafted
    order = ["Ban Thường vụ Huyện ủy ban hành Kế hoạch số 87-KH/HU.", drafted[0], "Ghi chú thêm về kết quả.",
             "Triển khai nghiêm túc.", "Một số đơn vị báo cáo chậm.", "Tổ chức học bù."]
    assert [texts.index(line) for line in order] == sorted(texts.index(line) for line in order)


def test_docx_bottom_block_lists_recipients_and_signature(scenario_module):
    report = draft(scenario_module)
    document = Document(io.BytesIO(report_docx(report)))
    bottom = document.tables[-1]
    left = bottom.cell(0, 0).paragraphs
    assert left[0].text == "Nơi nhận:" and left[0].runs[0].bold and left[0].runs[0].italic
    assert pt(left[0].runs[0].font.size) == 12
    assert [p.text for p in left[1:]] == report.recipient_lines
    assert {pt(p.runs[0].font.size) for p in left[1:]} == {11}
    right = [p for p in bottom.cell(0, 0 + 1).paragraphs if p.text]
    assert [p.text for p in right] == ["TRƯỞNG BAN", "Nguyễn Văn An"]
    assert all(p.runs[0].bold for p in right)


def test_a_draft_says_so_and_a_submitted_report_does_not(scenario_module):
    report = draft(scenario_module)
    assert translated("DRAFT") in paragraphs_of(report_docx(report))
    report = report_submit(actor=None, report=report, on=MARCH_31)
    assert translated("DRAFT") not in paragraphs_of(report_docx(report))


def test_a_submitted_report_prints_its_frozen_figures_and_a_returned_one_live_figures(scenario_module):
    report = report_submit(actor=None, report=draft(scenario_module), on=MARCH_31)
    # A make-up session after submission: a member of Hòa Bình who had not studied now has, by 30/03.
    absent = Member.objects.filter(unit__code__startswith="BN.HA.HB", statuses__status="active").exclude(
        attendances__site__event__campaign=scenario_module).select_related("unit")[:1]
    assert len(absent) == 1
    event_create(actor=None, campaign=scenario_module, organiser=unit("BN.HA.HB"),
                 held_on=datetime.date(2024, 3, 30), format="cell_meeting", title="Học bù",
                 sites=[SiteData(unit=absent[0].unit, attendees=tuple(absent))])
    assert report.snapshot is not None
    assert figures_for(report) == from_json(report.snapshot["figures"])
    assert "256/263" in "\n".join(paragraphs_of(report_docx(report)))
    assert appendix_rows(report)["total"][4] == 256

    report = report_return(actor=None, report=report, on=MARCH_31, comment="Cập nhật số liệu")
    live = figures_for(report)["party_members"]
    assert live["studied"] == 257
    assert f"{live['studied']}/{live['eligible']}" in "\n".join(paragraphs_of(report_docx(report)))


# --- .xlsx ------------------------------------------------------------------------------------------


def appendix_rows(report: Report) -> dict[str, list]:
    sheet = load_workbook(io.BytesIO(appendix_xlsx(report))).worksheets[0]
    rows: dict[str, list] = {}
    for row in sheet.iter_rows(min_row=documents.FIRST_DATA_ROW, max_col=12):
        if isinstance(row[0].value, int):
            rows[row[1].value] = [cell.value for cell in row[2:]]
        elif row[1].value == translated("Grand total"):
            rows["total"] = [cell.value for cell in row[2:]]
    return rows


def test_xlsx_has_one_row_per_child_and_the_district_total(scenario_module):
    report = draft(scenario_module)
    rows = appendix_rows(report)
    children = figures_for(report)["children"]
    assert [child["code"] for child in children] == CHILDREN
    assert list(rows) == [*(child["name"] for child in children), "total"]
    assert rows["Đảng bộ xã Hòa Bình"] == [42, 3, 3, 36, 34, 94.44, 14, 13, 5, 64]
    assert rows["total"] == [292, 18, 11, 263, 256, 97.34, 126, 121, 9, 605]
    # The counts of the children add up to the total; the total rate is not their average.
    for column in range(5):
        assert sum(rows[child["name"]][column] for child in children) == rows["total"][column]
    average = sum(rows[child["name"]][5] for child in children) / len(children)
    assert round(average, 2) != rows["total"][5]


def test_xlsx_names_a_unit_without_figures(scenario_module):
    report = draft(scenario_module)
    figures = figures_for(report)
    figures["children"][4] = {**figures["children"][4], "has_data": False}
    sheet = load_workbook(io.BytesIO(appendix_xlsx(report, figures=figures))).worksheets[0]
    names = [sheet.cell(row=documents.FIRST_DATA_ROW + offset, column=2).value for offset in range(5)]
    assert names[:4] == [child["name"] for child in figures["children"][:4]]
    assert names[4] == translated("%(unit)s (some units have no figures yet)",
                                  unit="Chi bộ Trường THPT Hòa An")


def test_xlsx_cells_are_numbers_with_formats_and_the_sheet_prints_on_a4_landscape(scenario_module):
    report = draft(scenario_module)
    workbook = load_workbook(io.BytesIO(appendix_xlsx(report)))
    sheet = workbook.worksheets[0]
    assert sheet.title == translated("Appendix")
    assert "Đảng bộ huyện Hòa An" in sheet["A2"].value and "31/03/2024" in sheet["A2"].value
    assert "01-BC/BTGHU" in sheet["A3"].value
    total_row = documents.FIRST_DATA_ROW + len(CHILDREN)
    members, rate = sheet.cell(row=total_row, column=3), sheet.cell(row=total_row, column=8)
    assert members.data_type == "n" and members.number_format == "#,##0"
    assert rate.data_type == "n" and rate.number_format == "0.00"
    assert members.font.bold and sheet["C6"].font.bold
    assert sheet.freeze_panes == "C7"
    assert sheet.page_setup.orientation == "landscape"
    assert int(sheet.page_setup.paperSize) == int(sheet.PAPERSIZE_A4)
    assert sheet.column_dimensions["B"].width > 30


# --- .pdf -------------------------------------------------------------------------------------------


def require_pdf_tools() -> None:
    """Skips when LibreOffice is not installed, except in CI, where scripts/setup installs it."""
    missing = [tool for tool in ("soffice", "pdftoppm", "pdffonts") if shutil.which(tool) is None]
    if not missing:
        return
    reason = f"{', '.join(missing)} not installed (Debian: libreoffice-writer-nogui, poppler-utils; " \
             "run scripts/setup)"
    if os.environ.get("CHUYENDE_REQUIRE_SOFFICE"):
        pytest.fail(reason)
    pytest.skip(reason)


def test_pdf_renders_its_first_page_in_liberation_serif(scenario_module, tmp_path: Path):
    require_pdf_tools()
    content = report_pdf(draft(scenario_module))
    assert content.startswith(b"%PDF")
    pdf = tmp_path / "report.pdf"
    pdf.write_bytes(content)
    subprocess.run(["pdftoppm", "-png", "-r", "60", "-f", "1", "-l", "1", str(pdf), str(tmp_path / "page")],
                   check=True, timeout=60)
    pages = list(tmp_path.glob("page*.png"))
    assert len(pages) == 1 and pages[0].read_bytes().startswith(b"\x89PNG")
    # Every face is the Times New Roman metric twin: no fallback font for missing Vietnamese letters.
    fonts = subprocess.run(["pdffonts", str(pdf)], capture_output=True, text=True, check=True, timeout=60)
    faces = [line.split()[0] for line in fonts.stdout.splitlines()[2:] if line.strip()]
    assert faces and all(re.search(r"LiberationSerif|TimesNewRoman", face) for face in faces), faces


def test_pdf_without_libreoffice_is_a_clear_error(scenario_module, monkeypatch):
    monkeypatch.setattr(documents, "soffice_path", lambda: None)
    with pytest.raises(documents.DocumentError) as error:
        report_pdf(draft(scenario_module))
    assert "LibreOffice" in str(error.value)


# --- names ------------------------------------------------------------------------------------------


def test_download_names_are_ascii_with_the_vietnamese_name_apart(scenario_module):
    report = draft(scenario_module)
    assert documents.download_names(report, "docx") == (
        "BC-01-BTGHU-BN.HA.docx", "01-BC-BTGHU Đảng bộ huyện Hòa An.docx",
    )
    assert documents.ascii_name("Đảng ủy xã Hòa Bình/2024") == "Dang-uy-xa-Hoa-Binh-2024"
