"""chuyende.exports.tables: neutralising formula-like text, and the two file formats."""

import codecs
import csv
import datetime
import io
from decimal import Decimal
from types import SimpleNamespace

import openpyxl
import pytest
from django.http import QueryDict
from django.test import RequestFactory

from chuyende.exports.tables import (
    ExportColumn,
    export_response,
    neutralise,
    requested_format,
    requested_table,
    restore,
)
from chuyende.exports.templatetags.exports import export_query


@pytest.mark.parametrize("text", [
    "=SUM(1)", "+1", "-1", "@x", "\t=1", "\r=1", "\n=1", "=cmd|' /C calc'!A0", "=HYPERLINK(\"http://x\")",
    " =1", "\u00a0=1", "\uff1d1+1", "\uff0b1", "\uff0d1", "\uff20x", "'=1",
])
def test_formula_like_text_gets_a_quote_in_front(text):
    safe = neutralise(text)
    assert isinstance(safe, str)
    assert safe == "'" + text
    assert restore(safe) == text


@pytest.mark.parametrize("value", [
    "Nguyễn Văn An", "Hòa Bình", "a=b", "1-2", "x@y.vn", "", "'", "'quoted'", "95,5%", "HB-DONG-01",
])
def test_ordinary_text_is_untouched(value):
    assert neutralise(value) == value
    assert restore(value) == value


@pytest.mark.parametrize("value", [-1, -12.5, Decimal("-3.25"), 0, 42, None, datetime.date(2024, 3, 31)])
def test_numbers_dates_and_empty_cells_are_untouched(value):
    assert neutralise(value) == value


def test_many_quotes_do_not_recurse():
    text = "'" * 5000 + "=1"
    assert neutralise(text) == "'" + text


# --- the files -------------------------------------------------------------------------------------

ROWS = [
    SimpleNamespace(name="=SUM(A1:A9)", count=-1, day=datetime.date(2024, 3, 5),
                    at=datetime.datetime(2024, 3, 5, 1, 30, tzinfo=datetime.UTC), rate=Decimal("95.5")),
    SimpleNamespace(name="Hòa Bình, thôn \"Đông\"", count=1234, day=None, at=None, rate=None),
    SimpleNamespace(name="bad\x00\x07char", count=0, day=datetime.date(2024, 12, 31), at=None,
                    rate=Decimal("3")),
]
COLUMNS = [
    ExportColumn("Tên", lambda r: r.name),
    ExportColumn("Số lượng", lambda r: r.count),
    ExportColumn("Ngày", lambda r: r.day),
    ExportColumn("Lúc", lambda r: r.at),
    ExportColumn("Tỷ lệ", lambda r: r.rate),
]


def content(response) -> bytes:
    return b"".join(response.streaming_content)


def test_csv_has_a_bom_quotes_text_and_keeps_numbers(settings):
    settings.TIME_ZONE = "Asia/Ho_Chi_Minh"
    response = export_response(rows=ROWS, columns=COLUMNS, fmt="csv", filename_stem="thu")
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"].startswith('attachment; filename="thu-')
    data = content(response)
    assert data.startswith(codecs.BOM_UTF8)
    lines = data.decode("utf-8-sig").split("\r\n")
    assert lines[0] == '"Tên","Số lượng","Ngày","Lúc","Tỷ lệ"'
    # Text quoted and neutralised, the negative count a bare number, the date dd/mm/yyyy, the
    # aware time in the local zone.
    assert lines[1] == '"\'=SUM(A1:A9)",-1,"05/03/2024","05/03/2024 08:30",95.5'
    rows = list(csv.reader(io.StringIO(data.decode("utf-8-sig"), newline="")))
    assert rows[2] == ['Hòa Bình, thôn "Đông"', "1234", "", "", ""]
    assert rows[3][0] == "badchar"
    assert rows[3][4] == "3"
    assert len(rows) == 4


def test_xlsx_keeps_numbers_and_dates_and_never_writes_a_formula(settings):
    settings.TIME_ZONE = "Asia/Ho_Chi_Minh"
    response = export_response(rows=iter(ROWS), columns=COLUMNS, fmt="xlsx", filename_stem="thu")
    assert response["Content-Disposition"].endswith('.xlsx"')
    sheet = openpyxl.load_workbook(io.BytesIO(content(response))).active
    assert sheet.title == "thu"
    assert [c.value for c in sheet[1]] == ["Tên", "Số lượng", "Ngày", "Lúc", "Tỷ lệ"]
    assert all(c.font.b for c in sheet[1])
    name, count, day, at, rate = sheet[2]
    assert name.value == "'=SUM(A1:A9)" and name.data_type == "s"
    assert count.value == -1 and count.data_type == "n"
    assert day.value == datetime.datetime(2024, 3, 5) and day.number_format == "DD/MM/YYYY"
    assert at.value == datetime.datetime(2024, 3, 5, 8, 30) and at.number_format == "DD/MM/YYYY HH:MM"
    assert rate.value == 95.5
    assert [c.value for c in sheet[3]] == ['Hòa Bình, thôn "Đông"', 1234, None, None, None]
    assert sheet["A4"].value == "badchar"
    assert not any(cell.data_type == "f" for row in sheet.iter_rows() for cell in row)
    assert sheet.freeze_panes == "A2"
    assert sheet.auto_filter.ref == "A1:E4"


def test_an_empty_list_gives_the_header_alone():
    response = export_response(rows=[], columns=COLUMNS, fmt="xlsx", filename_stem="rong")
    sheet = openpyxl.load_workbook(io.BytesIO(content(response))).active
    header = ("Tên", "Số lượng", "Ngày", "Lúc", "Tỷ lệ")
    assert [tuple(r) for r in sheet.iter_rows(values_only=True)] == [header]


def test_requested_format_and_table():
    factory = RequestFactory()
    assert requested_format(factory.get("/", {"export": "xlsx"})) == "xlsx"
    assert requested_format(factory.get("/", {"export": "csv"})) == "csv"
    assert requested_format(factory.get("/", {"export": "pdf"})) is None
    assert requested_format(factory.get("/", {"format": "online"})) is None
    assert requested_table(factory.get("/", {"table": "passed"}), ("received", "passed")) == "passed"
    assert requested_table(factory.get("/", {"table": "other"}), ("received", "passed")) == "received"
    assert requested_table(factory.get("/"), ("received", "passed")) == "received"


def test_export_links_keep_the_filters_and_drop_page_numbers():
    query = QueryDict("unit=7&q=Nguy%E1%BB%85n&page=3&received_page=2&export=csv&format=online")
    kept = QueryDict(export_query(query, "xlsx", "passed"))
    assert kept.dict() == {
        "unit": "7", "q": "Nguyễn", "format": "online", "export": "xlsx", "table": "passed",
    }
