"""New records turned into what the database receives, without a database.

:meth:`~civicspace.store.repository.Store.insert_many` builds rows, search documents and
revisions and writes them in one go. An import of many records splits that in two: worker
processes call :func:`prepare_insert` on their share of the records, and the one process
holding the transaction passes each result to
:meth:`~civicspace.store.repository.Store.insert_prepared`. Only records that are not
confidential are prepared this way: sealing needs the keyring, which stays with the writer.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Table
from sqlalchemy.engine import Dialect

from civicspace.db import schema as t
from civicspace.model.records import Record
from civicspace.store.bulk import PreparedRows, prepare_rows
from civicspace.store.mapping import MAPPINGS, group_rows
from civicspace.store.search import document_rows
from civicspace.store.snapshot import snapshot

Names = Mapping[str, tuple[str, list[str]]]


@dataclass(frozen=True)
class PreparedInsert:
    """Rows per table (in an order foreign keys accept), search documents and revisions."""

    tables: list[PreparedRows]
    documents: PreparedRows
    revisions: Any  # what the store's journal prepared (Journal.prepare_inserted)


def stamped_rows(
    records: Iterable[Record], actor: str, now: dt.datetime
) -> dict[Table, list[dict[str, Any]]]:
    """The records' rows by table, provenance kept from an export or else stamped ``now``."""
    records = list(records)
    grouped = group_rows(records)
    for kind in {r.kind for r in records}:
        for row in grouped[MAPPINGS[kind].table]:
            row["created_at"] = row["created_at"] or now
            row["created_by"] = row["created_by"] or actor
            row["updated_at"] = row["updated_at"] or now
            row["updated_by"] = row["updated_by"] or actor
            row["version"] = row["version"] or 1
    return grouped


def prepare_insert(
    dialect: Dialect,
    records: Sequence[Record],
    actor: str,
    now: dt.datetime,
    persons: Names,
    orgs: Names,
    journal: Any,
) -> PreparedInsert:
    """What inserting ``records`` (none confidential) writes; ``persons`` and ``orgs`` give
    the visibility and names of every party they mention (see
    :func:`civicspace.store.search.party_names`); ``journal`` is the store's."""
    grouped = stamped_rows(records, actor, now)
    tables = [
        prepare_rows(dialect, table, rows)
        for table in t.metadata.sorted_tables
        if (rows := grouped.get(table))
    ]
    documents = prepare_rows(dialect, t.search_documents, document_rows(records, persons, orgs))
    revisions = journal.prepare_inserted(dialect, [snapshot(r) for r in records], actor, now)
    return PreparedInsert(tables, documents, revisions)
