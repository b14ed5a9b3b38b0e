"""A report as documents: the .docx laid out per Hướng dẫn 36-HD/VPTW, the .xlsx statistics appendix,
and the .pdf converted from the .docx by LibreOffice.

Nothing is counted here. Every figure comes from the report's figures dict (`figures_for`): the
frozen snapshot once the report is sent up, the live roll-up while it is a draft.
"""

import datetime
import io
import os
import re
import shutil
import subprocess
import tempfile
import unicodedata
from collections.abc import Iterable
from decimal import Decimal
from pathlib import Path
from typing import Any

from django.utils import translation
from django.utils.translation import gettext as _
from docx import Document
from docx.enum.section import WD_ORIENT
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Cm, Mm, Pt
from docx.table import Table, _Cell
from docx.text.paragraph import Paragraph as DocxParagraph
from docx.text.run import Run
from openpyxl import Workbook
from openpyxl.cell.cell import Cell
from openpyxl.styles import Alignment, Border, Font, Side
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from chuyende.core.numbers import format_date, format_date_long
from chuyende.exports.tables import cell_value
from chuyende.figures.tree import name_on
from chuyende.reports.drafting import results_section
from chuyende.reports.figures import frozen_figures_of, live_figures
from chuyende.reports.models import Report

DOCUMENTS_LANGUAGE = "vi"  # party documents are Vietnamese whatever the reader's language
FONT = "Times New Roman"
PDF_TIMEOUT_SECONDS = 120

# Fixed elements of a party document's form (Hướng dẫn 36-HD/VPTW), not user-interface text.
PARTY_NAME = "ĐẢNG CỘNG SẢN VIỆT NAM"
DOCUMENT_TYPE = "BÁO CÁO"
NUMBER_PREFIX = "Số"
RECIPIENTS_HEADING = "Nơi nhận:"

# A4 with the margins of Hướng dẫn 36-HD/VPTW (top and bottom 20-25 mm, left 30-35, right 15-20).
PAGE_WIDTH, PAGE_HEIGHT = Mm(210), Mm(297)
MARGIN_TOP, MARGIN_BOTTOM, MARGIN_LEFT, MARGIN_RIGHT = Mm(20), Mm(20), Mm(30), Mm(15)
TEXT_WIDTH_MM = 210 - 30 - 15
HEADER_COLUMNS_MM = (76, TEXT_WIDTH_MM - 76)
BOTTOM_COLUMNS_MM = (80, TEXT_WIDTH_MM - 80)
TITLE_RULE_MM = 30
FIRST_LINE_INDENT = Cm(1)

DOCX_TYPE = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
PDF_TYPE = "application/pdf"


class DocumentError(Exception):
    """A document could not be produced (e.g. LibreOffice missing or failing); the message says why."""


def figures_for(report: Report) -> dict[str, Any]:
    """The figures a report prints: frozen once sent up, live while the unit may still change it."""
    frozen = frozen_figures_of(report) if not report.is_editable else None
    if frozen is not None:
        return frozen
    return live_figures(unit=report.unit, campaign=report.campaign, as_of=report.as_of)


def place_and_date(report: Report) -> str:
    return f"{report.place}, {format_date_long(report.issued_on)}"


def download_names(report: Report, extension: str) -> tuple[str, str]:
    """(ASCII file name such as "BC-01-BTGHU-BN.HA.docx", full Vietnamese file name)."""
    symbol = report.symbol
    prefix = f"{report.doc_type}/"
    issuer = symbol[len(prefix):] if symbol.startswith(prefix) else symbol
    stem = f"{report.doc_type}-{report.number:02d}-{issuer}-{report.unit.code}"
    full = f"{report.number_and_symbol} {report.unit.name}".replace("/", "-")
    return f"{ascii_name(stem)}.{extension}", f"{full}.{extension}"


def ascii_name(text: str) -> str:
    folded = unicodedata.normalize("NFKD", text.replace("đ", "d").replace("Đ", "D"))
    plain = "".join(char for char in folded if not unicodedata.combining(char))
    return re.sub(r"[^A-Za-z0-9._-]+", "-", plain).strip("-") or "bao-cao"


# --- .docx -----------------------------------------------------------------------------------------


def _set_fonts(element: Any) -> None:
    """Times New Roman for every script, East Asian included, so Word never swaps the face."""
    properties = element if element.tag == qn("w:rPr") else element.get_or_add_rPr()
    fonts = properties.get_or_add_rFonts()
    for script in ("w:ascii", "w:hAnsi", "w:eastAsia", "w:cs"):
        fonts.set(qn(script), FONT)


def _run(
    paragraph: DocxParagraph, text: str, *, size: float, bold: bool = False, italic: bool = False,
    underline: bool = False,
) -> Run:
    run = paragraph.add_run(text)
    run.font.name = FONT
    _set_fonts(run._element)
    run.font.size = Pt(size)
    run.font.bold = bold or None
    run.font.italic = italic or None
    run.font.underline = underline or None
    return run


def _paragraph(
    paragraph: DocxParagraph, text: str = "", *, size: float = 14, bold: bool = False, italic: bool = False,
    underline: bool = False, align: Any = WD_ALIGN_PARAGRAPH.CENTER, before: float = 0, after: float = 0,
    first_line: Any = None, line: float = 1.0,
) -> DocxParagraph:
    form = paragraph.paragraph_format
    form.alignment = align
    form.space_before = Pt(before)
    form.space_after = Pt(after)
    form.line_spacing = line
    form.first_line_indent = first_line
    form.widow_control = True
    if text:
        # Line breaks inside one field (e.g. "T/M ĐẢNG ỦY\nBÍ THƯ") stay in one paragraph.
        for index, part in enumerate(text.split("\n")):
            run = _run(paragraph, part, size=size, bold=bold, italic=italic, underline=underline)
            if index:
                run._element.addprevious(_line_break())
    else:
        # An empty paragraph's height follows its mark: give the mark the same size.
        rpr = OxmlElement("w:rPr")
        size_element = OxmlElement("w:sz")
        size_element.set(qn("w:val"), str(int(size * 2)))
        rpr.append(size_element)
        paragraph._p.get_or_add_pPr().insert_element_before(rpr, "w:sectPr", "w:pPrChange")
    return paragraph


def _line_break() -> Any:
    run = OxmlElement("w:r")
    run.append(OxmlElement("w:br"))
    return run


def _cell_paragraph(cell: _Cell, first: list[bool]) -> DocxParagraph:
    """The cell's own empty paragraph the first time, a new one after."""
    if first[0]:
        first[0] = False
        return cell.paragraphs[0]
    return cell.add_paragraph()


def _borderless(table: Table, widths_mm: Iterable[float]) -> None:
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    table.autofit = False
    properties = table._tbl.tblPr
    borders = OxmlElement("w:tblBorders")
    for edge in ("top", "left", "bottom", "right", "insideH", "insideV"):
        border = OxmlElement(f"w:{edge}")
        border.set(qn("w:val"), "nil")
        borders.append(border)
    properties.insert_element_before(borders, "w:shd", "w:tblLayout", "w:tblCellMar", "w:tblLook",
                                     "w:tblCaption", "w:tblDescription", "w:tblPrChange")
    margins = OxmlElement("w:tblCellMar")
    for edge in ("left", "right"):
        margin = OxmlElement(f"w:{edge}")
        margin.set(qn("w:w"), "0")
        margin.set(qn("w:type"), "dxa")
        margins.append(margin)
    properties.insert_element_before(margins, "w:tblLook", "w:tblCaption", "w:tblDescription",
                                     "w:tblPrChange")
    for index, width in enumerate(widths_mm):
        table.columns[index].width = Mm(width)
        for cell in table.columns[index].cells:
            cell.width = Mm(width)


def _bottom_border(paragraph: DocxParagraph) -> None:
    borders = OxmlElement("w:pBdr")
    bottom = OxmlElement("w:bottom")
    for name, value in (("w:val", "single"), ("w:sz", "6"), ("w:space", "1"), ("w:color", "000000")):
        bottom.set(qn(name), value)
    borders.append(bottom)
    paragraph._p.get_or_add_pPr().insert_element_before(
        borders, "w:shd", "w:tabs", "w:suppressAutoHyphens", "w:kinsoku", "w:wordWrap", "w:overflowPunct",
        "w:topLinePunct", "w:autoSpaceDE", "w:autoSpaceDN", "w:bidi", "w:adjustRightInd", "w:snapToGrid",
        "w:spacing", "w:ind", "w:contextualSpacing", "w:mirrorIndents", "w:suppressOverlap", "w:jc",
        "w:textDirection", "w:textAlignment", "w:textboxTightWrap", "w:outlineLvl", "w:divId", "w:cnfStyle",
        "w:rPr", "w:sectPr", "w:pPrChange",
    )


def _page_number_field(paragraph: DocxParagraph) -> None:
    for kind, text in (("begin", None), (None, "PAGE"), ("end", None)):
        run = _run(paragraph, "", size=14)
        if kind is not None:
            field = OxmlElement("w:fldChar")
            field.set(qn("w:fldCharType"), kind)
            run._element.append(field)
        else:
            instruction = OxmlElement("w:instrText")
            instruction.set(qn("xml:space"), "preserve")
            instruction.text = text
            run._element.append(instruction)


def _setup_document() -> Any:
    document = Document()
    section = document.sections[0]
    section.orientation = WD_ORIENT.PORTRAIT
    section.page_width, section.page_height = PAGE_WIDTH, PAGE_HEIGHT
    section.top_margin, section.bottom_margin = MARGIN_TOP, MARGIN_BOTTOM
    section.left_margin, section.right_margin = MARGIN_LEFT, MARGIN_RIGHT
    section.header_distance = section.footer_distance = Mm(10)
    normal = document.styles["Normal"]
    normal.font.name = FONT
    normal.font.size = Pt(14)
    _set_fonts(normal.element)
    language = OxmlElement("w:lang")
    for script in ("w:val", "w:eastAsia", "w:bidi"):
        language.set(qn(script), "vi-VN")
    normal.element.get_or_add_rPr().append(language)
    # The defaults every style starts from, so nothing falls back to the template's Calibri.
    run_defaults = f"{qn('w:docDefaults')}/{qn('w:rPrDefault')}/{qn('w:rPr')}"
    for defaults in document.styles.element.iterfind(run_defaults):
        _set_fonts(defaults)
    # Page numbers at the top centre from page 2 on (Hướng dẫn 36-HD/VPTW); none on page 1.
    section.different_first_page_header_footer = True
    _page_number_field(_paragraph(section.header.paragraphs[0]))
    return document


def _header_block(document: Any, report: Report, *, draft: bool) -> None:
    table = document.add_table(rows=2, cols=2)
    _borderless(table, HEADER_COLUMNS_MM)
    left, right = table.cell(0, 0), table.cell(0, 1)
    first = [True]
    if report.superior_body.strip():
        _paragraph(_cell_paragraph(left, first), report.superior_body.strip().upper(), size=14)
    _paragraph(_cell_paragraph(left, first), report.issuing_body.strip().upper(), size=14, bold=True)
    _paragraph(_cell_paragraph(left, first), "*", size=14)
    _paragraph(right.paragraphs[0], PARTY_NAME, size=15, bold=True, underline=True)
    _paragraph(table.cell(1, 0).paragraphs[0], f"{NUMBER_PREFIX} {report.number_and_symbol}", size=14,
               before=2)
    _paragraph(table.cell(1, 1).paragraphs[0], place_and_date(report), size=14, italic=True, before=2)
    if draft:
        # A draft says so above the header, where the final document carries nothing.
        _paragraph(document.sections[0].first_page_header.paragraphs[0], _("DRAFT"), size=12, bold=True,
                   align=WD_ALIGN_PARAGRAPH.RIGHT)


def _title_block(document: Any, report: Report) -> None:
    _paragraph(document.add_paragraph(), DOCUMENT_TYPE, size=16, bold=True, before=18)
    _paragraph(document.add_paragraph(), report.summary.strip(), size=14, bold=True, before=2)
    rule = _paragraph(document.add_paragraph(), size=4)
    indent = Mm((TEXT_WIDTH_MM - TITLE_RULE_MM) / 2)
    rule.paragraph_format.left_indent = rule.paragraph_format.right_indent = indent
    _bottom_border(rule)
    _paragraph(document.add_paragraph(), size=6)


def _body(document: Any, text: str, *, bold: bool = False, italic: bool = False) -> None:
    paragraph = _paragraph(document.add_paragraph(), text, size=14, bold=bold, italic=italic,
                           align=WD_ALIGN_PARAGRAPH.JUSTIFY, before=6, first_line=FIRST_LINE_INDENT, line=1.1)
    # A heading (the bold lines) never ends a page apart from its text.
    paragraph.paragraph_format.keep_with_next = bold or None


def _user_text(document: Any, text: str) -> None:
    """The user's section: one paragraph per line, blank lines dropped."""
    for line in text.splitlines():
        if line.strip():
            _body(document, line.strip())


def _bottom_block(document: Any, report: Report) -> None:
    _paragraph(document.add_paragraph(), size=12)
    table = document.add_table(rows=1, cols=2)
    _borderless(table, BOTTOM_COLUMNS_MM)
    # Recipients and signature stay together on one page.
    table.rows[0]._tr.get_or_add_trPr().append(OxmlElement("w:cantSplit"))
    left, right = table.cell(0, 0), table.cell(0, 1)
    first = [True]
    _paragraph(_cell_paragraph(left, first), RECIPIENTS_HEADING, size=12, bold=True, italic=True,
               align=WD_ALIGN_PARAGRAPH.LEFT)
    for line in report.recipient_lines:
        _paragraph(_cell_paragraph(left, first), line, size=11, align=WD_ALIGN_PARAGRAPH.LEFT)
    first = [True]
    for line in report.signature_title.strip().upper().splitlines():
        _paragraph(_cell_paragraph(right, first), line.strip(), size=14, bold=True)
    for _index in range(4):
        _paragraph(_cell_paragraph(right, first), size=14)
    _paragraph(_cell_paragraph(right, first), report.signer_name.strip(), size=14, bold=True)


def _build_docx(report: Report, figures: dict[str, Any]) -> bytes:
    document = _setup_document()
    document.core_properties.title = f"{DOCUMENT_TYPE} {report.summary}"[:255]
    document.core_properties.author = report.issuing_body[:255]
    document.core_properties.language = "vi-VN"
    _header_block(document, report, draft=report.is_editable)
    _title_block(document, report)

    _body(document, _("I. Leadership, guidance and direction").upper(), bold=True)
    _user_text(document, report.leadership)

    # Section II comes with its own heading and numbered parts.
    for paragraph in results_section(figures, campaign=report.campaign,
                                     unit_name=name_on(report.unit, report.as_of),
                                     omit=report.omitted_paragraphs):
        _body(document, paragraph.text, bold=paragraph.heading)
    _user_text(document, report.results_note)

    _body(document, _("III. General assessment").upper(), bold=True)
    _body(document, _("1. Strengths"), bold=True)
    _user_text(document, report.strengths)
    _body(document, _("2. Shortcomings and their causes"), bold=True)
    _user_text(document, report.shortcomings)

    _body(document, _("IV. Tasks ahead and recommendations").upper(), bold=True)
    _user_text(document, report.tasks)

    _bottom_block(document, report)
    output = io.BytesIO()
    document.save(output)
    return output.getvalue()


def report_docx(report: Report, *, figures: dict[str, Any] | None = None) -> bytes:
    """The report as a Word document per Hướng dẫn 36-HD/VPTW."""
    with translation.override(DOCUMENTS_LANGUAGE):
        return _build_docx(report, figures if figures is not None else figures_for(report))


# --- .xlsx appendix ---------------------------------------------------------------------------------

COUNT_FORMAT = "#,##0"  # shown with the reader's separators: 1.234 in a Vietnamese locale
XLSX_COLUMNS_WIDTH = (6, 34, 11, 13, 11, 11, 11, 10, 13, 13, 13, 13)
FIRST_DATA_ROW = 7


def _appendix_header(sheet: Worksheet) -> None:
    thin = Side(style="thin")
    box = Border(left=thin, right=thin, top=thin, bottom=thin)
    bold = Font(name=FONT, size=12, bold=True)
    centred = Alignment(horizontal="center", vertical="center", wrap_text=True)
    groups = (
        ("A5:A6", _("No.")), ("B5:B6", _("Unit")), ("C5:H5", _("Party members")),
        ("I5:J5", _("Non-members")), ("K5:L5", _("Study sessions")),
    )
    for cells, text in groups:
        sheet[cells.split(":")[0]] = cell_value(text)
        sheet.merge_cells(cells)
    sub_headers = (
        _("Total"), _("Exempt from work and party activities"), _("Away for work"), _("Expected to study"),
        _("Studied"), _("Rate (%)"), _("Expected to study"), _("Studied"), _("Conferences and sessions held"),
        _("Person-times attending"),
    )
    for offset, text in enumerate(sub_headers):
        sheet.cell(row=6, column=3 + offset, value=cell_value(text))
    for row in sheet.iter_rows(min_row=5, max_row=6, min_col=1, max_col=12):
        for cell in row:
            cell.font, cell.alignment, cell.border = bold, centred, box
    sheet.row_dimensions[6].height = 64


def _appendix_row(
    sheet: Worksheet, row: int, label: Any, name: str, values: list[int | Decimal | None], *,
    rate_format: str, bold: bool = False,
) -> None:
    thin = Side(style="thin")
    box = Border(left=thin, right=thin, top=thin, bottom=thin)
    font = Font(name=FONT, size=12, bold=bold)
    cells: list[Cell] = [sheet.cell(row=row, column=1, value=label),
                         sheet.cell(row=row, column=2, value=cell_value(name))]
    for offset, value in enumerate(values):
        number = float(value) if isinstance(value, Decimal) else value
        cell = sheet.cell(row=row, column=3 + offset, value=number)
        cell.number_format = rate_format if offset == 5 else COUNT_FORMAT
        cell.alignment = Alignment(horizontal="right", vertical="center")
        cells.append(cell)
    cells[0].alignment = Alignment(horizontal="center", vertical="center")
    cells[1].alignment = Alignment(horizontal="left", vertical="center", wrap_text=True)
    for cell in cells:
        cell.font, cell.border = font, box


def _child_values(child: dict[str, Any]) -> list[int | Decimal | None]:
    return [
        child["members_total"], child["exempt"], child["away"], child["eligible"], child["studied"],
        child["rate"], child["non_members_expected"], child["non_members_studied"],
        child["events_held"], child["attendance_person_times"],
    ]


def _total_values(figures: dict[str, Any]) -> list[int | Decimal | None]:
    """The unit's own figures: counts summed over its subtree, the rate recomputed from them."""
    members, non_members = figures["party_members"], figures["non_party"]
    return [
        members["total"], members["exempt"], members["away"], members["eligible"], members["studied"],
        members["rate"], non_members["eligible"], non_members["studied"], figures["events_held"],
        figures["attendance_person_times"],
    ]


def _build_xlsx(report: Report, figures: dict[str, Any]) -> bytes:
    workbook = Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.title = _("Appendix")
    as_of = datetime.date.fromisoformat(figures["as_of"])
    unit_name = name_on(report.unit, as_of)  # as it was named on the report's date
    precision = report.campaign.rate_precision
    rate_format = "0." + "0" * precision if precision else "0"

    title_font = Font(name=FONT, size=14, bold=True)
    centred = Alignment(horizontal="center", vertical="center", wrap_text=True)
    lines = (
        (_("APPENDIX"), title_font),
        (_("Study figures of %(unit)s as of %(date)s") % {
            "unit": unit_name, "date": format_date(as_of)}, title_font),
        (_("(Attached to report no. %(number)s of %(date)s)") % {
            "number": report.number_and_symbol, "date": format_date(report.issued_on)},
         Font(name=FONT, size=12, italic=True)),
    )
    for row, (text, font) in enumerate(lines, start=1):
        sheet.cell(row=row, column=1, value=cell_value(text))
        sheet.merge_cells(start_row=row, start_column=1, end_row=row, end_column=12)
        sheet.cell(row=row, column=1).font = font
        sheet.cell(row=row, column=1).alignment = centred
    sheet.row_dimensions[2].height = 36

    _appendix_header(sheet)
    row = FIRST_DATA_ROW
    for number, child in enumerate(figures["children"], start=1):
        # Units without figures are named as such, never passed off as zeros.
        name = child["name"] if child.get("has_data", True) else _(
            "%(unit)s (some units have no figures yet)") % {"unit": child["name"]}
        _appendix_row(sheet, row, number, name, _child_values(child), rate_format=rate_format)
        row += 1
    _appendix_row(sheet, row, None, _("Grand total"), _total_values(figures), rate_format=rate_format,
                  bold=True)
    note = sheet.cell(row=row + 2, column=1, value=cell_value(_(
        "The total row gives the figures of %(unit)s as a whole: its rate is the members who studied "
        "over the members expected to study, summed over all units, never an average of the units' "
        "rates. An event with sites in several units counts once; person-times include the sites of "
        "%(unit)s itself."
    ) % {"unit": unit_name}))
    note.font = Font(name=FONT, size=11, italic=True)
    note.alignment = Alignment(wrap_text=True, vertical="top")
    sheet.merge_cells(start_row=row + 2, start_column=1, end_row=row + 2, end_column=12)
    sheet.row_dimensions[row + 2].height = 48

    for index, width in enumerate(XLSX_COLUMNS_WIDTH, start=1):
        sheet.column_dimensions[get_column_letter(index)].width = width
    sheet.freeze_panes = sheet.cell(row=FIRST_DATA_ROW, column=3)
    sheet.page_setup.orientation = "landscape"
    sheet.page_setup.paperSize = sheet.PAPERSIZE_A4
    sheet.page_setup.fitToWidth = 1
    sheet.page_setup.fitToHeight = 0
    sheet.sheet_properties.pageSetUpPr.fitToPage = True
    sheet.print_title_rows = "5:6"
    sheet.print_options.horizontalCentered = True
    sheet.page_margins.left = sheet.page_margins.right = 0.5
    workbook.properties.title = sheet.cell(row=2, column=1).value
    workbook.properties.language = "vi-VN"

    output = io.BytesIO()
    workbook.save(output)
    return output.getvalue()


def appendix_xlsx(report: Report, *, figures: dict[str, Any] | None = None) -> bytes:
    """The statistics appendix: one row per sub-unit and the unit's total computed from counts."""
    with translation.override(DOCUMENTS_LANGUAGE):
        return _build_xlsx(report, figures if figures is not None else figures_for(report))


# --- .pdf -----------------------------------------------------------------------------------------------


def soffice_path() -> str | None:
    return shutil.which("soffice") or shutil.which("libreoffice")


def report_pdf(report: Report, *, figures: dict[str, Any] | None = None) -> bytes:
    """The .docx converted by LibreOffice headless, with a profile of its own for each conversion."""
    soffice = soffice_path()
    if soffice is None:
        with translation.override(DOCUMENTS_LANGUAGE):
            raise DocumentError(_(
                "The PDF cannot be made: LibreOffice is not installed on the server. Download the Word "
                "file instead, or ask the administrator to run scripts/setup."
            ))
    content = report_docx(report, figures=figures)
    with tempfile.TemporaryDirectory(prefix="chuyende-pdf-") as folder:
        directory = Path(folder)
        source = directory / "report.docx"
        source.write_bytes(content)
        command = [
            soffice, f"-env:UserInstallation={(directory / 'lo-profile').as_uri()}", "--headless",
            "--norestore", "--nolockcheck", "--convert-to", "pdf", "--outdir", str(directory), str(source),
        ]
        try:
            done = subprocess.run(command, capture_output=True, timeout=PDF_TIMEOUT_SECONDS, check=False,
                                  env={**os.environ, "HOME": folder})
        except subprocess.TimeoutExpired as error:
            with translation.override(DOCUMENTS_LANGUAGE):
                raise DocumentError(_(
                    "The PDF could not be made: LibreOffice took longer than %(seconds)s seconds."
                ) % {"seconds": PDF_TIMEOUT_SECONDS}) from error
        target = directory / "report.pdf"
        if done.returncode != 0 or not target.exists():
            detail = (done.stderr or done.stdout).decode(errors="replace").strip()[-500:]
            with translation.override(DOCUMENTS_LANGUAGE):
                raise DocumentError(_(
                    "The PDF could not be made: LibreOffice stopped with an error (%(detail)s)."
                ) % {"detail": detail or done.returncode})
        return target.read_bytes()
