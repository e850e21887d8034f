"""The demo dataset loaded once per session into a SQLite file, for report tests."""

from __future__ import annotations

from pathlib import Path

import pytest

from civicspace.access import Viewer
from civicspace.demo import demo_dataset_path
from civicspace.ingest.bundle import import_file
from civicspace.store.db import Database
from civicspace.store.repository import Store


@pytest.fixture(scope="session")
def demo_store(tmp_path_factory: pytest.TempPathFactory) -> Store:
    path: Path = tmp_path_factory.mktemp("demo") / "demo.sqlite"
    db = Database.connect(path)
    db.migrate()
    store = Store(db)
    import_file(store, demo_dataset_path(), Viewer("editor", "loader"), replace=True)
    return store
