"""Exports of list pages: the rows a page lists (every page of it, its filters applied) as .xlsx or .csv.

A list view hands the same queryset it paginates to `export_response` when the query string carries
`export=xlsx` or `export=csv` (see `requested_format`; not `format=`, which the events list
already uses to filter events by their format), so the file and the page can never disagree
and a user's subtree scope holds in both. Column definitions live in each app's `exports.py`.

Formula injection (CWE-1236, "CSV injection"). A spreadsheet runs a cell whose text starts with
`=`, `+`, `-` or `@` (and some versions one that starts with a tab or a carriage return) as a
formula: `=HYPERLINK(...)` typed into a note by one user would run on the machine of whoever opens
the export. We follow the OWASP CSV Injection guidance (also ASVS 1.2.10): such a text cell gets a
single quote prefixed, which every spreadsheet shows as text and never evaluates. The same rule
applies to both formats: an .xlsx text cell is already stored as text, but a user who edits it (or
saves the sheet as CSV) would otherwise turn it into a live formula again. OWASP's alternative of a
leading tab was not chosen: a tab is itself a trigger character for some spreadsheets and is
invisible to the reader. Only text is touched: numbers stay numbers (a negative count is -1, not
'-1) and dates stay dates. Full-width variants of the trigger characters, NUL and line feed count
too, as do leading spaces before a trigger. A text that already starts with a quote followed by a
trigger character gets one more quote, so `restore` (drop one leading quote when a trigger
follows) gives back exactly the stored text: an import of our own exports can use it.

`cell_value` is the one way text reaches a cell of any spreadsheet the product writes: these list
exports, the report appendix (reports/documents.py), the import templates and dumps
(imports/templates_xlsx.py) and the annotated copies of uploaded files (imports/annotate.py, which
also turns the uploaded file's own formulas into quoted text with `neutralise_loaded_cell`). The
importer reads text back with `restore`, so a dump imports again unchanged.

CSV: UTF-8 with a byte-order mark (Excel otherwise reads Vietnamese as Windows-1252), comma
separated, every text field in double quotes (so a delimiter inside a text, e.g. `a;=1` opened
with a semicolon list separator, never starts a new cell), numbers unquoted, dates dd/mm/yyyy.
It is streamed: memory stays flat whatever the number of rows.

XLSX: openpyxl's write-only mode (rows go to a temporary file as they come), bold header row frozen
with a filter, numbers as numbers, dates as real dates formatted dd/mm/yyyy (date-times
dd/mm/yyyy hh:mm in the local time zone).
"""

import csv
import datetime
import re
import tempfile
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any, Literal, TypeAlias

from django.db.models import QuerySet
from django.http import FileResponse, HttpRequest, HttpResponseBase, StreamingHttpResponse
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.http import content_disposition_header
from django.utils.text import capfirst
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter
from openpyxl.worksheet._write_only import WriteOnlyWorksheet

Format: TypeAlias = Literal["xlsx", "csv"]
FORMATS: tuple[Format, ...] = ("xlsx", "csv")
CellValue: TypeAlias = str | int | float | Decimal | datetime.date | datetime.datetime | None

XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
CSV_CONTENT_TYPE = "text/csv; charset=utf-8"
BOM = "\ufeff"
DATE_FORMAT = "DD/MM/YYYY"
DATETIME_FORMAT = "DD/MM/YYYY HH:MM"
# Rows fetched from the database at a time: a large export never holds the whole list in memory.
CHUNK_SIZE = 2000

# First characters a spreadsheet may read as the start of a formula (OWASP, ASVS 1.2.10), with
# their full-width forms (U+FF1D, U+FF0B, U+FF0D, U+FF20) and the control characters around them.
TRIGGERS = frozenset("=+-@\t\r\n\0\uff1d\uff0b\uff0d\uff20")
LEADING_BLANKS = " \u00a0"
# Characters XML 1.0 cannot hold (openpyxl refuses them); removed from every text in both formats.
ILLEGAL_CHARACTERS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")


def _is_dangerous(text: str) -> bool:
    """Whether the text, past any quotes and then any spaces in front, starts with a trigger."""
    stripped = text.lstrip("'").lstrip(LEADING_BLANKS)
    return bool(stripped) and stripped[0] in TRIGGERS


def neutralise(value: object) -> object:
    """The value as it is safe to put in a spreadsheet cell: a text a spreadsheet could run as a
    formula gets a single quote in front; anything else (numbers, dates, None, plain text) is
    returned unchanged."""
    if isinstance(value, str) and _is_dangerous(value):
        return f"'{value}"
    return value


def restore(text: str) -> str:
    """The text `neutralise` was given: one leading quote is dropped when a trigger follows it."""
    if text.startswith("'") and _is_dangerous(text[1:]):
        return text[1:]
    return text


@dataclass(frozen=True)
class ExportColumn:
    """One column of an export: its header (translated when the file is written) and how to read
    the cell from a row. Getters return text, numbers, dates, date-times or None (empty cell)."""

    header: str | Promise
    value_getter: Callable[[Any], CellValue]
    width: int = 18


def field_header(model: type[Any], name: str) -> Promise | str:
    """A column header from a model field's verbose name (already translated for the forms)."""
    return capfirst(model._meta.get_field(name).verbose_name)


EXPORT_PARAMETER = "export"
TABLE_PARAMETER = "table"


def requested_format(request: HttpRequest) -> Format | None:
    """`xlsx` or `csv` when the list page is asked for a file (`?export=`), else None (the page)."""
    wanted = request.GET.get(EXPORT_PARAMETER, "")
    return next((fmt for fmt in FORMATS if fmt == wanted), None)


def requested_table(request: HttpRequest, tables: Sequence[str]) -> str:
    """Which of the page's tables to export (`?table=`) on pages that list several; the first one
    unless another is named."""
    wanted = request.GET.get(TABLE_PARAMETER, "")
    return wanted if wanted in tables else tables[0]


def cell_value(value: CellValue | Promise) -> CellValue:
    """The value a spreadsheet cell holds: text cleaned of characters XML cannot carry, then
    neutralised; aware date-times in local time without a zone (spreadsheets have none)."""
    if isinstance(value, Promise):
        value = str(value)
    if isinstance(value, str):
        return neutralise(ILLEGAL_CHARACTERS.sub("", value))  # type: ignore[return-value]
    if isinstance(value, datetime.datetime) and timezone.is_aware(value):
        return timezone.make_naive(value)
    if isinstance(value, bool):
        return int(value)
    return value


def neutralise_loaded_cell(cell: Any) -> None:
    """A cell of a workbook opened with openpyxl, made safe in place: text and formulas become
    neutralised text (a formula shows as its quoted text, never runs)."""
    value = cell.value
    if cell.data_type == "f" or isinstance(value, str):
        text = value if isinstance(value, str) else getattr(value, "text", None) or str(value)
        cell.value = cell_value(text)
        cell.data_type = "s"


def _rows(rows: Iterable[Any], row_of: Callable[[Any], Any] | None) -> Iterable[Any]:
    if isinstance(rows, QuerySet):
        rows = rows.iterator(chunk_size=CHUNK_SIZE)
    return rows if row_of is None else map(row_of, rows)


def _filename(stem: str, fmt: Format) -> str:
    return f"{stem}-{timezone.localdate():%Y-%m-%d}.{fmt}"


# --- CSV ------------------------------------------------------------------------------------------


class _Echo:
    """A file-like object whose write returns the line the csv writer formatted."""

    def write(self, value: str) -> str:
        return value


def _csv_text(value: CellValue) -> CellValue:
    if isinstance(value, datetime.datetime):
        return value.strftime("%d/%m/%Y %H:%M")
    if isinstance(value, datetime.date):
        return value.strftime("%d/%m/%Y")
    if isinstance(value, Decimal):
        return int(value) if value == value.to_integral_value() else float(value)
    return value


def _csv_lines(
    rows: Iterable[Any], columns: Sequence[ExportColumn], row_of: Callable[[Any], Any] | None,
) -> Iterator[bytes]:
    writer = csv.writer(_Echo(), quoting=csv.QUOTE_NONNUMERIC, lineterminator="\r\n")
    header = writer.writerow([cell_value(str(column.header)) for column in columns])
    yield (BOM + header).encode("utf-8")
    for row in _rows(rows, row_of):
        values = [_csv_text(cell_value(column.value_getter(row))) for column in columns]
        yield writer.writerow(["" if value is None else value for value in values]).encode("utf-8")


# --- XLSX -----------------------------------------------------------------------------------------


def _xlsx_cell(sheet: WriteOnlyWorksheet, value: CellValue) -> Any:
    if isinstance(value, datetime.datetime):
        cell = WriteOnlyCell(sheet, value=value)
        cell.number_format = DATETIME_FORMAT
        return cell
    if isinstance(value, datetime.date):
        cell = WriteOnlyCell(sheet, value=value)
        cell.number_format = DATE_FORMAT
        return cell
    # Text reaches here neutralised: it cannot start with "=", the one thing openpyxl would
    # store as a formula, so it is written as a text cell.
    return value


def _xlsx_file(
    rows: Iterable[Any], columns: Sequence[ExportColumn], row_of: Callable[[Any], Any] | None, title: str,
) -> Any:
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(title=_sheet_title(title))
    for index, column in enumerate(columns, start=1):
        sheet.column_dimensions[get_column_letter(index)].width = column.width
    sheet.freeze_panes = "A2"
    bold = Font(bold=True)
    header = []
    for column in columns:
        cell = WriteOnlyCell(sheet, value=cell_value(str(column.header)))
        cell.font = bold
        header.append(cell)
    sheet.append(header)
    count = 0
    for row in _rows(rows, row_of):
        sheet.append([_xlsx_cell(sheet, cell_value(column.value_getter(row))) for column in columns])
        count += 1
    sheet.auto_filter.ref = f"A1:{get_column_letter(max(len(columns), 1))}{count + 1}"
    handle = tempfile.TemporaryFile()  # noqa: SIM115 (FileResponse closes it)
    workbook.save(handle)
    handle.seek(0)
    return handle


def _sheet_title(title: str) -> str:
    """A worksheet name Excel accepts: at most 31 characters, none of []:*?/\\."""
    return re.sub(r"[\[\]:*?/\\]", " ", title)[:31] or "Sheet"


# --- response -------------------------------------------------------------------------------------


def export_response(
    *, rows: Iterable[Any], columns: Sequence[ExportColumn], fmt: Format, filename_stem: str,
    sheet_title: str | Promise | None = None, row_of: Callable[[Any], Any] | None = None,
) -> HttpResponseBase:
    """The rows as a downloaded .xlsx or .csv file named `<stem>-<today>.<fmt>`.

    `rows` is what the page lists before pagination (a queryset is read in chunks); `row_of`, if
    given, turns each into what the page shows of it; each column's getter reads one row. The CSV
    is streamed; the .xlsx is written to a temporary file first.
    """
    name = _filename(filename_stem, fmt)
    if fmt == "csv":
        response: HttpResponseBase = StreamingHttpResponse(
            _csv_lines(rows, columns, row_of), content_type=CSV_CONTENT_TYPE
        )
    else:
        handle = _xlsx_file(rows, columns, row_of, str(sheet_title or filename_stem))
        response = FileResponse(handle, content_type=XLSX_CONTENT_TYPE)
    response["Content-Disposition"] = str(content_disposition_header(as_attachment=True, filename=name))
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    return response
