"""Reading an uploaded .xlsx or .csv file into header and rows, and reading each cell as a value.

`read_table` opens the file and finds the data sheet and its header row; its rows come one at a time
(openpyxl's streaming parser for .xlsx, so 100,000 rows never sit in memory as cell objects).
Formulas are detected, not evaluated (the workbook is read with `data_only=False`): a cell holding
one comes back as `Formula`, a cell showing an Excel error as `ErrorValue`. Merged ranges of the
sheet are listed in `Table.merged`. `match_columns` pairs the header with a template `Sheet`, and
`parse_cell` reads one raw cell as the column's kind (Vietnamese numbers, dd/mm/yyyy dates, Excel
serial dates, choice labels) or raises `CellError` with a message for the user.
"""

import codecs
import csv
import datetime
import difflib
import io
import re
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from itertools import chain
from pathlib import Path
from typing import IO, Any

from django.utils import translation
from django.utils.translation import gettext as _
from lxml import etree
from openpyxl.reader.excel import ExcelReader
from openpyxl.styles.stylesheet import apply_stylesheet
from openpyxl.utils import get_column_letter
from openpyxl.utils.datetime import from_excel, from_ISO8601
from openpyxl.xml.constants import SHARED_STRINGS, SHEET_MAIN_NS

from chuyende.imports.spec import NON_DATA_TITLES, Column, Sheet, normalise_header

XLSX_SIGNATURE = b"PK\x03\x04"
OLE_SIGNATURE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
# Serial numbers read as dates: 1 Jan 1900 to 31 Dec 2100 (Excel's 1900 date system).
SERIAL_MIN, SERIAL_MAX = 1, 73415
MERGE_CELL = re.compile(rb"<(?:\w+:)?mergeCell\b[^>]*?\bref=\"([A-Z]+[0-9]+(?::[A-Z]+[0-9]+)?)\"")
SCAN_CHUNK = 1 << 20
ROW_TAG, C_TAG, V_TAG, F_TAG, IS_TAG, T_TAG, R_TAG, SI_TAG = (
    f"{{{SHEET_MAIN_NS}}}{name}" for name in ("row", "c", "v", "f", "is", "t", "r", "si")
)
MERGE_OVERLAP = 256

FileInput = str | Path | bytes | IO[bytes]


class UnreadableFile(Exception):
    """The file cannot be read as a spreadsheet; `message` says why, for the user."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class CellError(Exception):
    """A cell that cannot be read as its column's kind; `message` is for the user."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


@dataclass(frozen=True)
class Formula:
    """A cell holding a formula (its text starts with `=`)."""

    text: str

    def __str__(self) -> str:
        return self.text


@dataclass(frozen=True)
class ErrorValue:
    """A cell showing an Excel error such as `#REF!`."""

    text: str

    def __str__(self) -> str:
        return self.text


@dataclass(frozen=True)
class Row:
    """A data row: its 1-based spreadsheet row number and raw cells by position (header order)."""

    number: int
    values: tuple[Any, ...]

    def is_empty(self) -> bool:
        return all(is_blank(value) for value in self.values)


@dataclass
class Table:
    """The data sheet of a file: its name, header row number and texts, and its data rows.

    `rows` is an iterator (each row read once); `total_rows` is the number of rows below the header
    as the file declares it (an estimate for .xlsx: trailing empty rows count), None if unknown.
    `merged` lists the merged ranges of the sheet ("A2:C2"). Close the table when done.
    """

    sheet_name: str
    header_row: int
    columns: list[str]
    rows: Iterator[Row]
    total_rows: int | None = None
    merged: list[str] = field(default_factory=list)
    is_csv: bool = False
    _closer: Any = None

    def close(self) -> None:
        if self._closer is not None:
            self._closer()
            self._closer = None

    def __enter__(self) -> "Table":
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def is_blank(value: Any) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def letter(position: int) -> str:
    """The spreadsheet letter of a 0-based column position."""
    return get_column_letter(position + 1)


# --- opening --------------------------------------------------------------------------------------

def _as_stream(source: FileInput) -> IO[bytes]:
    if isinstance(source, str | Path):
        return open(source, "rb")
    if isinstance(source, bytes):
        return io.BytesIO(source)
    source.seek(0)
    return source


def _extension(filename: str) -> str:
    return filename.rsplit(".", 1)[-1].lower() if "." in filename else ""


def read_table(source: FileInput, *, filename: str, sheet: Sheet | None = None) -> Table:
    """Opens an .xlsx or .csv file and returns its data sheet; raises UnreadableFile.

    The data sheet of a workbook is the one titled like `sheet.title` if there is one, else the
    first visible sheet that is not the instructions, lists or problems sheet. The header row is
    the first row with any value in it.
    """
    stream = _as_stream(source)
    head = stream.read(8)
    stream.seek(0)
    extension = _extension(filename)
    name = Path(filename).name
    if not head:
        raise UnreadableFile(_("“%(name)s” is empty.") % {"name": name})
    if head.startswith(OLE_SIGNATURE):
        raise UnreadableFile(_(
            "“%(name)s” is an Excel 97–2003 workbook (.xls). Open it in Excel, save it as an Excel "
            "workbook (.xlsx) and upload it again."
        ) % {"name": name})
    if extension == "csv":
        if head.startswith(XLSX_SIGNATURE):
            raise UnreadableFile(_(
                "“%(name)s” is named .csv but is not a text file. Save the sheet as “CSV UTF-8 (comma "
                "delimited)” and upload it again."
            ) % {"name": name})
        return _read_csv(stream.read(), name=name, sheet=sheet)
    if extension != "xlsx":
        raise UnreadableFile(_(
            "“%(name)s” is not a spreadsheet: only Excel workbooks (.xlsx) and CSV files in UTF-8 (.csv) "
            "can be imported."
        ) % {"name": name})
    if not head.startswith(XLSX_SIGNATURE):
        raise UnreadableFile(_(
            "“%(name)s” is named .xlsx but is not an Excel workbook: the file is damaged or is another "
            "kind of file renamed."
        ) % {"name": name})
    return _read_xlsx(stream, name=name, sheet=sheet)


def _damaged(name: str) -> UnreadableFile:
    return UnreadableFile(_(
        "“%(name)s” is damaged and cannot be opened as an Excel workbook. Open it in Excel, save it "
        "again as .xlsx and upload the new file."
    ) % {"name": name})


def _choose_sheet(titles: list[str], states: list[str], sheet: Sheet | None) -> str | None:
    if sheet is not None:
        wanted = normalise_header(sheet.title)
        for title in titles:
            if normalise_header(title) == wanted:
                return title
    skipped = {normalise_header(title) for title in NON_DATA_TITLES}
    for title, state in zip(titles, states, strict=True):
        if state == "visible" and normalise_header(title) not in skipped:
            return title
    return None


@dataclass(frozen=True)
class _Book:
    """What reading a sheet needs from its workbook: the archive, shared strings, the styles that
    format dates, the date system, and the worksheets (title, state, path in the archive)."""

    archive: zipfile.ZipFile
    strings: list[str]
    date_styles: frozenset[int]
    epoch: datetime.datetime
    sheets: list[tuple[str, str, str]]


def _open_book(stream: IO[bytes]) -> _Book:
    """The workbook's parts, without reading any worksheet (openpyxl's loader would scan them all)."""
    reader = ExcelReader(stream, read_only=True, data_only=False, keep_links=False)
    reader.read_manifest()
    reader.read_workbook()
    apply_stylesheet(reader.archive, reader.wb)
    strings: list[str] = []
    part = reader.package.find(SHARED_STRINGS)
    if part is not None:
        with reader.archive.open(part.PartName[1:]) as source:
            strings = _shared_strings(source)
    sheets = [
        (sheet.name, sheet.state or "visible", rel.target)
        for sheet, rel in reader.parser.find_sheets()
        if rel.target in reader.valid_files and "chartsheet" not in rel.Type
    ]
    return _Book(archive=reader.archive, strings=strings, date_styles=frozenset(reader.wb._date_formats),
                 epoch=reader.wb.epoch, sheets=sheets)


def _iterparse(source: IO[bytes], tags: tuple[str, ...]) -> Any:
    # An untrusted file: no entities resolved, nothing fetched.
    return etree.iterparse(source, events=("end",), tag=tags, resolve_entities=False, no_network=True,
                           huge_tree=True)


def _text_of(element: Any) -> str:
    """The text of a string item (shared or inline), leaving out phonetic runs."""
    parts = []
    for child in element:
        if child.tag == T_TAG:
            parts.append(child.text or "")
        elif child.tag == R_TAG:
            parts.extend(t.text or "" for t in child.iter(T_TAG))
    return "".join(parts).replace("_x005F_", "_")


def _shared_strings(source: IO[bytes]) -> list[str]:
    strings = []
    for _event, element in _iterparse(source, (SI_TAG,)):
        strings.append(_text_of(element))
        element.clear()
    return strings


def _read_xlsx(stream: IO[bytes], *, name: str, sheet: Sheet | None) -> Table:
    try:
        book = _open_book(stream)
    except Exception as error:  # an untrusted file: every failure of the reader means "damaged"
        raise _damaged(name) from error
    try:
        titles = [title for title, _state, _path in book.sheets]
        states = [state for _title, state, _path in book.sheets]
        title = _choose_sheet(titles, states, sheet)
        if title is None:
            raise UnreadableFile(_("“%(name)s” has no sheet with data.") % {"name": name})
        path = book.sheets[titles.index(title)][2]
        merged, declared = _scan_sheet(book.archive, path)
        header_number, header, rows = _find_header(_xlsx_rows(book, path, name), sheet)
    except UnreadableFile:
        book.archive.close()
        raise
    except Exception as error:
        book.archive.close()
        raise _damaged(name) from error
    columns = [_header_text(value) for value in header]
    while columns and not columns[-1]:
        columns.pop()
    width = len(columns)
    total = max(declared - header_number, 0) if declared and header_number else None
    # A merged title above the table is no concern of the import.
    merged = [ref for ref in merged if _last_row(ref) >= header_number]
    return Table(
        sheet_name=title, header_row=header_number, columns=columns,
        rows=(Row(number, _fit(values, width)) for number, values in rows),
        total_rows=total, merged=merged, _closer=book.archive.close,
    )


def _column_index(reference: str, cache: dict[str, int]) -> int:
    """The 0-based column of a cell reference such as "AB12"."""
    letters = reference.rstrip("0123456789")
    index = cache.get(letters)
    if index is None:
        index = 0
        for char in letters:
            index = index * 26 + ord(char) - 64
        index -= 1
        cache[letters] = index
    return index


def _xlsx_rows(book: _Book, path: str, name: str) -> Iterator[tuple[int, tuple[Any, ...]]]:
    """(row number, values by position) for every row element of the sheet, in order."""
    columns: dict[str, int] = {}
    strings, date_styles, epoch = book.strings, book.date_styles, book.epoch
    number = 0
    try:
        with book.archive.open(path) as source:
            for _event, row in _iterparse(source, (ROW_TAG,)):
                given = row.get("r")
                number = int(given) if given else number + 1
                values: list[Any] = []
                for cell in row.iterchildren(C_TAG):
                    reference = cell.get("r")
                    position = _column_index(reference, columns) if reference else len(values)
                    if position >= len(values):
                        values.extend([None] * (position + 1 - len(values)))
                    values[position] = _cell_value(cell, strings, date_styles, epoch)
                yield number, tuple(values)
                row.clear()
                while row.getprevious() is not None:
                    del row.getparent()[0]
    except UnreadableFile:
        raise
    except Exception as error:
        raise _damaged(name) from error


def _cell_value(cell: Any, strings: list[str], date_styles: frozenset[int], epoch: datetime.datetime) -> Any:
    kind = cell.get("t", "n")
    formula = cell.find(F_TAG)
    if formula is not None:
        return Formula("=" + (formula.text or ""))
    if kind == "inlineStr":
        inline = cell.find(IS_TAG)
        return _text_of(inline) if inline is not None else None
    text = cell.findtext(V_TAG)
    if text is None or text == "":
        return None
    if kind == "s":
        return strings[int(text)]
    if kind == "n":
        value: Any = float(text) if ("." in text or "E" in text or "e" in text) else int(text)
        style = cell.get("s")
        if style and int(style) in date_styles:
            try:
                return from_excel(value, epoch)
            except (OverflowError, ValueError):
                return ErrorValue("#VALUE!")
        return value
    if kind == "str":
        return text
    if kind == "b":
        return text == "1"
    if kind == "e":
        return ErrorValue(text)
    if kind == "d":
        return from_ISO8601(text)
    return text


def _last_row(reference: str) -> int:
    last = reference.split(":")[-1]
    return int(last.lstrip("ABCDEFGHIJKLMNOPQRSTUVWXYZ") or 0)


ROW_PATTERN = re.compile(rb"<(?:\w+:)?row[\s>/]")


def _scan_sheet(archive: zipfile.ZipFile, path: str) -> tuple[list[str], int]:
    """The merged ranges of a sheet ("A2:C2") and its number of row elements, by scanning its XML."""
    found: dict[str, None] = {}
    rows = 0
    tail = b""
    with archive.open(path) as source:
        while chunk := source.read(SCAN_CHUNK):
            data = tail + chunk
            found.update((match.group(1).decode(), None) for match in MERGE_CELL.finditer(data))
            # A match wholly inside the tail was counted with the previous chunk.
            rows += sum(1 for match in ROW_PATTERN.finditer(data) if match.end() > len(tail))
            tail = data[-MERGE_OVERLAP:]  # a tag cut in two is found whole with the next chunk
    return list(found), rows


HEADER_SEARCH_ROWS = 10


def _find_header(
    rows: Iterator[tuple[int, tuple[Any, ...]]], sheet: Sheet | None,
) -> tuple[int, tuple[Any, ...], Iterator[tuple[int, tuple[Any, ...]]]]:
    """(header row number, header cells, the rows after it).

    The header is the first of the first ten non-empty rows that names at least two of the
    template's columns, so a title above the table ("DANH SÁCH ĐẢNG VIÊN ...") is passed over; if
    none does, the first non-empty row (its problems are then reported against the template).
    """
    names = {name for column in sheet.columns for name in column.names()} if sheet is not None else set()
    seen: list[tuple[int, tuple[Any, ...]]] = []
    for number, values in rows:
        if all(is_blank(value) for value in values):
            if seen:
                seen.append((number, values))
            continue
        seen.append((number, values))
        known = sum(1 for value in values if normalise_header(_header_text(value)) in names)
        if known >= min(2, len(names)) and names:
            return number, values, rows
        if sum(1 for _number, cells in seen if any(not is_blank(v) for v in cells)) >= HEADER_SEARCH_ROWS:
            break
    if not seen:
        return 0, (), rows
    first_number, first_values = seen[0]
    return first_number, first_values, chain(seen[1:], rows)


def _header_text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return " ".join(str(value).split())


def _fit(values: tuple[Any, ...], width: int) -> tuple[Any, ...]:
    if len(values) == width:
        return values
    if len(values) < width:
        return values + (None,) * (width - len(values))
    extra = values[width:]
    if all(is_blank(value) for value in extra):
        return values[:width]
    return values  # cells beyond the header: reported by the engine


def _read_csv(data: bytes, *, name: str, sheet: Sheet | None) -> Table:
    if b"\x00" in data[:65536]:
        raise UnreadableFile(_(
            "“%(name)s” is named .csv but is not a text file. Save the sheet as “CSV UTF-8 (comma "
            "delimited)” and upload it again."
        ) % {"name": name})
    try:
        text = codecs.decode(data, "utf-8-sig")
    except UnicodeDecodeError:
        raise UnreadableFile(_(
            "“%(name)s” is not in UTF-8, so its Vietnamese letters would be garbled. Save the sheet as "
            "“CSV UTF-8 (comma delimited)” and upload it again."
        ) % {"name": name}) from None
    first_line = text.split("\n", 1)[0]
    delimiter = _delimiter(first_line)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    numbered: Iterator[tuple[int, tuple[Any, ...]]] = (
        (number, tuple(cell if cell != "" else None for cell in cells))
        for number, cells in enumerate(reader, start=1)
    )
    try:
        header_number, header, numbered = _find_header(numbered, sheet)
    except csv.Error as error:
        raise UnreadableFile(_("“%(name)s” is not a valid CSV file: %(error)s")
                             % {"name": name, "error": error}) from error
    columns = [_header_text(value) for value in header]
    while columns and not columns[-1]:
        columns.pop()
    width = len(columns)
    lines = text.count("\n") + (0 if text.endswith("\n") else 1)

    def rows() -> Iterator[Row]:
        try:
            for number, values in numbered:
                yield Row(number, _fit(values, width))
        except csv.Error as error:
            raise UnreadableFile(_("“%(name)s” is not a valid CSV file: %(error)s")
                                 % {"name": name, "error": error}) from error

    return Table(sheet_name=Path(name).stem[:31], header_row=header_number, columns=columns, rows=rows(),
                 total_rows=max(lines - header_number, 0) if header_number else None, is_csv=True)


def _delimiter(line: str) -> str:
    """`;` when the header line has more semicolons than commas (Excel with a comma decimal), tab
    likewise, else `,`; quoted text is not counted."""
    bare = re.sub(r'"[^"]*"', "", line)
    counts = {delimiter: bare.count(delimiter) for delimiter in (",", ";", "\t")}
    best = max(counts, key=lambda d: counts[d])
    return best if counts[best] else ","


# --- the header -----------------------------------------------------------------------------------

@dataclass(frozen=True)
class HeaderProblem:
    """A problem of the header: the 0-based position (None: a column missing), value and message."""

    position: int | None
    value: str
    message: str


@dataclass
class ColumnMatch:
    """Which file column feeds which template column.

    positions: column key → 0-based position in the file; missing: required columns not found;
    unknown: (position, header) of file columns the template does not have; problems: every header
    problem with its message (missing, unknown or repeated columns).
    """

    positions: dict[str, int]
    missing: list[Column]
    unknown: list[tuple[int, str]]
    problems: list[HeaderProblem]

    @property
    def ok(self) -> bool:
        return not self.problems

    def values(self, row: Row) -> dict[str, Any]:
        """The row's raw cells by column key (only columns present in the file)."""
        cells = row.values
        return {key: cells[position] if position < len(cells) else None
                for key, position in self.positions.items()}


def match_columns(table: Table, sheet: Sheet, *, defaults: frozenset[str] = frozenset()) -> ColumnMatch:
    """Pairs the file's header with the template, ignoring case, diacritics and spacing.

    Required columns missing (unless a default for them is given in `defaults`), columns the
    template does not have (with the closest missing header suggested) and columns repeated are
    problems. An empty header above an empty column is ignored.
    """
    by_name: dict[str, Column] = {}
    for column in sheet.columns:
        for name in column.names():
            by_name.setdefault(name, column)
    positions: dict[str, int] = {}
    unknown: list[tuple[int, str]] = []
    problems: list[HeaderProblem] = []
    for position, text in enumerate(table.columns):
        if not text:
            unknown.append((position, ""))
            continue
        found = by_name.get(normalise_header(text))
        if found is None:
            unknown.append((position, text))
        elif found.key in positions:
            problems.append(HeaderProblem(position, text, _(
                "The column “%(header)s” appears twice (columns %(first)s and %(second)s); keep one."
            ) % {"header": found.header, "first": letter(positions[found.key]),
                 "second": letter(position)}))
        else:
            positions[found.key] = position
    missing = [column for column in sheet.columns
               if column.required and column.key not in positions and column.key not in defaults]
    absent_headers = [column.header for column in sheet.columns if column.key not in positions]
    for position, text in unknown:
        if not text:
            problems.append(HeaderProblem(position, "", _(
                "This column has no header. Delete it, or give it one of the template's headers."
            )))
            continue
        guess = _closest(text, absent_headers)
        if guess:
            message = _("The template has no column “%(header)s”. Did you mean “%(guess)s”? Use the "
                        "template's header, or delete the column.") % {"header": text, "guess": guess}
        else:
            message = _("The template has no column “%(header)s”. Delete the column or use the "
                        "template's header.") % {"header": text}
        problems.append(HeaderProblem(position, text, message))
    for column in missing:
        problems.append(HeaderProblem(None, "", _(
            "The required column “%(header)s” is missing. Add it with this header."
        ) % {"header": column.header}))
    return ColumnMatch(positions=positions, missing=missing, unknown=unknown, problems=problems)


def _closest(text: str, headers: list[str]) -> str | None:
    folded = {normalise_header(header): header for header in headers}
    found = difflib.get_close_matches(normalise_header(text), list(folded), n=1, cutoff=0.6)
    return folded[found[0]] if found else None


# --- cells ----------------------------------------------------------------------------------------

THOUSANDS = re.compile(r"^-?\d{1,3}(?:[.\u00a0 ]\d{3})+$")
INTEGER = re.compile(r"^-?\d+$")
DECIMAL_COMMA = re.compile(r"^-?\d{1,3}(?:\.\d{3})*,\d+$|^-?\d+,\d+$")
DECIMAL_DOT = re.compile(r"^-?\d+\.\d+$")
DMY = re.compile(r"^(\d{1,2})\s*[/.\-]\s*(\d{1,2})\s*[/.\-]\s*(\d{4})$")
ISO = re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})(?:[T ]00:00(?::00(?:\.0+)?)?)?$")
TRIGGERS = frozenset("=+-@\t\r\n\0\uff1d\uff0b\uff0d\uff20")


def display(value: Any) -> str:
    """A raw cell as text for a problem report or a preview."""
    if value is None:
        return ""
    if isinstance(value, datetime.datetime):
        if value.time() == datetime.time(0):
            return value.strftime("%d/%m/%Y")
        return value.strftime("%d/%m/%Y %H:%M")
    if isinstance(value, datetime.date):
        return value.strftime("%d/%m/%Y")
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    return str(value)


def restore_text(text: str) -> str:
    """Undoes the quote an export puts before a text a spreadsheet would run as a formula."""
    if text.startswith("'") and text[1:].lstrip(" \u00a0")[:1] in TRIGGERS and text[1:].strip():
        return text[1:]
    return text


def _check_not_special(value: Any) -> None:
    if isinstance(value, Formula):
        raise CellError(_("Formulas are not accepted: type the value itself (copy the cells and "
                          "paste them as values)."))
    if isinstance(value, ErrorValue):
        raise CellError(_("The cell shows the error %(error)s; type the value itself.")
                        % {"error": value.text})


def parse_text(value: Any) -> str:
    _check_not_special(value)
    if value is None:
        return ""
    if isinstance(value, datetime.date | float | int):
        return display(value)
    return restore_text(str(value).strip())


def parse_code(value: Any) -> str:
    _check_not_special(value)
    if isinstance(value, bool):
        raise CellError(_("“%(value)s” is not a code.") % {"value": display(value)})
    if isinstance(value, float):
        if not value.is_integer():
            raise CellError(_("“%(value)s” is not a code.") % {"value": display(value)})
        return str(int(value))
    if isinstance(value, datetime.date):
        raise CellError(_("“%(value)s” is a date, not a code.") % {"value": display(value)})
    return "" if value is None else " ".join(str(value).split())


def parse_int(value: Any) -> int | None:
    """A whole number: a number cell, or text like `1234`, `1.234` or `1 234`. None when empty."""
    _check_not_special(value)
    if is_blank(value):
        return None
    if isinstance(value, bool | datetime.date):
        raise CellError(_("“%(value)s” is not a whole number.") % {"value": display(value)})
    if isinstance(value, int):
        return value
    if isinstance(value, float):
        if value.is_integer():
            return int(value)
        raise CellError(_("%(value)s is not a whole number.") % {"value": display(value).replace(".", ",")})
    if isinstance(value, Decimal):
        if value == value.to_integral_value():
            return int(value)
        raise CellError(_("%(value)s is not a whole number.") % {"value": value})
    text = str(value).strip().replace("\u00a0", " ")
    if INTEGER.match(text):
        return int(text)
    if THOUSANDS.match(text):
        return int(re.sub(r"[.\u00a0 ]", "", text))
    if DECIMAL_COMMA.match(text) and re.fullmatch(r"-?[\d.]+,0+", text):
        return int(text.split(",")[0].replace(".", ""))
    raise CellError(_("“%(value)s” is not a whole number.") % {"value": text})


def parse_decimal(value: Any) -> Decimal | None:
    """A number with a comma for decimals (`96,5`, `1.234,5`); a number cell as it is."""
    _check_not_special(value)
    if is_blank(value):
        return None
    if isinstance(value, bool | datetime.date):
        raise CellError(_("“%(value)s” is not a number.") % {"value": display(value)})
    if isinstance(value, int | Decimal):
        return Decimal(value)
    if isinstance(value, float):
        return Decimal(str(value))
    text = str(value).strip().replace("\u00a0", " ").replace(" ", "")
    try:
        if INTEGER.match(text):
            return Decimal(text)
        if THOUSANDS.match(text):
            return Decimal(text.replace(".", ""))
        if DECIMAL_COMMA.match(text):
            return Decimal(text.replace(".", "").replace(",", "."))
        if DECIMAL_DOT.match(text):
            return Decimal(text)
    except InvalidOperation:
        pass
    raise CellError(_("“%(value)s” is not a number.") % {"value": text})


def _serial_date(serial: float) -> datetime.date:
    if not SERIAL_MIN <= serial <= SERIAL_MAX:
        raise CellError(_("%(value)s is not a date. Write dates as dd/mm/yyyy.") % {"value": display(serial)})
    result = from_excel(serial)
    return result.date() if isinstance(result, datetime.datetime) else result


def parse_date(value: Any) -> datetime.date | None:
    """A date: an Excel date cell, an Excel serial number, or text dd/mm/yyyy or yyyy-mm-dd."""
    _check_not_special(value)
    if is_blank(value):
        return None
    if isinstance(value, datetime.datetime):
        return value.date()
    if isinstance(value, datetime.date):
        return value
    if isinstance(value, bool):
        raise CellError(_("“%(value)s” is not a date. Write dates as dd/mm/yyyy.")
                        % {"value": display(value)})
    if isinstance(value, int | float):
        return _serial_date(float(value))
    text = str(value).strip()
    match = DMY.match(text)
    try:
        if match:
            day, month, year = (int(part) for part in match.groups())
            return datetime.date(year, month, day)
        match = ISO.match(text)
        if match:
            year, month, day = (int(part) for part in match.groups())
            return datetime.date(year, month, day)
    except ValueError:
        raise CellError(_("“%(value)s” is not a date of the calendar.") % {"value": text}) from None
    if INTEGER.match(text):
        return _serial_date(float(text))
    raise CellError(_("“%(value)s” is not a date. Write dates as dd/mm/yyyy.") % {"value": text})


def choice_lookup(column: Column) -> dict[str, str]:
    """Every accepted spelling of a choice column (value or Vietnamese label, folded) → value."""
    lookup: dict[str, str] = {}
    with translation.override("vi"):
        for value, label in column.choices or ():
            lookup.setdefault(normalise_header(label), value)
            lookup.setdefault(normalise_header(value), value)
    return lookup


def choice_labels(column: Column) -> list[str]:
    """The Vietnamese labels of a choice column, in order."""
    with translation.override("vi"):
        return [str(label) for _value, label in column.choices or ()]


def parse_choice(value: Any, column: Column, lookup: dict[str, str] | None = None) -> str:
    """The stored value of a choice cell (its label or value); "" when empty."""
    text = parse_text(value)
    if not text:
        return ""
    table = lookup if lookup is not None else choice_lookup(column)
    found = table.get(normalise_header(text))
    if found is None:
        raise CellError(_("“%(value)s” is not one of: %(choices)s.") % {
            "value": text, "choices": "; ".join(choice_labels(column)),
        })
    return found


class CellReader:
    """Reads the raw cells of a row as the sheet's columns; one per import.

    Choice cells repeat a few texts many times, so each text's reading is remembered."""

    def __init__(self, sheet: Sheet) -> None:
        self.sheet = sheet
        self.lookups = {column.key: choice_lookup(column) for column in sheet.columns if column.choices}
        self.seen: dict[str, dict[Any, tuple[bool, Any]]] = {key: {} for key in self.lookups}

    def read(self, column: Column, value: Any) -> Any:
        seen = self.seen.get(column.key)
        if seen is None or not isinstance(value, str | None):
            return self._read(column, value)
        known = seen.get(value)
        if known is None:
            try:
                known = (True, self._read(column, value))
            except CellError as error:
                known = (False, error.message)
            seen[value] = known
        if not known[0]:
            raise CellError(known[1])
        return known[1]

    def _read(self, column: Column, value: Any) -> Any:
        kind = column.kind
        if kind == "text":
            return parse_text(value)
        if kind == "code":
            return parse_code(value)
        if kind == "int":
            return parse_int(value)
        if kind == "decimal":
            return parse_decimal(value)
        if kind == "date":
            return parse_date(value)
        return parse_choice(value, column, self.lookups.get(column.key))
