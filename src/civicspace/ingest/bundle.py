"""Whole-database exchange: the JSON (or YAML) bundle that ``export`` writes and ``import`` reads.

A bundle is ``{"format": "civicspace-export", "version": 1, "countries": [...],
"locations": [...], "sources": [...], "persons": [...], ...}``. Importing validates
every record and every reference first, then writes everything in one transaction:
either the whole bundle lands or nothing does.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any, TypeVar

import yaml
from pydantic import BaseModel, ValidationError
from sqlalchemy import Connection, Select, Table, select, text, update
from sqlalchemy.engine import Dialect

from civicspace.access.policy import Viewer
from civicspace.access.redaction import for_viewer
from civicspace.db import schema as t
from civicspace.db.audit import revisions
from civicspace.db.engine import among_ids, bound_ids
from civicspace.ingest.errors import (
    ImportRejected,
    Problem,
    problems_from_validation,
    read_text,
)
from civicspace.ingest.memory import without_cycle_collection
from civicspace.model.records import KINDS, Country, Location, Record, record_type, references
from civicspace.store.mapping import MAPPINGS, load_records
from civicspace.store.repository import Store

FORMAT = "civicspace-export"
VERSION = 1
Progress = Callable[[int], None]
M = TypeVar("M", bound=BaseModel)
ANALYZE_AFTER = 1000  # records imported at once
INSERT_ORDER = (
    "sources",
    "organisations",
    "persons",
    "incidents",
    "cases",
    "laws",
    "statistics",
    "ratings",
    "summaries",
)


@dataclass
class Bundle:
    countries: list[Country] = field(default_factory=list)
    locations: list[Location] = field(default_factory=list)
    records: list[Record] = field(default_factory=list)
    rows: dict[tuple[str, str], str] = field(
        default_factory=dict
    )  # (kind, id) -> where it was read

    def __len__(self) -> int:
        return len(self.countries) + len(self.locations) + len(self.records)


@without_cycle_collection  # 100,000 incidents: 0.6 s instead of 2.2 s to parse
def read_document(path: Path) -> Any:
    """Parse a JSON or YAML file; a broken file is a :class:`ImportRejected` naming where."""
    name = str(path)
    content = read_text(path)
    try:
        if path.suffix.lower() in (".yaml", ".yml"):
            return yaml.safe_load(content)
        return json.loads(content)
    except json.JSONDecodeError as exc:
        raise ImportRejected(
            [Problem(name, f"line {exc.lineno}", "-", f"invalid JSON: {exc.msg}")]
        ) from exc
    except yaml.YAMLError as exc:
        line = getattr(getattr(exc, "problem_mark", None), "line", None)
        where = f"line {line + 1}" if line is not None else "-"
        raise ImportRejected([Problem(name, where, "-", f"invalid YAML: {exc}")]) from exc


def record_count(document: Any) -> int:
    """How many records a parsed bundle holds (countries and locations aside)."""
    if not isinstance(document, dict):
        return 0
    return sum(len(v) for k, v in document.items() if k in INSERT_ORDER and isinstance(v, list))


def check_header(document: Any, file: str) -> list[Problem]:
    """Refuse what is not a bundle of this version; problems for sections it does not know."""
    if not isinstance(document, dict) or document.get("format") != FORMAT:
        raise ImportRejected([Problem(file, "-", "format", f"not a {FORMAT} file")])
    if document.get("version") != VERSION:
        raise ImportRejected(
            [Problem(file, "-", "version", f"version {document.get('version')!r} is not {VERSION}")]
        )
    unknown = set(document) - {"format", "version", "countries", "locations", *KINDS}
    return [Problem(file, "-", key, "unknown section") for key in sorted(unknown)]


def section_items(document: dict[str, Any], section: str, file: str) -> list[Any] | Problem:
    """A section's items, or the problem that it is not a list."""
    value = document.get(section) or []
    if not isinstance(value, list):
        return Problem(file, "-", section, "expected a list")
    return value


def validate_item(model: type[M], item: Any, file: str, row: str) -> M | list[Problem]:
    """One item as ``model``, or every problem it has."""
    try:
        return model.model_validate(item)
    except ValidationError as exc:
        return problems_from_validation(file, row, exc)


def duplicate(file: str, row: str, record_id: str, first: str) -> Problem:
    return Problem(file, row, "id", f"duplicate id {record_id!r} (first at {first})")


@without_cycle_collection
def parse_bundle(document: Any, file: str) -> Bundle:
    """Validate a parsed bundle; collects every problem before raising."""
    problems = check_header(document, file)
    bundle = Bundle()
    seen: dict[tuple[str, str], str] = {}

    def take(section: str, model: type[BaseModel], target: list[Any], key_kind: str) -> None:
        items = section_items(document, section, file)
        if isinstance(items, Problem):
            problems.append(items)
            return
        for i, item in enumerate(items):
            row = f"{section}[{i}]"
            obj: Any = validate_item(model, item, file, row)
            if isinstance(obj, list):
                problems.extend(obj)
                continue
            key = (key_kind, str(obj.id))
            if key in seen:
                problems.append(duplicate(file, row, key[1], seen[key]))
                continue
            seen[key] = row
            target.append(obj)

    take("countries", Country, bundle.countries, "countries")
    take("locations", Location, bundle.locations, "locations")
    for kind in KINDS:
        take(kind, record_type(kind), bundle.records, kind)
    if problems:
        raise ImportRejected(problems)
    bundle.rows = seen
    return bundle


_TABLE_OF = {"countries": t.countries, "locations": t.locations}


def _existing(conn: Connection, kind: str, ids: set[str]) -> set[str]:
    """Which of ``ids`` are stored as ``kind``."""
    if not ids:
        return set()
    query = _stored_ids(kind, conn.dialect)
    return set(conn.scalars(query, {"ids": bound_ids(sorted(ids), conn.dialect)}))


@cache
def _stored_ids(kind: str, dialect: Dialect) -> Select[Any]:
    table = _TABLE_OF[kind] if kind in _TABLE_OF else MAPPINGS[kind].table
    return select(table.c.id).where(among_ids(table.c.id, dialect))


def check_references(conn: Connection, bundle: Bundle, file: str, replace: bool) -> None:
    """Every referenced id exists in the bundle or the database; new ids are new (unless replacing)."""
    in_bundle: dict[str, set[str]] = {kind: set() for kind in KINDS}
    in_bundle["countries"] = {c.id for c in bundle.countries}
    in_bundle["locations"] = {loc.id for loc in bundle.locations}
    for r in bundle.records:
        in_bundle[r.kind].add(r.id)
    everything: list[Location | Record] = [*bundle.locations, *bundle.records]
    pointers = [(item, references(item)) for item in everything]
    wanted: dict[str, set[str]] = {}
    for _item, refs in pointers:
        for _field, kind, rid in refs:
            wanted.setdefault(kind, set()).add(rid)
    known = {k: in_bundle[k] | _existing(conn, k, ids - in_bundle[k]) for k, ids in wanted.items()}
    problems: list[Problem] = []
    for item, refs in pointers:
        for field_name, ref_kind, rid in refs:
            if rid not in known[ref_kind]:
                kind = getattr(item, "kind", "locations")
                row = bundle.rows.get((kind, item.id), "-")
                problems.append(Problem(file, row, field_name, f"unknown {ref_kind} id {rid!r}"))
    if not replace:
        taken = {kind: _existing(conn, kind, in_bundle[kind]) for kind in KINDS}
        for r in bundle.records:
            if r.id in taken[r.kind]:
                problems.append(
                    Problem(
                        file,
                        bundle.rows.get((r.kind, r.id), "-"),
                        "id",
                        f"{r.kind} {r.id!r} already exists",
                    )
                )
    if problems:
        raise ImportRejected(problems)


@without_cycle_collection
def write_bundle(
    store: Store,
    bundle: Bundle,
    file: str,
    actor: str,
    replace: bool = False,
    progress: Progress | None = None,
    batch_size: int = 5000,
) -> dict[str, int]:
    """Validate references, then write the bundle in one transaction; counts per kind.

    With ``replace``, records whose id already exists are replaced (used by ``demo``,
    so loading it twice leaves the same data); otherwise existing ids are an error.
    """
    with store.db.begin() as conn:
        check_references(conn, bundle, file, replace)
        _upsert_places(conn, bundle)
        existing: set[tuple[str, str]] = set()
        if replace:
            for kind in KINDS:
                ids = {r.id for r in bundle.records if r.kind == kind}
                existing.update((kind, i) for i in _existing(conn, kind, ids))
        # Kind by kind, following references: sources, then parties, then what cites them.
        written = {(r.kind, r.id): r for r in bundle.records}
        for kind in INSERT_ORDER:
            of_kind = [r for r in bundle.records if r.kind == kind]
            # Sources cite sources: all in one batch, so every cited row is there first.
            size = max(len(of_kind), 1) if kind == "sources" else batch_size
            for start in range(0, len(of_kind), size):
                chunk = of_kind[start : start + size]
                store.replace_many(
                    conn, [r for r in chunk if (kind, r.id) in existing], actor, written=written
                )
                store.insert_many(
                    conn,
                    [r for r in chunk if (kind, r.id) not in existing],
                    actor,
                    action="import",
                    written=written,
                )
                if progress:
                    progress(len(chunk))
    counts: dict[str, int] = {
        "countries": len(bundle.countries),
        "locations": len(bundle.locations),
    }
    for r in bundle.records:
        counts[r.kind] = counts.get(r.kind, 0) + 1
    settle(store, counts)
    return counts


def settle(store: Store, counts: dict[str, int]) -> None:
    """After a large import (``counts`` of records per kind), fresh statistics for the tables
    it wrote."""
    kinds = {kind for kind, n in counts.items() if n and kind in MAPPINGS}
    if sum(counts[kind] for kind in kinds) < ANALYZE_AFTER:
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


def _upsert_places(conn: Connection, bundle: Bundle) -> None:
    """Countries and locations are shared reference data: update those that exist, add the rest."""
    places: tuple[tuple[Table, Sequence[Country | Location]], ...] = (
        (t.countries, bundle.countries),
        (t.locations, bundle.locations),
    )
    for table, items in places:
        if not items:
            continue
        existing = set(
            conn.scalars(select(table.c.id).where(table.c.id.in_([i.id for i in items])))
        )
        for item in items:
            row = item.model_dump(mode="json")
            if item.id in existing:
                conn.execute(update(table).where(table.c.id == item.id).values(**row))
        new = [i.model_dump(mode="json") for i in items if i.id not in existing]
        if new:
            conn.execute(table.insert(), new)


def import_file(
    store: Store,
    path: Path,
    viewer: Viewer,
    replace: bool = False,
    progress: Progress | None = None,
) -> dict[str, int]:
    viewer.require_write()
    document = read_document(path)
    return import_document(
        store, document, str(path), viewer.name or viewer.role, replace, progress
    )


def import_document(
    store: Store,
    document: Any,
    file: str,
    actor: str,
    replace: bool = False,
    progress: Progress | None = None,
    workers: int | None = None,
) -> dict[str, int]:
    """Validate and write a parsed bundle: every record or, on any problem, none.

    A large bundle of new records is validated and prepared by ``workers`` processes (one
    per core by default, see :mod:`civicspace.ingest.parallel`); a small one, or one that
    replaces records, in this process.
    """
    from civicspace.ingest import parallel  # it builds on this module

    workers = parallel.workers_available() if workers is None else workers
    if workers > 1 and not replace and record_count(document) >= parallel.PARALLEL_AT:
        return parallel.import_parallel(store, document, file, actor, workers, progress)
    bundle = parse_bundle(document, file)
    return write_bundle(store, bundle, file, actor, replace, progress)


def export_bundle(store: Store, viewer: Viewer) -> dict[str, Any]:
    """Everything ``viewer`` may read, as a bundle; ids sorted so exports compare equal."""
    out: dict[str, Any] = {"format": FORMAT, "version": VERSION}
    with store.db.begin() as conn:
        out["countries"] = [
            Country.model_validate(dict(r._mapping)).model_dump(mode="json", exclude_none=True)
            for r in conn.execute(select(t.countries).order_by(t.countries.c.id))
        ]
        out["locations"] = [
            Location.model_validate(
                {k: v for k, v in r._mapping.items() if v is not None}
            ).model_dump(mode="json", exclude_none=True)
            for r in conn.execute(select(t.locations).order_by(t.locations.c.id))
        ]
        from civicspace.store.repository import redact

        for kind in KINDS:
            ids = store.all_ids(conn, kind, viewer)
            records = redact(conn, load_records(conn, kind, ids), viewer)
            out[kind] = [
                for_viewer(r, viewer).model_dump(mode="json", exclude_none=True) for r in records
            ]
    return out
