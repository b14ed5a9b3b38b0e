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
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from itertools import chain, islice
from pathlib import Path
from typing import IO, Any, NamedTuple

from django.utils import translation
from django.utils.translation import gettext as _
from lxml import etree
from openpyxl.reader.excel import ExcelReader
from openpyxl.styles.stylesheet import apply_stylesheet
from openpyxl.utils import get_column_letter
from openpyxl.utils.datetime import from_excel, from_ISO8601
from openpyxl.xml.constants import SHARED_STRINGS, SHEET_MAIN_NS

from chuyende.exports.tables import restore
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


class Row(NamedTuple):
    """A data row: its 1-based spreadsheet row number and raw cells by position (header order)."""

    number: int
    values: tuple[Any, ...]

    def is_empty(self) -> bool:
        for value in self.values:  # is_blank, inlined: called for every row
            if value is not None and not (isinstance(value, str) and not value.strip()):
                return False
        return True


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
    data = source.read()
    fast = _fast_shared_strings(data)
    if fast is not None:
        return fast
    strings = []
    for _event, element in _iterparse(io.BytesIO(data), (SI_TAG,)):
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
    """(row number, values by position) for every row element of the sheet, in order.

    The fast reader (below) reads the sheet unless it meets something it does not know; then lxml
    reads the sheet from the row where the fast reader stopped (both give one item per row element,
    in document order, so the rows already given are skipped).
    """
    given = 0
    try:
        for item in _fast_rows(book, path):
            yield item
            given += 1
        return
    except _NotFast:
        pass
    yield from islice(_lxml_rows(book, path, name), given, None)


def _lxml_rows(book: _Book, path: str, name: str) -> Iterator[tuple[int, tuple[Any, ...]]]:
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
    style = cell.get("s")
    return _typed_value(kind, text, bool(style) and int(style) in date_styles, strings, epoch)


def _typed_value(kind: str, text: str, date_style: bool, strings: list[str], epoch: datetime.datetime) -> Any:
    """The value of a cell of type `kind` (not an inline string) whose <v> holds `text` (not empty)."""
    if kind == "s":
        return strings[int(text)]
    if kind == "n":
        value: Any = float(text) if ("." in text or "E" in text or "e" in text) else int(text)
        if date_style:
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


# --- the fast reader ------------------------------------------------------------------------------
#
# Through lxml, every element and attribute a row touches from Python costs about a microsecond:
# 100,000 rows of eight cells took ten seconds. The XML every spreadsheet program writes for a cell is
# one of a few plain forms, so the fast reader reads `sheetData` with one regular expression, a chunk
# of rows at a time, and gives the same values as lxml would. It accepts a chunk only when the tokens
# it recognised hold every "<" of the chunk (rows, and cells that are empty, hold a <v> or hold an
# inline string of one <t>): a formula, a rich text, a comment, CDATA, a processing instruction or an
# unknown element leaves a "<" unaccounted for, and then lxml reads the sheet from that chunk on
# (_NotFast). So do text with control characters, references to entities other than the five of XML,
# attributes it cannot read, a sheet in another encoding than UTF-8 or whose `sheetData` is not
# the child of a main-namespace `worksheet`, and anything that fails while reading. What surrounds
# `sheetData` is parsed by lxml (entities not resolved), so a damaged sheet is still refused.

FAST_CHUNK = 1 << 20
FAST_TOKEN = re.compile(
    rb'<c r="([A-Z]{1,3})[0-9]+"([^<>/]*)'
    rb'(?:(/)>|><v>([^<]*)</v></c>|><(i)s><t(?: xml:space="preserve")?>([^<]*)</t></is></c>)'
    rb'|<row r="([0-9]+)"([^<>/]*)(/?)>'
    rb"|</row>"
)
FAST_ATTRIBUTES = re.compile(rb'(?:\s+[A-Za-z_][\w.:-]*="[^"<&]*")*\s*')
FAST_ATTRIBUTE = re.compile(rb'([A-Za-z_][\w.:-]*)="([^"<&]*)"')
# Every byte but the control characters XML forbids (translate deletes them; what is left is bad).
XML_CHARACTERS = bytes(byte for byte in range(256) if byte >= 0x20 or byte in (0x09, 0x0A, 0x0D))
MEMO_SIZE = 50_000
FAST_SHARED = re.compile(rb'<si><t(?: xml:space="preserve")?(?:(/)>|>([^<]*)</t>)</si>')
XML_DECLARATION = re.compile(rb'^(?:\xef\xbb\xbf)?<\?xml[^<>]*?\?>')
XML_ENCODING = re.compile(rb'encoding\s*=\s*["\']([A-Za-z0-9._-]+)["\']')
XML_REFERENCE = re.compile(r"&(?:#([0-9]+)|#x([0-9a-fA-F]+)|(amp|lt|gt|quot|apos));")
XML_ENTITIES = {"amp": "&", "lt": "<", "gt": ">", "quot": '"', "apos": "'"}
SHEET_DATA, SHEET_DATA_END = b"<sheetData>", b"</sheetData>"


class _NotFast(Exception):
    """The fast reader meets something it does not read; lxml reads the rest."""


def _xml_character(match: re.Match[str]) -> str:
    decimal, hexadecimal, name = match.groups()
    if name:
        return XML_ENTITIES[name]
    code = int(decimal) if decimal else int(hexadecimal, 16)
    if not (code in (0x9, 0xA, 0xD) or 0x20 <= code <= 0xD7FF or 0xE000 <= code <= 0xFFFD
            or 0x10000 <= code <= 0x10FFFF):
        raise _NotFast
    return chr(code)


def _xml_text(raw: bytes, words: dict[str, str]) -> str:
    """The text of an element as an XML parser gives it: line ends as \\n, references replaced.

    Programs that write non-ASCII letters as references (&#7877;) write the same words again and
    again, so each word's reading is remembered in `words`."""
    text = raw.decode()
    if "\r" in text:
        text = text.replace("\r\n", "\n").replace("\r", "\n")
    if "&" not in text:
        return text
    parts = []
    for word in text.split(" "):
        if "&" in word:
            known = words.get(word)
            if known is None:
                if "&" in XML_REFERENCE.sub("", word):
                    raise _NotFast  # an entity of a DTD, or a bare "&": lxml decides
                known = words[word] = XML_REFERENCE.sub(_xml_character, word)
            parts.append(known)
        else:
            parts.append(word)
    return " ".join(parts)


def _fast_attributes(raw: bytes, known: dict[bytes, dict[bytes, bytes]]) -> dict[bytes, bytes]:
    """The attributes other than r of a cell or row element (names to raw values), remembered."""
    found = known.get(raw)
    if found is None:
        if not FAST_ATTRIBUTES.fullmatch(raw):
            raise _NotFast
        pairs = FAST_ATTRIBUTE.findall(raw)
        found = dict(pairs)
        if len(found) != len(pairs) or b"r" in found:
            raise _NotFast  # an attribute twice: not XML
        known[raw] = found
    return found


def _check_skeleton(prolog: bytes, epilog: bytes, *, root: str = "worksheet",
                    inner: str = "sheetData") -> None:
    """What surrounds the part read fast is well formed XML in UTF-8, `inner` a child of a main `root`."""
    declaration = XML_DECLARATION.match(prolog)
    if declaration is not None:
        encoding = XML_ENCODING.search(declaration.group())
        if encoding is not None and encoding.group(1).lower().replace(b"_", b"-") not in (b"utf-8", b"utf8"):
            raise _NotFast
    elif prolog[:2] in (b"\xff\xfe", b"\xfe\xff"):
        raise _NotFast
    parser = etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=True)
    try:
        element = etree.fromstring(prolog + f"<{inner}/>".encode() + epilog, parser=parser)
    except etree.XMLSyntaxError:
        raise _NotFast from None
    if element.tag != f"{{{SHEET_MAIN_NS}}}{root}" or element.find(f"{{{SHEET_MAIN_NS}}}{inner}") is None:
        raise _NotFast


def _fast_rows(book: _Book, path: str) -> Iterator[tuple[int, tuple[Any, ...]]]:
    """The rows of a sheet, read by the fast reader (see above); raises _NotFast."""
    try:
        with book.archive.open(path) as source:
            buffer = b""
            while True:
                start = buffer.find(b"<sheetData")
                if start >= 0 and len(buffer) - start >= len(SHEET_DATA):
                    break
                chunk = source.read(FAST_CHUNK)
                if not chunk:
                    raise _NotFast
                buffer += chunk
            if not buffer.startswith(SHEET_DATA, start):
                raise _NotFast  # no rows at all (<sheetData/>), or attributes: lxml reads it
            prolog = buffer[:start]
            # Namespaces and well-formedness of what comes before the rows, checked before any row.
            _check_skeleton(prolog, b"</worksheet>")
            buffer = buffer[start + len(SHEET_DATA):]
            reader = _FastSheet(book)
            while True:
                chunk = source.read(FAST_CHUNK)
                buffer += chunk
                end = buffer.find(SHEET_DATA_END)
                if end >= 0:
                    yield from reader.rows(buffer[:end])
                    epilog = buffer[end + len(SHEET_DATA_END):] + source.read()
                    break
                if not chunk:
                    raise _NotFast
                cut = buffer.rfind(b"</row>")
                if cut >= 0:
                    cut += len(b"</row>")
                    yield from reader.rows(buffer[:cut])
                    buffer = buffer[cut:]
        _check_skeleton(prolog, epilog)
    except _NotFast:
        raise
    except Exception as error:  # whatever fails, lxml reads the sheet and says what is wrong
        raise _NotFast from error


class _FastSheet:
    """Reads chunks of `sheetData` (whole rows) for _fast_rows.

    Cells repeat a few texts and numbers many times (choices, unit codes, years), so the value of
    each raw text is remembered per kind of cell (up to MEMO_SIZE texts a kind)."""

    def __init__(self, book: _Book) -> None:
        self.strings, self.date_styles, self.epoch = book.strings, book.date_styles, book.epoch
        self.columns: dict[bytes, int] = {}
        self.attributes: dict[bytes, dict[bytes, bytes]] = {}
        # A cell's raw attributes -> its type and the values of its texts read so far.
        self.cells: dict[bytes, tuple[str, bool, dict[bytes, Any]]] = {}
        self.words: dict[str, str] = {}

    def _column(self, letters: bytes) -> int:
        index = 0
        for char in letters:
            index = index * 26 + char - 64
        self.columns[letters] = index - 1
        return index - 1

    def _cell(self, raw: bytes) -> tuple[str, bool, dict[bytes, Any]]:
        """(type, whether its style formats dates, remembered values) of a cell's attributes."""
        attributes = _fast_attributes(raw, self.attributes)
        kind = attributes.get(b"t", b"n").decode()
        style = attributes.get(b"s")
        found: tuple[str, bool, dict[bytes, Any]] = (
            kind, style is not None and style != b"" and int(style) in self.date_styles, {})
        self.cells[raw] = found
        return found

    def _value(self, cell: tuple[str, bool, dict[bytes, Any]], raw: bytes, inline: bool) -> Any:
        """The value of a cell's text (its <v>, or its inline string when `inline`), remembered."""
        kind, date_style, memo = cell
        if inline:
            value: Any = _xml_text(raw, self.words).replace("_x005F_", "_") if raw else ""
        else:
            value = _typed_value(kind, _xml_text(raw, self.words), date_style, self.strings, self.epoch)
        if len(memo) >= MEMO_SIZE:
            memo.clear()
        memo[raw] = value
        return value

    def rows(self, body: bytes) -> list[tuple[int, tuple[Any, ...]]]:
        """Every row of `body` (whole rows), all or none (_NotFast)."""
        if body.translate(None, XML_CHARACTERS):
            raise _NotFast  # control characters are not XML
        columns, cells = self.columns, self.cells
        rows: list[tuple[int, tuple[Any, ...]]] = []
        values: list[Any] | None = None
        number = 0
        accounted = 0  # the "<" of the tokens read
        tokens = FAST_TOKEN.findall(body)
        for letters, raw, empty, text, inline, inline_text, given, row_raw, closed in tokens:
            if letters:
                if values is None:
                    raise _NotFast  # a cell outside a row
                position = columns.get(letters)
                if position is None:
                    position = self._column(letters)
                cell = cells.get(raw) or self._cell(raw)
                value: Any = None
                if empty:
                    accounted += 1
                elif inline:
                    accounted += 6
                    if cell[0] == "inlineStr":
                        value = cell[2].get(inline_text)
                        if value is None:
                            value = self._value(cell, inline_text, True)
                else:
                    accounted += 4
                    if text and cell[0] != "inlineStr":
                        value = cell[2].get(text)
                        if value is None:
                            value = self._value(cell, text, False)
                if position == len(values):
                    values.append(value)
                elif position > len(values):
                    values.extend([None] * (position - len(values)))
                    values.append(value)
                else:
                    values[position] = value
            elif given:
                accounted += 1
                if values is not None:
                    raise _NotFast  # a row inside a row
                if row_raw:
                    _fast_attributes(row_raw, self.attributes)
                number = int(given)
                if closed:
                    rows.append((number, ()))
                else:
                    values = []
            else:
                accounted += 1
                if values is None:
                    raise _NotFast  # a row closed twice
                rows.append((number, tuple(values)))
                values = None
        if values is not None or accounted != body.count(b"<"):
            raise _NotFast  # a row not closed, or a "<" of something else than plain rows and cells
        return rows


def _fast_shared_strings(data: bytes) -> list[str] | None:
    """The shared strings if each is one plain <t> (the common case), else None (lxml reads them)."""
    start, end = data.find(b"<sst"), data.rfind(b"</sst>")
    opened = data.find(b">", start) + 1
    if start < 0 or end < opened or data[opened - 2:opened] == b"/>" or data.translate(None, XML_CHARACTERS):
        return None
    body = data[opened:end]
    found = FAST_SHARED.findall(body)
    if sum(3 if empty else 4 for empty, _text in found) != body.count(b"<"):
        return None
    try:
        # The <si> placed by the check stands for the strings; the root must be a main-namespace <sst>.
        _check_skeleton(data[:opened], data[end:], root="sst", inner="si")
        words: dict[str, str] = {}
        return [_xml_text(text, words).replace("_x005F_", "_") if text else "" for _empty, text in found]
    except (_NotFast, UnicodeDecodeError):
        return None


def _last_row(reference: str) -> int:
    last = reference.split(":")[-1]
    return int(last.lstrip("ABCDEFGHIJKLMNOPQRSTUVWXYZ") or 0)


ROW_PATTERN = re.compile(rb"<(?:\w+:)?row[\s>/]")


PLAIN_ROW_PATTERN = re.compile(rb"<row[\s>/]")  # a literal start: searched far faster


def _row_elements(data: bytes) -> int:
    """The row elements that start in `data`."""
    return len((ROW_PATTERN if b":row" in data else PLAIN_ROW_PATTERN).findall(data))


def _scan_sheet(archive: zipfile.ZipFile, path: str) -> tuple[list[str], int]:
    """The merged ranges of a sheet ("A2:C2") and its number of row elements, by scanning its XML."""
    found: dict[str, None] = {}
    rows = 0
    tail = b""
    with archive.open(path) as source:
        while chunk := source.read(SCAN_CHUNK):
            data = tail + chunk
            if b"mergeCell" in data:
                found.update((match.group(1).decode(), None) for match in MERGE_CELL.finditer(data))
            # A match wholly inside the tail was counted with the previous chunk.
            rows += _row_elements(data) - _row_elements(tail)
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
    if b"\x00" in data:  # a NUL anywhere: no database takes it in text
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


def _check_not_special(value: Any) -> None:
    if isinstance(value, Formula):
        raise CellError(_("Formulas are not accepted: type the value itself (copy the cells and "
                          "paste them as values)."))
    if isinstance(value, ErrorValue):
        raise CellError(_("The cell shows the error %(error)s; type the value itself.")
                        % {"error": value.text})


def parse_text(value: Any) -> str:
    if value.__class__ is str:  # the common case first
        return restore(value.strip()).strip()
    _check_not_special(value)
    if value is None:
        return ""
    if isinstance(value, datetime.date | float | int):
        return display(value)
    return restore(str(value).strip()).strip()


def parse_code(value: Any) -> str:
    if value.__class__ is str:  # the common case first
        return " ".join(restore(value.strip()).split())
    _check_not_special(value)
    if isinstance(value, bool):
        raise CellError(_("“%(value)s” is not a code.") % {"value": display(value)})
    if isinstance(value, float):
        if not value.is_integer():
            raise CellError(_("“%(value)s” is not a code.") % {"value": display(value)})
        return str(int(value))
    if isinstance(value, datetime.date):
        raise CellError(_("“%(value)s” is a date, not a code.") % {"value": display(value)})
    return "" if value is None else " ".join(restore(str(value).strip()).split())


def parse_int(value: Any) -> int | None:
    """A whole number: a number cell, or text like `1234`, `1.234` or `1 234`. None when empty."""
    if value.__class__ is int:  # the common case first (not a bool)
        return value
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

    Cells other than free text repeat a few texts many times (choices, unit codes), so the reading
    of each text (or empty cell) is remembered, up to MEMO_SIZE texts a column."""

    def __init__(self, sheet: Sheet) -> None:
        self.sheet = sheet
        self.lookups = {column.key: choice_lookup(column) for column in sheet.columns if column.choices}
        self.converters: dict[str, Callable[[Any], Any]] = {}

    def read(self, column: Column, value: Any) -> Any:
        return self.converter(column)(value)

    def converter(self, column: Column) -> Callable[[Any], Any]:
        """The function reading a raw cell of `column` (raises CellError)."""
        known = self.converters.get(column.key)
        if known is None:
            known = self.converters[column.key] = self._converter(column)
        return known

    def _converter(self, column: Column) -> Callable[[Any], Any]:
        kind = column.kind
        if kind == "text":
            return parse_text
        if kind == "choice":
            lookup = self.lookups.get(column.key)

            def parse(value: Any) -> Any:
                return parse_choice(value, column, lookup)
        else:
            parse = {"code": parse_code, "int": parse_int, "decimal": parse_decimal, "date": parse_date}[kind]
        seen: dict[str | None, tuple[bool, Any]] = {}

        def convert(value: Any) -> Any:
            if value is not None and value.__class__ is not str:
                return parse(value)
            known = seen.get(value)
            if known is None:
                try:
                    known = (True, parse(value))
                except CellError as error:
                    known = (False, error.message)
                if len(seen) >= MEMO_SIZE:
                    seen.clear()
                seen[value] = known
            if not known[0]:
                raise CellError(known[1])
            return known[1]

        return convert
