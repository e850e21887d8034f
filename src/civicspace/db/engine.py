"""Opening a database: an embedded SQLite file by default, or a PostgreSQL server URL."""

from __future__ import annotations

import json
import os
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from importlib import resources
from pathlib import Path
from typing import Any

from sqlalchemy import (
    ARRAY,
    ColumnElement,
    Connection,
    Engine,
    String,
    any_,
    bindparam,
    create_engine,
    event,
    func,
    inspect,
    select,
)
from sqlalchemy.engine import Dialect

from civicspace import settings

DEFAULT_SQLITE_FILE = "civicspace.sqlite"


class DatabaseError(RuntimeError):
    """The database cannot be opened or is not in the expected state."""


def resolve_url(target: str | os.PathLike[str] | None = None) -> str:
    """A SQLAlchemy URL from a URL, a file path, ``CIVICSPACE_DATABASE_URL`` or the default file.

    >>> resolve_url("var/x.sqlite").startswith("sqlite:///")
    True
    """
    value = str(target) if target else settings.read("database_url") or ""
    if not value:
        value = DEFAULT_SQLITE_FILE
    if "://" in value:
        if value.startswith(("postgresql://", "postgres://")):
            # psycopg 3 is the driver we ship; plain URLs would ask for psycopg2.
            value = "postgresql+psycopg://" + value.split("://", 1)[1]
        return value
    return f"sqlite:///{Path(value).expanduser().resolve()}"


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute("PRAGMA cache_size=-65536")
    cursor.execute("PRAGMA busy_timeout=10000")
    # Deleted rows are overwritten, so a record that became confidential leaves no
    # plaintext behind in free pages of the file.
    cursor.execute("PRAGMA secure_delete=ON")
    cursor.close()


def default_key_file(url: str) -> Path | None:
    """``<database>.key`` beside a SQLite file (the master key ``civicspace init`` creates)."""
    if not url.startswith("sqlite:///"):
        return None
    path = Path(url.removeprefix("sqlite:///"))
    return path.with_name(path.name + ".key")


class Database:
    """A connection pool to one database, and the way to migrate it to the current schema.

    This layer knows nothing of keys: :func:`civicspace.application.open_database` gives
    a database its keyring (``keyring``, carried by every connection of ``engine`` as an
    execution option) and the step that runs after each migration (``after_migrate``).
    """

    def __init__(self, engine: Engine, key_file: Path | None = None) -> None:
        self.base_engine = engine
        self.engine = engine
        self.key_file = key_file
        self.keyring: Any = None
        self.after_migrate: list[Callable[[Database], None]] = []

    def with_connection_option(self, name: str, value: Any) -> None:
        """Every connection from now on carries ``value`` as its execution option ``name``."""
        self.engine = self.base_engine.execution_options(**{name: value})

    @classmethod
    def connect(
        cls,
        target: str | os.PathLike[str] | None = None,
        key_file: Path | None = None,
        **engine_options: Any,
    ) -> Database:
        """Open ``target`` (see :func:`resolve_url`); no keyring, no migration."""
        url = resolve_url(target)
        if url.startswith("sqlite:///"):
            path = Path(url.removeprefix("sqlite:///"))
            if not path.parent.exists():
                raise DatabaseError(
                    f"cannot create database {path}: folder {path.parent} does not exist"
                )
        try:
            engine = create_engine(url, **engine_options)
        except Exception as exc:  # malformed URL, missing driver
            raise DatabaseError(f"cannot open database {url!r}: {exc}") from exc
        if engine.dialect.name == "sqlite":
            event.listen(engine, "connect", _sqlite_pragmas)
        return cls(engine, key_file)

    @property
    def dialect(self) -> str:
        return self.engine.dialect.name

    @property
    def url(self) -> str:
        return self.engine.url.render_as_string(hide_password=True)

    @contextmanager
    def begin(self) -> Iterator[Connection]:
        """A connection inside one transaction: committed on success, rolled back on error."""
        with self.engine.begin() as conn:
            yield conn

    def alembic_config(self) -> Any:
        from alembic.config import Config

        config = Config()
        config.set_main_option(
            "script_location", str(resources.files("civicspace.db").joinpath("migrations"))
        )
        config.set_main_option("sqlalchemy.url", self.url.replace("%", "%%"))
        return config

    def migrate(self) -> None:
        """Bring the schema to the newest revision of every branch (idempotent).

        Alembic is imported only when there is something to do (see :mod:`civicspace.db.heads`).
        """
        from civicspace.db.heads import at_newest

        if not at_newest(self.engine):
            from alembic import command

            config = self.alembic_config()
            try:
                with self.engine.begin() as conn:
                    config.attributes["connection"] = conn
                    command.upgrade(config, "heads")
            except Exception as exc:
                raise DatabaseError(f"cannot migrate {self.url}: {exc}") from exc
        for step in self.after_migrate:
            step(self)

    def is_initialised(self) -> bool:
        return "alembic_version" in inspect(self.engine).get_table_names()

    def dispose(self) -> None:
        self.engine.dispose()


def among_ids(column: ColumnElement[Any], dialect: Dialect) -> ColumnElement[bool]:
    """``column`` is one of the list bound as ``ids`` (see :func:`bound_ids`).

    The whole list is one parameter (a JSON array on SQLite, an array on PostgreSQL), so a
    statement built once serves lists of any length: an ``IN`` list of bound values costs
    SQLAlchemy more to render, per value, than the database spends finding the rows.
    """
    if dialect.name == "postgresql":
        return column == any_(bindparam("ids", type_=ARRAY(column.type)))
    values = func.json_each(bindparam("ids", type_=String)).table_valued("value")
    return column.in_(select(values.c.value))


def bound_ids(ids: Sequence[str], dialect: Dialect) -> Any:
    """The value to bind as ``ids`` for :func:`among_ids`."""
    return list(ids) if dialect.name == "postgresql" else json.dumps(list(ids))
