"""The one way records get imported: check the caller's role, read, check, write.

:func:`import_path` reads a file by its format, :func:`import_document` takes a parsed
bundle and :func:`import_records` records built in code. All three refuse a caller who may
not write, run the same checks (:mod:`civicspace.ingest.checks`: what each record claims,
which stored records it replaces and names, as the caller may see them) in this process or
in forked workers (:mod:`civicspace.ingest.runners`), and write in one transaction: every
record or, on any problem, none, with every problem listed as ``file:row:field: reason``.
A replaced record keeps its stored provenance and what the caller was not shown of it.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, Table, select, text, update

from civicspace.access.policy import ROLES, AccessDenied, Viewer
from civicspace.db import schema as t
from civicspace.db.audit import revisions
from civicspace.ingest.checks import PLACE_TABLES, Checks, Chunk, Replaced
from civicspace.ingest.errors import ImportRejected
from civicspace.ingest.memory import without_cycle_collection
from civicspace.ingest.options import ImportOptions
from civicspace.ingest.readers import document_source, read_path
from civicspace.ingest.runners import InProcess, Job, Runner
from civicspace.ingest.source import (
    INSERT_ORDER,
    PARTIES,
    PLACES,
    REPORT_ORDER,
    Bundle,
    Source,
    bundle_source,
)
from civicspace.ingest.workers import Workers
from civicspace.model.records import Country, Location, Record
from civicspace.store import keep_hidden, redact
from civicspace.store.mapping import MAPPINGS
from civicspace.store.repository import Store

Progress = Callable[[int, int], None]  # (records just written, records in the file)
FIRST = (*PLACES, "sources")  # what every record points at: written before any worker starts
REST = tuple(k for k in INSERT_ORDER if k not in (*FIRST, *PARTIES))


@dataclass(frozen=True)
class ImportResult:
    """What an import wrote: records by kind (countries and locations first, always listed)."""

    file: str
    counts: dict[str, int]
    workers: int = 0  # processes that prepared records besides this one

    @property
    def total(self) -> int:
        return sum(self.counts.values())


def require_import(viewer: Viewer) -> None:
    """Refuse a caller whose role may not write records, before anything is read or written."""
    if not viewer.can_write:
        allowed = [role for role in ROLES if Viewer(role).can_write]
        needed = ", ".join(allowed[:-1]) + f" or {allowed[-1]}"
        raise AccessDenied(
            f"role {viewer.role!r} cannot import records (importing needs the role {needed});"
            " nothing was imported"
        )


def import_path(
    store: Store,
    viewer: Viewer,
    path: Path | str,
    options: ImportOptions = ImportOptions(),
    *,
    kind: str | None = None,
    columns: Mapping[str, str] | None = None,
    progress: Progress | None = None,
) -> ImportResult:
    """Import a file: a JSON/YAML bundle, or a CSV of ``kind`` (``columns`` renames its
    columns to field names). Raises :class:`AccessDenied` or :class:`ImportRejected`."""
    require_import(viewer)
    source = read_path(Path(path), kind, columns)
    return _write(store, source, viewer, options, progress)


def import_document(
    store: Store,
    viewer: Viewer,
    document: Any,
    file: str,
    options: ImportOptions = ImportOptions(),
    *,
    progress: Progress | None = None,
) -> ImportResult:
    """Import a parsed bundle (``{"format": "civicspace-export", ...}``) read from ``file``."""
    require_import(viewer)
    return _write(store, document_source(document, file), viewer, options, progress)


def import_records(
    store: Store,
    viewer: Viewer,
    records: Bundle | Iterable[Record | Country | Location],
    options: ImportOptions = ImportOptions(),
    *,
    file: str = "(records)",
    progress: Progress | None = None,
) -> ImportResult:
    """Import records built in code (or a :class:`Bundle` a reader validated), checked like a file."""
    require_import(viewer)
    bundle = records if isinstance(records, Bundle) else _bundle(records)
    return _write(store, bundle_source(bundle, file), viewer, options, progress)


def _actor(viewer: Viewer) -> str:
    return viewer.name or viewer.role


def _bundle(items: Iterable[Record | Country | Location]) -> Bundle:
    bundle = Bundle()
    for item in items:
        if isinstance(item, Country):
            bundle.countries.append(item)
        elif isinstance(item, Location):
            bundle.locations.append(item)
        else:
            bundle.records.append(item)
    return bundle


def _runner(source: Source, options: ImportOptions) -> Runner:
    """Workers for a large import of new records; this process for the rest."""
    count = options.worker_count()
    if count > 1 and not options.replace and source.total >= options.parallel_at:
        return Workers(count)
    return InProcess()


@without_cycle_collection
def _write(
    store: Store, source: Source, viewer: Viewer, options: ImportOptions, progress: Progress | None
) -> ImportResult:
    """Check and write ``source`` in one transaction, kind by kind in insert order."""
    runner = _runner(source, options)
    now = store.clock()
    actor = _actor(viewer)
    with store.db.begin() as conn:
        checks = Checks(conn, source.file, viewer, options.replace)
        checks.layout(source.problems)
        job = Job(
            source, conn.dialect, viewer, actor, now, store.journal, checks.ids, options.chunk_size
        )
        writer = _Writer(store, conn, viewer, actor, now, progress, source.total)
        # Places and sources are what every record points at, and sources cite each other:
        # each is one chunk, checked and written here before any worker starts.
        with InProcess().chunks(job, FIRST, whole=True) as chunks:
            for chunk in chunks:
                stored = checks.chunk(chunk)
                if not checks.failed:
                    writer.write(chunk, stored)
        for kinds in (PARTIES, REST):  # the parties' names are known before what names them
            with runner.chunks(job, kinds) as chunks:
                for chunk in chunks:
                    stored = checks.chunk(chunk)
                    if chunk.kind in job.names:
                        job.names[chunk.kind].update(chunk.names)
                    if not checks.failed:  # else keep reading: every problem is reported
                        writer.write(chunk, stored)
        if checks.failed:
            raise ImportRejected(checks.problems())  # leaving the block rolls everything back
    counts = {k: writer.counts[k] for k in REPORT_ORDER if k in PLACES or writer.counts.get(k)}
    settle(store, counts, options.analyze_after)
    return ImportResult(source.file, counts, runner.workers)


@dataclass
class _Writer:
    """Writes checked chunks into the import's transaction and counts them."""

    store: Store
    conn: Connection
    viewer: Viewer
    actor: str
    now: dt.datetime
    progress: Progress | None
    total: int
    counts: dict[str, int] = field(default_factory=lambda: dict.fromkeys(PLACES, 0))
    written: dict[tuple[str, str], Record] = field(default_factory=dict)

    def write(self, chunk: Chunk, stored: Replaced) -> None:
        """Write one chunk; records whose id is ``stored`` replace the stored ones, keeping
        their provenance and, when given, what the importer was not shown of them."""
        self.counts[chunk.kind] = self.counts.get(chunk.kind, 0) + len(chunk.rows)
        if chunk.kind in PLACES:
            _upsert_places(self.conn, PLACE_TABLES[chunk.kind], chunk.records)
            return
        if chunk.prepared is not None:
            self.store.insert_prepared(self.conn, chunk.prepared, self.actor, self.now)
        records: Sequence[Record] = chunk.records
        if stored:
            old = [self._keeping_hidden(r, stored[r.id]) for r in records if r.id in stored]
            records = [r for r in records if r.id not in stored]
            self.store.replace_many(self.conn, old, self.actor, self.now, written=self.written)
        if records:
            self.store.insert_many(
                self.conn, records, self.actor, self.now, action="import", written=self.written
            )
        self.written.update(((r.kind, r.id), r) for r in chunk.records)
        if self.progress:
            self.progress(len(chunk.rows), self.total)

    def _keeping_hidden(self, record: Record, before: Record | None) -> Record:
        """``record`` with the items of ``before`` (the stored record) that point at records
        the importer may not read, once each, whether the file named them or not."""
        if before is None:
            return record
        shown = redact(self.conn, [record], self.viewer)[0]
        return keep_hidden(self.conn, before, shown, self.viewer)


def _upsert_places(conn: Connection, table: Table, items: Sequence[Country | Location]) -> None:
    """Countries and locations are shared reference data: update those that exist, add the rest."""
    if not items:
        return
    existing = set(conn.scalars(select(table.c.id).where(table.c.id.in_([i.id for i in items]))))
    for item in items:
        if item.id in existing:
            row = item.model_dump(mode="json")
            conn.execute(update(table).where(table.c.id == item.id).values(**row))
    new = [i.model_dump(mode="json") for i in items if i.id not in existing]
    if new:
        conn.execute(table.insert(), new)


def settle(store: Store, counts: dict[str, int], analyze_after: int) -> None:
    """After a large import (``counts`` of records per kind), fresh statistics for the tables
    it wrote."""
    kinds = {kind for kind, n in counts.items() if n and kind in MAPPINGS}
    if sum(counts[kind] for kind in kinds) < analyze_after:
        return
    # Fresh statistics let the planner walk the date index for ordered pages
    # instead of sorting every visible row (36 ms -> 13 ms per page at 100,000).
    with store.db.begin() as conn:
        for table in _written_tables(kinds):
            conn.execute(text(f"ANALYZE {conn.dialect.identifier_preparer.format_table(table)}"))
        if conn.dialect.name == "postgresql":
            # New words wait in the GIN index's pending list, which every search reads
            # through until autovacuum merges it: merged now, a rare word's count at
            # 100,000 incidents takes 0.2 ms instead of 2.1, a surname's 3-4 ms not 6.
            conn.execute(text("SELECT gin_clean_pending_list('ix_search_documents_tsv')"))


def _written_tables(kinds: set[str]) -> list[Table]:
    """The tables an import of these kinds writes to: only they need fresh statistics.

    A bare ``ANALYZE`` would, on PostgreSQL, analyse every table of the database, other
    schemas and applications included (2 s of a 9 s import of 20,000 incidents in a
    shared database).
    """
    tables = [t.search_documents, t.citations, revisions]
    for kind in sorted(kinds):
        tables += [MAPPINGS[kind].table, *(c.table for c in MAPPINGS[kind].collections)]
    return tables
