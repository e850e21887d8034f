"""Shared fixtures: a fresh, migrated database on SQLite and on PostgreSQL.

PostgreSQL runs when ``CIVICSPACE_TEST_POSTGRES_URL`` names a reachable server (CI sets
it and requires it); elsewhere those tests are skipped with the reason. Each test run
works in its own PostgreSQL schema, so parallel runs never see each other's rows.
"""

from __future__ import annotations

import os
import shutil
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import create_engine, inspect, text

from civicspace.application import open_database, open_store
from civicspace.crypto import ENV_KEY, MasterKey
from civicspace.db.engine import Database
from civicspace.store.repository import Store

PG_ENV = "CIVICSPACE_TEST_POSTGRES_URL"
BACKENDS = ["sqlite", "postgresql"]


def _postgres_base_url() -> str | None:
    url = os.environ.get(PG_ENV)
    if not url:
        if os.environ.get("CI") == "true":
            raise RuntimeError(f"CI=true but {PG_ENV} is not set: PostgreSQL tests must run in CI")
        return None
    return url


@pytest.fixture(scope="session", autouse=True)
def master_key() -> Iterator[MasterKey]:
    """One generated master key for the run: every database opened by the suite uses it."""
    key = MasterKey.generate()
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv(ENV_KEY, key.serialize())
        yield key


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("template") / "template.sqlite"
    db = open_database(path)
    db.migrate()
    db.dispose()
    return path


@pytest.fixture(scope="session")
def postgres_url() -> Iterator[str]:
    base = _postgres_base_url()
    if base is None:
        pytest.skip(
            f"PostgreSQL tests need {PG_ENV} (e.g. postgresql+psycopg://postgres@127.0.0.1:5432/test)"
        )
    schema = f"cs_test_{uuid.uuid4().hex[:12]}"
    admin = create_engine(base)
    try:
        with admin.begin() as conn:
            conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    except Exception as exc:
        if os.environ.get("CI") == "true":
            raise
        pytest.skip(f"PostgreSQL at {base} is not reachable: {exc}")
    sep = "&" if "?" in base else "?"
    url = f"{base}{sep}options=-csearch_path%3D{schema}"
    db = open_database(url)
    db.migrate()
    db.dispose()
    yield url
    with admin.begin() as conn:
        conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
    admin.dispose()


def _truncate_postgres(db: Database) -> None:
    tables = [n for n in inspect(db.engine).get_table_names() if n != "alembic_version"]
    if tables:
        with db.begin() as conn:
            conn.execute(
                text(
                    "TRUNCATE " + ", ".join(f'"{n}"' for n in tables) + " RESTART IDENTITY CASCADE"
                )
            )


@pytest.fixture(params=BACKENDS)
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """A URL of an empty, migrated database; parametrised over SQLite and PostgreSQL."""
    if request.param == "sqlite":
        path = tmp_path / "test.sqlite"
        shutil.copy(request.getfixturevalue("sqlite_template"), path)
        yield str(path)
    else:
        url = request.getfixturevalue("postgres_url")
        db = open_database(url)
        _truncate_postgres(db)
        db.dispose()
        yield url


@pytest.fixture
def database(database_url: str) -> Iterator[Database]:
    db = open_database(database_url)
    yield db
    db.dispose()


@pytest.fixture
def store(database: Database) -> Store:
    return open_store(database)
