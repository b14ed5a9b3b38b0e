"""Importing a filled template: preview, then all-or-nothing import.

`run_import` reads every row of the file and checks it (types, required values, codes, duplicates
inside the file, scope and role) before writing anything. If any problem is found it returns them
all and writes nothing. Every problem is found in one pass: the checks run on whatever the cells
gave (a cell that could not be read is passed over, not read as empty), each independent fault of a
row is reported, and unknown, unnamed or repeated columns are listed with the rows' problems. Only
a missing required column or merged cells stop before the rows, which cannot be read as the
template's then. The problems are listed row by row, left to right.

Otherwise every row is written through the apps' services inside one transaction; a ValidationError
a service raises becomes a problem on that row (its field shown as the template column) and the
whole transaction is rolled back. Rows equal to what is stored are
counted as unchanged and call no service, so re-importing a file changes nothing and leaves no
audit entry.

Counts in the result are rows of the file: the rows of a record that was created, updated or
left as it was.
"""

import gc
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any, Protocol, runtime_checkable

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _
from openpyxl.utils import column_index_from_string

from chuyende.accounts.models import User
from chuyende.campaigns.models import Campaign
from chuyende.core.exceptions import NotAllowed, NotInScope
from chuyende.imports.kinds import importer_for
from chuyende.imports.kinds.base import (
    CREATED,
    UNCHANGED,
    UPDATED,
    Context,
    ImportProblem,
    Operation,
    Outcome,
    ParsedRow,
    ProblemLimitReached,
    column_label,
)
from chuyende.imports.reading import (
    CellError,
    CellReader,
    ColumnMatch,
    FileInput,
    Row,
    Table,
    UnreadableFile,
    display,
    is_blank,
    letter,
    match_columns,
    read_table,
)
from chuyende.imports.spec import KINDS, Sheet

__all__ = ["ImportProblem", "ImportResult", "Preview", "PreviewColumn", "PreviewRow", "preview", "run_import"]

Progress = Callable[[int, int], None]


@dataclass
class ImportResult:
    """What an import did: rows created, updated and unchanged, or the problems that stopped it."""

    created: int = 0
    updated: int = 0
    unchanged: int = 0
    problems: list[ImportProblem] = field(default_factory=list)
    rows: int = 0
    # Seconds spent reading the file ("read", checks included), checking ("check") and writing ("write").
    timings: dict[str, float] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        return not self.problems


@dataclass(frozen=True)
class PreviewColumn:
    """A column of the file: its letter and header, and the template column it was matched to."""

    letter: str
    header: str
    key: str | None
    template_header: str | None
    required: bool = False


@dataclass(frozen=True)
class PreviewRow:
    number: int
    cells: list[str]


@dataclass
class Preview:
    """The first rows of a file with the columns detected, and the problems of its header.

    total_rows: the data rows the file declares (for .xlsx, trailing blank rows may count);
    missing: template columns not in the file (required ones are also in `problems`);
    row_problems: problems of the cells shown; readable: the rows can be read despite the
    problems (only columns the template does not have, without a header or repeated).
    """

    sheet_name: str
    columns: list[PreviewColumn]
    rows: list[PreviewRow]
    problems: list[ImportProblem]
    total_rows: int | None = None
    missing: list[str] = field(default_factory=list)
    row_problems: list[ImportProblem] = field(default_factory=list)
    readable: bool = False

    @property
    def ok(self) -> bool:
        return not self.problems

    @property
    def can_start(self) -> bool:
        """The import may be started: it lists these problems with every problem of the rows."""
        return self.ok or self.readable


def _file_problem(sheet: Sheet, message: str) -> ImportProblem:
    return ImportProblem(sheet=sheet.title, row=None, column="", value="", message=message)


def _header_problems(table: Table, sheet: Sheet, match: ColumnMatch) -> list[ImportProblem]:
    problems = []
    for problem in match.problems:
        if problem.position is None:
            problems.append(ImportProblem(sheet=table.sheet_name, row=table.header_row, column="",
                                          value="", message=problem.message))
        else:
            column_letter = letter(problem.position)
            problems.append(ImportProblem(
                sheet=table.sheet_name, row=table.header_row,
                column=column_label(problem.value, column_letter), value=problem.value,
                message=problem.message, letter=column_letter, header=problem.value,
            ))
    return problems


def _merged_problems(table: Table) -> list[ImportProblem]:
    problems = []
    for ref in table.merged:
        first = ref.split(":")[0]
        column_letter = first.rstrip("0123456789")
        row = int(first[len(column_letter):])
        problems.append(ImportProblem(
            sheet=table.sheet_name, row=row, column=column_letter, value=ref, letter=column_letter,
            message=_("The cells %(range)s are merged. Unmerge them and write the value in every "
                      "cell of its own row.") % {"range": ref},
        ))
    return problems


def _defaults(campaign: Campaign | None) -> frozenset[str]:
    return frozenset({"campaign"}) if campaign is not None else frozenset()


def _no_header(table: Table, sheet: Sheet) -> ImportProblem | None:
    if not table.header_row:
        return _file_problem(sheet, _("The sheet “%(sheet)s” is empty: it has no header row and no data.")
                             % {"sheet": table.sheet_name})
    return None


class _RowReader:
    """Reads rows' cells as their columns' kinds, reporting cell problems in the context.

    The cells are read column by column (a column's converter over all its cells at once); the
    problems are then reported row by row, in the order of the columns, as if read row by row."""

    def __init__(self, ctx: Context, table: Table, match: ColumnMatch) -> None:
        self.ctx = ctx
        self.width = len(table.columns)
        reader = CellReader(ctx.sheet)
        # (key, position, converter, required): the campaign may come from the import page.
        self.columns = [
            (key, position, reader.converter(column), column.required and key != "campaign")
            for key, position in match.positions.items()
            for column in (ctx.sheet.column(key),)
        ]

    def read(self, number: int, cells: tuple[Any, ...]) -> ParsedRow:
        return self.read_all([Row(number, cells)])[0]

    def read_all(self, rows: list[Row]) -> list[ParsedRow]:
        width = self.width
        cells_of = [row.values if len(row.values) >= width
                    else (*row.values, *(None,) * (width - len(row.values))) for row in rows]
        keys = [key for key, _position, _convert, _required in self.columns]
        # Problems as (row index, column order, position, key, message, cell); cells outside the
        # table come after the columns (order len(columns)), by position.
        problems: list[tuple[int, int, int, str, str, Any]] = []
        raw_columns: list[list[Any]] = []
        value_columns: list[list[Any]] = []
        for order, (key, position, convert, required) in enumerate(self.columns):
            cells = [values[position] for values in cells_of]
            try:
                values = list(map(convert, cells))
            except CellError:
                values = []
                for index, cell in enumerate(cells):
                    try:
                        values.append(convert(cell))
                    except CellError as error:
                        values.append(_FAILED)
                        problems.append((index, order, position, key, error.message, cell))
            if required and (None in values or "" in values):
                problems.extend((index, order, position, key, _("This value is required."), cells[index])
                                for index, value in enumerate(values) if value is None or value == "")
            raw_columns.append(cells)
            value_columns.append(values)
        outside = len(self.columns)
        for index, row_cells in enumerate(cells_of):
            if len(row_cells) > width:
                message = _("This cell is outside the table: its column has no header. Delete it or move it "
                            "into a column of the template.")
                problems.extend((index, outside, position, "", message, row_cells[position])
                                for position in range(width, len(row_cells))
                                if not is_blank(row_cells[position]))
        if keys:
            parsed = [ParsedRow(number=row.number, values=dict(zip(keys, values, strict=True)),
                                raw=dict(zip(keys, raw, strict=True)))
                      for row, values, raw in zip(rows, zip(*value_columns, strict=True),
                                                  zip(*raw_columns, strict=True), strict=True)]
        else:
            parsed = [ParsedRow(number=row.number, values={}, raw={}) for row in rows]
        problems.sort(key=lambda problem: problem[:3])
        for index, order, position, key, message, cell in problems:
            row = parsed[index]
            if order == outside:
                column_letter = letter(position)
                self.ctx.add(ImportProblem(sheet=self.ctx.sheet_name, row=row.number, column=column_letter,
                                           value=display(cell), letter=column_letter, message=message))
                continue
            if row.values.get(key, None) is _FAILED:
                del row.values[key]
            row.failed = row.failed | {key}
            self.ctx.problem(row, key, message, value=cell)
        return parsed


_FAILED = object()  # a cell that could not be read (left out of ParsedRow.values)


def preview(
    file: FileInput, *, filename: str, kind: str, rows: int = 10, campaign: Campaign | None = None,
) -> Preview:
    """The detected columns, the first `rows` data rows (as text) and the header's problems."""
    sheet = KINDS[kind]
    try:
        # Only the first rows: the preview runs in the web request and never reads a whole file.
        table = read_table(file, filename=filename, sheet=sheet, first_rows=rows)
    except UnreadableFile as error:
        return Preview(sheet_name="", columns=[], rows=[], problems=[_file_problem(sheet, error.message)])
    with table:
        empty = _no_header(table, sheet)
        if empty is not None:
            return Preview(sheet_name=table.sheet_name, columns=[], rows=[], problems=[empty])
        match = match_columns(table, sheet, defaults=_defaults(campaign))
        key_at = {position: key for key, position in match.positions.items()}
        columns = []
        for position, header in enumerate(table.columns):
            key = key_at.get(position)
            column = sheet.column(key) if key else None
            columns.append(PreviewColumn(
                letter=letter(position), header=header, key=key,
                template_header=column.header if column else None,
                required=bool(column and column.required),
            ))
        problems = _header_problems(table, sheet, match) + _merged_problems(table)
        ctx = Context(actor=None, sheet=sheet, positions=match.positions, campaign=campaign,
                      sheet_name=table.sheet_name)
        reader = _RowReader(ctx, table, match)
        shown: list[PreviewRow] = []
        readable = not (match.missing or table.merged)
        try:
            for row in table.rows:
                if row.is_empty():
                    continue
                shown.append(PreviewRow(row.number, [display(value) for value in row.values[: len(columns)]]))
                reader.read(row.number, row.values)
                if len(shown) >= rows:
                    break
        except UnreadableFile as error:
            problems.append(_file_problem(sheet, error.message))
            readable = False
        return Preview(
            sheet_name=table.sheet_name, columns=columns, rows=shown, problems=problems,
            total_rows=table.total_rows,
            missing=[column.header for column in sheet.columns if column.key not in match.positions],
            row_problems=ctx.problems, readable=readable,
        )


def run_import(
    *,
    actor: User | None,
    kind: str,
    file: FileInput,
    filename: str,
    progress: Progress | None = None,
    campaign: Campaign | None = None,
) -> ImportResult:
    """Imports a whole file, all or nothing; see the module's docstring.

    `campaign` is used for rows whose campaign cell is empty (or when the file has no campaign
    column). `progress(done, total)` is called about every 1% of the rows: reading and checking
    count for the first half of `total`, writing for the second; `total` is the number of data
    rows (an estimate until the file has been read).
    """
    with _collector_paused():
        return _run_import(actor=actor, kind=kind, file=file, filename=filename, progress=progress,
                           campaign=campaign)


@contextmanager
def _collector_paused() -> Iterator[None]:
    """Python's cycle collector paused while an import runs.

    An import holds every row of the file as small objects (a million of them for 100,000 rows),
    and the collector would walk them all again and again as their number grows: about a fifth of
    the import's time. They hold no cycles; the collector is resumed (if it was running) at the end.
    """
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def _run_import(*, actor: User | None, kind: str, file: FileInput, filename: str, progress: Progress | None,
                campaign: Campaign | None) -> ImportResult:
    sheet = KINDS[kind]
    started = time.perf_counter()
    try:
        table = read_table(file, filename=filename, sheet=sheet)
    except UnreadableFile as error:
        return ImportResult(problems=[_file_problem(sheet, error.message)])
    with table:
        empty = _no_header(table, sheet)
        if empty is not None:
            return ImportResult(problems=[empty])
        match = match_columns(table, sheet, defaults=_defaults(campaign))
        structural = _header_problems(table, sheet, match) + _merged_problems(table)
        if match.missing or table.merged:
            # Without a required column, or with merged ranges reading as empty cells, every row's
            # problems would be noise: the structure is corrected first.
            return ImportResult(problems=structural)
        ctx = Context(actor=actor, sheet=sheet, positions=match.positions, campaign=campaign,
                      sheet_name=table.sheet_name)
        reporter = _Reporter(progress, table.total_rows or 0)
        try:
            for problem in structural:  # columns left out of the reading: the rows are still checked
                ctx.add(problem)
            parsed = _read_rows(ctx, table, match, reporter)
        except UnreadableFile as error:
            return ImportResult(problems=[_file_problem(sheet, error.message)])
        except ProblemLimitReached:
            return ImportResult(problems=_with_limit_note(ctx))
    result = ImportResult(rows=len(parsed))
    if not parsed and not ctx.problems:
        ctx.add(_file_problem(sheet, _("The sheet “%(sheet)s” has a header but no rows of data.")
                              % {"sheet": table.sheet_name}))
    importer = importer_for(kind, ctx)
    checking = time.perf_counter()
    try:
        if parsed:
            importer.check(parsed)
        writing = time.perf_counter()
        result.timings.update(read=writing - started, check=writing - checking)
        if ctx.problems:
            reporter.finish()
            result.problems = _in_reading_order(ctx.problems)
            return result
        _write(ctx, importer.operations(), importer, result, reporter)
        result.timings["write"] = time.perf_counter() - writing
    except ProblemLimitReached:
        result.problems = _with_limit_note(ctx)
        result.created = result.updated = result.unchanged = 0
    if result.problems:
        result.created = result.updated = result.unchanged = 0
    reporter.finish()
    return result


def _in_reading_order(problems: list[ImportProblem]) -> list[ImportProblem]:
    """The file's problems first, then row by row and left to right (a row's problems about no
    one column first); problems of the same cell keep the order they were found in."""
    return sorted(problems, key=lambda problem: (
        problem.row is not None, problem.row or 0,
        column_index_from_string(problem.letter) if problem.letter else 0,
    ))


def _with_limit_note(ctx: Context) -> list[ImportProblem]:
    return [*_in_reading_order(ctx.problems), _file_problem(ctx.sheet, _(
        "The import stopped after %(count)s problems; correct these and import the file again to see "
        "the rest."
    ) % {"count": len(ctx.problems)})]


class _Reporter:
    """Calls `progress` about every 1% of the rows (reading: first half; writing: second half)."""

    def __init__(self, progress: Progress | None, estimate: int) -> None:
        self.progress = progress
        self.total = max(estimate, 0)
        self.next_at = 0
        self.done = 0

    def _step(self) -> int:
        return max(1, self.total // 100)

    def report(self, done: int) -> None:
        self.done = done
        if self.progress is None or done < self.next_at:
            return
        self.next_at = done + self._step()
        self.progress(min(done, self.total), self.total)

    def reading(self, rows_read: int) -> None:
        if rows_read > self.total:
            self.total = rows_read
        self.report(rows_read // 2)

    def read_all(self, rows: int) -> None:
        self.total = rows
        self.next_at = 0
        self.report(rows // 2)

    def writing(self, rows_written: int) -> None:
        self.report(self.total // 2 + (rows_written + 1) // 2)

    def finish(self) -> None:
        if self.progress is not None:
            self.progress(self.total, self.total)


def _read_rows(ctx: Context, table: Table, match: ColumnMatch, reporter: _Reporter) -> list[ParsedRow]:
    rows: list[Row] = []
    for row in table.rows:
        if row.is_empty():
            continue
        rows.append(row)
        reporter.reading(len(rows))
    reporter.read_all(len(rows))
    return _RowReader(ctx, table, match).read_all(rows)


RANK = {UNCHANGED: 0, UPDATED: 1, CREATED: 2}


@runtime_checkable
class _WritesInBulk(Protocol):
    """An importer whose operation writes many rows at once and reports them as it goes."""

    written: Callable[[int], None] | None


def _write(ctx: Context, operations: Any, importer: Any, result: ImportResult, reporter: _Reporter) -> None:
    """Runs the operations in one transaction, rolled back if any of them reports a problem.

    A row's outcome is the strongest its operations report (created, then updated, then unchanged):
    a pledge created by one operation and rated by the next counts once, as created.
    """
    outcomes: dict[int, Outcome] = {}
    if isinstance(importer, _WritesInBulk):
        # Rows written by the operation under way, counted after those of the operations before it.
        importer.written = lambda done: reporter.writing(len(outcomes) + done)
    with transaction.atomic():
        for operation in operations:
            outcome = _run(ctx, operation, importer)
            if outcome is not None:
                for row in operation.rows:
                    mine = outcome.get(row.number, UNCHANGED) if isinstance(outcome, dict) else outcome
                    known = outcomes.get(row.number)
                    if known is None or RANK[mine] > RANK[known]:
                        outcomes[row.number] = mine
            reporter.writing(len(outcomes))
        if ctx.problems:
            transaction.set_rollback(True)
    result.problems = ctx.problems
    values = list(outcomes.values())
    result.created = values.count(CREATED)
    result.updated = values.count(UPDATED)
    result.unchanged = values.count(UNCHANGED)


def _run(ctx: Context, operation: Operation, importer: Any) -> Outcome | dict[int, Outcome] | None:
    row = operation.rows[0]
    try:
        return operation.run()
    except ValidationError as error:
        importer.report_refusal(row, error, operation.field_rows)
    except NotInScope:
        ctx.problem(row, None, _("This row names a record that is not in your organisation."))
    except NotAllowed:
        ctx.problem(row, None, _("Your role does not allow this change."))
    return None

