"""What every kind of import shares: problems, typed rows, the import's context and the importer base.

An importer sees the file's rows already read as their columns' kinds (`ParsedRow`). `check` looks up
every code in bulk and reports each problem it can find without writing; only if the whole file is
clean does the engine ask for `operations`, each one a write through a service that says whether it
created, updated or left the record unchanged (a row equal to what is stored calls no service, so
it leaves no audit entry).
"""

import datetime
from collections.abc import Callable, Hashable, Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any, Literal

from django.core.exceptions import ValidationError
from django.db import connection
from django.db.models import BooleanField
from django.db.models.expressions import RawSQL
from django.utils.translation import gettext as _

from chuyende.accounts.models import User
from chuyende.accounts.permissions import can_edit
from chuyende.campaigns.models import Campaign
from chuyende.campaigns.selectors import campaigns_for
from chuyende.core import bulk
from chuyende.imports.reading import display, letter
from chuyende.imports.spec import Column, Sheet
from chuyende.members.models import Member
from chuyende.organisation.models import Unit

Outcome = Literal["created", "updated", "unchanged"]
CREATED: Outcome = "created"
UPDATED: Outcome = "updated"
UNCHANGED: Outcome = "unchanged"


@dataclass(frozen=True)
class ImportProblem:
    """One problem of an import, as the user sees it.

    sheet: the sheet's name; row: the 1-based spreadsheet row (None: the file as a whole);
    column: the header and letter ("Mã đơn vị (C)"), "" when not about one column; value: the
    cell's text; message: what is wrong and what to do, in Vietnamese. `letter` and `header` are
    the parts of `column`, for placing the problem on the cell in an annotated copy.
    """

    sheet: str
    row: int | None
    column: str
    value: str
    message: str
    letter: str = ""
    header: str = ""

    def as_dict(self) -> dict[str, Any]:
        return {"sheet": self.sheet, "row": self.row, "column": self.column, "value": self.value,
                "message": self.message, "letter": self.letter, "header": self.header}

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> "ImportProblem":
        return cls(
            sheet=str(data.get("sheet") or ""), row=data.get("row"), column=str(data.get("column") or ""),
            value=str(data.get("value") or ""), message=str(data.get("message") or ""),
            letter=str(data.get("letter") or ""), header=str(data.get("header") or ""),
        )


def column_label(header: str, column_letter: str) -> str:
    return f"{header} ({column_letter})" if header and column_letter else header or column_letter


@dataclass
class ParsedRow:
    """A data row read as its columns' kinds.

    values: column key → typed value, for columns present in the file (an empty cell is "" for
    text, code and choice columns, None for numbers and dates); raw: the cells as written;
    failed: keys of the cells whose problem the reader already reported (a value it could not read,
    left out of `values`, or a required value left empty): checks pass over them, neither reporting
    them again nor reading them as empty.
    """

    number: int
    values: dict[str, Any]
    raw: dict[str, Any]
    failed: frozenset[str] = frozenset()

    def has(self, key: str) -> bool:
        return key in self.values

    def intact(self, *keys: str) -> bool:
        """None of these cells has a problem already reported."""
        return self.failed.isdisjoint(keys)

    def get(self, key: str, default: Any = None) -> Any:
        value = self.values.get(key)
        return default if value is None or value == "" else value

    def keep(self, key: str, stored: Any) -> Any:
        """The row's value, or the stored one when the column is not in the file."""
        return self.values.get(key, stored)


@dataclass
class Operation:
    """One write: the rows it comes from and the call that does it.

    `run` returns the outcome of all its rows, or a dict of outcomes by row number (rows not in it
    are unchanged). `field_rows` may name the row a service's field error belongs to (default: the
    first row).
    """

    rows: list[ParsedRow]
    run: Callable[[], "Outcome | dict[int, Outcome]"]
    field_rows: dict[str, ParsedRow] = field(default_factory=dict)


class ProblemLimitReached(Exception):
    """Raised when an import has reported as many problems as it keeps."""


MAX_PROBLEMS = 10_000
NO_SCOPE = "-"  # a prefix no unit path has (paths are digits and dots)
LOOKUP_CHUNK = 900  # codes per query, below SQLite's limit of variables in one statement


def members_by_code(codes: Iterable[str]) -> dict[str, Member]:
    """The members with these codes (any unit: the caller checks the scope), by code, each with its
    unit; a few queries however many the codes, and one Unit instance a unit."""
    wanted = sorted(set(codes))
    column = f"{connection.ops.quote_name(Member._meta.db_table)}.{connection.ops.quote_name('code')}"
    members: list[Member] = []
    for condition, params in bulk.matching(wanted):
        members.extend(Member.objects.filter(RawSQL(f"{column} {condition}", params,
                                                    output_field=BooleanField())).order_by())
    units = Unit.objects.in_bulk({member.unit_id for member in members})
    unit_of = Member.unit.field
    for member in members:
        unit_of.set_cached_value(member, units[member.unit_id])
    return {member.code: member for member in members}


def no_member(code: str) -> str:
    return _("There is no party member with code “%(code)s” in your organisation.") % {"code": code}


class Context:
    """The import's actor, scope, default campaign, code lookups and the problems found so far."""

    def __init__(self, *, actor: User | None, sheet: Sheet, positions: dict[str, int],
                 campaign: Campaign | None = None, sheet_name: str = "") -> None:
        self.actor = actor
        self.sheet = sheet
        self.positions = positions
        self.default_campaign = campaign
        self.sheet_name = sheet_name or sheet.title
        self.problems: list[ImportProblem] = []
        self.root = actor.unit if actor is not None else None
        # The system (no actor) sees every unit; a user without a unit sees none.
        self.scope_path = self.root.path if self.root is not None else ("" if actor is None else NO_SCOPE)
        self._units: dict[str, Unit] | None = None
        self._campaigns: dict[str, Campaign] | None = None

    # --- problems ---

    def problem(self, row: ParsedRow | int | None, key: str | None, message: str, *,
                value: Any = None) -> None:
        number = row.number if isinstance(row, ParsedRow) else row
        header = column_letter = ""
        if key is not None and key in self.sheet.by_key:
            column: Column = self.sheet.column(key)
            header = column.header
            if key in self.positions:
                column_letter = letter(self.positions[key])
            if value is None and isinstance(row, ParsedRow):
                value = row.raw.get(key)
        self.add(ImportProblem(
            sheet=self.sheet_name, row=number, column=column_label(header, column_letter),
            value=display(value), message=message, letter=column_letter, header=header,
        ))

    def add(self, problem: ImportProblem) -> None:
        if len(self.problems) >= MAX_PROBLEMS:
            raise ProblemLimitReached
        self.problems.append(problem)

    @property
    def has_problems(self) -> bool:
        return bool(self.problems)

    # --- scope ---

    @property
    def units(self) -> dict[str, Unit]:
        """Every unit the actor may read, by code (loaded once)."""
        if self._units is None:
            self._units = {unit.code: unit
                           for unit in Unit.objects.filter(path__startswith=self.scope_path).order_by()}
        return self._units

    def unit(self, row: ParsedRow, key: str, *, required: bool = True) -> Unit | None:
        """The unit the row names in column `key`, reported when unknown or outside the scope."""
        if key in row.failed:
            return None
        code = row.get(key, "")
        if not code:
            if required:
                self.problem(row, key, _("This value is required."))
            return None
        unit = self.units.get(code)
        if unit is None:
            self.problem(row, key, not_in_scope_unit(code))
        return unit

    def editable(self, row: ParsedRow, key: str, unit: Unit | None) -> bool:
        if unit is None:
            return False
        if not can_edit(self.actor, unit):
            self.problem(row, key, _("Your role does not allow changing the data of %(unit)s.")
                         % {"unit": unit.name})
            return False
        return True

    @property
    def campaigns(self) -> dict[str, Campaign]:
        if self._campaigns is None:
            campaigns = Campaign.objects.all() if self.actor is None else campaigns_for(actor=self.actor)
            self._campaigns = {campaign.code: campaign for campaign in campaigns}
        return self._campaigns

    def campaign(self, row: ParsedRow) -> Campaign | None:
        """The row's campaign: its code in the campaign column, else the campaign of the import."""
        if "campaign" in row.failed:
            return None
        code = row.get("campaign", "")
        if not code:
            if self.default_campaign is None:
                self.problem(row, "campaign", _(
                    "Write the code of the campaign, or choose the campaign on the import page."
                ))
            return self.default_campaign
        campaign = self.campaigns.get(code)
        if campaign is None:
            self.problem(row, "campaign", _("There is no campaign with code “%(code)s” that you can see.")
                         % {"code": code})
        return campaign

    def duplicates(self, rows: Iterable[ParsedRow], key_of: Callable[[ParsedRow], Hashable | None],
                   column: str, describe: Callable[[ParsedRow], str] | None = None) -> None:
        """Reports every row whose key (not None) another row above already has, naming both rows."""
        first: dict[Hashable, ParsedRow] = {}
        for row in rows:
            key = key_of(row)
            if key is None:
                continue
            if key in first and describe is not None:
                self.problem(row, column, _(
                    "Rows %(first)s and %(second)s are the same record (%(record)s); keep one row for it."
                ) % {"first": first[key].number, "second": row.number, "record": describe(row)})
            elif key in first:
                self.problem(row, column, _(
                    "Rows %(first)s and %(second)s are the same record; keep one row for it."
                ) % {"first": first[key].number, "second": row.number})
            else:
                first[key] = row


def not_in_scope_unit(code: str) -> str:
    return _("There is no unit with code “%(code)s” in your organisation.") % {"code": code}


def blank_required(row: ParsedRow, ctx: Context, keys: Iterable[str]) -> bool:
    """Reports required cells left empty (of columns present); True if any."""
    found = False
    for key in keys:
        if key in row.values and (row.values[key] is None or row.values[key] == ""):
            ctx.problem(row, key, _("This value is required."))
            found = True
    return found


def same_date(a: datetime.date | None, b: datetime.date | None) -> bool:
    return a == b


class Importer:
    """Base of the importer of one kind. Subclasses set `kind` and implement check and operations."""

    kind: str = ""

    def __init__(self, ctx: Context) -> None:
        self.ctx = ctx

    def check(self, rows: list[ParsedRow]) -> None:
        """Looks up the rows' codes and reports every problem it can find without writing.

        It runs even when cells failed to read (see `ParsedRow.failed`), and reports each independent
        fault of a row: only a check that needs a value that is missing or wrong is passed over."""
        raise NotImplementedError

    def operations(self) -> Iterator[Operation]:
        """The writes, in order; only called when neither the reading nor `check` found a problem."""
        raise NotImplementedError

    def field_column(self, name: str) -> str | None:
        """The column key a service's field error belongs to."""
        column = self.ctx.sheet.column_of_field(name)
        return column.key if column is not None else None

    def report_refusal(self, row: ParsedRow, error: ValidationError,
                       field_rows: dict[str, ParsedRow] | None = None) -> None:
        """A service's refusal, on the column of each field it names: on `row`, or on the row
        `field_rows` gives for that field."""
        if not hasattr(error, "error_dict"):
            for message in error.messages:
                self.ctx.problem(row, None, str(message))
            return
        for name, messages in error.message_dict.items():
            key = self.field_column(name)
            on = (field_rows or {}).get(name, row)
            for message in messages:
                self.ctx.problem(on, key, str(message))
