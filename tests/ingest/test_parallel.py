"""A large import prepared by worker processes stores what one process would, and refuses
what one process would refuse, with nothing written.

The sample bundle is small, so these tests lower the threshold and the chunk size: every
kind is split across several chunks and both workers.
"""

from __future__ import annotations

import copy
import dataclasses
import datetime as dt
import json
import multiprocessing
import shutil
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from civicspace.access import Viewer
from civicspace.application import open_database, open_store
from civicspace.db import schema as t
from civicspace.db.audit import revisions
from civicspace.demo import demo_dataset_path
from civicspace.ingest import ImportOptions, import_document, import_path, import_records, pipeline
from civicspace.ingest import options as options_module
from civicspace.ingest import workers as workers_module
from civicspace.ingest.bundle import parse_bundle, read_document
from civicspace.ingest.errors import ImportRejected
from civicspace.store.repository import Store
from civicspace.trust import audit
from tests.conftest import _truncate_postgres
from tests.factories import sample_bundle
from tests.helpers import EDITOR, snapshot

NOW = dt.datetime(2026, 5, 1, 12, 0, tzinfo=dt.UTC)


FORCED = ImportOptions(workers=2, parallel_at=1, chunk_size=2)


@dataclasses.dataclass(frozen=True)
class _Forced(ImportOptions):
    workers: int | None = FORCED.workers
    parallel_at: int = FORCED.parallel_at
    chunk_size: int = FORCED.chunk_size


@pytest.fixture
def forced(monkeypatch: pytest.MonkeyPatch) -> None:
    """Every bundle goes to two workers, two records a chunk: this file's imports pass
    ``FORCED``, and the command line builds its options with these defaults."""
    monkeypatch.setattr(options_module, "ImportOptions", _Forced)


def import_file(
    store: Store, path: Path, viewer: Viewer, options: ImportOptions = FORCED
) -> dict[str, int]:
    return import_path(store, viewer, path, options).counts


def _bigger_bundle() -> dict[str, Any]:
    """The sample plus enough public people and incidents naming them to fill chunks."""
    data = sample_bundle()
    cite = [{"source_id": "src-update"}]
    for i in range(7):
        data["persons"].append(
            {
                "id": f"person-{i}",
                "name": {"text": f"Асель Нурланова {i}", "script": "Cyrl"},
                "names": [{"text": f"Asel Nurlanova {i}", "script": "Latn"}],
                "roles": ["journalist"],
                "visibility": "restricted" if i % 3 == 0 else "public",
                "verification": "verified",
                "sources": cite,
            }
        )
    for i in range(9):
        data["incidents"].append(
            {
                "id": f"inc-{i}",
                "title": f"Journalist detained #{i}",
                "date": f"2022-07-{i + 1:02d}",
                "country": "KZ",
                "freedoms": ["expression"],
                "violations": ["journalist_detained"],
                "participants": [
                    {"person_id": f"person-{i % 7}", "role": "target"},
                    {"organisation_id": "org-dp", "role": "perpetrator"},
                ],
                "summary": "Detained after a report on a protest.",
                "visibility": "public" if i % 2 else "restricted",
                "verification": "verified",
                "sources": cite,
            }
        )
    return data


def _write(tmp_path: Path, data: object, name: str = "bundle.json") -> Path:
    path = tmp_path / name
    path.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    return path


def _empty(url: str, sqlite_template: Path) -> Store:
    if "://" in url and url.startswith("postgresql"):
        db = open_database(url)
        _truncate_postgres(db)
    else:
        shutil.copy(sqlite_template, url)
        db = open_database(url)
    return open_store(db, clock=lambda: NOW)


def _stored(store: Store) -> dict[str, Any]:
    """What the database holds, sealed values aside (their nonces differ run to run)."""
    with store.db.begin() as conn:
        docs = conn.execute(
            select(
                t.search_documents.c.kind,
                t.search_documents.c.record_id,
                t.search_documents.c.visibility,
                t.search_documents.c.verification,
                t.search_documents.c.title,
                t.search_documents.c.text,
                t.search_documents.c.body,
            ).where(t.search_documents.c.visibility != "confidential")
        ).all()
        history = conn.execute(
            select(
                revisions.c.kind,
                revisions.c.record_id,
                revisions.c.revision,
                revisions.c.action,
                revisions.c.actor,
                revisions.c.visibility,
                revisions.c.verification,
                revisions.c.before,
                revisions.c.after,
            ).where(revisions.c.visibility != "confidential")
        ).all()
        sealed = conn.execute(
            select(revisions.c.kind, revisions.c.record_id).where(
                revisions.c.visibility == "confidential"
            )
        ).all()
        verdict = audit.verify(conn)
    assert verdict.ok, verdict.message
    return {
        "export": json.loads(snapshot(store)),
        "documents": sorted(tuple(r) for r in docs),
        "revisions": sorted(tuple(r) for r in history),
        "sealed revisions": sorted(tuple(r) for r in sealed),
        "searches": {
            (q, who.role): sorted((h.kind, h.id) for h in store.search(q, who, limit=50))
            for q in ("Мамай", "Mamai", "Nurlanova", "Асель", "Aigerim Canarybek", "Democratic")
            for who in (Viewer.anonymous(), EDITOR)
        },
    }


def test_workers_store_what_one_process_stores(
    database_url: str, sqlite_template: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = _write(tmp_path, _bigger_bundle())
    alone = _empty(database_url, sqlite_template)
    counts_alone = import_document(
        alone, EDITOR, read_document(path), str(path), ImportOptions(workers=1)
    ).counts
    expected = _stored(alone)
    alone.db.dispose()

    calls: list[int] = []
    monkeypatch.setattr(pipeline, "Workers", _counting(pipeline.Workers, calls))
    shared = _empty(database_url, sqlite_template)
    progress: list[int] = []
    counts = import_document(
        shared,
        EDITOR,
        read_document(path),
        str(path),
        ImportOptions(workers=2, parallel_at=1, chunk_size=2),
        progress=lambda done, _total: progress.append(done),
    ).counts
    assert calls == [1], "the bundle went to the workers"
    assert counts == counts_alone
    assert sum(progress) == sum(n for k, n in counts.items() if k not in ("countries", "locations"))
    got = _stored(shared)
    shared.db.dispose()
    assert got == expected
    # the witness is confidential: found by an editor who types the name, never by anyone else,
    # and the public incident naming her does not carry her name
    assert got["searches"][("Aigerim Canarybek", "editor")] == [("persons", "person-witness")]
    assert got["searches"][("Aigerim Canarybek", "anonymous")] == []
    assert ("persons", "person-witness") in got["sealed revisions"]


def _counting(function: Any, calls: list[int]) -> Any:
    def counted(*args: Any, **kwargs: Any) -> Any:
        calls.append(1)
        return function(*args, **kwargs)

    return counted


def test_records_naming_people_already_stored(store, tmp_path: Path, forced: None) -> None:
    """A record naming a party from an earlier import is written by the importing process."""
    first = _bigger_bundle()
    later = {key: first.pop(key) for key in ("incidents", "cases")}
    import_file(store, _write(tmp_path, first, "people.json"), EDITOR)
    import_file(store, _write(tmp_path, {**first, **later, **_no_records()}, "events.json"), EDITOR)
    hits = store.search("Nurlanova", Viewer.anonymous(), limit=50)
    assert ("incidents", "inc-1") in {(h.kind, h.id) for h in hits}
    assert "inc-0" not in {h.id for h in hits}  # restricted
    assert store.get("incidents", "inc-4", EDITOR).participants[0].person_id == "person-4"


def _no_records() -> dict[str, list[Any]]:
    return {k: [] for k in ("sources", "organisations", "persons", "laws", "statistics")} | {
        "ratings": [],
        "summaries": [],
    }


def test_export_import_export_through_workers(
    store, tmp_path: Path, sqlite_template: Path, forced: None
) -> None:
    import_file(store, demo_dataset_path(), EDITOR, ImportOptions(replace=True))  # one process
    first = snapshot(store)
    path = tmp_path / "export.json"
    path.write_text(first, encoding="utf-8")
    empty = tmp_path / "empty.sqlite"
    shutil.copy(sqlite_template, empty)
    other = open_store(open_database(empty))
    import_file(other, path, EDITOR)
    assert snapshot(other) == first


def _rejected(store: Store, path: Path) -> list[str]:
    before = snapshot(store)
    with pytest.raises(ImportRejected) as info:
        import_file(store, path, EDITOR)
    assert snapshot(store) == before, "a rejected import must leave the database unchanged"
    return [str(p) for p in info.value.problems]


def test_problems_in_every_chunk_are_reported_and_nothing_is_written(
    store, tmp_path: Path, forced: None
) -> None:
    data = _bigger_bundle()
    data["incidents"][0]["date"] = "2022-02-30"  # first chunk
    data["incidents"][8]["freedoms"] = ["speech"]  # a later chunk
    data["persons"][5]["birth_year"] = "nineteen-eighty"
    data["persons"].append(copy.deepcopy(data["persons"][1]))  # a duplicate, chunks apart
    path = _write(tmp_path, data)
    problems = _rejected(store, path)
    assert f"{path}:incidents[0]:date: day is out of range for month" in problems
    assert any(
        p.startswith(f"{path}:incidents[8]:freedoms.0: unknown freedom 'speech'") for p in problems
    )
    assert any(p.startswith(f"{path}:persons[5]:birth_year:") for p in problems)
    assert f"{path}:persons[9]:id: duplicate id 'person-witness' (first at persons[1])" in problems


def test_unknown_references_and_taken_ids(store, tmp_path: Path, forced: None) -> None:
    data = _bigger_bundle()
    data["incidents"][6]["participants"][0]["person_id"] = "person-nobody"
    data["locations"].append({"id": "loc-x", "country": "XX", "name": "Nowhere"})
    path = _write(tmp_path, data)
    problems = _rejected(store, path)
    assert (
        f"{path}:incidents[6]:participants.0.person_id: unknown persons id 'person-nobody'"
        in problems
    )
    assert f"{path}:locations[1]:country: unknown countries id 'XX'" in problems

    import_file(store, _write(tmp_path, sample_bundle(), "sample.json"), EDITOR)
    problems = _rejected(store, _write(tmp_path, _bigger_bundle(), "again.json"))
    assert any(
        p.endswith(":incidents[1]:id: incidents 'inc-draft' already exists") for p in problems
    )
    assert not any("inc-3" in p for p in problems)


def test_a_failing_worker_leaves_nothing_behind(
    store, tmp_path: Path, forced: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    def broken(dialect: Any, records: Any, *args: Any) -> Any:
        if records[0].kind == "incidents":
            raise RuntimeError("worker lost its way")
        return prepare(dialect, records, *args)

    prepare = workers_module.prepare_insert
    monkeypatch.setattr(workers_module, "prepare_insert", broken)
    before = snapshot(store)
    with pytest.raises(RuntimeError, match="worker lost its way"):
        import_file(store, _write(tmp_path, _bigger_bundle()), EDITOR)
    assert snapshot(store) == before


def test_sources_may_cite_sources_further_down(store, tmp_path: Path) -> None:
    """Sources are written in one batch, whatever the batch size, so a citation never
    points at a source not yet stored."""
    data = sample_bundle()
    data["sources"][0]["sources"] = [{"source_id": "src-late"}]
    data["sources"].append({"id": "src-late", "title": "Court record", "visibility": "public"})
    bundle = parse_bundle(data, "cites.json")
    import_records(store, EDITOR, bundle, ImportOptions(chunk_size=1), file="cites.json")
    assert store.get("sources", "src-update", EDITOR).sources[0].source_id == "src-late"


def test_command_line_import_through_workers(
    database_url: str, tmp_path: Path, forced: None
) -> None:
    from typer.testing import CliRunner

    from civicspace.cli.app import app

    runner = CliRunner()
    bad = _bigger_bundle()
    bad["incidents"][7]["date"] = "someday"
    path = _write(tmp_path, bad, "bad.json")
    result = runner.invoke(app, ["--db", database_url, "import", str(path)])
    assert result.exit_code == 2
    assert f"{path}:incidents[7]:date:" in result.stderr
    assert "Traceback" not in result.stderr + result.stdout
    stats = json.loads(runner.invoke(app, ["--db", database_url, "stats", "--json"]).stdout)
    assert stats["incidents"] == 0

    path = _write(tmp_path, _bigger_bundle(), "good.json")
    result = runner.invoke(app, ["--db", database_url, "import", str(path)])
    assert result.exit_code == 0, result.stderr
    assert "11 incidents" in " ".join(result.stdout.split())
    stats = json.loads(runner.invoke(app, ["--db", database_url, "stats", "--json"]).stdout)
    assert stats["incidents"] == 11 and stats["persons"] == 9


def test_a_deleted_record_imported_again_continues_its_history(
    store, tmp_path: Path, forced: None
) -> None:
    data = _bigger_bundle()
    import_file(store, _write(tmp_path, data), EDITOR)
    store.delete("incidents", "inc-3", EDITOR, reason="duplicate entry")
    # naming nobody, so the workers prepare them (a party in the database would send them back)
    fresh = [dict(data["incidents"][4], id=f"inc-new-{i}", participants=[]) for i in range(3)]
    back = dict(data["incidents"][5], participants=[])
    again = {**data, **_no_records(), "incidents": [*fresh, back], "cases": []}
    import_file(store, _write(tmp_path, again, "again.json"), EDITOR)
    with store.db.begin() as conn:
        history = conn.execute(
            select(revisions.c.record_id, revisions.c.revision, revisions.c.action)
            .where(revisions.c.record_id.in_(["inc-3", "inc-new-2"]))
            .order_by(revisions.c.record_id, revisions.c.revision)
        ).all()
        assert audit.verify(conn).ok
    assert [tuple(r) for r in history] == [
        ("inc-3", 1, "create"),
        ("inc-3", 2, "delete"),
        ("inc-3", 3, "create"),
        ("inc-new-2", 1, "create"),
    ]
    assert store.get("incidents", "inc-3", EDITOR).title == "Journalist detained #3"


def test_a_failed_write_stops_the_workers(
    store, tmp_path: Path, forced: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    def full_disk(*args: Any) -> None:
        raise OSError("disk full")

    monkeypatch.setattr(store, "insert_prepared", full_disk)
    before = snapshot(store)
    with pytest.raises(OSError, match="disk full") as caught:
        import_file(store, _write(tmp_path, _bigger_bundle()), EDITOR)
    # still holding the error (and so the importing frame), no worker is left running
    assert caught.value is not None and multiprocessing.active_children() == []
    assert snapshot(store) == before
