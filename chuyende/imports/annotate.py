"""The annotated copy of an uploaded file: every problem cell filled red with its message as a comment.

A workbook is copied as it was uploaded, merged cells kept, so the user sees the problems where
they are; its text and formulas become quoted text (`exports.tables.neutralise_loaded_cell`): the
copy may be opened by someone else than the uploader, and must run nothing. A CSV file becomes a
workbook with its cells as text. A sheet "Lỗi" lists every
problem (sheet, row, column, value, message). A file that could not be read at all gives a
workbook with the list alone.
"""

import csv
import io
import tempfile
from collections.abc import Iterable
from typing import Any

from django.utils.translation import gettext as _
from openpyxl import Workbook, load_workbook
from openpyxl.comments import Comment
from openpyxl.styles import Font, PatternFill
from openpyxl.utils import column_index_from_string
from openpyxl.worksheet.worksheet import Worksheet

from chuyende.exports.tables import cell_value, neutralise_loaded_cell
from chuyende.imports.kinds.base import ImportProblem
from chuyende.imports.reading import FileInput, UnreadableFile, _as_stream, _delimiter, read_table
from chuyende.imports.spec import PROBLEMS_TITLE, normalise_header

PROBLEM_FILL = PatternFill("solid", fgColor="FFC7CE")
PROBLEM_FONT = Font(color="9C0006")
HEADER_FONT = Font(bold=True)


def _problem(value: Any) -> ImportProblem:
    if isinstance(value, ImportProblem):
        return value
    if isinstance(value, dict):
        return ImportProblem.from_dict(value)
    names = ("sheet", "row", "column", "value", "message", "letter", "header")
    return ImportProblem.from_dict({name: getattr(value, name, None) for name in names})


def _letter_of(problem: ImportProblem) -> str:
    if problem.letter:
        return problem.letter
    column = problem.column.strip()
    if column.endswith(")") and "(" in column:
        column = column.rsplit("(", 1)[1].rstrip(")")
    return column if column.isalpha() and column.isupper() and len(column) <= 3 else ""


def _csv_workbook(stream: Any, name: str) -> Workbook:
    data = stream.read()
    text = data.decode("utf-8-sig")
    workbook = Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.title = (name.rsplit(".", 1)[0] or "CSV")[:31].translate({ord(c): "_" for c in "[]:*?/\\"})
    for cells in csv.reader(io.StringIO(text, newline=""), delimiter=_delimiter(text.split("\n", 1)[0])):
        sheet.append([cell_value(cell) if cell else None for cell in cells])
        for cell in sheet[sheet.max_row]:
            if cell.value is not None:
                cell.data_type = "s"
    return workbook


def _open(file: FileInput, filename: str) -> Workbook | None:
    try:
        with read_table(file, filename=filename):
            pass  # the same checks as the import: a file it cannot read is not copied
    except UnreadableFile:
        return None
    stream = _as_stream(file)
    try:
        if filename.lower().endswith(".csv"):
            return _csv_workbook(stream, filename)
        workbook = load_workbook(stream, data_only=False)
    except Exception:  # an untrusted file that the streaming reader accepted but the full reader did not
        return None
    _neutralise_uploaded(workbook)
    return workbook


def _neutralise_uploaded(workbook: Workbook) -> None:
    """The copy shows the uploaded text and formulas as quoted text: whoever opens it runs nothing."""
    for sheet in workbook.worksheets:
        for row in sheet.iter_rows():
            for cell in row:
                neutralise_loaded_cell(cell)


def _sheet_for(workbook: Workbook, name: str) -> Worksheet | None:
    wanted = normalise_header(name)
    for sheet in workbook.worksheets:
        if normalise_header(sheet.title) == wanted:
            return sheet
    return workbook.worksheets[0] if workbook.worksheets else None


def _mark(sheet: Worksheet, problem: ImportProblem) -> None:
    if not problem.row:
        return
    letter = _letter_of(problem) or "A"
    row, column = problem.row, column_index_from_string(letter)
    for merged in sheet.merged_cells.ranges:
        if merged.min_row <= row <= merged.max_row and merged.min_col <= column <= merged.max_col:
            row, column = merged.min_row, merged.min_col
            break
    cell = sheet.cell(row=row, column=column)
    cell.fill = PROBLEM_FILL
    cell.font = PROBLEM_FONT
    text = problem.message
    if cell.comment is not None:
        text = f"{cell.comment.text}\n{text}"
    cell.comment = Comment(text, "chuyende", width=320, height=140)


def _problems_sheet(workbook: Workbook, problems: list[ImportProblem]) -> None:
    if PROBLEMS_TITLE in workbook.sheetnames:
        del workbook[PROBLEMS_TITLE]
    sheet = workbook.create_sheet(PROBLEMS_TITLE, 0)
    sheet.append([cell_value(text) for text in (_("Sheet"), _("Row"), _("Column"), _("Value"), _("Problem"))])
    for cell in sheet[1]:
        cell.font = HEADER_FONT
    for problem in problems:
        sheet.append([problem.sheet or None, problem.row, problem.column or None, problem.value or None,
                      problem.message])
        for cell in sheet[sheet.max_row]:
            neutralise_loaded_cell(cell)
    for letter, width in zip("ABCDE", (22, 8, 28, 24, 90), strict=True):
        sheet.column_dimensions[letter].width = width
    sheet.freeze_panes = "A2"


def annotated_copy(file: FileInput, filename: str, problems: Iterable[Any]) -> bytes:
    """The uploaded file (a CSV converted to .xlsx) with the problems marked, plus the sheet "Lỗi".

    `problems` may be ImportProblem objects or their dicts (as kept by an import job).
    """
    listed = [_problem(problem) for problem in problems]
    workbook = _open(file, filename)
    if workbook is None:
        workbook = Workbook()
        default = workbook.active
        if default is not None:
            workbook.remove(default)
    else:
        for problem in listed:
            sheet = _sheet_for(workbook, problem.sheet)
            if sheet is not None:
                _mark(sheet, problem)
    _problems_sheet(workbook, listed)
    workbook.active = 0
    with tempfile.TemporaryFile() as spool:
        workbook.save(spool)
        spool.seek(0)
        return spool.read()
