"""Reading the exported files back as a spreadsheet user (openpyxl) or a script (csv) would."""

import codecs
import csv
import io
from collections.abc import Sequence
from typing import Any

import openpyxl
from django.utils import translation

from chuyende.exports.tables import ExportColumn

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def body(response: Any) -> bytes:
    assert response.status_code == 200, response.status_code
    return b"".join(response.streaming_content)


def xlsx_sheet(response: Any) -> Any:
    assert response["Content-Type"] == XLSX
    assert response["Content-Disposition"].startswith("attachment;")
    assert response["Content-Disposition"].rstrip('"').endswith(".xlsx")
    return openpyxl.load_workbook(io.BytesIO(body(response))).active


def xlsx_rows(response: Any) -> list[tuple[Any, ...]]:
    return [tuple(row) for row in xlsx_sheet(response).iter_rows(values_only=True)]


def csv_rows(response: Any) -> list[list[str]]:
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"].rstrip('"').endswith(".csv")
    data = body(response)
    assert data.startswith(codecs.BOM_UTF8), "the CSV must start with a UTF-8 byte-order mark"
    return list(csv.reader(io.StringIO(data.decode("utf-8-sig"), newline="")))


def headers(columns: Sequence[ExportColumn]) -> list[str]:
    """The header row as the pages' language (Vietnamese) writes it."""
    with translation.override("vi"):
        return [str(column.header) for column in columns]


def all_cells(rows: Sequence[Sequence[Any]]) -> list[str]:
    return [str(value) for row in rows for value in row if value is not None]
