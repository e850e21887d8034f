import json
from pathlib import Path

from civicspace.access import Viewer
from civicspace.ingest.bundle import export_bundle, import_file
from tests.factories import sample_bundle


def test_import_search_export(store, tmp_path: Path):
    path = tmp_path / "b.json"
    path.write_text(json.dumps(sample_bundle()), encoding="utf-8")
    editor = Viewer("editor", "ed")
    counts = import_file(store, path, editor)
    assert counts["persons"] == 2
    hits = store.search("Мамай", editor)
    assert {h.id for h in hits} >= {"person-mamai", "case-mamai", "inc-extension"}
    assert {h.id for h in store.search("mamay", Viewer.anonymous())} >= {"person-mamai"}
    assert store.search("Canarybek", Viewer.anonymous()) == []
    data = export_bundle(store, Viewer.anonymous())
    assert "Canarybek" not in json.dumps(data)
