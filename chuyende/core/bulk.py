"""Writing and looking up many rows at once, below the ORM, for the bulk paths of the services.

The checks a model's full_clean makes are made on whole columns (FieldColumn); rows already checked
are inserted many a statement (COPY on PostgreSQL); values are looked up many a query (matching).
A service using these keeps its business rules, permission checks and audit entry itself.
"""

import sqlite3
import uuid
from collections.abc import Iterator, Sequence
from typing import Any

from django.core.exceptions import ValidationError
from django.core.validators import MaxLengthValidator, ProhibitNullCharactersValidator
from django.db import connection, models

# Values a lookup puts in one IN (...): SQLite allows 32,766 variables since 3.32, 999 before.
IN_LIST_SIZE = 30_000 if sqlite3.sqlite_version_info >= (3, 32) else 900

Checked = tuple[dict[Any, Any], dict[Any, list[ValidationError]]]  # FieldColumn.check


def model_field(model: type[models.Model], name: str) -> "models.Field[Any, Any]":
    field = model._meta.get_field(name)
    assert isinstance(field, models.Field)
    return field


class FieldColumn:
    """The check full_clean makes of one field (Model.clean_fields), made on a column of values.

    Each distinct value is checked once, by the field's own clean; a text of a plain text field
    (its only validators are Django's length and null-character ones, no choices) is accepted at
    once when that clean could not refuse it: not blank, not too long, no null character. As in
    clean_fields, a blank value of a field that may be blank is not checked."""

    def __init__(self, model: type[models.Model], name: str) -> None:
        self.field = field = model_field(model, name)
        self.limit: int | None = None
        if (isinstance(field, models.CharField) and field.max_length is not None and not field.choices
                and all(isinstance(validator, MaxLengthValidator | ProhibitNullCharactersValidator)
                        for validator in field.validators)):
            self.limit = field.max_length

    def check(self, values: Sequence[Any]) -> Checked:
        """(values the clean changes -> their clean value, values refused -> the field's errors)."""
        changed: dict[Any, Any] = {}
        refused: dict[Any, list[ValidationError]] = {}
        field, limit = self.field, self.limit
        for value in set(values):
            if limit is not None and value.__class__ is str and value and len(value) <= limit and (
                    "\x00" not in value):
                continue
            if field.blank and value in field.empty_values:
                continue
            try:
                clean = field.clean(value, None)
            except ValidationError as error:
                refused[value] = error.error_list
                continue
            if clean is not value and (clean != value or clean.__class__ is not value.__class__):
                changed[value] = clean
        return changed, refused


def inserts_return_rows() -> bool:
    """Whether an INSERT of many rows returns them here (SQLite 3.35+; PostgreSQL uses COPY)."""
    return connection.vendor != "postgresql" and bool(connection.features.can_return_rows_from_bulk_insert)


def matching(values: Sequence[Any]) -> Iterator[tuple[str, list[Any]]]:
    """(condition, parameters) that select rows whose column is one of `values`, a chunk at a time:
    `= ANY(array)` on PostgreSQL (one parameter), else `IN (...)` of IN_LIST_SIZE values."""
    if connection.vendor == "postgresql":
        yield "= ANY(%s)", [list(values)]
        return
    for start in range(0, len(values), IN_LIST_SIZE):
        chunk = list(values[start:start + IN_LIST_SIZE])
        yield "IN ({})".format(", ".join(["%s"] * len(chunk))), chunk


def rows_matching(model: type[models.Model], name: str, values: Sequence[Any],
                  *selected: str) -> list[tuple[Any, ...]]:
    """The `selected` fields of the rows whose field `name` is one of `values`, a few queries
    however many the values."""
    columns = ", ".join(f"{{{index + 1}}}" for index in range(len(selected)))
    found: list[tuple[Any, ...]] = []
    with connection.cursor() as cursor:
        for condition, params in matching(values):
            cursor.execute(table_sql(model, f"SELECT {columns} FROM {{table}} WHERE {{0}} {condition}",
                                     name, *selected), params)
            found.extend(cursor.fetchall())
    return found


def table_sql(model: type[models.Model], template: str, *names: str) -> str:
    """`template` with {table} and the quoted columns of `names` ({0}, {1}, ...) filled in."""
    quote = connection.ops.quote_name
    columns = [quote(model_field(model, name).column) for name in names]
    return template.format(*columns, table=quote(model._meta.db_table))


def insert_rows(model: type[models.Model], names: Sequence[str], rows: Sequence[Sequence[Any]], *,
                returning: Sequence[str] = ()) -> list[tuple[Any, ...]]:
    """INSERTs rows of values already checked, without model instances; returns the `returning`
    columns of the rows inserted (not on PostgreSQL).

    PostgreSQL gets the rows by COPY (the fastest way in, a C loop of psycopg); other databases
    get INSERTs of many rows each (IN_LIST_SIZE variables a statement). A unique value refused
    raises IntegrityError."""
    columns = ", ".join(f"{{{index}}}" for index in range(len(names)))
    if connection.vendor == "postgresql":
        assert not returning
        with connection.cursor() as cursor, connection.wrap_database_errors:
            sql = table_sql(model, f"COPY {{table}} ({columns}) FROM STDIN", *names)
            with cursor.cursor.copy(sql) as copy:
                for row in rows:
                    copy.write_row(row)
        return []
    tail = (" RETURNING " + ", ".join(f"{{{len(names) + index}}}" for index in range(len(returning)))
            if returning else "")
    statement = table_sql(model, f"INSERT INTO {{table}} ({columns}) VALUES {{{{values}}}}{tail}",
                          *names, *returning)
    row = "(" + ", ".join(["%s"] * len(names)) + ")"
    per_statement = IN_LIST_SIZE // len(names)  # variables a statement, as for IN (...)
    inserted: list[tuple[Any, ...]] = []
    with connection.cursor() as cursor:
        for start in range(0, len(rows), per_statement):
            chunk = rows[start:start + per_statement]
            cursor.execute(statement.replace("{values}", ", ".join([row] * len(chunk))),
                           [value for values_of_row in chunk for value in values_of_row])
            if returning:
                inserted.extend(cursor.fetchall())
    return inserted


def delete_rows(model: type[models.Model], name: str, value: Any) -> None:
    """DELETEs the rows whose field `name` equals `value` in one statement, without Django's
    collector (which reads the rows first, then deletes them a hundred a statement): for rows whose
    dependent rows are already deleted."""
    with connection.cursor() as cursor:
        cursor.execute(table_sql(model, "DELETE FROM {table} WHERE {0} = %s", name), [value])


def update_rows(model: type[models.Model], key: str, names: Sequence[str],
                rows: Sequence[Sequence[Any]]) -> None:
    """UPDATEs the `names` columns of many rows with values already checked, without model instances:
    each row is (its `key` value, then the new values of `names`).

    PostgreSQL gets the rows by COPY into a temporary table and one UPDATE ... FROM it; SQLite
    (3.33+) an UPDATE ... FROM (VALUES ...) of many rows a statement (IN_LIST_SIZE variables);
    other databases one UPDATE a row, prepared once (executemany)."""
    if not rows:
        return
    if connection.vendor == "postgresql":
        _update_by_copy(model, key, names, rows)
        return
    if connection.vendor == "sqlite" and sqlite3.sqlite_version_info >= (3, 33):
        _update_from_values(model, key, names, rows)
        return
    assignments = ", ".join(f"{{{index + 1}}} = %s" for index in range(len(names)))
    statement = table_sql(model, f"UPDATE {{table}} SET {assignments} WHERE {{0}} = %s", key, *names)
    with connection.cursor() as cursor:
        cursor.executemany(statement, [(*values, row_key) for row_key, *values in rows])


def _update_from_values(model: type[models.Model], key: str, names: Sequence[str],
                        rows: Sequence[Sequence[Any]]) -> None:
    # SQLite names the columns of VALUES column1, column2, ... (column1: the key).
    assignments = ", ".join(f"{{{index + 1}}} = changes.column{index + 2}" for index in range(len(names)))
    statement = table_sql(model, f"UPDATE {{table}} SET {assignments} "
                                 "FROM (VALUES {{values}}) AS changes WHERE {table}.{0} = changes.column1",
                          key, *names)
    row = "(" + ", ".join(["%s"] * (len(names) + 1)) + ")"
    per_statement = IN_LIST_SIZE // (len(names) + 1)
    with connection.cursor() as cursor:
        for start in range(0, len(rows), per_statement):
            chunk = rows[start:start + per_statement]
            cursor.execute(statement.replace("{values}", ", ".join([row] * len(chunk))),
                           [value for values_of_row in chunk for value in values_of_row])


def _update_by_copy(model: type[models.Model], key: str, names: Sequence[str],
                    rows: Sequence[Sequence[Any]]) -> None:
    quote = connection.ops.quote_name
    changes = quote(f"bulk_update_{uuid.uuid4().hex}")
    columns = ", ".join(f"{{{index}}}" for index in range(len(names) + 1))
    assignments = ", ".join(f"{{{index + 1}}} = changes.{{{index + 1}}}" for index in range(len(names)))
    with connection.cursor() as cursor, connection.wrap_database_errors:
        # The temporary table takes the columns' own types from the table.
        cursor.execute(table_sql(model, f"CREATE TEMPORARY TABLE {changes} AS SELECT {columns} "
                                        "FROM {table} WITH NO DATA", key, *names))
        with cursor.cursor.copy(f"COPY {changes} FROM STDIN") as copy:
            for row in rows:
                copy.write_row(row)
        cursor.execute(table_sql(model, f"UPDATE {{table}} SET {assignments} FROM {changes} AS changes "
                                        "WHERE {table}.{0} = changes.{0}", key, *names))
        cursor.execute(f"DROP TABLE {changes}")
