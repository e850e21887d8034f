"""Full-text search over every kind of record, blind to script and spelling.

Each record gets one search document whose ``body`` is the folding keys of its words
(:func:`civicspace.text.fold`), so "Мамай", "Mamai" and "Mamay" all index and query as
``mamai``. A document only carries the names of people at or below the record's own
visibility: a public incident never makes a confidential witness findable.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import (
    ColumnElement,
    Connection,
    Select,
    delete,
    func,
    insert,
    literal_column,
    select,
    text,
)

from civicspace.access.policy import Viewer
from civicspace.model.records import VISIBILITY_RANK, Record
from civicspace.model.vocabulary import vocabulary
from civicspace.store import schema as t
from civicspace.text import fold, fold_tokens


@dataclass(frozen=True)
class SearchHit:
    kind: str
    id: str
    title: str
    snippet: str
    visibility: str
    verification: str


def _party_names(conn: Connection, table: Any, ids: set[str]) -> dict[str, tuple[str, list[str]]]:
    """Visibility and every name of the persons/organisations with these ids."""
    out: dict[str, tuple[str, list[str]]] = {}
    ids_list = list(ids)
    for start in range(0, len(ids_list), 500):
        chunk = ids_list[start : start + 500]
        query = select(table.c.id, table.c.visibility, table.c.name).where(table.c.id.in_(chunk))
        for row in conn.execute(query):
            out[row.id] = (row.visibility, [row.name["text"]])
        if table is t.persons:
            query = select(t.person_names.c.parent_id, t.person_names.c.text).where(
                t.person_names.c.parent_id.in_(chunk)
            )
            for row in conn.execute(query):
                out[row.parent_id][1].append(row.text)
    return out


def _names_at_or_below(
    ids: Iterable[str | None], lookup: dict[str, tuple[str, list[str]]], visibility: str
) -> list[str]:
    names: list[str] = []
    for pid in ids:
        if pid and pid in lookup and VISIBILITY_RANK[lookup[pid][0]] <= VISIBILITY_RANK[visibility]:
            names.extend(lookup[pid][1])
    return names


def _title(record: Any) -> str:
    for attr in ("title",):
        if getattr(record, attr, None):
            return str(getattr(record, attr))
    if getattr(record, "name", None) is not None:
        return str(record.name.text)
    if record.kind == "statistics":
        return str(record.display())
    if record.kind == "ratings":
        return f"{record.country} {record.band} ({record.date})"
    return str(record.id)


def _texts(record: Any, persons: dict[str, Any], orgs: dict[str, Any]) -> list[str]:
    kind, vis = record.kind, record.visibility
    parts: list[str | None] = [_title(record), getattr(record, "summary", None)]
    if kind in ("persons", "organisations"):
        parts += [n.text for n in record.names] + [record.description]
    if kind == "persons":
        parts += [vocabulary("person role")[r].label for r in record.roles]
    if kind == "incidents":
        parts += [vocabulary("violation type")[v].label for v in record.violations]
        parts += _names_at_or_below((p.person_id for p in record.participants), persons, vis)
        parts += _names_at_or_below((p.organisation_id for p in record.participants), orgs, vis)
    if kind == "cases":
        parts += _names_at_or_below(record.defendants, persons, vis)
        parts += [f"{c.code} {c.article} {c.title}" for c in record.charges]
    if kind == "laws":
        parts += [record.assessment] + [s.note for s in record.stages]
    if kind == "statistics":
        parts += [record.reported_by, record.topic]
    if kind == "ratings":
        parts += [record.rationale, record.rated_by]
    if kind == "sources":
        parts += [record.publisher, record.public_label]
    return [p for p in parts if p]


def index_records(conn: Connection, records: Sequence[Record]) -> None:
    """(Re)write the search documents of ``records`` (names of parties read from the store)."""
    if not records:
        return
    person_ids: set[str] = set()
    org_ids: set[str] = set()
    for r in records:
        if r.kind == "incidents":
            person_ids.update(p.person_id for p in r.participants if p.person_id)  # type: ignore[attr-defined]
            org_ids.update(p.organisation_id for p in r.participants if p.organisation_id)  # type: ignore[attr-defined]
        elif r.kind == "cases":
            person_ids.update(r.defendants)  # type: ignore[attr-defined]
    persons = _party_names(conn, t.persons, person_ids) if person_ids else {}
    orgs = _party_names(conn, t.organisations, org_ids) if org_ids else {}
    rows = []
    for r in records:
        texts = _texts(r, persons, orgs)
        joined = " · ".join(texts)
        rows.append(
            {
                "kind": r.kind,
                "record_id": r.id,
                "visibility": r.visibility,
                "verification": r.verification,
                "title": _title(r),
                "text": joined,
                "body": fold(joined),
            }
        )
    remove_documents(conn, [(r.kind, r.id) for r in records])
    conn.execute(insert(t.search_documents), rows)


def remove_documents(conn: Connection, keys: Sequence[tuple[str, str]]) -> None:
    by_kind: dict[str, list[str]] = {}
    for kind, rid in keys:
        by_kind.setdefault(kind, []).append(rid)
    for kind, ids in by_kind.items():
        for start in range(0, len(ids), 500):
            conn.execute(
                delete(t.search_documents).where(
                    t.search_documents.c.kind == kind,
                    t.search_documents.c.record_id.in_(ids[start : start + 500]),
                )
            )


def _snippet(original: str, tokens: list[str], width: int = 160) -> str:
    words = original.split()
    for i, word in enumerate(words):
        keys = fold_tokens(word)
        if any(k.startswith(tok) for k in keys for tok in tokens):
            start = max(0, i - 8)
            snippet = " ".join(words[start : start + 24])
            prefix = "… " if start else ""
            return prefix + (snippet[:width] + "…" if len(snippet) > width else snippet)
    return original[:width]


def search(
    conn: Connection,
    query: str,
    viewer: Viewer,
    kinds: Sequence[str] | None = None,
    limit: int = 20,
    offset: int = 0,
) -> list[SearchHit]:
    """Records matching every word of ``query`` (as a prefix), best first, that ``viewer`` may read."""
    tokens = fold_tokens(query)
    if not tokens:
        return []
    d = t.search_documents
    conditions: list[ColumnElement[bool]] = [d.c.visibility.in_(viewer.visibilities)]
    if viewer.verified_only:
        conditions.append(d.c.verification == "verified")
    if kinds:
        conditions.append(d.c.kind.in_(list(kinds)))
    if conn.dialect.name == "sqlite":
        stmt: Select[Any]
        match = " ".join(f'"{tok}"*' for tok in tokens)
        fts = (
            text("SELECT rowid AS id, rank FROM search_fts WHERE search_fts MATCH :match")
            .columns(id=d.c.id.type, rank=d.c.id.type)
            .bindparams(match=match)
            .subquery("fts")
        )
        stmt = select(d).join(fts, fts.c.id == d.c.id).order_by(fts.c.rank, d.c.id)
    else:
        tsquery = func.to_tsquery("simple", " & ".join(f"{tok}:*" for tok in tokens))
        tsv: ColumnElement[Any] = literal_column("search_documents.tsv")
        stmt = (
            select(d)
            .where(tsv.op("@@")(tsquery))
            .order_by(func.ts_rank(tsv, tsquery).desc(), d.c.id)
        )
    stmt = stmt.where(*conditions).limit(limit).offset(offset)
    return [
        SearchHit(
            kind=row.kind,
            id=row.record_id,
            title=row.title,
            snippet=_snippet(row.text, tokens),
            visibility=row.visibility,
            verification=row.verification,
        )
        for row in conn.execute(stmt)
    ]
