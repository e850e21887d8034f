"""Importing a large bundle on every core.

Validating records and turning them into rows, search documents and revisions costs
about three times what the database spends storing them, and it is all pure Python, so
threads cannot share it out. Here forked worker processes take the bundle's records in
chunks: each validates its chunk and prepares it (:func:`civicspace.store.prepared.prepare_insert`),
while this process, the only one with a connection, checks identifiers and references
and writes one chunk after another in a single transaction. Nothing changes for the
user: every problem is still reported as ``file:row:field`` and any problem means
nothing is written.

Work goes in two rounds: sources and the parties (organisations, persons) first, then
the records that name parties, whose search documents need those names. What a worker
cannot prepare on its own (a confidential record, whose rows are sealed with the keyring,
or a record naming a party already in the database) comes back validated and is written
through :meth:`~civicspace.store.repository.Store.insert_many`.
"""

from __future__ import annotations

import datetime as dt
import multiprocessing
import os
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

from pydantic import BaseModel
from sqlalchemy import Connection
from sqlalchemy.engine import Dialect

from civicspace.ingest.bundle import (
    INSERT_ORDER,
    Bundle,
    Progress,
    _existing,
    _upsert_places,
    check_header,
    duplicate,
    section_items,
    settle,
    validate_item,
)
from civicspace.ingest.errors import ImportRejected, Problem
from civicspace.ingest.memory import without_cycle_collection
from civicspace.model.records import (
    Country,
    Location,
    Record,
    Source,
    record_type,
    references,
)
from civicspace.store.mapping import MAPPINGS
from civicspace.store.prepared import Names, PreparedInsert, prepare_insert
from civicspace.store.repository import Store
from civicspace.store.search import parties_named, party_names

PARALLEL_AT = 10_000  # records in a bundle; below this, starting workers costs more than it saves
CHUNK = 5000  # records a worker prepares at once (also the size of one audit entry)
PARTIES = ("organisations", "persons")  # the first round


def workers_available() -> int:
    """Worker processes an import may start here: one per core, none without ``fork``."""
    if "fork" not in multiprocessing.get_all_start_methods():
        return 0
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1


@dataclass
class _Job:
    """What the workers inherit when they are forked (nothing is sent to them)."""

    document: dict[str, Any]
    file: str
    dialect: Dialect
    actor: str
    now: dt.datetime
    journal: Any
    known: dict[str, set[str]]  # ids of the records checked and written before the fork
    persons: dict[str, tuple[str, list[str]]] = field(default_factory=dict)
    orgs: dict[str, tuple[str, list[str]]] = field(default_factory=dict)


_job: _Job | None = None  # set in the importing process just before it forks workers
_stop: Any = None  # an Event the workers inherit: once set, they skip the chunks left


@dataclass
class _Chunk:
    """A worker's answer for one chunk of one kind."""

    kind: str
    rows: list[tuple[str, str]]  # (row, id) of each valid record, in file order
    problems: list[Problem]
    refs: list[tuple[str, str, str, str]] = field(default_factory=list)  # row, field, kind, id
    names: Names = field(default_factory=dict)  # of parties, for the next round's documents
    prepared: PreparedInsert | None = None
    records: list[Record] = field(default_factory=list)  # for the writing process to prepare


def _prepare(task: tuple[str, int, int]) -> _Chunk:
    """In a worker: validate ``document[kind][start:stop]`` and prepare what it can."""
    kind, start, stop = task
    job = _job
    assert job is not None, "workers are forked after the job is set"
    if _stop.is_set():
        return _Chunk(kind, [], [])  # the import has failed: nobody reads this chunk
    chunk, records = _validated(
        kind, record_type(kind), job.document[kind], range(start, stop), job.file, job.known
    )
    if chunk.problems:
        return chunk  # the import will be refused: nothing to prepare
    if kind in ("persons", "organisations"):
        # A confidential party's names only go into confidential documents, which the
        # writing process builds; the next round needs no more than its visibility.
        chunk.names = {
            r.id: party_names(r) if r.visibility != "confidential" else (r.visibility, [])
            for r in records
        }
    plain: list[Record] = []
    for record in records:
        person_ids, org_ids = parties_named([record])
        known = person_ids <= job.persons.keys() and org_ids <= job.orgs.keys()
        (plain if known and record.visibility != "confidential" else chunk.records).append(record)
    if plain:
        chunk.prepared = prepare_insert(
            job.dialect, plain, job.actor, job.now, job.persons, job.orgs, job.journal
        )
    return chunk


class _Checks:
    """Identifiers and references of the chunks as they come, in file order."""

    def __init__(self, conn: Connection, file: str) -> None:
        self.conn, self.file = conn, file
        self.seen: dict[tuple[str, str], str] = {}
        self.ids: dict[str, set[str]] = {}
        self.invalid: list[Problem] = []  # validation and duplicates, reported first
        self.unknown: list[Problem] = []  # references to nothing
        self.taken: list[Problem] = []  # records already in the database

    @property
    def failed(self) -> bool:
        return bool(self.invalid or self.unknown or self.taken)

    def chunk(self, chunk: _Chunk) -> None:
        self.invalid.extend(chunk.problems)
        of_kind = self.ids.setdefault(chunk.kind, set())
        fresh: list[str] = []
        for row, record_id in chunk.rows:
            key = (chunk.kind, record_id)
            if key in self.seen:
                self.invalid.append(duplicate(self.file, row, record_id, self.seen[key]))
                continue
            self.seen[key] = row
            of_kind.add(record_id)
            fresh.append(record_id)
        if self.invalid:
            return  # the import is refused for these; its other checks would only add noise
        self._resolve(chunk.refs)
        if chunk.kind not in MAPPINGS:
            return  # countries and locations are updated in place when they exist
        rows = dict((rid, row) for row, rid in chunk.rows)
        for record_id in sorted(_existing(self.conn, chunk.kind, set(fresh))):
            self.taken.append(
                Problem(
                    self.file, rows[record_id], "id", f"{chunk.kind} {record_id!r} already exists"
                )
            )

    def _resolve(self, refs: list[tuple[str, str, str, str]]) -> None:
        """Each reference names a record of this bundle (stored before it) or of the database."""
        elsewhere: dict[str, set[str]] = {}
        for _row, _field, kind, rid in refs:
            if rid not in self.ids.get(kind, ()):
                elsewhere.setdefault(kind, set()).add(rid)
        found = {kind: _existing(self.conn, kind, ids) for kind, ids in elsewhere.items()}
        for row, name, kind, rid in refs:
            if rid in elsewhere.get(kind, ()) and rid not in found[kind]:
                self.unknown.append(Problem(self.file, row, name, f"unknown {kind} id {rid!r}"))

    def problems(self) -> list[Problem]:
        return self.invalid or [*self.unknown, *self.taken]


def _validated(
    kind: str,
    model: type[BaseModel],
    items: list[Any],
    positions: range,
    file: str,
    known: dict[str, set[str]],
) -> tuple[_Chunk, list[Any]]:
    """Validate ``items`` at ``positions``: the chunk (problems, ids, references to look up;
    those to ``known`` ids are left out) and the valid items."""
    chunk = _Chunk(kind, [], [])
    valid: list[Any] = []
    for i in positions:
        row = f"{kind}[{i}]"
        obj: Any = validate_item(model, items[i], file, row)
        if isinstance(obj, list):
            chunk.problems.extend(obj)
            continue
        valid.append(obj)
        chunk.rows.append((row, obj.id))
        chunk.refs.extend(
            (row, name, ref_kind, rid)
            for name, ref_kind, rid in references(obj)
            if rid not in known.get(ref_kind, ())
        )
    return chunk, valid


def _tasks(document: dict[str, Any], kinds: tuple[str, ...]) -> list[tuple[str, int, int]]:
    return [
        (kind, start, min(start + CHUNK, len(document[kind])))
        for kind in kinds
        for start in range(0, len(document.get(kind) or ()), CHUNK)
    ]


@contextmanager
def _workers(job: _Job, kinds: tuple[str, ...], workers: int) -> Iterator[Iterator[_Chunk]]:
    """Fork up to ``workers`` processes that inherit ``job``; their chunks, in file order.

    Leaving the block, for whatever reason, stops the workers. They are not killed: a
    worker killed while sending a chunk back would hold the pool's result lock for good,
    and the pool's own shutdown would then wait for it forever. On an error they are told
    to skip what is left, so each one finishes the chunk in hand and exits. Only an
    interrupt (Ctrl-C, which the workers receive too) ends them at once."""
    global _job, _stop
    tasks = _tasks(job.document, kinds)
    if not tasks:
        yield iter(())
        return
    context = multiprocessing.get_context("fork")
    _job, _stop = job, context.Event()
    pool = context.Pool(min(workers, len(tasks)))
    try:
        yield pool.imap(_prepare, tasks)
    except Exception:
        _stop.set()
        raise
    except BaseException:
        pool.terminate()
        raise
    finally:
        pool.close()
        pool.join()
        _job = _stop = None


@without_cycle_collection
def import_parallel(
    store: Store,
    document: Any,
    file: str,
    actor: str,
    workers: int,
    progress: Progress | None = None,
) -> dict[str, int]:
    """Validate and write a parsed bundle with ``workers`` processes preparing records.

    Same outcome as :func:`civicspace.ingest.bundle.parse_bundle` followed by
    :func:`~civicspace.ingest.bundle.write_bundle` (not replacing): every record or none.
    """
    invalid = check_header(document, file)
    for section in ("countries", "locations", *INSERT_ORDER):
        items = section_items(document, section, file)
        if isinstance(items, Problem):
            invalid.append(items)
    if invalid:
        raise ImportRejected(invalid)
    # Places and sources are what every record points at, and sources cite each other, so
    # they are validated and written here, all at once, before any worker starts.
    first = {
        kind: _validated(kind, model, items, range(len(items)), file, {})
        for kind, model in (("countries", Country), ("locations", Location), ("sources", Source))
        for items in [document.get(kind) or []]
    }
    counts = {kind: len(first[kind][0].rows) for kind in ("countries", "locations")}
    now = store.clock()
    with store.db.begin() as conn:
        checks = _Checks(conn, file)
        for chunk, _ in first.values():
            checks.chunk(chunk)
        if not checks.failed:
            _upsert_places(conn, Bundle(first["countries"][1], first["locations"][1]))
            sources = first["sources"][1]
            store.insert_many(conn, sources, actor, now, action="import")
            if sources:
                counts["sources"] = len(sources)
                if progress:
                    progress(len(sources))
        job = _Job(document, file, conn.dialect, actor, now, store.journal, checks.ids)
        rest = tuple(k for k in INSERT_ORDER if k not in (*PARTIES, "sources"))
        for kinds in (PARTIES, rest):
            with _workers(job, kinds, workers) as chunks:
                for chunk in chunks:
                    checks.chunk(chunk)
                    if chunk.kind == "persons":
                        job.persons.update(chunk.names)
                    elif chunk.kind == "organisations":
                        job.orgs.update(chunk.names)
                    if checks.failed:
                        continue  # keep reading: every problem of the file is reported at once
                    if chunk.prepared is not None:
                        store.insert_prepared(conn, chunk.prepared, actor, now)
                    store.insert_many(conn, chunk.records, actor, now, action="import")
                    counts[chunk.kind] = counts.get(chunk.kind, 0) + len(chunk.rows)
                    if progress:
                        progress(len(chunk.rows))
        if checks.failed:
            raise ImportRejected(checks.problems())  # leaving the block rolls everything back
    settle(store, counts)
    return counts
