"""A report as documents: the .docx filled in from the unit's report template (by default the one laid out
per Hướng dẫn 36-HD/VPTW, `reports/layout.py`), the .xlsx statistics appendix, and the .pdf converted from
the .docx by LibreOffice.

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
from decimal import Decimal
from pathlib import Path
from typing import Any

from django.utils import translation
from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.cell.cell import Cell
from openpyxl.styles import Alignment, Border, Font, Side
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from chuyende.core.numbers import format_date, format_date_long
from chuyende.exports.tables import cell_value
from chuyende.figures.tree import name_on
from chuyende.reports.drafting import Paragraph, results_section
from chuyende.reports.figures import frozen_figures_of, live_figures
from chuyende.reports.layout import DOCUMENT_TYPE, FONT, default_template
from chuyende.reports.models import Report
from chuyende.reports.selectors import template_in_use
from chuyende.reports.templating import ReportContext, ResultParagraph, render_template

DOCUMENTS_LANGUAGE = "vi"  # party documents are Vietnamese whatever the reader's language
PDF_TIMEOUT_SECONDS = 120

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


def unit_name_of(report: Report) -> str:
    """The report's unit as it was named on the day of its figures."""
    return name_on(report.unit, report.as_of)


def section_ii(
    report: Report, *, figures: dict[str, Any] | None = None, unit_name: str | None = None,
) -> list[Paragraph]:
    """Section II as drafted from the report's figures (`drafting.results_section`), in Vietnamese: the
    paragraphs the .docx prints and the API gives. `unit_name`: the unit's name on the report's date, when
    the caller has it already."""
    with translation.override(DOCUMENTS_LANGUAGE):
        return results_section(figures if figures is not None else figures_for(report),
                               campaign=report.campaign,
                               unit_name=unit_name if unit_name is not None else unit_name_of(report),
                               omit=report.omitted_paragraphs)


_SUPERSCRIPT = str.maketrans("0123456789", "⁰¹²³⁴⁵⁶⁷⁸⁹")


def _with_footnote_marks(paragraphs: list[Paragraph]) -> tuple[list[tuple[Paragraph, str]], list[str]]:
    """Each paragraph's text with its footnote marks (superscript numbers, through the section), and the
    notes, each starting with its mark. Superscript digits are not figures to a reader of the text."""
    marked: list[tuple[Paragraph, str]] = []
    notes: list[str] = []
    for paragraph in paragraphs:
        text = paragraph.text
        for footnote in sorted(paragraph.footnotes, key=lambda note: note.at, reverse=True):
            number = len(notes) + sum(1 for other in paragraph.footnotes if other.at < footnote.at) + 1
            mark = str(number).translate(_SUPERSCRIPT)
            text = text[: footnote.at] + mark + text[footnote.at:]
        for footnote in sorted(paragraph.footnotes, key=lambda note: note.at):
            notes.append(f"{str(len(notes) + 1).translate(_SUPERSCRIPT)} {footnote.text}")
        marked.append((paragraph, text))
    return marked, notes


def _paragraphs(text: str) -> list[str]:
    """A section the user writes: one paragraph per line, blank lines dropped."""
    return [line.strip() for line in text.splitlines() if line.strip()]


def report_context(report: Report, figures: dict[str, Any]) -> ReportContext:
    """What a report template is filled in with: the report's header, texts and drafted section II."""
    unit_name = unit_name_of(report)
    marked, notes = _with_footnote_marks(section_ii(report, figures=figures, unit_name=unit_name))
    return ReportContext(
        superior_body=report.superior_body.strip().upper(),
        issuing_body=report.issuing_body.strip().upper(),
        number_and_symbol=report.number_and_symbol,
        place=report.place,
        issued_on=format_date(report.issued_on),
        place_and_date=place_and_date(report),
        summary=report.summary.strip(),
        unit_name=unit_name,
        unit_code=report.unit.code,
        campaign_title=report.campaign.title,
        as_of=format_date(report.as_of),
        is_draft=report.is_editable,
        leadership=_paragraphs(report.leadership),
        results=[ResultParagraph(text=text, heading=paragraph.heading) for paragraph, text in marked],
        results_footnotes=notes,
        results_note=_paragraphs(report.results_note),
        strengths=_paragraphs(report.strengths),
        shortcomings=_paragraphs(report.shortcomings),
        tasks=_paragraphs(report.tasks),
        recipients=report.recipient_lines,
        signature_title=[line.strip() for line in report.signature_title.strip().upper().splitlines()
                         if line.strip()],
        signer_name=report.signer_name.strip(),
    )


def _render(report: Report, figures: dict[str, Any]) -> bytes:
    context = report_context(report, figures)
    template = template_in_use(unit=report.unit)
    # The file's properties: the document's title and author, whatever the template says.
    properties = {"title": f"{DOCUMENT_TYPE} {report.summary}"[:255], "author": report.issuing_body[:255],
                  "language": "vi-VN"}
    try:
        content = bytes(template.content) if template is not None else default_template()
        return render_template(content, context, properties=properties)
    except Exception as error:  # a stored template checked on upload that still fails: say which
        if template is None:
            raise
        raise DocumentError(_(
            "The Word file could not be made from the template “%(template)s” of %(unit)s (%(error)s). "
            "An officer of that unit can stop using it on the report templates page."
        ) % {"template": template.name, "unit": template.unit.name, "error": error}) from error


def report_docx(report: Report, *, figures: dict[str, Any] | None = None) -> bytes:
    """The report as a Word document: the unit's template in use (its own, the nearest unit above's, or
    the default one laid out per Hướng dẫn 36-HD/VPTW) filled in with the report."""
    with translation.override(DOCUMENTS_LANGUAGE):
        return _render(report, figures if figures is not None else figures_for(report))


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
