"""Killed mid-write (SIGKILL) and a full disk: the database stays consistent, nothing is half-written.

The real command line in a subprocess, on SQLite and on PostgreSQL, killed at a moment
the test can observe (its write transaction is open, its temporary file has data, it
waits for a lock the test holds), never after a guessed delay alone. After the kill:
SQLite's integrity check; on PostgreSQL, the server has ended the killed session (its
transaction rolled back) and the next write is not kept waiting.
"""

from __future__ import annotations

import copy
import datetime as dt
import json
import os
import resource
import signal
import sqlite3
import subprocess
import sys
import time
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path

import pytest
from sqlalchemy import Engine, create_engine, func, select, text

from civicspace.application import open_database, open_store
from civicspace.db.audit import audit_log, revisions
from civicspace.db.engine import resolve_url
from civicspace.ingest.bundle import import_file
from civicspace.trust import NoJournal, audit
from tests.factories import sample_bundle
from tests.helpers import EDITOR, load_sample, snapshot

CLI = [sys.executable, "-m", "civicspace"]


@dataclass(frozen=True)
class Monitor:
    """The database the commands run against: a SQLite file or a PostgreSQL schema.

    On PostgreSQL the command connects under its own ``application_name`` (``tag``), so
    the test can watch its session in ``pg_stat_activity`` apart from its own.
    """

    url: str  # for the test's own connections
    tag: str = ""

    @property
    def postgres(self) -> bool:
        return bool(self.tag)

    def command(self, *args: str) -> list[str]:
        url = f"{self.url}&application_name={self.tag}" if self.postgres else self.url
        return [*CLI, "--db", url, *args]

    @cached_property
    def engine(self) -> Engine:
        return create_engine(resolve_url(self.url))

    def _sessions(self, condition: str = "true") -> int:
        query = "SELECT count(*) FROM pg_stat_activity WHERE application_name = :tag AND "
        with self.engine.connect() as conn:  # a new transaction: fresh statistics
            return int(conn.scalar(text(query + condition), {"tag": self.tag}) or 0)

    def writing(self) -> bool:
        """Whether the command is inside a write transaction (it has written, not committed)."""
        if self.postgres:
            return self._sessions("backend_xid IS NOT NULL") > 0
        probe = sqlite3.connect(self.url, timeout=0, isolation_level=None)
        try:  # the write lock is free unless a write transaction holds it
            probe.execute("BEGIN IMMEDIATE")
            probe.execute("ROLLBACK")
            return False
        except sqlite3.OperationalError:
            return True
        finally:
            probe.close()

    def waiting_for_a_lock(self) -> bool:
        return self._sessions("wait_event_type = 'Lock'") > 0

    def settled(self, timeout: float = 60) -> None:
        """Wait until the server has ended the killed command's session (PostgreSQL notices
        the lost client when it next reads from it, and rolls the transaction back)."""
        deadline = time.monotonic() + timeout
        while self.postgres and self._sessions() > 0:
            if time.monotonic() > deadline:
                pytest.fail("the killed command's session is still open on the server")
            time.sleep(0.05)

    def integrity(self) -> str:
        """SQLite's integrity check; on PostgreSQL, no session or prepared transaction left."""
        if self.postgres:
            self.settled()
            with self.engine.connect() as conn:
                prepared = conn.scalar(text("SELECT count(*) FROM pg_prepared_xacts"))
            return "ok" if prepared == 0 else f"{prepared} prepared transactions"
        with sqlite3.connect(self.url) as conn:
            result = conn.execute("PRAGMA integrity_check").fetchone()[0]
        conn.close()
        return str(result)


@pytest.fixture
def monitor(database_url: str, tmp_path: Path) -> Iterator[Monitor]:
    """The sample data, on SQLite and PostgreSQL."""
    db = open_database(database_url)
    load_sample(open_store(db), tmp_path)
    db.dispose()
    postgres = "://" in database_url
    watched = Monitor(database_url, f"cs-faults-{uuid.uuid4().hex[:10]}" if postgres else "")
    yield watched
    watched.engine.dispose()


@pytest.fixture
def sqlite_db(sqlite_template: Path, tmp_path: Path) -> Path:
    path = tmp_path / "monitor.sqlite"
    path.write_bytes(sqlite_template.read_bytes())
    db = open_database(path)
    load_sample(open_store(db), tmp_path)
    db.dispose()
    return path


def _state(url: str | Path) -> tuple[str, int, tuple[int, str]]:
    db = open_database(url)
    try:
        with db.begin() as conn:
            assert audit.verify(conn).ok
            count = conn.scalar(select(func.count()).select_from(revisions)) or 0
            head = audit.head(conn)
        return snapshot(open_store(db, journal=NoJournal())), count, head  # an unlogged look
    finally:
        db.dispose()


def _counts(url: str) -> tuple[int, int, int]:
    db = open_database(url)
    try:
        with db.begin() as conn:
            return tuple(  # type: ignore[return-value]
                conn.scalar(text(f"SELECT count(*) FROM {table}")) or 0
                for table in ("incidents", "revisions", "audit_log")
            )
    finally:
        db.dispose()


def _next_write_is_not_kept_waiting(url: str) -> None:
    """Nothing the killed command held (the audit head, the write lock) is still held."""
    db = open_database(url)
    try:
        with db.begin() as conn:
            if db.dialect == "postgresql":
                conn.execute(text("SET LOCAL lock_timeout = '10s'"))
            audit.append(conn, [audit.AuditEvent("login", "after-the-kill")], _now())
            assert conn.scalar(select(func.max(audit_log.c.seq)))
    finally:
        db.dispose()


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC).replace(microsecond=0)


def _kill_when(command: list[str], ready: Callable[[], bool], timeout: float = 120) -> None:
    """Start the command; SIGKILL it as soon as ``ready()``; fail if it ends first."""
    process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    deadline = time.monotonic() + timeout
    try:
        while not ready():
            if process.poll() is not None:
                pytest.fail(f"finished before it could be killed: {process.stderr.read()!r}")  # type: ignore[union-attr]
            if time.monotonic() > deadline:
                pytest.fail("never reached the point where it is killed")
            time.sleep(0.005)
        process.send_signal(signal.SIGKILL)
    finally:
        process.wait()
        process.stderr.close()  # type: ignore[union-attr]
    assert process.returncode == -signal.SIGKILL


def _writing_for(monitor: Monitor, seconds: float) -> Callable[[], bool]:
    """Ready once the command has been inside its write transaction for ``seconds``."""
    since: list[float] = []

    def ready() -> bool:
        if not monitor.writing():
            since.clear()
            return False
        since[:] = since or [time.monotonic()]
        return time.monotonic() - since[0] >= seconds

    return ready


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
    monitor: Monitor, tmp_path: Path
) -> None:
    before = _state(monitor.url)
    bundle = _big_bundle(tmp_path / "big.json", 15_000)
    # The import is one transaction that writes for seconds (15,000 incidents); it is
    # killed once it has been writing for a while. (Not when SQLite's WAL grows: with a
    # 64 MiB page cache, the pages reach the WAL only while committing.)
    _kill_when(monitor.command("import", str(bundle)), _writing_for(monitor, 0.3))
    assert monitor.integrity() == "ok"
    assert _state(monitor.url) == before  # same records, same revisions, same audit head
    _next_write_is_not_kept_waiting(monitor.url)


def test_linkage_killed_mid_run_leaves_no_partial_run(monitor: Monitor, tmp_path: Path) -> None:
    from civicspace.victims import service
    from civicspace.victims.importer import parse_mapping
    from civicspace.victims.synth import make_lists

    db = open_database(monitor.url)
    for path in make_lists(6000, seed=1).write(tmp_path / "lists"):
        if path.stem != "truth":
            meta = service.ListMetadata(path.stem, path.stem, "other", None, None, None)
            service.import_list(db, path, meta, parse_mapping(None), "tests")
    db.dispose()
    before = _state(monitor.url)
    command = monitor.command("lists", "link")
    if monitor.postgres:
        # The run, its pairs and its clusters are written in one transaction. The test
        # holds a lock that stops the clusters' INSERT, so the command is killed with the
        # run and its pairs written but not committed, whatever the machine's speed.
        blocker = open_database(monitor.url)
        with blocker.engine.connect() as conn:
            conn.execute(text("LOCK TABLE linkage_clusters IN SHARE MODE"))
            _kill_when(command, monitor.waiting_for_a_lock)
            conn.rollback()  # the server may now find its client gone
        blocker.dispose()
    else:
        started = time.monotonic()  # killed while it links (a full run here takes 3 s or more)
        _kill_when(command, lambda: time.monotonic() - started > 2.2)
    assert monitor.integrity() == "ok"
    db = open_database(monitor.url)
    with db.begin() as conn:
        runs = conn.scalars(text("SELECT id FROM linkage_runs")).all()
        for run_id in runs:  # a run is there whole or not at all
            clusters = conn.scalar(
                text("SELECT count(*) FROM linkage_clusters WHERE run_id = :run"), {"run": run_id}
            )
            assert clusters
    db.dispose()
    if monitor.postgres:
        assert runs == []
    assert _state(monitor.url) == before
    _next_write_is_not_kept_waiting(monitor.url)


def test_backup_killed_midway_leaves_no_file_under_its_name(
    monitor: Monitor, tmp_path: Path
) -> None:
    db = open_database(monitor.url)
    import_file(open_store(db), _big_bundle(tmp_path / "big.json", 5_000), EDITOR)
    db.dispose()
    # A large file in the evidence folder keeps the backup busy long enough to be killed
    # mid-write however fast the machine is (the folder is archived with the database).
    evidence = tmp_path / "evidence"
    evidence.mkdir(exist_ok=True)
    (evidence / "large.bin").write_bytes(os.urandom(48 * 1024 * 1024))
    before = _counts(monitor.url)
    key = tmp_path / "key"
    key.write_bytes(os.urandom(32))
    out = tmp_path / "monitor.csbackup"
    partial = tmp_path / ".monitor.csbackup.partial"
    args = ["backup", "--out", str(out), "--key-file", str(key), "--evidence", str(evidence)]
    _kill_when(monitor.command(*args), lambda: partial.exists() and partial.stat().st_size > 0)
    assert not out.exists()
    assert monitor.integrity() == "ok"
    after = _counts(monitor.url)
    # Nothing changed but, at most, the backup's own audit entry (the kill may come before
    # or after it is committed).
    assert after[:2] == before[:2] and after[2] in (before[2], before[2] + 1)

    # The next one works.
    done = subprocess.run(monitor.command(*args), capture_output=True, text=True)
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
    assert Monitor(str(sqlite_db)).integrity() == "ok"


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
