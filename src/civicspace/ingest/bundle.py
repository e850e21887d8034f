"""Whole-database exchange: the JSON (or YAML) bundle that ``export`` writes and ``import`` reads.

A bundle is ``{"format": "civicspace-export", "version": 1, "countries": [...],
"locations": [...], "sources": [...], "persons": [...], ...}``. Importing goes through
:func:`civicspace.ingest.import_path`; this module keeps the export, the validation of a
bundle built in code (:func:`parse_bundle`) and :func:`import_file`, the short form many
callers use.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from sqlalchemy import select

from civicspace.access.policy import Viewer
from civicspace.db import schema as t
from civicspace.ingest.checks import SeenIds, in_file_order, validate_chunk
from civicspace.ingest.errors import ImportRejected, Problem
from civicspace.ingest.memory import without_cycle_collection
from civicspace.ingest.options import ImportOptions
from civicspace.ingest.pipeline import import_path
from civicspace.ingest.readers import FORMAT, VERSION, document_source, read_document, record_count
from civicspace.ingest.source import INSERT_ORDER, PLACE_TYPES, Bundle, item_type
from civicspace.model.records import KINDS, Country, Location
from civicspace.store.mapping import load_records
from civicspace.store.repository import Store

__all__ = [
    "FORMAT",
    "INSERT_ORDER",
    "VERSION",
    "Bundle",
    "export_bundle",
    "import_file",
    "parse_bundle",
    "read_document",
    "record_count",
]


@without_cycle_collection
def parse_bundle(document: Any, file: str) -> Bundle:
    """Validate a parsed bundle with the import's checks (references aside, which need a
    database); collects every problem before raising."""
    source = document_source(document, file)
    problems: list[Problem] = list(source.problems)
    bundle, seen = Bundle(), SeenIds()
    for kind, section in source.sections.items():
        items = range(len(section.items))
        chunk, valid = validate_chunk(section, item_type(kind), items, file, {})
        found = list(chunk.problems)
        target: list[Any] = getattr(bundle, kind) if kind in PLACE_TYPES else bundle.records
        for (row, record_id), item in zip(chunk.rows, valid, strict=True):
            duplicate = seen.add(file, kind, row, record_id)
            if duplicate:
                found.append(duplicate)
            else:
                target.append(item)
        problems.extend(in_file_order(found))
    if problems:
        raise ImportRejected(problems)
    bundle.rows = seen.rows
    return bundle


def import_file(
    store: Store,
    path: Path,
    viewer: Viewer,
    replace: bool = False,
    progress: Callable[[int], None] | None = None,
) -> dict[str, int]:
    """:func:`civicspace.ingest.import_path` with default options; the counts by kind."""
    result = import_path(
        store,
        viewer,
        path,
        ImportOptions(replace=replace),
        progress=(lambda done, _total: progress(done)) if progress else None,
    )
    return result.counts


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
            out[kind] = [r.model_dump(mode="json", exclude_none=True) for r in records]
    return out
