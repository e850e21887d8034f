"""The demo dataset loaded once per session into a SQLite file, for report tests."""

from __future__ import annotations

from pathlib import Path

import pytest

from civicspace.access import Viewer
from civicspace.application import open_database, open_store
from civicspace.demo import demo_dataset_path
from civicspace.ingest.bundle import import_file
from civicspace.store.repository import Store


@pytest.fixture(scope="session")
def demo_store(tmp_path_factory: pytest.TempPathFactory) -> Store:
    path: Path = tmp_path_factory.mktemp("demo") / "demo.sqlite"
    db = open_database(path)
    db.migrate()
    store = open_store(db)
    import_file(store, demo_dataset_path(), Viewer("editor", "loader"), replace=True)
    return store
