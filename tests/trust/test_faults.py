"""Killed mid-write (SIGKILL) and a full disk: the database stays consistent, nothing is half-written.

SQLite files, driven through the real command line in a subprocess; the kill comes once
the process has started writing (its write-ahead log grows, or its temporary file appears).
"""

from __future__ import annotations

import copy
import json
import os
import resource
import signal
import sqlite3
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import pytest
from sqlalchemy import func, select

from civicspace.ingest.bundle import import_file
from civicspace.store.db import Database
from civicspace.store.repository import Store
from civicspace.trust import NoJournal, audit
from civicspace.trust.tables import revisions
from tests.factories import sample_bundle
from tests.helpers import EDITOR, load_sample, snapshot

CLI = [sys.executable, "-m", "civicspace"]


@pytest.fixture
def sqlite_db(sqlite_template: Path, tmp_path: Path) -> Path:
    path = tmp_path / "monitor.sqlite"
    path.write_bytes(sqlite_template.read_bytes())
    db = Database.connect(path)
    load_sample(Store(db), tmp_path)
    db.dispose()
    return path


def _state(path: Path) -> tuple[str, int, tuple[int, str]]:
    db = Database.connect(path)
    try:
        with db.begin() as conn:
            assert audit.verify(conn).ok
            count = conn.scalar(select(func.count()).select_from(revisions)) or 0
            head = audit.head(conn)
        return snapshot(Store(db, journal=NoJournal())), count, head  # an unlogged look
    finally:
        db.dispose()


def _counts(path: Path) -> tuple[int, int, int]:
    with sqlite3.connect(path) as conn:
        counts = tuple(
            conn.execute(f"SELECT count(*) FROM {table}").fetchone()[0]
            for table in ("incidents", "revisions", "audit_log")
        )
    conn.close()
    return counts  # type: ignore[return-value]


def _integrity(path: Path) -> str:
    with sqlite3.connect(path) as conn:
        result = conn.execute("PRAGMA integrity_check").fetchone()[0]
    conn.close()
    return str(result)


def _kill_when(args: list[str], ready: Callable[[], bool], timeout: float = 60) -> None:
    """Start the command; SIGKILL it as soon as ``ready()``; fail if it ends first."""
    process = subprocess.Popen([*CLI, *args], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    deadline = time.monotonic() + timeout
    try:
        while not ready():
            if process.poll() is not None:
                pytest.fail(f"finished before it could be killed: {process.stderr.read()!r}")  # type: ignore[union-attr]
            if time.monotonic() > deadline:
                pytest.fail("never started writing")
            time.sleep(0.005)
        process.send_signal(signal.SIGKILL)
    finally:
        process.wait()
        process.stderr.close()  # type: ignore[union-attr]
    assert process.returncode == -signal.SIGKILL


def _wal_over(path: Path, size: int) -> Callable[[], bool]:
    wal = path.with_name(path.name + "-wal")
    return lambda: wal.exists() and wal.stat().st_size > size


def _big_bundle(path: Path, incidents: int) -> Path:
    sample = sample_bundle()  # new incidents citing the sample's people and sources
    model = sample["incidents"][0]
    data = {"format": sample["format"], "version": sample["version"]}
    data["incidents"] = [
        dict(copy.deepcopy(model), id=f"inc-bulk-{i}", title=f"Bulk incident {i}")
        for i in range(incidents)
    ]
    path.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    return path


def test_import_killed_while_writing_leaves_the_database_as_before(
    sqlite_db: Path, tmp_path: Path
) -> None:
    before = _state(sqlite_db)
    bundle = _big_bundle(tmp_path / "big.json", 15_000)
    _kill_when(["--db", str(sqlite_db), "import", str(bundle)], _wal_over(sqlite_db, 1 << 20))
    assert _integrity(sqlite_db) == "ok"
    assert _state(sqlite_db) == before  # same records, same revisions, same audit head


def test_linkage_killed_mid_run_leaves_no_partial_run(sqlite_db: Path, tmp_path: Path) -> None:
    from civicspace.victims import service
    from civicspace.victims.importer import parse_mapping
    from civicspace.victims.synth import make_lists

    db = Database.connect(sqlite_db)
    for path in make_lists(6000, seed=1).write(tmp_path / "lists"):
        if path.stem != "truth":
            meta = service.ListMetadata(path.stem, path.stem, "other", None, None, None)
            service.import_list(db, path, meta, parse_mapping(None), "tests")
    db.dispose()
    before = _state(sqlite_db)
    started = time.monotonic()  # killed while it links (a full run here takes 3 s or more)
    _kill_when(["--db", str(sqlite_db), "lists", "link"], lambda: time.monotonic() - started > 2.2)
    assert _integrity(sqlite_db) == "ok"
    with sqlite3.connect(sqlite_db) as conn:
        runs = conn.execute("SELECT id FROM linkage_runs").fetchall()
        for (run_id,) in runs:  # a run is there whole or not at all
            clusters = conn.execute(
                "SELECT count(*) FROM linkage_clusters WHERE run_id = ?", (run_id,)
            ).fetchone()[0]
            assert clusters > 0
    conn.close()
    assert _state(sqlite_db) == before


def test_backup_killed_midway_leaves_no_file_under_its_name(
    sqlite_db: Path, tmp_path: Path
) -> None:
    db = Database.connect(sqlite_db)
    import_file(Store(db), _big_bundle(tmp_path / "big.json", 5_000), EDITOR)
    db.dispose()
    # A large file in the evidence folder keeps the backup busy long enough to be killed
    # mid-write however fast the machine is (the folder is archived with the database).
    evidence = sqlite_db.parent / "evidence"
    evidence.mkdir(exist_ok=True)
    (evidence / "large.bin").write_bytes(os.urandom(48 * 1024 * 1024))
    before = _counts(sqlite_db)
    key = tmp_path / "key"
    key.write_bytes(os.urandom(32))
    out = tmp_path / "monitor.csbackup"
    partial = tmp_path / ".monitor.csbackup.partial"
    args = ["--db", str(sqlite_db), "backup", "--out", str(out), "--key-file", str(key)]
    _kill_when(args, lambda: partial.exists() and partial.stat().st_size > 0)
    assert not out.exists()
    assert _integrity(sqlite_db) == "ok"
    after = _counts(sqlite_db)
    # Nothing changed but, at most, the backup's own audit entry (the kill may come before
    # or after it is committed).
    assert after[:2] == before[:2] and after[2] in (before[2], before[2] + 1)

    done = subprocess.run([*CLI, *args], capture_output=True, text=True)  # the next one works
    assert done.returncode == 0, done.stderr
    assert out.exists() and not partial.exists()


def _file_size_limit(limit: int) -> Callable[[], None]:
    def apply() -> None:
        # Beyond the limit write() fails with EFBIG instead of the process being killed.
        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
        resource.setrlimit(resource.RLIMIT_FSIZE, (limit, limit))

    return apply


def test_disk_full_is_a_clear_error(sqlite_db: Path, tmp_path: Path) -> None:
    """A full disk, simulated with RLIMIT_FSIZE (no root or loop device needed): the
    backup stops with a one-line error and leaves neither a partial nor a final file."""
    subprocess.run(
        [
            *CLI,
            "--db",
            str(sqlite_db),
            "import",
            str(_big_bundle(tmp_path / "big.json", 3_000)),
            "--replace",
        ],
        check=True,
        capture_output=True,
    )
    key = tmp_path / "key"
    key.write_bytes(os.urandom(32))
    out = tmp_path / "monitor.csbackup"
    result = subprocess.run(
        [*CLI, "--db", str(sqlite_db), "backup", "--out", str(out), "--key-file", str(key)],
        capture_output=True,
        text=True,
        preexec_fn=_file_size_limit(64 * 1024),  # noqa: PLW1509  (no threads in the child yet)
    )
    assert result.returncode == 1
    assert "the disk is full" in result.stderr and "Traceback" not in result.stderr
    assert not out.exists() and not (tmp_path / ".monitor.csbackup.partial").exists()
    assert _integrity(sqlite_db) == "ok"


def test_import_on_a_full_disk_is_one_clear_line_and_writes_nothing(
    sqlite_db: Path, tmp_path: Path
) -> None:
    before = _state(sqlite_db)
    result = subprocess.run(
        [*CLI, "--db", str(sqlite_db), "import", str(_big_bundle(tmp_path / "big.json", 3_000))],
        capture_output=True,
        text=True,
        preexec_fn=_file_size_limit(sqlite_db.stat().st_size + 64 * 1024),  # noqa: PLW1509
    )
    assert result.returncode == 1, result.stderr
    assert "disk is full" in result.stderr and "Traceback" not in result.stderr
    assert _state(sqlite_db) == before
