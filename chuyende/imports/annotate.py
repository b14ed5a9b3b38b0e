"""The annotated copy of an uploaded file: every problem cell filled red with its message as a comment.

The copy is built from what the bounded reader (`reading.read_table`) gives, never by loading the
upload with another library: a hostile file refused by the limits is never copied, and .xls, .ods
and .csv files get the same copy as .xlsx. It holds a sheet "Lỗi" listing every problem (sheet, row,
column, value, message) and the data sheet, its header and rows at their row numbers, with the
problem cells marked. Every text and formula of the upload is written as neutralised text
(`exports.tables.cell_value`): the copy may be opened by someone else than the uploader, and must
run nothing. Merged ranges are not copied (the problem is marked on their first cell), nor are
formatting and the other sheets. A file that could not be read at all (a file-level refusal: a
limit, a damaged file) gives no copy: its problem is said on the page.
"""

import tempfile
from collections import defaultdict
from collections.abc import Iterable
from typing import Any

from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.comments import Comment
from openpyxl.styles import Font, PatternFill
from openpyxl.utils import column_index_from_string
from openpyxl.worksheet._write_only import WriteOnlyWorksheet

from chuyende.exports.tables import cell_value
from chuyende.imports.kinds.base import ImportProblem
from chuyende.imports.reading import ErrorValue, FileInput, Formula, Table, UnreadableFile, read_table
from chuyende.imports.spec import KINDS, PROBLEMS_TITLE, normalise_header

PROBLEM_FILL = PatternFill("solid", fgColor="FFC7CE")
PROBLEM_FONT = Font(color="9C0006")
HEADER_FONT = Font(bold=True)
TITLE_CHARACTERS = {ord(character): "_" for character in "[]:*?/\\"}


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


def _marks(table: Table, problems: list[ImportProblem]) -> dict[int, dict[int, list[str]]]:
    """The messages of the problems of the data sheet: row number → 0-based column → messages."""
    marks: dict[int, dict[int, list[str]]] = defaultdict(lambda: defaultdict(list))
    wanted = normalise_header(table.sheet_name)
    for problem in problems:
        if problem.row and normalise_header(problem.sheet or table.sheet_name) == wanted:
            position = column_index_from_string(_letter_of(problem) or "A") - 1
            marks[problem.row][position].append(problem.message)
    return marks


def _shown(value: Any) -> Any:
    """An uploaded value as the copy holds it: text (formulas and errors included) neutralised."""
    if isinstance(value, Formula | ErrorValue):
        return cell_value(value.text)
    if isinstance(value, bool):
        return value
    return cell_value(value)


def _marked(sheet: WriteOnlyWorksheet, value: Any, messages: list[str]) -> WriteOnlyCell:
    cell = WriteOnlyCell(sheet, value=_shown(value))
    cell.fill = PROBLEM_FILL
    cell.font = PROBLEM_FONT
    cell.comment = Comment("\n".join(messages), "chuyende", width=320, height=140)
    return cell


def _data_sheet(workbook: Workbook, table: Table, problems: list[ImportProblem]) -> None:
    marks = _marks(table, problems)
    sheet = workbook.create_sheet((table.sheet_name or "Dữ liệu").translate(TITLE_CHARACTERS)[:31])
    written = 0
    rows = ((table.header_row, tuple(table.columns)), *((row.number, row.values) for row in table.rows))
    for number, values in rows:
        while written < number - 1:
            sheet.append([])
            written += 1
        marked = marks.get(number)
        if marked:
            width = max(len(values), max(marked) + 1)
            padded = (*values, *(None,) * (width - len(values)))
            sheet.append([_marked(sheet, value, marked[position]) if position in marked else _shown(value)
                          for position, value in enumerate(padded)])
        else:
            sheet.append([_shown(value) for value in values])
        written = number


def _problems_sheet(workbook: Workbook, problems: list[ImportProblem]) -> None:
    sheet = workbook.create_sheet(PROBLEMS_TITLE)
    for letter, width in zip("ABCDE", (22, 8, 28, 24, 90), strict=True):
        sheet.column_dimensions[letter].width = width
    sheet.freeze_panes = "A2"
    header = []
    for text in (_("Sheet"), _("Row"), _("Column"), _("Value"), _("Problem")):
        cell = WriteOnlyCell(sheet, value=cell_value(text))
        cell.font = HEADER_FONT
        header.append(cell)
    sheet.append(header)
    for problem in problems:
        sheet.append([cell_value(problem.sheet or None), problem.row, cell_value(problem.column or None),
                      cell_value(problem.value or None), cell_value(problem.message)])


def annotated_copy(file: FileInput, filename: str, problems: Iterable[Any], *,
                   kind: str | None = None) -> bytes | None:
    """The uploaded file as an .xlsx with the problems marked, plus the sheet "Lỗi"; None when the
    file cannot be read (see the module). `problems` may be ImportProblem objects or their dicts
    (as kept by an import job); `kind` picks the data sheet as the import did."""
    listed = [_problem(problem) for problem in problems]
    try:
        table = read_table(file, filename=filename, sheet=KINDS[kind] if kind else None)
    except UnreadableFile:
        return None
    workbook = Workbook(write_only=True)
    with table:
        try:
            _problems_sheet(workbook, listed)
            _data_sheet(workbook, table, listed)
        except UnreadableFile:
            return None
    with tempfile.TemporaryFile() as spool:
        workbook.save(spool)
        spool.seek(0)
        return spool.read()
