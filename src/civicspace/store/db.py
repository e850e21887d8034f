"""Opening a database: an embedded SQLite file by default, or a PostgreSQL server URL."""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from importlib import resources
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, Engine, create_engine, event, inspect

DEFAULT_SQLITE_FILE = "civicspace.sqlite"


class DatabaseError(RuntimeError):
    """The database cannot be opened or is not in the expected state."""


def resolve_url(target: str | os.PathLike[str] | None = None) -> str:
    """A SQLAlchemy URL from a URL, a file path, ``CIVICSPACE_DATABASE_URL`` or the default file.

    >>> resolve_url("var/x.sqlite").startswith("sqlite:///")
    True
    """
    value = str(target) if target else os.environ.get("CIVICSPACE_DATABASE_URL") or ""
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
    cursor.execute("PRAGMA busy_timeout=10000")
    cursor.close()


class Database:
    """A connection pool to one database, and the way to migrate it to the current schema."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    @classmethod
    def connect(
        cls, target: str | os.PathLike[str] | None = None, **engine_options: Any
    ) -> Database:
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
        return cls(engine)

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
            "script_location", str(resources.files("civicspace.store").joinpath("migrations"))
        )
        config.set_main_option("sqlalchemy.url", self.url.replace("%", "%%"))
        return config

    def migrate(self) -> None:
        """Bring the schema to the newest revision of every branch (idempotent)."""
        from alembic import command

        config = self.alembic_config()
        try:
            with self.engine.begin() as conn:
                config.attributes["connection"] = conn
                command.upgrade(config, "heads")
        except Exception as exc:
            raise DatabaseError(f"cannot migrate {self.url}: {exc}") from exc

    def is_initialised(self) -> bool:
        return "alembic_version" in inspect(self.engine).get_table_names()

    def dispose(self) -> None:
        self.engine.dispose()
