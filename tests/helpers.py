"""Helpers shared by tests: load the sample bundle, compare whole-database exports."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from civicspace.access import Viewer
from civicspace.ingest.bundle import export_bundle, import_file
from civicspace.store.repository import Store
from tests.factories import sample_bundle

EDITOR = Viewer("editor", "editor-1")


def load_sample(store: Store, tmp_path: Path, data: dict[str, Any] | None = None) -> Path:
    path = tmp_path / "sample.json"
    path.write_text(json.dumps(data or sample_bundle(), ensure_ascii=False), encoding="utf-8")
    import_file(store, path, EDITOR)
    return path


def snapshot(store: Store) -> str:
    """Everything in the database, as an editor sees it, as canonical JSON."""
    return json.dumps(export_bundle(store, EDITOR), sort_keys=True, ensure_ascii=False)
