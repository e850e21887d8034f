"""A store and a web app over the sample bundle, on SQLite and PostgreSQL."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from civicspace.application import open_store
from civicspace.db.engine import Database
from civicspace.store import Store
from tests.helpers import load_sample
from tests.web.conftest import Web, build_web


@pytest.fixture
def store(database: Database, tmp_path: Path) -> Store:
    built = open_store(database)
    load_sample(built, tmp_path)
    return built


@pytest.fixture
def web(database: Database, tmp_path: Path) -> Iterator[Web]:
    built = build_web(database, tmp_path)
    with built.http:
        yield built
