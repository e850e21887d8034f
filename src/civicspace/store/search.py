"""Full-text search over every kind of record, blind to script and spelling.

Each record gets one search document whose ``body`` is the folding keys of its words
(:func:`civicspace.text.fold`), so "Мамай", "Mamai" and "Mamay" all index and query as
``mamai``. A document only carries the names of people at or below the record's own
visibility: a public incident never makes a confidential witness findable.

A confidential record's document is encrypted (``title``, ``text``) and its words are
indexed only as blind-index tokens (keyed HMACs of their folding keys, see
:meth:`civicspace.crypto.Keyring.blind_tokens`), names also as a whole: an editor who
types an exact name, or exact words of it, finds the record; the index holds nothing
readable, and prefixes do not match.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from functools import cache
from typing import Any

from sqlalchemy import (
    ColumnElement,
    Connection,
    Select,
    column,
    delete,
    func,
    literal_column,
    select,
    table,
    text,
)

from civicspace.access.policy import Viewer
from civicspace.crypto import (
    KeyProblem,
    Sealed,
    associated_data,
    is_sealed,
    keyring_of,
    require_keyring,
)
from civicspace.crypto.sealing import sealer
from civicspace.db import schema as t
from civicspace.model.kinds import caption, fields_of, spec_of, values_at
from civicspace.model.markers import Ref, Searchable, Term
from civicspace.model.records import VISIBILITY_RANK, Record, record_type
from civicspace.model.vocabulary import vocabulary
from civicspace.store.bulk import PreparedRows, prepare_rows, write_rows
from civicspace.store.counts import Counter, plain_counter
from civicspace.store.visibility import visible_to
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
    """Visibility and every name of the persons/organisations with these ids (opened)."""
    kind = "persons" if table is t.persons else "organisations"
    found: dict[str, tuple[str, list[tuple[str, str]]]] = {}
    ids_list = list(ids)
    for start in range(0, len(ids_list), 500):
        chunk = ids_list[start : start + 500]
        query = select(table.c.id, table.c.visibility, table.c.name).where(table.c.id.in_(chunk))
        for row in conn.execute(query):
            found[row.id] = (row.visibility, [(row.name["text"], "name")])
        if table is t.persons:
            names = t.person_names.c
            query = (
                select(names.parent_id, names.position, names.text)
                .where(names.parent_id.in_(chunk))
                .order_by(names.parent_id, names.position)
            )
            for row in conn.execute(query):
                found[row.parent_id][1].append((row.text, f"names.{row.position}.text"))
    out: dict[str, tuple[str, list[str]]] = {}
    for pid, (visibility, named) in found.items():
        if visibility == "confidential" and any(is_sealed(text) for text, _ in named):
            keyring = require_keyring(conn)
            opened = [keyring.open(x, associated_data(kind, pid, f), conn) for x, f in named]
            out[pid] = (visibility, opened)
        else:
            out[pid] = (visibility, [text for text, _ in named])
    return out


def _names_at_or_below(
    ids: Iterable[str | None], lookup: Mapping[str, tuple[str, list[str]]], visibility: str
) -> tuple[list[str], list[str]]:
    """Names of these parties a reader of a ``visibility`` record may see: (open, confidential)."""
    names: list[str] = []
    hidden: list[str] = []
    for pid in ids:
        if pid and pid in lookup and VISIBILITY_RANK[lookup[pid][0]] <= VISIBILITY_RANK[visibility]:
            (hidden if lookup[pid][0] == "confidential" else names).extend(lookup[pid][1])
    return names, hidden


@dataclass(frozen=True)
class _Indexed:
    """A field of a kind marked ``Searchable``, with what its values are indexed as."""

    path: str
    values: Callable[[Any], list[Any]]
    searchable: Searchable
    party: str | None  # the kind of the records whose names it points at
    vocabulary: str | None  # its values are keys of this vocabulary: labels are indexed


@cache
def _indexed(kind: str) -> tuple[tuple[_Indexed, ...], bool]:
    """The searchable fields of ``kind`` besides its caption, and whether the caption is a
    field that ``identifies`` (indexed as a whole name, blind, when confidential)."""
    head = spec_of(kind).caption.split(".")[0]
    fields: list[_Indexed] = []
    identifies = False
    for f in fields_of(record_type(kind)):
        searchable = f.marker(Searchable)
        if searchable is None:
            continue
        if f.path == head:
            identifies = searchable.identifies
            continue
        ref, term = f.marker(Ref), f.marker(Term)
        party = ref.kinds[0] if ref else None
        vocab = term.name if term else None
        fields.append(_Indexed(f.path, values_at(f.path), searchable, party, vocab))
    return tuple(fields), identifies


def _word(value: Any, vocab: str | None) -> str | None:
    if vocab is not None:
        return vocabulary(vocab)[value].label
    search_text = getattr(value, "search_text", None)  # a name, a charge: as it says
    if search_text is not None:
        return str(search_text())
    return value if value is None else str(value)


def _texts(
    record: Any, persons: Mapping[str, Any], orgs: Mapping[str, Any]
) -> tuple[list[str], list[str]]:
    """The words of a record's document: (readable, protected names for the blind index).

    Derived from the ``Searchable`` fields: the caption, then each field in declaration
    order. Protected names only occur in confidential records' documents; a field not
    indexed ``when_confidential`` (a confidential person's description) is left out.
    """
    vis = record.visibility
    secret = vis == "confidential"
    fields, caption_identifies = _indexed(record.kind)
    parts: list[str | None] = []
    protected: list[str | None] = []
    (protected if secret and caption_identifies else parts).append(caption(record))
    parties = {"persons": persons, "organisations": orgs}
    for f in fields:
        if f.party is not None:
            names, hidden = _names_at_or_below(f.values(record), parties[f.party], vis)
            parts += names
            protected += hidden
        elif not secret or f.searchable.when_confidential:
            words = [_word(v, f.vocabulary) for v in f.values(record)]
            (protected if secret and f.searchable.identifies else parts).extend(words)
    return [p for p in parts if p], [p for p in protected if p]


def _names_of(
    conn: Connection, kind: str, ids: set[str], written: Mapping[tuple[str, str], Record]
) -> dict[str, tuple[str, list[str]]]:
    """:func:`_party_names`, taking the parties stored in the same batch from ``written``."""
    out: dict[str, tuple[str, list[str]]] = {}
    for pid in ids:
        party: Any = written.get((kind, pid))
        if party is not None:
            out[pid] = party_names(party)
    missing = ids - out.keys()
    table = t.persons if kind == "persons" else t.organisations
    return out | (_party_names(conn, table, missing) if missing else {})


def index_records(
    conn: Connection,
    records: Sequence[Record],
    new: bool = False,
    written: Mapping[tuple[str, str], Record] | None = None,
) -> None:
    """(Re)write the search documents of ``records`` (names of parties read from the store).

    ``new`` records have no documents yet: skipping the delete keeps bulk imports linear.
    ``written`` are records already stored in this transaction by ``(kind, id)``: an
    import passes its whole batch, so the names of its people need not be read back.
    """
    if not records:
        return
    person_ids, org_ids = parties_named(records)
    written = written or {}
    persons = _names_of(conn, "persons", person_ids, written) if person_ids else {}
    orgs = _names_of(conn, "organisations", org_ids, written) if org_ids else {}
    rows = []
    for r in records:
        texts, protected = _texts(r, persons, orgs)
        row = _document(r, texts)
        if r.visibility == "confidential":
            keyring = require_keyring(conn)
            tokens = [tok for name in protected for tok in keyring.blind_tokens(name, conn)]
            tokens += [keyring.blind_token(word, conn) for word in fold_tokens(row["text"])]
            row["body"] = " ".join(dict.fromkeys(tokens))
            row["text"] = Sealed(" · ".join([*protected, *texts]), _aad(r.kind, r.id, "text"))
            row["title"] = Sealed(row["title"], _aad(r.kind, r.id, "title"))
        rows.append(row)
    if not new:
        remove_documents(conn, [(r.kind, r.id) for r in records])
    secret = any(r.visibility == "confidential" for r in records)
    seal = sealer(conn).row if secret else None
    write_documents(conn, prepare_rows(conn.dialect, t.search_documents, rows, seal))


def parties_named(records: Iterable[Record]) -> tuple[set[str], set[str]]:
    """Ids of the persons and of the organisations whose names go into these records' documents."""
    named: dict[str, set[str]] = {"persons": set(), "organisations": set()}
    for r in records:
        for party, values in _parties(r.kind):
            named[party].update(rid for rid in values(r) if rid)
    return named["persons"], named["organisations"]


@cache
def _parties(kind: str) -> tuple[tuple[str, Callable[[Any], list[Any]]], ...]:
    """(kind, values) of the fields of ``kind`` naming parties whose names are indexed."""
    return tuple((f.party, f.values) for f in _indexed(kind)[0] if f.party is not None)


def party_names(party: Any) -> tuple[str, list[str]]:
    """A person's or organisation's visibility and the names its mentions are indexed by."""
    variants = [n.text for n in party.names] if party.kind == "persons" else []
    return party.visibility, [party.name.text, *variants]


def _document(record: Any, texts: list[str]) -> dict[str, Any]:
    joined = " · ".join(texts)
    return {
        "kind": record.kind,
        "record_id": record.id,
        "visibility": record.visibility,
        "verification": record.verification,
        "title": caption(record),
        "text": joined,
        "body": fold(joined),
    }


def document_rows(
    records: Iterable[Record],
    persons: Mapping[str, tuple[str, list[str]]],
    orgs: Mapping[str, tuple[str, list[str]]],
) -> list[dict[str, Any]]:
    """The search documents of records none of which is confidential, given the names of
    the parties they mention (:func:`party_names` by id); no database needed."""
    rows = []
    for r in records:
        if r.visibility == "confidential":
            raise ValueError(f"{r.kind} {r.id} is confidential: its document needs the keyring")
        rows.append(_document(r, _texts(r, persons, orgs)[0]))
    return rows


def write_documents(conn: Connection, rows: PreparedRows) -> None:
    """Store new search documents (SQLite feeds FTS5 in one statement for many)."""
    if conn.dialect.name == "sqlite" and len(rows.values) >= BULK_FTS_AT:
        with _fts_in_bulk(conn):
            write_rows(conn, rows)
    else:
        write_rows(conn, rows)


BULK_FTS_AT = 1000  # documents written at once
_FTS_TRIGGER = "search_documents_ai"


@contextmanager
def _fts_in_bulk(conn: Connection) -> Iterator[None]:
    """Index many new SQLite documents with one ``INSERT ... SELECT`` instead of the trigger.

    The per-row trigger costs about 30 µs a document; feeding FTS5 the same rows in one
    statement costs about 5 (24,200 documents: 0.69 s against 0.10 s). The trigger is
    dropped and re-created inside the caller's transaction, so other connections never
    see it missing, and an error rolls the whole thing back.
    """
    trigger_sql = conn.scalar(
        text("SELECT sql FROM sqlite_master WHERE type = 'trigger' AND name = :name"),
        {"name": _FTS_TRIGGER},
    )
    if trigger_sql is None:  # a schema without the trigger indexes nothing on insert
        yield
        return
    before = conn.scalar(select(func.coalesce(func.max(t.search_documents.c.id), 0)))
    conn.execute(text(f"DROP TRIGGER {_FTS_TRIGGER}"))
    try:
        yield
        conn.execute(
            text(
                "INSERT INTO search_fts(rowid, body) "
                "SELECT id, body FROM search_documents WHERE id > :before"
            ),
            {"before": before},
        )
    finally:  # also when a caller catches the error and commits what came before
        conn.execute(text(trigger_sql))


def _aad(kind: str, record_id: str, field: str) -> bytes:
    return associated_data(kind, record_id, f"search.{field}")


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
            title = opener.open(title, _aad(row.kind, row.record_id, "title"), conn)
            body = opener.open(body, _aad(row.kind, row.record_id, "text"), conn)
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
