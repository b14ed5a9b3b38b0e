"""The downloadable .xlsx templates, and the same layout filled with stored records (see dump.py).

The first sheet carries the template's Vietnamese headers (bold, frozen, sized), drop-down lists of
the Vietnamese labels for choice columns, whole-number checks for counts and a dd/mm/yyyy format for
date columns. "Hướng dẫn" explains each column (required or not, format, accepted values, an
example); the drop-down lists read their labels from the hidden sheet "Danh mục". Workbooks are
written in openpyxl's write-only mode, so a filled template of 100,000 rows streams to disk.
"""

import datetime
import tempfile
from collections.abc import Iterable, Sequence
from typing import Any

from django.utils import translation
from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.comments import Comment
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter, quote_sheetname
from openpyxl.worksheet._write_only import WriteOnlyWorksheet
from openpyxl.worksheet.datavalidation import DataValidation

from chuyende.exports.tables import cell_value
from chuyende.imports.reading import choice_labels
from chuyende.imports.spec import INSTRUCTIONS_TITLE, LISTS_TITLE, Column, Sheet, sheet_of

DATE_FORMAT = "DD/MM/YYYY"
LAST_ROW = 1_048_576
HEADER_FONT = Font(bold=True)
REQUIRED_FILL = PatternFill("solid", fgColor="FFF2CC")
OPTIONAL_FILL = PatternFill("solid", fgColor="E7E6E6")
TITLE_FONT = Font(bold=True, size=13)
WRAP = Alignment(wrap_text=True, vertical="top")
XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _format_of(column: Column) -> str:
    return {
        "text": _("Text"),
        "code": _("Code"),
        "int": _("Whole number, for example 1.234"),
        "decimal": _("Number with a comma for decimals, for example 96,5"),
        "date": _("Date dd/mm/yyyy"),
        "choice": _("One value of the list"),
    }[column.kind]


def _validations(sheet: Sheet, lists: dict[str, str]) -> list[DataValidation]:
    validations = []
    for position, column in enumerate(sheet.columns):
        col = get_column_letter(position + 1)
        cells = f"{col}2:{col}{LAST_ROW}"
        prompt = str(column.help)[:250]
        if column.choices:
            validation = DataValidation(
                type="list", formula1=lists[column.key], allow_blank=True, showDropDown=False,
                showErrorMessage=True, errorTitle=column.header[:32],
                error=_("Choose a value of the list.")[:250],
            )
        elif column.kind == "int":
            validation = DataValidation(
                type="whole", operator="greaterThanOrEqual", formula1="0", allow_blank=True,
                showErrorMessage=True, errorTitle=column.header[:32],
                error=_("Write a whole number, 0 or more.")[:250],
            )
        else:
            validation = DataValidation(allow_blank=True)
        validation.showInputMessage = bool(prompt)
        validation.promptTitle = column.header[:32]
        validation.prompt = prompt
        validation.add(cells)
        validations.append(validation)
    return validations


def _list_ranges(sheet: Sheet) -> dict[str, str]:
    """Choice column key → the absolute range of its labels on the lists sheet."""
    ranges = {}
    position = 0
    for column in sheet.columns:
        if not column.choices:
            continue
        position += 1
        col = get_column_letter(position)
        ranges[column.key] = f"{quote_sheetname(LISTS_TITLE)}!${col}$2:${col}${len(column.choices) + 1}"
    return ranges


def _data_sheet(workbook: Workbook, sheet: Sheet) -> WriteOnlyWorksheet:
    data = workbook.create_sheet(sheet.title)
    assert isinstance(data, WriteOnlyWorksheet)
    for position, column in enumerate(sheet.columns):
        dimension = data.column_dimensions[get_column_letter(position + 1)]
        dimension.width = column.width
        if column.kind == "date":
            dimension.number_format = DATE_FORMAT
    data.freeze_panes = "A2"
    for validation in _validations(sheet, _list_ranges(sheet)):
        data.data_validations.append(validation)
    header = []
    for column in sheet.columns:
        cell = WriteOnlyCell(data, value=cell_value(column.header))
        cell.font = HEADER_FONT
        cell.fill = REQUIRED_FILL if column.required else OPTIONAL_FILL
        cell.alignment = WRAP
        if column.help:
            note = (_("Required.") + " " if column.required else "") + str(column.help)
            cell.comment = Comment(note, "chuyende", width=300, height=120)
        header.append(cell)
    data.append(header)
    return data


def _cell(sheet: WriteOnlyWorksheet, column: Column, value: Any) -> Any:
    if value is None or value == "":
        return None
    if column.kind == "date" and isinstance(value, datetime.date):
        cell = WriteOnlyCell(sheet, value=value)
        cell.number_format = DATE_FORMAT
        return cell
    if isinstance(value, str):
        cell = WriteOnlyCell(sheet, value=cell_value(value))
        cell.data_type = "s"  # never a formula, whatever the text
        return cell
    return value


def _instructions_sheet(workbook: Workbook, sheet: Sheet) -> None:
    notes = workbook.create_sheet(INSTRUCTIONS_TITLE)
    assert isinstance(notes, WriteOnlyWorksheet)
    for position, width in enumerate((8, 34, 10, 28, 40, 22, 70), start=1):
        notes.column_dimensions[get_column_letter(position)].width = width
    heading = _("How to fill in the sheet “%(sheet)s”") % {"sheet": sheet.title}
    title = WriteOnlyCell(notes, value=cell_value(heading))
    title.font = TITLE_FONT
    notes.append([title])
    for paragraph in sheet.instructions:
        notes.append([None, cell_value(str(paragraph))])
    notes.append([])
    header = []
    for text in (_("Column"), _("Header"), _("Required"), _("Format"), _("Accepted values"), _("Example"),
                 _("What to write")):
        cell = WriteOnlyCell(notes, value=cell_value(text))
        cell.font = HEADER_FONT
        cell.fill = REQUIRED_FILL
        header.append(cell)
    notes.append(header)
    for position, column in enumerate(sheet.columns):
        values = "; ".join(choice_labels(column)) if column.choices else ""
        row = [get_column_letter(position + 1), column.header, _("Yes") if column.required else _("No"),
               _format_of(column), values, column.example, str(column.help)]
        cells = []
        for value in row:
            cell = WriteOnlyCell(notes, value=cell_value(value) if value else None)
            cell.alignment = WRAP
            if value:
                cell.data_type = "s"
            cells.append(cell)
        notes.append(cells)


def _lists_sheet(workbook: Workbook, sheet: Sheet) -> None:
    lists = workbook.create_sheet(LISTS_TITLE)
    assert isinstance(lists, WriteOnlyWorksheet)
    lists.sheet_state = "hidden"
    columns = [column for column in sheet.columns if column.choices]
    labels = [choice_labels(column) for column in columns]
    lists.append([cell_value(column.header) for column in columns])
    for index in range(max((len(values) for values in labels), default=0)):
        lists.append([cell_value(values[index]) if index < len(values) else None for values in labels])


def write_workbook(kind: str, rows: Iterable[Sequence[Any]] = ()) -> bytes:
    """The template of `kind` with `rows` (values in column order; choices as their Vietnamese
    labels) below the header, as .xlsx bytes."""
    sheet = sheet_of(kind)
    with translation.override("vi"):
        workbook = Workbook(write_only=True)
        data = _data_sheet(workbook, sheet)
        for values in rows:
            pairs = zip(sheet.columns, values, strict=True)
            data.append([_cell(data, column, value) for column, value in pairs])
        _instructions_sheet(workbook, sheet)
        _lists_sheet(workbook, sheet)
        with tempfile.TemporaryFile() as spool:
            workbook.save(spool)
            spool.seek(0)
            return spool.read()


def template_workbook(kind: str) -> bytes:
    """The empty template of `kind` as .xlsx bytes."""
    return write_workbook(kind)


def template_filename(kind: str) -> str:
    """The download name of a template: `mau-nhap-<kind>.xlsx`."""
    return f"mau-nhap-{kind.replace('_', '-')}.xlsx"


__all__ = ["XLSX_CONTENT_TYPE", "template_filename", "template_workbook", "write_workbook"]
