"""Full-text search over every kind of record, blind to script and spelling: the query side.

A query's words are folded as the documents' were (see
:mod:`civicspace.store.search_documents`) and match as prefixes, through SQLite's FTS5
or PostgreSQL's tsvector. A confidential record's document holds only blind-index
tokens: an editor who types an exact name, or exact words of it, finds the record; the
index holds nothing readable, and prefixes do not match. Writing documents lives in
:mod:`civicspace.store.search_index`; both are re-exported here for their callers.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

from sqlalchemy import (
    ColumnElement,
    Connection,
    Select,
    column,
    func,
    literal_column,
    select,
    table,
    text,
)

from civicspace.access.policy import Viewer
from civicspace.crypto import KeyProblem, is_sealed, keyring_of, require_keyring
from civicspace.db import schema as t
from civicspace.store.counts import Counter, plain_counter
from civicspace.store.search_documents import _texts as _texts  # read by tests/model
from civicspace.store.search_documents import (
    document_aad,
    document_rows,
    parties_named,
    party_names,
)
from civicspace.store.search_index import index_records, remove_documents, write_documents
from civicspace.store.visibility import visible_to
from civicspace.text import fold_tokens


@dataclass(frozen=True)
class SearchHit:
    kind: str
    id: str
    title: str
    snippet: str
    visibility: str
    verification: str


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


_FTS = table("search_fts", column("rowid"), column("rank"))

RANKED_UP_TO = 1_000
"""A query matching more documents than this lists the newest first instead of the most
relevant: scoring every match of a word found in most records costs ~100 ms at 100,000
records, while the newest matches come straight from the index."""


BROAD_WINDOW = 2
"""PostgreSQL first looks for more than N matches among the newest ``BROAD_WINDOW * (N+1)``
documents: a word in half the documents or more is known broad without its index."""


@dataclass(frozen=True)
class _Query:
    """One query's full-text condition, for SQLite (an FTS5 MATCH) or PostgreSQL (a tsquery)."""

    match: str
    sqlite: bool

    def ids(self) -> Any:
        """The matching documents' ids as a subquery (SQLite)."""
        return text("SELECT rowid FROM search_fts WHERE search_fts MATCH :match").bindparams(
            match=self.match
        )

    def condition(self) -> ColumnElement[bool]:
        if self.sqlite:
            return t.search_documents.c.id.in_(self.ids())
        return literal_column("search_documents.tsv").op("@@")(self.tsquery())

    def tsquery(self) -> ColumnElement[Any]:
        return func.to_tsquery("simple", self.match)

    def more_than(self, conn: Connection, n: int, count: Counter | None = None) -> bool:
        """Whether over ``n`` documents match, whoever may read them (stops at ``n + 1``)."""
        counter = count or plain_counter(conn)
        if self.sqlite:
            capped = "SELECT rowid FROM search_fts WHERE search_fts MATCH :match LIMIT :cap"
            query = text(f"SELECT count(*) FROM ({capped})")
        else:
            # GIN cannot stop early: counting a word in most documents reads all its
            # matches (17 ms for 64,000 of 121,000). The newest documents, read backwards,
            # often hold enough matches already (1.5 ms); otherwise count from the index.
            recent = text(
                "SELECT count(*) FROM (SELECT 1 FROM (SELECT tsv FROM search_documents"
                " ORDER BY id DESC LIMIT :window) AS recent"
                " WHERE tsv @@ to_tsquery('simple', :match) LIMIT :cap) AS capped"
            )
            window = BROAD_WINDOW * (n + 1)
            if counter(recent.bindparams(match=self.match, cap=n + 1, window=window)) > n:
                return True
            query = text(
                "SELECT count(*) FROM (SELECT 1 FROM search_documents"
                " WHERE tsv @@ to_tsquery('simple', :match) LIMIT :cap) AS capped"
            )
        # The values are bound to the statement, where a count cache's key sees them.
        counted = counter(query.bindparams(match=self.match, cap=n + 1))
        return counted > n


def _query(conn: Connection, tokens: list[str], viewer: Viewer) -> _Query:
    """Every query word as a prefix; for a reader of confidential records also as the
    blind token of the exact word, and the whole query as a whole name's token."""
    keyring = keyring_of(conn) if "confidential" in viewer.visibilities else None
    blind: list[str] = []
    whole: str | None = None
    if keyring is not None:
        try:
            blind = [keyring.blind_token(tok, conn) for tok in tokens]
            whole = keyring.blind_token(" ".join(tokens), conn)
        except KeyProblem:
            blind = []
    if conn.dialect.name == "sqlite":
        match = " ".join(f'"{tok}"*' for tok in tokens)
        if blind:
            words = " AND ".join(
                f'("{tok}"* OR "{b}")' for tok, b in zip(tokens, blind, strict=True)
            )
            match = f'({words}) OR "{whole}"'
        return _Query(match, sqlite=True)
    match = " & ".join(f"{tok}:*" for tok in tokens)
    if blind:
        words = " & ".join(f"({tok}:* | {b})" for tok, b in zip(tokens, blind, strict=True))
        match = f"({words}) | {whole}"
    return _Query(match, sqlite=False)


def _matching(
    conn: Connection,
    tokens: list[str],
    viewer: Viewer,
    kinds: Sequence[str] | None,
) -> Select[Any]:
    """Search documents matching every query word (as a prefix) that ``viewer`` may read:
    best first when at most :data:`RANKED_UP_TO` documents match, else
    newest first."""
    query = _query(conn, tokens, viewer)
    d = t.search_documents
    conditions: list[ColumnElement[bool]] = [*visible_to(viewer, d)]
    if kinds:
        conditions.append(d.c.kind.in_(list(kinds)))
    newest = query.more_than(conn, RANKED_UP_TO)
    if query.sqlite:  # driven by the index: newest first stops at the page's last row
        matched = (
            select(d)
            .select_from(_FTS.join(d, d.c.id == _FTS.c.rowid))
            .where(text("search_fts MATCH :match").bindparams(match=query.match), *conditions)
        )
        if newest:
            return matched.order_by(_FTS.c.rowid.desc())
        return matched.order_by(_FTS.c.rank, d.c.id)
    if newest:
        return select(d).where(query.condition(), *conditions).order_by(d.c.id.desc())
    tsv: ColumnElement[Any] = literal_column("search_documents.tsv")
    return (
        select(d)
        .where(query.condition(), *conditions)
        .order_by(func.ts_rank(tsv, query.tsquery()).desc(), d.c.id)
    )


# What PostgreSQL may not plan while a list walks its matches newest first.
_WALK_SETTINGS = {
    "enable_bitmapscan": "off",
    "enable_seqscan": "off",
    "enable_hashjoin": "off",
    "enable_mergejoin": "off",
    "max_parallel_workers_per_gather": "0",
}


@dataclass(frozen=True)
class TextFilter:
    """A list's text filter: the ids of ``kind`` records whose documents match, as SQL.

    ``broad`` when more than :data:`RANKED_UP_TO` documents match: a list then takes its
    page straight from the full-text index, newest match first (see :meth:`newest`),
    rather than sorting tens of thousands of matches.
    """

    query: _Query
    conditions: tuple[ColumnElement[bool], ...]
    broad: bool

    def ids(self) -> Select[Any]:
        d = t.search_documents
        return select(d.c.record_id).where(self.query.condition(), *self.conditions)

    def newest(self, table: Any, *where: ColumnElement[bool]) -> Select[Any]:
        """``table``'s ids matching, newest document first (unlimited: page it)."""
        d = t.search_documents
        if self.query.sqlite:
            joined = _FTS.join(d, d.c.id == _FTS.c.rowid).join(table, table.c.id == d.c.record_id)
            match = text("search_fts MATCH :match").bindparams(match=self.query.match)
            return (
                select(table.c.id)
                .select_from(joined)
                .where(match, *self.conditions, *where)
                .order_by(_FTS.c.rowid.desc())
            )
        return (
            select(table.c.id)
            .join(d, table.c.id == d.c.record_id)
            .where(self.query.condition(), *self.conditions, *where)
            .order_by(d.c.id.desc())
        )

    @contextmanager
    def walking_newest_first(self, conn: Connection) -> Iterator[None]:
        """Statements inside walk the documents newest first (PostgreSQL), as :meth:`newest`
        means them to, rather than collect and sort every match.

        The planner estimates prefix terms ANDed together far too low ('bloger:* & fined:*':
        48 rows for 41,084 of 121,000 documents) and the record's visibility twice (on the
        document and on the record), so it took every match from the GIN index, or every
        visible record, joined and sorted them: 87-247 ms for a page or a capped count at
        100,000 incidents. Walking the primary key backwards in a nested loop stops at the
        page's last match or at the cap (0.5-6 ms; a broad query matches densely) and at
        worst reads each document once (35-60 ms). Parallel workers only add their start.
        """
        if self.query.sqlite:
            yield
            return
        conn.exec_driver_sql("; ".join(f"SET LOCAL {k} = {v}" for k, v in _WALK_SETTINGS.items()))
        try:
            yield
        finally:
            conn.exec_driver_sql("; ".join(f"SET LOCAL {k} TO DEFAULT" for k in _WALK_SETTINGS))


def text_filter(
    conn: Connection, query: str, viewer: Viewer, kind: str, count: Counter | None = None
) -> TextFilter | None:
    """The filter for ``kind`` records matching ``query`` (``None`` when it has no words);
    ``count`` runs its count (a store's :class:`~civicspace.store.counts.CountCache`)."""
    tokens = fold_tokens(query)
    if not tokens:
        return None
    d = t.search_documents
    conditions = [d.c.kind == kind, *visible_to(viewer, d)]
    parsed = _query(conn, tokens, viewer)
    return TextFilter(parsed, tuple(conditions), parsed.more_than(conn, RANKED_UP_TO, count))


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
    stmt = _matching(conn, tokens, viewer, kinds).limit(limit).offset(offset)
    hits = []
    for row in conn.execute(stmt):
        title, body = row.title, row.text
        if row.visibility == "confidential" and (is_sealed(title) or is_sealed(body)):
            opener = require_keyring(conn)
            title = opener.open(title, document_aad(row.kind, row.record_id, "title"), conn)
            body = opener.open(body, document_aad(row.kind, row.record_id, "text"), conn)
        hits.append(
            SearchHit(
                kind=row.kind,
                id=row.record_id,
                title=title,
                snippet=_snippet(body, tokens),
                visibility=row.visibility,
                verification=row.verification,
            )
        )
    return hits


__all__ = [
    "BROAD_WINDOW",
    "RANKED_UP_TO",
    "SearchHit",
    "TextFilter",
    "document_rows",
    "index_records",
    "parties_named",
    "party_names",
    "remove_documents",
    "search",
    "text_filter",
    "write_documents",
]
