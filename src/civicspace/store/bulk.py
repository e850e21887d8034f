"""Bulk inserts straight through the database driver, for imports of many records.

SQLAlchemy's ``executemany`` compiles parameters row by row and runs hooks on each; at
100,000 records that costs more than the database's own work. Here each table's insert
is written once per column set, values go through the same type processors SQLAlchemy
would use, values marked :class:`~civicspace.crypto.Sealed` are sealed first (so nothing
confidential reaches the driver in plaintext), and PostgreSQL receives the rows by
``COPY``. It runs on the caller's connection, inside the caller's transaction.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import cache
from operator import itemgetter
from typing import Any

from sqlalchemy import Connection, Table
from sqlalchemy.engine import Dialect
from sqlalchemy.exc import DBAPIError

from civicspace.crypto.sealing import sealer
from civicspace.db.schema import metadata

Processor = Callable[[Any], Any] | None


@cache
def _plan(
    dialect: Dialect, table: Table, columns: tuple[str, ...]
) -> tuple[str, tuple[Processor, ...], tuple[Any, ...]]:
    """The statement, each column's bind processor and default for ``columns`` of ``table``."""
    quote = dialect.identifier_preparer.quote
    names = ", ".join(quote(c) for c in columns)
    if dialect.name == "postgresql":
        sql = f"COPY {quote(table.name)} ({names}) FROM STDIN"
    else:
        marks = ", ".join("?" for _ in columns)
        sql = f"INSERT INTO {quote(table.name)} ({names}) VALUES ({marks})"
    processors = tuple(
        table.c[c].type.dialect_impl(dialect).bind_processor(dialect) for c in columns
    )
    defaults = tuple(
        getattr(d, "arg", None) if (d := table.c[c].default) is not None and d.is_scalar else None
        for c in columns
    )
    return sql, processors, defaults


def _columns(table: Table, rows: Sequence[dict[str, Any]]) -> tuple[str, ...]:
    """The first row's columns plus those with a Python-side default (as ``insert`` would)."""
    keys = list(rows[0])
    keys += [c.name for c in table.columns if c.default is not None and c.name not in rows[0]]
    return tuple(keys)


@dataclass(frozen=True)
class PreparedRows:
    """Rows of one table ready for the driver: values in ``columns`` order, already passed
    through the type processors. Plain data, so a worker process can build them and send
    them to the one that writes (see :mod:`civicspace.ingest.workers`)."""

    table: str
    columns: tuple[str, ...]
    values: list[tuple[Any, ...]]


def bulk_insert(
    conn: Connection, table: Table, rows: Sequence[dict[str, Any]], *, secret: bool = True
) -> None:
    """Insert ``rows`` (dicts of column values, one shape per call) into ``table``.

    ``secret=False`` says no value is marked for sealing (the rows of records none of which
    is confidential), so rows are not searched for marks. Were one there after all, the
    driver would refuse it: it fails closed, never writing plaintext.
    """
    if rows:
        seal = sealer(conn).row if secret else None
        write_rows(conn, prepare_rows(conn.dialect, table, rows, seal))


def prepare_rows(
    dialect: Dialect,
    table: Table,
    rows: Sequence[dict[str, Any]],
    seal: Callable[[dict[str, Any]], dict[str, Any]] | None = None,
) -> PreparedRows:
    """``rows`` as the driver takes them; ``seal`` first replaces values marked for sealing."""
    columns = _columns(table, rows)
    _sql, processors, defaults = _plan(dialect, table, columns)
    shape = rows[0].keys()
    # Values in column order in one C call; defaults (columns no row has) and type
    # processors are applied where there are any.
    present = [c for c in columns if c in shape]
    take = itemgetter(*present) if len(present) > 1 else (lambda row: (row[present[0]],))
    tail = [d for c, d in zip(columns, defaults, strict=True) if c not in shape]
    convert = [(i, p) for i, p in enumerate(processors) if p is not None]
    # A batch's rows share many values (one ``now`` in every created_at): a processor's
    # result for the object it saw last is reused.
    last: list[tuple[Any, Any]] = [(None, None)] * len(columns)
    prepared = []
    for row in rows:
        if row.keys() != shape:
            raise ValueError(
                f"rows for {table.name} differ in their columns: {sorted(shape ^ row.keys())}"
            )
        values = [*take(seal(row) if seal else row), *tail]
        for i, process in convert:
            value = values[i]
            if value is not None:
                seen, result = last[i]
                if value is not seen:
                    result = process(value)
                    last[i] = (value, result)
                values[i] = result
        prepared.append(tuple(values))
    return _without_empty_columns(table, columns, prepared)


def _without_empty_columns(
    table: Table, columns: tuple[str, ...], values: list[tuple[Any, ...]]
) -> PreparedRows:
    """Leave out the columns that are NULL in every row and have no default: the database
    stores NULL for them all the same. Binding ``None`` is the sqlite3 module's slowest
    case (it looks for an adapter for each one, about 3,000 instructions), and an import's
    rows leave many columns empty (a record's notes, an incident's end date)."""
    first = values[0] if values else ()
    empty = [
        i
        for i, value in enumerate(first)
        if value is None
        and table.c[columns[i]].default is None
        and table.c[columns[i]].server_default is None
        and all(row[i] is None for row in values)
    ]
    if not empty or len(empty) == len(columns):
        return PreparedRows(table.name, columns, values)
    kept = [i for i in range(len(columns)) if i not in empty]
    if len(kept) == 1:
        only = kept[0]
        return PreparedRows(table.name, (columns[only],), [(row[only],) for row in values])
    take = itemgetter(*kept)
    return PreparedRows(table.name, tuple(columns[i] for i in kept), [take(row) for row in values])


def write_rows(conn: Connection, rows: PreparedRows) -> None:
    """Send prepared rows to the database on ``conn``, inside its transaction."""
    if not rows.values:
        return
    table = metadata.tables[rows.table]
    sql = _plan(conn.dialect, table, rows.columns)[0]
    driver_error = conn.dialect.loaded_dbapi.Error
    cursor = conn.connection.driver_connection.cursor()  # type: ignore[union-attr]
    try:
        if conn.dialect.name == "postgresql":
            with cursor.copy(sql) as copy:
                for prepared_row in rows.values:
                    copy.write_row(prepared_row)
        else:
            cursor.executemany(sql, rows.values)
    except driver_error as error:  # the same exceptions as through SQLAlchemy (IntegrityError...)
        raise DBAPIError.instance(sql, None, error, driver_error) from error
    finally:
        cursor.close()
