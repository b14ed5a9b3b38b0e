"""The default report template: the 36-HD/VPTW layout written with python-docx, with Jinja placeholders
that docxtpl fills in (`chuyende.reports.templating`).

`build_default_template()` writes the same bytes every time (fixed zip dates and document properties), so
the file shipped in the repository, `DEFAULT_TEMPLATE_PATH`, is this function's output:
`manage.py build_report_template` writes it again after a change here, and
`tests/reports/test_templates.py` fails while the two differ. An officer downloads this file, changes it
in Word and uploads it back as the unit's variant.

The layout (Hướng dẫn 36-HD/VPTW, DOMAIN.md §4): A4, margins 20/20/30/15 mm, Times New Roman for every
script; a borderless header table (superior and issuing body, "*", the party's name underlined, number
and symbol, place and date in italics); the title "BÁO CÁO" and the summary in bold with a short rule
under them; sections I to IV as justified 14 pt paragraphs with a 1 cm first-line indent, headings in
bold kept with the text that follows; recipients (11 pt under a bold italic "Nơi nhận:") and the
signature side by side at the end; page numbers at the top centre from page 2 on; "DỰ THẢO" above the
header while the report is a draft.
"""

import datetime
import io
import zipfile
from collections.abc import Iterable
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

DEFAULT_TEMPLATE_PATH = Path(__file__).resolve().parent / "data" / "bao-cao-36-HD-VPTW.docx"
TEMPLATE_LANGUAGE = "vi"  # party documents are Vietnamese whatever the reader's language

FONT = "Times New Roman"

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

# The file's own dates: fixed, so that building it twice gives the same bytes.
FIXED_TIME = datetime.datetime(2024, 1, 1, tzinfo=datetime.UTC)
ZIP_TIME = (2024, 1, 1, 0, 0, 0)


# --- python-docx helpers ---------------------------------------------------------------------------------


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
    """A paragraph of one run: a placeholder such as "{{ summary }}" stays whole in its run, so the
    value takes the run's font, size and emphasis."""
    form = paragraph.paragraph_format
    form.alignment = align
    form.space_before = Pt(before)
    form.space_after = Pt(after)
    form.line_spacing = line
    form.first_line_indent = first_line
    form.widow_control = True
    if text:
        _run(paragraph, text, size=size, bold=bold, italic=italic, underline=underline)
    else:
        # An empty paragraph's height follows its mark: give the mark the same size.
        rpr = OxmlElement("w:rPr")
        size_element = OxmlElement("w:sz")
        size_element.set(qn("w:val"), str(int(size * 2)))
        rpr.append(size_element)
        paragraph._p.get_or_add_pPr().insert_element_before(rpr, "w:sectPr", "w:pPrChange")
    return paragraph


def _tag(paragraph: DocxParagraph, tag: str, *, size: float = 14) -> DocxParagraph:
    """A paragraph holding only a docxtpl block tag ("{%p for line in tasks %}"): the whole paragraph
    goes when the template is rendered."""
    return _paragraph(paragraph, tag, size=size, align=WD_ALIGN_PARAGRAPH.LEFT)


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


# --- the blocks of the document ------------------------------------------------------------------------


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
    properties = document.core_properties
    properties.title = DOCUMENT_TYPE
    properties.author = properties.last_modified_by = ""
    properties.comments = ""
    properties.language = "vi-VN"
    properties.created = properties.modified = FIXED_TIME
    properties.revision = 1
    return document


def _header_block(document: Any) -> None:
    table = document.add_table(rows=2, cols=2)
    _borderless(table, HEADER_COLUMNS_MM)
    left, right = table.cell(0, 0), table.cell(0, 1)
    first = [True]
    _tag(_cell_paragraph(left, first), "{%p if superior_body %}")
    _paragraph(_cell_paragraph(left, first), "{{ superior_body }}", size=14)
    _tag(_cell_paragraph(left, first), "{%p endif %}")
    _paragraph(_cell_paragraph(left, first), "{{ issuing_body }}", size=14, bold=True)
    _paragraph(_cell_paragraph(left, first), "*", size=14)
    _paragraph(right.paragraphs[0], PARTY_NAME, size=15, bold=True, underline=True)
    _paragraph(table.cell(1, 0).paragraphs[0], f"{NUMBER_PREFIX} {{{{ number_and_symbol }}}}", size=14,
               before=2)
    _paragraph(table.cell(1, 1).paragraphs[0], "{{ place_and_date }}", size=14, italic=True, before=2)
    # A draft says so above the header, where the final document carries nothing.
    draft = _("DRAFT")
    _paragraph(document.sections[0].first_page_header.paragraphs[0],
               f"{{% if is_draft %}}{draft}{{% endif %}}", size=12, bold=True,
               align=WD_ALIGN_PARAGRAPH.RIGHT)


def _title_block(document: Any) -> None:
    _paragraph(document.add_paragraph(), DOCUMENT_TYPE, size=16, bold=True, before=18)
    _paragraph(document.add_paragraph(), "{{ summary }}", size=14, bold=True, before=2)
    rule = _paragraph(document.add_paragraph(), size=4)
    indent = Mm((TEXT_WIDTH_MM - TITLE_RULE_MM) / 2)
    rule.paragraph_format.left_indent = rule.paragraph_format.right_indent = indent
    _bottom_border(rule)
    _paragraph(document.add_paragraph(), size=6)


def _body(document: Any, text: str, *, bold: bool = False) -> None:
    paragraph = _paragraph(document.add_paragraph(), text, size=14, bold=bold,
                           align=WD_ALIGN_PARAGRAPH.JUSTIFY, before=6, first_line=FIRST_LINE_INDENT, line=1.1)
    # A heading (the bold lines) never ends a page apart from its text.
    paragraph.paragraph_format.keep_with_next = bold or None


def _lines(document: Any, field: str) -> None:
    """One body paragraph per line of a section the user writes."""
    _tag(document.add_paragraph(), f"{{%p for line in {field} %}}")
    _body(document, "{{ line }}")
    _tag(document.add_paragraph(), "{%p endfor %}")


def _results(document: Any) -> None:
    """Section II as drafted from the figures: its heading and numbered parts in bold, then the text."""
    _tag(document.add_paragraph(), "{%p for paragraph in results %}")
    _tag(document.add_paragraph(), "{%p if paragraph.heading %}")
    _body(document, "{{ paragraph.text }}", bold=True)
    _tag(document.add_paragraph(), "{%p else %}")
    _body(document, "{{ paragraph.text }}")
    _tag(document.add_paragraph(), "{%p endif %}")
    _tag(document.add_paragraph(), "{%p endfor %}")
    _tag(document.add_paragraph(), "{%p for note in results_footnotes %}")
    _paragraph(document.add_paragraph(), "{{ note }}", size=12, italic=True, align=WD_ALIGN_PARAGRAPH.JUSTIFY,
               before=3)
    _tag(document.add_paragraph(), "{%p endfor %}")


def _bottom_block(document: Any) -> None:
    _paragraph(document.add_paragraph(), size=12)
    table = document.add_table(rows=1, cols=2)
    _borderless(table, BOTTOM_COLUMNS_MM)
    # Recipients and signature stay together on one page.
    table.rows[0]._tr.get_or_add_trPr().append(OxmlElement("w:cantSplit"))
    left, right = table.cell(0, 0), table.cell(0, 1)
    first = [True]
    _paragraph(_cell_paragraph(left, first), RECIPIENTS_HEADING, size=12, bold=True, italic=True,
               align=WD_ALIGN_PARAGRAPH.LEFT)
    _tag(_cell_paragraph(left, first), "{%p for line in recipients %}", size=11)
    _paragraph(_cell_paragraph(left, first), "{{ line }}", size=11, align=WD_ALIGN_PARAGRAPH.LEFT)
    _tag(_cell_paragraph(left, first), "{%p endfor %}", size=11)
    first = [True]
    _tag(_cell_paragraph(right, first), "{%p for line in signature_title %}")
    _paragraph(_cell_paragraph(right, first), "{{ line }}", size=14, bold=True)
    _tag(_cell_paragraph(right, first), "{%p endfor %}")
    for _index in range(4):
        _paragraph(_cell_paragraph(right, first), size=14)
    _paragraph(_cell_paragraph(right, first), "{{ signer_name }}", size=14, bold=True)


def _fixed_zip(content: bytes) -> bytes:
    """The same parts in the same order with fixed dates: python-docx stamps each with the time."""
    output = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(content)) as source, \
            zipfile.ZipFile(output, "w", compression=zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            fixed = zipfile.ZipInfo(info.filename, date_time=ZIP_TIME)
            fixed.compress_type = zipfile.ZIP_DEFLATED
            fixed.external_attr = 0o644 << 16
            target.writestr(fixed, source.read(info.filename))
    return output.getvalue()


def build_default_template() -> bytes:
    """The default report template (.docx), the same bytes on every call."""
    with translation.override(TEMPLATE_LANGUAGE):
        document = _setup_document()
        _header_block(document)
        _title_block(document)

        _body(document, _("I. Leadership, guidance and direction").upper(), bold=True)
        _lines(document, "leadership")

        # Section II comes with its own heading and numbered parts.
        _results(document)
        _lines(document, "results_note")

        _body(document, _("III. General assessment").upper(), bold=True)
        _body(document, _("1. Strengths"), bold=True)
        _lines(document, "strengths")
        _body(document, _("2. Shortcomings and their causes"), bold=True)
        _lines(document, "shortcomings")

        _body(document, _("IV. Tasks ahead and recommendations").upper(), bold=True)
        _lines(document, "tasks")

        _bottom_block(document)
    output = io.BytesIO()
    document.save(output)
    return _fixed_zip(output.getvalue())


def default_template() -> bytes:
    """The shipped default template (the file `build_default_template` wrote)."""
    return DEFAULT_TEMPLATE_PATH.read_bytes()
