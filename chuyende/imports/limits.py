"""Bounds on the work an uploaded spreadsheet can make the server do, checked before it is parsed.

A spreadsheet library trusts the file: python-calamine loads a whole sheet as a dense grid (32 bytes a
cell, from A1 to the last cell any reference names), so one cell at XFD1048576 asks for 17 billion
cells, and a 1 MB zip member may unpack to gigabytes. Before a library sees a file, this module
checks, each against a setting (chuyende/settings.py, overridable by CHUYENDE_IMPORT_* variables):

- the archive (.xlsx, .ods): its total unpacked size and each member's compression ratio, read from
  the zip's central directory before anything is unpacked; then every member is unpacked by
  `unpacked_member`, which never trusts the declared sizes (it stops at them, and refuses a member
  whose deflate stream does not end exactly there);
- the data: the sheet's declared (`<dimension ref>`) and actual rows, columns and cells (the last
  row and column any cell reference names; for .ods the rows and columns after the expansion of
  repeated non-empty cells, empty repeats being left unexpanded by calamine; for .xls every cell
  record of the workbook stream; for .csv the fields of each line, counted without splitting it);
- the number of shared strings (.xlsx);
- the time spent reading (`Clock`).

Each refusal is an `UnreadableFile` whose message, for the user, names the limit and the value found.
"""

import re
import struct
import time
import zlib
from collections.abc import Iterator
from dataclasses import dataclass
from functools import lru_cache
from typing import IO, Any

from django.conf import settings
from django.utils.translation import gettext as _

from chuyende.core.numbers import format_number

MB = 1_048_576
CHUNK = 1 << 20
# A member smaller than this is not judged by its ratio: small XML parts compress well.
RATIO_FROM_BYTES = MB
XLSX_SIGNATURE = b"PK\x03\x04"
OLE_SIGNATURE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"


class Refusal(Exception):
    """Something read from an upload is refused; `message` says why, for the user."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class UnreadableFile(Refusal):
    """The file cannot be read as a spreadsheet."""


@dataclass(frozen=True)
class Limits:
    """What one import may read; `template_columns`, when known, is named in the messages."""

    unpacked_bytes: int
    ratio: int
    rows: int
    columns: int
    cells: int
    shared_strings: int
    seconds: float
    template_columns: int | None = None

    @classmethod
    def from_settings(cls, *, template_columns: int | None = None) -> "Limits":
        return cls(
            unpacked_bytes=settings.IMPORT_MAX_UNPACKED_BYTES, ratio=settings.IMPORT_MAX_COMPRESSION_RATIO,
            rows=settings.IMPORT_MAX_ROWS, columns=settings.IMPORT_MAX_COLUMNS,
            cells=settings.IMPORT_MAX_CELLS, shared_strings=settings.IMPORT_MAX_SHARED_STRINGS,
            seconds=settings.IMPORT_MAX_READ_SECONDS, template_columns=template_columns,
        )


class Clock:
    """The time a reading may take; `check` refuses the file once it is spent."""

    def __init__(self, limits: Limits, name: str) -> None:
        self.deadline = time.monotonic() + limits.seconds
        self.limits, self.name = limits, name

    def check(self) -> None:
        if time.monotonic() > self.deadline:
            raise UnreadableFile(_(
                "Reading “%(name)s” took more than %(limit)s seconds and was stopped. Split the file into "
                "smaller ones."
            ) % {"name": self.name, "limit": format_number(self.limits.seconds)})


def column_letters(position: int) -> str:
    """The letters of a 0-based column position (0 → A, 26 → AA)."""
    letters = ""
    position += 1
    while position:
        position, rest = divmod(position - 1, 26)
        letters = chr(65 + rest) + letters
    return letters


def column_position(letters: str) -> int:
    """The 0-based position of column letters."""
    index = 0
    for char in letters:
        index = index * 26 + ord(char) - 64
    return index - 1


def damaged(name: str) -> UnreadableFile:
    return UnreadableFile(_(
        "“%(name)s” is damaged and cannot be opened as a spreadsheet. Open it in Excel or LibreOffice, "
        "save it again and upload the new file."
    ) % {"name": name})


# --- the messages of the limits --------------------------------------------------------------------

def too_many_columns(limits: Limits, *, sheet: str, cell: str, position: int) -> UnreadableFile:
    values = {"sheet": sheet, "cell": cell, "column": column_letters(position),
              "number": format_number(position + 1), "limit": format_number(limits.columns)}
    if limits.template_columns is not None:
        return UnreadableFile(_(
            "The sheet “%(sheet)s” has a cell in column %(column)s (cell %(cell)s, column number "
            "%(number)s); an import reads at most %(limit)s columns and the template has only "
            "%(template)s. Delete what lies right of the table."
        ) % {**values, "template": format_number(limits.template_columns)})
    return UnreadableFile(_(
        "The sheet “%(sheet)s” has a cell in column %(column)s (cell %(cell)s, column number %(number)s); "
        "an import reads at most %(limit)s columns. Delete what lies right of the table."
    ) % values)


def too_many_rows(limits: Limits, *, sheet: str, row: int) -> UnreadableFile:
    return UnreadableFile(_(
        "The sheet “%(sheet)s” reaches row %(row)s; an import reads at most %(limit)s rows. Delete the "
        "rows below the table, or split the file into smaller ones."
    ) % {"sheet": sheet, "row": format_number(row), "limit": format_number(limits.rows)})


def check_area(limits: Limits, *, sheet: str, rows: int, columns: int) -> None:
    """Rows, columns and cells (rows × columns: the grid a reader allocates) within the limits."""
    if columns > limits.columns:
        raise too_many_columns(limits, sheet=sheet, cell=f"{column_letters(columns - 1)}{max(rows, 1)}",
                               position=columns - 1)
    if rows > limits.rows:
        raise too_many_rows(limits, sheet=sheet, row=rows)
    if rows * columns > limits.cells:
        raise UnreadableFile(_(
            "The sheet “%(sheet)s” spans %(rows)s rows by %(columns)s columns, %(cells)s cells; an import "
            "reads at most %(limit)s cells. Delete what lies outside the table, or split the file."
        ) % {"sheet": sheet, "rows": format_number(rows), "columns": format_number(columns),
             "cells": format_number(rows * columns), "limit": format_number(limits.cells)})


def check_declared(limits: Limits, *, sheet: str, reference: str) -> None:
    """A sheet's declared range ("A1:H100001") within the limits."""
    match = re.fullmatch(r"\$?([A-Z]{1,10})\$?([0-9]{1,10})(?::\$?([A-Z]{1,10})\$?([0-9]{1,10}))?",
                         reference.strip().upper())
    if match is None:
        return  # not a range calamine would use
    letters, row = (match.group(3), match.group(4)) if match.group(3) else (match.group(1), match.group(2))
    columns, rows = column_position(letters) + 1, int(row)
    if columns > limits.columns or rows > limits.rows or rows * columns > limits.cells:
        raise UnreadableFile(_(
            "The sheet “%(sheet)s” declares its cells as the range %(range)s, %(rows)s rows by "
            "%(columns)s columns; an import reads at most %(row_limit)s rows, %(column_limit)s columns and "
            "%(cell_limit)s cells. Delete what lies outside the table and save the file again."
        ) % {"sheet": sheet, "range": reference, "rows": format_number(rows),
             "columns": format_number(columns), "row_limit": format_number(limits.rows),
             "column_limit": format_number(limits.columns), "cell_limit": format_number(limits.cells)})


# --- archives --------------------------------------------------------------------------------------

def check_archive(members: list[Any], *, name: str, limits: Limits) -> None:
    """The declared sizes of a zip's members (its central directory, nothing unpacked) within the limits."""
    total = sum(member.file_size for member in members)
    if total > limits.unpacked_bytes:
        raise UnreadableFile(_(
            "“%(name)s” unpacks to %(size)s MB; an import reads at most %(limit)s MB. Split the file into "
            "smaller ones."
        ) % {"name": name, "size": format_number(-(-total // MB)),
             "limit": format_number(limits.unpacked_bytes // MB)})
    for member in members:
        if member.file_size < RATIO_FROM_BYTES:
            continue
        ratio = member.file_size / max(member.compress_size, 1)
        if ratio > limits.ratio:
            raise UnreadableFile(_(
                "“%(name)s” is compressed %(ratio)s to 1 (part “%(part)s”); an import refuses files "
                "compressed more than %(limit)s to 1, which no spreadsheet program writes."
            ) % {"name": name, "ratio": format_number(int(ratio)), "part": member.filename[:80],
                 "limit": format_number(limits.ratio)})


def unpacked_member(stream: IO[bytes], member: Any, *, name: str, clock: Clock,
                    stop: int | None = None) -> Iterator[bytes]:
    """The unpacked bytes of a zip member, a chunk at a time, never more than it declares.

    The member's deflate stream is read here (not through zipfile), so that a stream holding more
    than the declared size is refused as damaged instead of being silently cut: another reader of
    the same archive would otherwise see bytes that were never checked. `stop`: unpack only about
    that many bytes (then the end is not checked).
    """
    stream.seek(member.header_offset)
    header = stream.read(30)
    if len(header) < 30 or header[:4] != XLSX_SIGNATURE:
        raise damaged(name)
    name_length, extra_length = struct.unpack("<HH", header[26:30])
    stream.seek(member.header_offset + 30 + name_length + extra_length)
    if member.compress_type == 0:
        inflate = None
    elif member.compress_type == 8:
        inflate = zlib.decompressobj(-zlib.MAX_WBITS)
    else:
        raise damaged(name)
    packed_left, left = member.compress_size, member.file_size
    while packed_left > 0:
        clock.check()
        packed = stream.read(min(CHUNK, packed_left))
        if not packed:
            raise damaged(name)
        packed_left -= len(packed)
        while packed:
            if inflate is None:
                data, packed = packed, b""
            else:
                data = inflate.decompress(packed, left + 1)
                packed = inflate.unconsumed_tail
            if len(data) > left:
                raise damaged(name)
            left -= len(data)
            if data:
                yield data
            if stop is not None and member.file_size - left >= stop:
                return
    if left or (inflate is not None and not inflate.eof):
        raise damaged(name)


# --- .xlsx sheets ------------------------------------------------------------------------------------

def _greater_number(number: int) -> bytes:
    """A regular expression of the whole numbers greater than `number` (no leading zero)."""
    digits = str(number)
    options = [rb"[1-9][0-9]{%d,}" % len(digits)]
    for index, digit in enumerate(digits):
        if digit != "9":
            options.append(digits[:index].encode() + b"[%d-9]" % (int(digit) + 1)
                           + rb"[0-9]{%d}" % (len(digits) - index - 1))
    return b"(?:" + b"|".join(options) + b")"


def _greater_letters(letters: str) -> bytes:
    """A regular expression of the column letters after `letters`."""
    options = [rb"[A-Z]{%d,}" % (len(letters) + 1)]
    for index, char in enumerate(letters):
        if char != "Z":
            options.append(letters[:index].encode() + b"[%s-Z]" % chr(ord(char) + 1).encode()
                           + rb"[A-Z]{%d}" % (len(letters) - index - 1))
    return b"(?:" + b"|".join(options) + b")"


@lru_cache(maxsize=256)
def _row_beyond(row: int) -> re.Pattern[bytes]:
    """A row or cell reference to a row after `row`."""
    return re.compile(rb' r="([A-Z]*)(' + _greater_number(row) + rb')"')


@lru_cache(maxsize=256)
def _column_beyond(position: int) -> re.Pattern[bytes]:
    """A cell reference to a column after the 0-based `position`."""
    return re.compile(rb' r="(' + _greater_letters(column_letters(position)) + rb')([0-9]+)"')


DIMENSION = re.compile(rb'<(?:\w+:)?dimension\b[^>]*?\bref="([^"]*)"')
LAST_ROW = re.compile(rb'<(?:\w+:)?row\b[^>]*?\sr="([0-9]+)"')
CELL_START = re.compile(rb"<(?:\w+:)?c[\s>/]")
ROW_START = re.compile(rb"<(?:\w+:)?row[\s>/]")
TOKEN = re.compile(rb'<(?:\w+:)?(row|c)\b([^>]*?)(/?)>|</(?:\w+:)?row>')
REFERENCE = re.compile(rb'\sr="([A-Z]+)([0-9]+)"')
ROW_NUMBER = re.compile(rb'\sr="([0-9]+)"')
SPECIAL = re.compile(rb'<(?:\w+:)?f[\s>/]|\st="e"')
CELL_VALUE = re.compile(rb"<(?:\w+:)?v>([^<]*)</(?:\w+:)?v>")
CELL_FORMULA = re.compile(rb"<(?:\w+:)?f\b[^>]*?(?:/>|>([^<]*)</(?:\w+:)?f>)")


class _StreamScan:
    """Feeds an XML part to `_block` as it is unpacked, in blocks that end between elements
    (`_cut` says where a block may end; what follows waits for the next data)."""

    clock: Clock
    _carry: bytes

    def feed(self, data: bytes) -> None:
        self.clock.check()
        data = self._carry + data
        cut = self._cut(data)
        if cut <= 0:
            self._carry = data
            return
        self._carry = data[cut:]
        self._block(data[:cut])

    def _cut(self, data: bytes) -> int:
        return data.rfind(b"<")

    def _block(self, block: bytes) -> None:
        raise NotImplementedError


class SheetScan(_StreamScan):
    """Scans a worksheet's XML as it is unpacked (`feed`), before any library reads it.

    Refuses (UnreadableFile) a declared range, a row or a column beyond the limits; once fed whole,
    `rows` and `columns` are the last row and column any reference names, `declared_rows` the last
    row of the declared range, and `specials` maps (row, 0-based column) to the text of each formula
    without a computed value and of each error cell, as ("f", "=1+1") or ("e", "#REF!").
    """

    def __init__(self, limits: Limits, *, sheet: str, clock: Clock) -> None:
        self.limits, self.sheet, self.clock = limits, sheet, clock
        self.rows, self.columns = 0, 1  # column A at least
        self.declared_rows: int | None = None
        self.specials: dict[tuple[int, int], tuple[str, str]] = {}
        self._carry = b""
        self._started = self._prefixed = self._in_data = False
        self._implicit_row = 0  # rows and cells without references: positions counted here

    def _cut(self, data: bytes) -> int:
        end = data.rfind(b"</row>")
        return end + len(b"</row>") if end >= 0 else data.rfind(b"<")

    def finish(self) -> None:
        if self._carry:
            self._block(self._carry)
            self._carry = b""
        check_area(self.limits, sheet=self.sheet, rows=self.rows, columns=self.columns)

    def _block(self, block: bytes) -> None:
        if not self._started:
            self._started = True
            self._prefixed = re.search(rb"<\w+:worksheet\b", block[:4096]) is not None
            declared = DIMENSION.search(block)
            if declared is not None:
                reference = declared.group(1).decode("ascii", "replace")
                check_declared(self.limits, sheet=self.sheet, reference=reference)
                last = reference.split(":")[-1].lstrip("$ABCDEFGHIJKLMNOPQRSTUVWXYZ")
                self.declared_rows = int(last) if last.isdigit() else None
        if self._implicit(block):
            self._positions(block)
        else:
            self._bounds(block)
        if (b"<f" in block or b't="e"' in block or b":f" in block) and SPECIAL.search(block) is not None:
            self._specials(block)

    def _implicit(self, block: bytes) -> bool:
        """Whether the fast bounds (a search of ` r="` references) could miss a position in the block:
        a cell or row without a reference (its position is implied), a reference after another
        white space than a space, or elements with a namespace prefix."""
        if self._prefixed or b'\tr="' in block or b'\nr="' in block or b'\rr="' in block:
            return True
        # Within sheetData only rows and cells start with "<row" and "<c" (rich text's <color> and
        # <charset> also do: such a block takes the exact walk), and only they have an r attribute.
        start, end = 0, len(block)
        if not self._in_data:
            start = block.find(b"<sheetData")
            if start < 0:
                return False  # what comes before the rows holds no cell
            self._in_data = True
        closing = block.find(b"</sheetData>", start)
        if closing >= 0:
            end = closing
        elements = block.count(b"<c", start, end) + block.count(b"<row", start, end)
        return elements != block.count(b' r="', start, end)

    def _bounds(self, block: bytes) -> None:
        """The last row and column named in a block whose every row and cell has its reference."""
        tail = block.rfind(b"<row")
        if tail >= 0:
            last = LAST_ROW.match(block, tail)
            if last is not None:
                self._row(int(last.group(1)))
        while (found := _row_beyond(self.rows).search(block)) is not None:
            self._row(int(found.group(2)))
        while (found := _column_beyond(self.columns - 1).search(block)) is not None:
            self._column(found.group(1).decode(), int(found.group(2)))

    def _row(self, row: int) -> None:
        if row > self.limits.rows:
            raise too_many_rows(self.limits, sheet=self.sheet, row=row)
        self.rows = max(self.rows, row)

    def _column(self, letters: str, row: int) -> None:
        position = column_position(letters)
        if position >= self.limits.columns:
            raise too_many_columns(self.limits, sheet=self.sheet, cell=f"{letters}{row}", position=position)
        self.columns = max(self.columns, position + 1)

    def _positions(self, block: bytes) -> None:
        """Every row and cell of the block, with the positions readers give those without references."""
        column = -1
        for token in TOKEN.finditer(block):
            kind, attributes, _closed = token.groups()
            if kind == b"row":
                given = ROW_NUMBER.search(attributes)
                self._implicit_row = int(given.group(1)) if given else self._implicit_row + 1
                self._row(self._implicit_row)
                column = -1
            elif kind == b"c":
                reference = REFERENCE.search(attributes)
                if reference is not None:
                    column = column_position(reference.group(1).decode())
                    self._row(int(reference.group(2)))
                else:
                    column += 1
                self._column(column_letters(column), self._implicit_row)

    def _specials(self, block: bytes) -> None:
        """Formulas without a computed value, and error cells, by their position."""
        for found in SPECIAL.finditer(block):
            start = max(block.rfind(b"<c ", 0, found.start()), block.rfind(b"<c>", 0, found.start()))
            end = block.find(b"</c>", found.start())
            if start < 0 or end < 0:
                continue
            cell = block[start:end]
            opening = cell[: cell.find(b">") + 1]
            reference = REFERENCE.search(opening)
            if reference is None:
                continue
            position = (int(reference.group(2)), column_position(reference.group(1).decode()))
            value = CELL_VALUE.search(cell)
            shown = _xml_text(value.group(1)) if value is not None else ""
            if b't="e"' in opening:
                self.specials[position] = ("e", shown or "#N/A")
            elif not shown:
                formula = CELL_FORMULA.search(cell)
                text = _xml_text(formula.group(1) or b"") if formula is not None else ""
                self.specials[position] = ("f", "=" + text)


def _xml_text(raw: bytes) -> str:
    import html

    return html.unescape(raw.decode("utf-8", "replace"))


def count_shared_strings(chunks: Iterator[bytes], *, name: str, limits: Limits) -> int:
    """The shared strings of an .xlsx (its <si> items), refused beyond the limit."""
    count = 0
    carry = b""
    pattern = re.compile(rb"<(?:\w+:)?si[\s>/]")
    for chunk in chunks:
        data = carry + chunk
        cut = max(data.rfind(b"<"), 0)
        count += len(pattern.findall(data, 0, cut))
        carry = data[cut:]
        if count > limits.shared_strings:
            break
    count += len(pattern.findall(carry))
    if count > limits.shared_strings:
        raise UnreadableFile(_(
            "“%(name)s” holds more than %(limit)s different texts (shared strings); an import reads at "
            "most %(limit)s. Split the file into smaller ones."
        ) % {"name": name, "limit": format_number(limits.shared_strings)})
    return count


# --- .ods content --------------------------------------------------------------------------------------

ODS_TOKEN = re.compile(
    rb"<table:table(?=[\s>])([^>]*)>|</table:table>"
    rb"|<table:table-row\b([^>]*?)(/?)>|</table:table-row>"
    rb"|<table:(?:covered-)?table-cell\b([^>]*?)(/?)>"
)
ODS_NAME = re.compile(rb'\btable:name="([^"]*)"')
ODS_ROWS_REPEATED = re.compile(rb'\btable:number-rows-repeated="([0-9]+)"')
ODS_COLUMNS_REPEATED = re.compile(rb'\btable:number-columns-repeated="([0-9]+)"')


class OdsScan(_StreamScan):
    """Scans an .ods content.xml as it is unpacked: every table's rows and columns holding content,
    repeated cells and rows expanded (calamine expands them; the empty ones it leaves out).

    `cut_after`: when given (the preview), `kept` is the content up to that many rows of the first
    table whose name `is_data(name)` accepts, closed as a document, and `done` is set then."""

    def __init__(self, limits: Limits, *, clock: Clock, cut_after: int | None = None,
                 is_data: Any = None) -> None:
        self.limits, self.clock = limits, clock
        self.cut_after, self.is_data = cut_after, is_data
        self.kept: list[bytes] = []
        self.done = False
        self.tables: list[str] = []
        self._carry = b""
        self._table = ""
        self._data_table = False
        self._row = self._rows = self._columns = 0  # rows so far, last row and column with content
        self._column = self._last_in_row = 0
        self._row_repeat = 1


    def finish(self) -> None:
        if self._carry and not self.done:
            self._block(self._carry)
        self._carry = b""

    def _block(self, block: bytes) -> None:
        for token in ODS_TOKEN.finditer(block):
            table, row, row_closed, cell, cell_closed = token.groups()
            text = token.group()
            if table is not None:
                found = ODS_NAME.search(table)
                self._table = _xml_text(found.group(1)) if found else ""
                self.tables.append(self._table)
                self._data_table = self.is_data is not None and self.is_data(self._table)
                self._row = self._rows = self._columns = 0
            elif text == b"</table:table>":
                check_area(self.limits, sheet=self._table, rows=self._rows, columns=self._columns)
            elif row is not None:
                repeated = ODS_ROWS_REPEATED.search(row)
                self._row_repeat = int(repeated.group(1)) if repeated else 1
                self._column = self._last_in_row = 0
                if row_closed and self._end_row(block, token.end()):
                    return
            elif text == b"</table:table-row>":
                if self._end_row(block, token.end()):
                    return
            elif cell is not None:
                repeated = ODS_COLUMNS_REPEATED.search(cell)
                self._column += int(repeated.group(1)) if repeated else 1
                if not cell_closed or b"office:value-type" in cell:
                    self._last_in_row = self._column
                    if self._column > self.limits.columns:
                        raise too_many_columns(self.limits, sheet=self._table, position=self._column - 1,
                                               cell=f"{column_letters(self._column - 1)}{self._row + 1}")
        if self.cut_after is not None:
            self.kept.append(block)

    def _end_row(self, block: bytes, end: int) -> bool:
        """Counts a row that ends at `end`; True when the preview has all the rows it needs."""
        self._row += self._row_repeat
        if self._last_in_row:
            self._rows = self._row
            self._columns = max(self._columns, self._last_in_row)
            if self._rows > self.limits.rows:
                raise too_many_rows(self.limits, sheet=self._table, row=self._rows)
            check_area(self.limits, sheet=self._table, rows=self._rows, columns=self._columns)
        if self.cut_after is not None and self._data_table and self._row >= self.cut_after:
            self.kept.append(block[:end])
            self.kept.append(b"</table:table></office:spreadsheet></office:body></office:document-content>")
            self.done = True
            return True
        return False


# --- .xls ---------------------------------------------------------------------------------------------

# BIFF records of a cell, with (row, first column) at the start and, for MULRK/MULBLANK, the last
# column in the record's last two bytes. Blank cells count: a reader may keep them in its grid.
XLS_CELLS = {0x0006, 0x00FD, 0x0203, 0x027E, 0x0204, 0x0205, 0x00D6, 0x0201, 0x0001, 0x0002, 0x0003,
             0x0004, 0x0005}
XLS_MULTIPLE = {0x00BD, 0x00BE}
XLS_BOF, XLS_EOF, XLS_SHEET = {0x0809, 0x0409, 0x0209, 0x0009}, 0x000A, 0x0085


def check_xls(data: bytes, *, name: str, limits: Limits, clock: Clock) -> None:
    """Every sheet of an .xls workbook stream within the limits, from its cell records."""
    names: list[str] = []
    sheet = -2  # the first BOF opens the workbook globals (-1), the next ones the sheets (0, 1...)
    rows = columns = 0
    offset, size = 0, len(data)
    while offset + 4 <= size:
        kind, length = struct.unpack_from("<HH", data, offset)
        body = offset + 4
        offset = body + length
        if kind in XLS_CELLS or kind in XLS_MULTIPLE:
            if length < 4:
                continue
            row, column = struct.unpack_from("<HH", data, body)
            if kind in XLS_MULTIPLE and length >= 6:
                column = struct.unpack_from("<H", data, body + length - 2)[0]
            title = names[sheet] if 0 <= sheet < len(names) else str(sheet + 1)
            if column + 1 > columns:
                columns = column + 1
                if columns > limits.columns:
                    raise too_many_columns(limits, sheet=title, cell=f"{column_letters(column)}{row + 1}",
                                           position=column)
                check_area(limits, sheet=title, rows=rows, columns=columns)
            if row + 1 > rows:
                rows = row + 1
                check_area(limits, sheet=title, rows=rows, columns=columns)
        elif kind == XLS_SHEET and length >= 8:
            names.append(_biff_sheet_name(data[body + 6:body + length]))
        elif kind in XLS_BOF:
            sheet += 1
            rows = columns = 0
            if sheet % 16 == 0:
                clock.check()


def _biff_sheet_name(raw: bytes) -> str:
    if len(raw) < 2:
        return ""
    count, flags = raw[0], raw[1]
    if flags & 1:
        return raw[2:2 + 2 * count].decode("utf-16-le", "replace")
    return raw[2:2 + count].decode("latin-1")


# --- .csv ---------------------------------------------------------------------------------------------

def check_csv_columns(text: str, *, delimiter: str, name: str, limits: Limits) -> None:
    """No line with more fields than the column limit, counted without splitting the lines."""
    if text.count(delimiter) < limits.columns:
        return
    for number, line in enumerate(text.split("\n"), start=1):
        if line.count(delimiter) >= limits.columns:
            bare = re.sub(r'"[^"]*"', "", line)  # delimiters inside quotes are text
            fields = bare.count(delimiter) + 1
            if fields > limits.columns:
                raise UnreadableFile(_(
                    "Line %(line)s of “%(name)s” has %(count)s columns; an import reads at most %(limit)s. "
                    "Delete what lies right of the table."
                ) % {"line": format_number(number), "name": name, "count": format_number(fields),
                     "limit": format_number(limits.columns)})
