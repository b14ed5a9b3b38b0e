"""Files for import tests, generated in the tests (no binary file is kept in the repository)."""

import csv
import io
from collections.abc import Iterable, Sequence
from typing import Any

from openpyxl import Workbook

from chuyende.imports.reading import choice_labels
from chuyende.imports.spec import sheet_of
from chuyende.imports.templates_xlsx import write_workbook


def headers(kind: str) -> list[str]:
    return [column.header for column in sheet_of(kind).columns]


def label(kind: str, key: str, value: str) -> str:
    """The Vietnamese label of a choice value, as the template's drop-down list offers it."""
    column = sheet_of(kind).column(key)
    values = [choice for choice, _label in column.choices or ()]
    return choice_labels(column)[values.index(value)]


def _row(kind: str, values: dict[str, Any]) -> list[Any]:
    sheet = sheet_of(kind)
    unknown = set(values) - set(sheet.by_key)
    assert not unknown, unknown
    row = []
    for column in sheet.columns:
        value = values.get(column.key)
        if column.choices and value:
            value = label(kind, column.key, value)
        row.append(value)
    return row


def template_with(kind: str, *rows: dict[str, Any]) -> bytes:
    """The template of `kind` filled with rows given as {column key: value} (choices as values)."""
    return write_workbook(kind, [_row(kind, values) for values in rows])


def workbook(rows: Iterable[Sequence[Any]], *, title: str = "Dữ liệu", merged: Sequence[str] = (),
             extra_sheets: Sequence[str] = ()) -> bytes:
    """A plain workbook (normal mode: a text starting with "=" is stored as a formula)."""
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = title
    for row in rows:
        sheet.append(list(row))
    for ref in merged:
        sheet.merge_cells(ref)
    for name in extra_sheets:
        book.create_sheet(name)
    stream = io.BytesIO()
    book.save(stream)
    return stream.getvalue()


def kind_workbook(kind: str, *rows: dict[str, Any], **options: Any) -> bytes:
    """A plain workbook with the template's headers and rows given as {column key: value}."""
    return workbook([headers(kind), *(_row(kind, values) for values in rows)], **options)


def csv_file(rows: Iterable[Sequence[Any]], *, delimiter: str = ",", bom: bool = True,
             encoding: str = "utf-8") -> bytes:
    text = io.StringIO()
    writer = csv.writer(text, delimiter=delimiter, lineterminator="\r\n")
    for row in rows:
        writer.writerow(["" if value is None else value for value in row])
    return (("\ufeff" if bom else "") + text.getvalue()).encode(encoding)


def kind_csv(kind: str, *rows: dict[str, Any], **options: Any) -> bytes:
    return csv_file([headers(kind), *(_row(kind, values) for values in rows)], **options)
