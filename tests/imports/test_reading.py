"""Reading a file: the text a spreadsheet export neutralised reads back (exports.tables.restore), and
workbooks read through calamine give the spreadsheet's row numbers, columns and values."""

import io
from typing import Any

import pytest
from openpyxl import Workbook

from chuyende.exports.tables import neutralise
from chuyende.imports import engine, reading
from chuyende.imports.reading import parse_code, parse_text
from chuyende.imports.spec import KINDS
from tests.imports.fixtures import headers, ods_file, sheet_file


@pytest.mark.parametrize(
    "text", ['=HYPERLINK("http://x","y")', "+84 912", "-", "@chi bo", "'=already quoted", "''=twice", " =x"],
)
def test_a_neutralised_text_reads_back_as_it_was_written(text):
    assert parse_text(neutralise(text)) == text.strip()


@pytest.mark.parametrize("text", ["'tên có dấu nháy", "'", "Bình thường", "'' "])
def test_a_quote_not_followed_by_a_formula_start_is_kept(text):
    assert parse_text(text) == text.strip()


def test_a_neutralised_code_reads_back_as_it_was_written():
    assert parse_code(neutralise("-HB-01")) == "-HB-01"
    assert parse_code("'HB-01") == "'HB-01"


# --- workbooks read by calamine ---------------------------------------------------------------------


def read(data: bytes, filename: str = "f.xlsx", **options: Any) -> tuple[reading.Table, list[reading.Row]]:
    with reading.read_table(data, filename=filename, sheet=KINDS["members"], **options) as table:
        return table, list(table.rows)


def test_a_table_away_from_a1_keeps_the_spreadsheet_row_numbers_and_column_letters():
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet["C3"], sheet["D3"] = "Mã đảng viên", "Họ và tên"
    sheet["C5"], sheet["D5"] = "HB-1", "Lê Văn Một"
    stream = io.BytesIO()
    book.save(stream)
    table, rows = read(stream.getvalue())
    assert (table.header_row, table.columns) == (3, ["", "", "Mã đảng viên", "Họ và tên"])
    assert [(row.number, row.values) for row in rows if not row.is_empty()] == [
        (5, (None, None, "HB-1", "Lê Văn Một"))]


def test_cells_read_as_their_values_formulas_by_their_computed_value():
    cells = ('<row r="2"><c r="A2" t="inlineStr"><is><t xml:space="preserve"> a&amp;b &#273;</t></is></c>'
             '<c r="B2"><v>1980</v></c><c r="C2" t="b"><v>1</v></c><c r="D2"><f>1+1</f><v>2</v></c>'
             '<c r="E2" t="e"><v>#REF!</v></c><c r="F2"><f>SUM(B2:D2)</f></c><c r="G2" t="s"><v>0</v></c>'
             '<c r="H2" t="str"><f>"x"</f><v>x</v></c></row>')
    header = "".join(f'<c r="{chr(65 + index)}1" t="inlineStr"><is><t>{text}</t></is></c>'
                     for index, text in enumerate(headers("members")))
    _table, rows = read(sheet_file(f'<row r="1">{header}</row>{cells}', strings="<si><t>chung</t></si>"))
    assert rows[0].values == (" a&b đ", 1980.0, True, 2.0, reading.ErrorValue("#REF!"),
                              reading.Formula("=SUM(B2:D2)"), "chung", "x")


def test_the_preview_reads_only_the_first_rows():
    """Row 200 holds a cell far right, beyond the limits: the preview never reaches it; the import does."""
    rows = "".join(f'<row r="{n}"><c r="A{n}" t="inlineStr"><is><t>HB-{n}</t></is></c></row>'
                   for n in range(2, 200))
    header = "".join(f'<c r="{chr(65 + index)}1" t="inlineStr"><is><t>{text}</t></is></c>'
                     for index, text in enumerate(headers("members")))
    data = sheet_file(f'<row r="1">{header}</row>{rows}<row r="200"><c r="ZZZ200"><v>1</v></c></row>')
    preview = engine.preview(data, filename="f.xlsx", kind="members", rows=5)
    assert [row.number for row in preview.rows] == [2, 3, 4, 5, 6]
    assert preview.total_rows is None  # no declared range, not read whole
    with pytest.raises(reading.UnreadableFile, match="ZZZ"):
        read(data)


def test_empty_cells_and_rows_repeated_to_the_end_of_an_ods_sheet_are_harmless(tmp_path):
    """LibreOffice ends each row and the sheet with repeats of empty cells up to column XFD and row
    1,048,576: calamine does not expand them, and neither do the limits count them."""
    cells = "".join(f'<table:table-cell office:value-type="string"><text:p>{text}</text:p></table:table-cell>'
                    for text in ("Mã đảng viên", "Họ và tên"))
    empty_tail = '<table:table-cell table:number-columns-repeated="16382"/>'
    data = ods_file(
        f"<table:table-row>{cells}{empty_tail}</table:table-row>"
        f"<table:table-row>{cells.replace('Mã đảng viên', 'HB-1')}{empty_tail}</table:table-row>"
        '<table:table-row table:number-rows-repeated="1048574">'
        '<table:table-cell table:number-columns-repeated="16384"/></table:table-row>'
    )
    table, rows = read(data, "f.ods")
    assert table.columns == ["Mã đảng viên", "Họ và tên"]
    assert [(row.number, row.values) for row in rows] == [(2, ("HB-1", "Họ và tên"))]
    assert table.total_rows == 1


def test_a_quoted_csv_field_full_of_commas_is_one_field():
    text = "Mã đảng viên,Họ và tên\r\nHB-1,\"" + "," * 500 + "\"\r\n"
    _table, rows = read(text.encode(), "f.csv")
    assert rows[0].values == ("HB-1", "," * 500)
