"""The downloadable .xlsx templates, and the same layout filled with stored records (see dump.py).

The first sheet carries the template's Vietnamese headers (bold, frozen, sized), drop-down lists of
the Vietnamese labels for choice columns, whole-number checks for counts and a dd/mm/yyyy format for
date columns. "Hướng dẫn" explains each column (required or not, format, accepted values, an
example); the drop-down lists read their labels from the hidden sheet "Danh mục". Workbooks are
written in openpyxl's write-only mode, so a filled template of 100,000 rows streams to disk.

Columns naming a unit (`Column.unit_list`) offer the codes of the user's subtree as a drop-down. The
codes sit on "Danh mục" beside the units' names (a province has thousands of units, far beyond the
255 characters of an inline list); the drop-down shows the codes, the instructions say where to look
a name up. A code typed outside the list is refused ("stop"): the import would refuse it anyway, and
cells pasted from elsewhere are never checked by Excel or LibreOffice, so pasting stays possible.
The units template's parent column only warns, since a parent may be added by the same file.
"""

import datetime
import tempfile
from collections.abc import Iterable, Sequence
from itertools import zip_longest
from typing import Any

from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import pgettext
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.comments import Comment
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter, quote_sheetname
from openpyxl.worksheet._write_only import WriteOnlyWorksheet
from openpyxl.worksheet.datavalidation import DataValidation

from chuyende.accounts.models import User
from chuyende.core.numbers import format_number
from chuyende.exports.tables import cell_value
from chuyende.imports.reading import choice_labels
from chuyende.imports.selectors import unit_codes_of
from chuyende.imports.spec import INSTRUCTIONS_TITLE, LISTS_TITLE, Column, Sheet, sheet_of

DATE_FORMAT = "DD/MM/YYYY"
LAST_ROW = 1_048_576
HEADER_FONT = Font(bold=True)
REQUIRED_FILL = PatternFill("solid", fgColor="FFF2CC")
OPTIONAL_FILL = PatternFill("solid", fgColor="E7E6E6")
TITLE_FONT = Font(bold=True, size=13)
WRAP = Alignment(wrap_text=True, vertical="top")
XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
UNIT_CODES_HEADER = "Mã đơn vị"
UNIT_NAMES_HEADER = "Tên đơn vị"

# (code, name) of the units a template offers in its unit columns, in tree order.
UnitCodes = Sequence[tuple[str, str]]


def _format_of(column: Column) -> str:
    return {
        "text": _("Text"),
        "code": _("Code"),
        "int": _("Whole number, for example 1.234"),
        "decimal": _("Number with a comma for decimals, for example 96,5"),
        "date": _("Date dd/mm/yyyy"),
        "choice": _("One value of the list"),
    }[column.kind]


def _unit_validation(column: Column, codes: str) -> DataValidation:
    if column.unit_list == "warning":
        error = _("This code is not one of your units. Keep it only if another row of this file adds "
                  "that unit.")
    else:
        error = _("Choose the code of one of your units from the list. A unit added after this file "
                  "was downloaded: download the template again.")
    return DataValidation(
        type="list", formula1=codes, allow_blank=True, showDropDown=False, showErrorMessage=True,
        errorStyle=column.unit_list, errorTitle=column.header[:32], error=error[:250],
    )


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
        elif column.unit_list and column.key in lists:
            validation = _unit_validation(column, lists[column.key])
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


def _absolute_range(position: int, count: int) -> str:
    col = get_column_letter(position)
    return f"{quote_sheetname(LISTS_TITLE)}!${col}$2:${col}${count + 1}"


def _offered(sheet: Sheet, units: UnitCodes | None) -> UnitCodes:
    """The units the sheet's unit columns offer: none for a sheet without unit columns."""
    return units if units and sheet.unit_columns else ()


def _list_ranges(sheet: Sheet, units: UnitCodes) -> dict[str, str]:
    """Choice or unit column key → the absolute range of its values on the lists sheet: one column per
    choice column, then the unit codes (shared by every unit column) and their names."""
    choice_columns = [column for column in sheet.columns if column.choices]
    ranges = {column.key: _absolute_range(position, len(column.choices or ()))
              for position, column in enumerate(choice_columns, start=1)}
    if units:
        codes = _absolute_range(len(choice_columns) + 1, len(units))
        ranges.update({column.key: codes for column in sheet.unit_columns})
    return ranges


def _data_sheet(workbook: Workbook, sheet: Sheet, units: UnitCodes) -> WriteOnlyWorksheet:
    data = workbook.create_sheet(sheet.title)
    assert isinstance(data, WriteOnlyWorksheet)
    for position, column in enumerate(sheet.columns):
        dimension = data.column_dimensions[get_column_letter(position + 1)]
        dimension.width = column.width
        if column.kind == "date":
            dimension.number_format = DATE_FORMAT
    data.freeze_panes = "A2"
    for validation in _validations(sheet, _list_ranges(sheet, units)):
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


def instructions_headers() -> tuple[str, ...]:
    """The headers of the table that explains each column on the instructions sheet."""
    return (_("Column"), pgettext("spreadsheet", "Header"), _("Required"), pgettext("spreadsheet", "Format"),
            _("Accepted values"), _("Example"), _("What to write"))


def _units_paragraph(count: int) -> str:
    return _("The unit code columns offer the codes of your unit and of every unit below it "
             "(%(count)s units when this file was made). To find a unit's code, look at the Units page "
             "of the application, or at the sheet “%(sheet)s” of this file, which lists every code "
             "beside the unit's name; the sheet is hidden: right-click a sheet tab and choose Unhide.") % {
        "count": format_number(count), "sheet": LISTS_TITLE}


def _instructions_sheet(workbook: Workbook, sheet: Sheet, units: UnitCodes) -> None:
    notes = workbook.create_sheet(INSTRUCTIONS_TITLE)
    assert isinstance(notes, WriteOnlyWorksheet)
    for position, width in enumerate((8, 34, 10, 28, 40, 22, 70), start=1):
        notes.column_dimensions[get_column_letter(position)].width = width
    heading = _("How to fill in the sheet “%(sheet)s”") % {"sheet": sheet.title}
    title = WriteOnlyCell(notes, value=cell_value(heading))
    title.font = TITLE_FONT
    notes.append([title])
    paragraphs = [str(paragraph) for paragraph in sheet.instructions]
    if units:
        paragraphs.append(_units_paragraph(len(units)))
    for paragraph in paragraphs:
        notes.append([None, cell_value(paragraph)])
    notes.append([])
    header = []
    for text in instructions_headers():
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


def _lists_sheet(workbook: Workbook, sheet: Sheet, units: UnitCodes) -> None:
    lists = workbook.create_sheet(LISTS_TITLE)
    assert isinstance(lists, WriteOnlyWorksheet)
    lists.sheet_state = "hidden"
    columns = [column for column in sheet.columns if column.choices]
    headers: list[str] = [column.header for column in columns]
    values: list[Sequence[str]] = [choice_labels(column) for column in columns]
    if units:
        headers += [UNIT_CODES_HEADER, UNIT_NAMES_HEADER]
        values += [[code for code, _name in units], [name for _code, name in units]]
    lists.append([cell_value(header) for header in headers])
    for row in zip_longest(*values):
        lists.append([None if value is None else cell_value(value) for value in row])


def write_workbook(kind: str, rows: Iterable[Sequence[Any]] = (), *, units: UnitCodes | None = None) -> bytes:
    """The template of `kind` with `rows` (values in column order; choices as their Vietnamese
    labels) below the header, as .xlsx bytes. `units`: the (code, name) pairs its unit columns
    offer (no drop-down for them when None)."""
    sheet = sheet_of(kind)
    offered = _offered(sheet, units)
    with translation.override("vi"):
        workbook = Workbook(write_only=True)
        data = _data_sheet(workbook, sheet, offered)
        for values in rows:
            pairs = zip(sheet.columns, values, strict=True)
            data.append([_cell(data, column, value) for column, value in pairs])
        _instructions_sheet(workbook, sheet, offered)
        _lists_sheet(workbook, sheet, offered)
        with tempfile.TemporaryFile() as spool:
            workbook.save(spool)
            spool.seek(0)
            return spool.read()


def template_workbook(kind: str, *, actor: User | None = None) -> bytes:
    """The empty template of `kind` as .xlsx bytes; its unit columns offer the codes of the actor's
    subtree (no drop-down without an actor)."""
    return write_workbook(kind, units=unit_codes_of(actor=actor) if actor is not None else None)


def template_filename(kind: str) -> str:
    """The download name of a template: `mau-nhap-<kind>.xlsx`."""
    return f"mau-nhap-{kind.replace('_', '-')}.xlsx"


__all__ = ["XLSX_CONTENT_TYPE", "UnitCodes", "instructions_headers", "template_filename", "template_workbook",
           "write_workbook"]
