"""Search documents: the words each record is found by, derived from its ``Searchable`` fields.

A document's ``body`` is the folding keys of its words (:func:`civicspace.text.fold`), so
"Мамай", "Mamai" and "Mamay" all index as ``mamai``. A document only carries the names
of people at or below the record's own visibility: a public incident never makes a
confidential witness findable. A confidential record's document is sealed and its words
become blind-index tokens (:meth:`civicspace.crypto.Keyring.blind_tokens`).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from functools import cache
from typing import Any, NamedTuple

from sqlalchemy import Connection, select

from civicspace.crypto import Sealed, associated_data, is_sealed, require_keyring
from civicspace.db import schema as t
from civicspace.model.kinds import caption, fields_of, spec_of, values_at
from civicspace.model.markers import Ref, Searchable, Term
from civicspace.model.records import VISIBILITY_RANK, Record, record_type
from civicspace.model.vocabulary import vocabulary
from civicspace.text import fold, fold_tokens

PartyNames = Mapping[str, tuple[str, list[str]]]
"""Persons' or organisations' visibility and names by id, as :func:`party_names` gives them."""


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


class _Layout(NamedTuple):
    """A kind's searchable fields besides its caption, in document order: those before the
    caption (``Searchable.order`` below 0), those after; and whether the caption is a field
    that ``identifies`` (indexed as a whole name, blind, when confidential)."""

    before: tuple[_Indexed, ...]
    after: tuple[_Indexed, ...]
    identifies: bool


@cache
def _indexed(kind: str) -> _Layout:
    """The :class:`_Layout` of ``kind``'s documents, from its ``Searchable`` fields."""
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
    fields.sort(key=lambda f: f.searchable.order)  # stable: declaration order within
    before = tuple(f for f in fields if f.searchable.order < 0)
    return _Layout(before, tuple(fields[len(before) :]), identifies)


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

    Derived from the ``Searchable`` fields: by their ``order`` (an incident's summary,
    then its caption, then the rest in declaration order). Protected names only occur in
    confidential records' documents; a field not indexed ``when_confidential`` (a
    confidential person's description) is left out.
    """
    vis = record.visibility
    secret = vis == "confidential"
    layout = _indexed(record.kind)
    parts: list[str | None] = []
    protected: list[str | None] = []
    parties = {"persons": persons, "organisations": orgs}

    def add(fields: tuple[_Indexed, ...]) -> None:
        for f in fields:
            if f.party is not None:
                names, hidden = _names_at_or_below(f.values(record), parties[f.party], vis)
                parts.extend(names)
                protected.extend(hidden)
            elif not secret or f.searchable.when_confidential:
                words = [_word(v, f.vocabulary) for v in f.values(record)]
                (protected if secret and f.searchable.identifies else parts).extend(words)

    add(layout.before)
    (protected if secret and layout.identifies else parts).append(caption(record))
    add(layout.after)
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
    layout = _indexed(kind)
    fields = (*layout.before, *layout.after)
    return tuple((f.party, f.values) for f in fields if f.party is not None)


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


def document_aad(kind: str, record_id: str, field: str) -> bytes:
    """The associated data sealing a confidential document's ``field`` (title, text)."""
    return associated_data(kind, record_id, f"search.{field}")


def names_in(
    conn: Connection,
    records: Sequence[Record],
    written: Mapping[tuple[str, str], Record] | None = None,
) -> tuple[PartyNames, PartyNames]:
    """The persons' and the organisations' names that ``records``' documents may carry,
    read from the store or, when stored in the same batch, taken from ``written``."""
    person_ids, org_ids = parties_named(records)
    written = written or {}
    persons = _names_of(conn, "persons", person_ids, written) if person_ids else {}
    orgs = _names_of(conn, "organisations", org_ids, written) if org_ids else {}
    return persons, orgs


def document_row(
    conn: Connection, record: Record, persons: PartyNames, orgs: PartyNames
) -> dict[str, Any]:
    """``record``'s search document as a row; a confidential record's sealed, its words
    and the names it protects indexed only as blind tokens."""
    texts, protected = _texts(record, persons, orgs)
    row = _document(record, texts)
    if record.visibility == "confidential":
        keyring = require_keyring(conn)
        tokens = [tok for name in protected for tok in keyring.blind_tokens(name, conn)]
        tokens += [keyring.blind_token(word, conn) for word in fold_tokens(row["text"])]
        row["body"] = " ".join(dict.fromkeys(tokens))
        kind, rid = record.kind, record.id
        row["text"] = Sealed(" · ".join([*protected, *texts]), document_aad(kind, rid, "text"))
        row["title"] = Sealed(row["title"], document_aad(kind, rid, "title"))
    return row


__all__ = [
    "PartyNames",
    "document_aad",
    "document_row",
    "document_rows",
    "names_in",
    "parties_named",
    "party_names",
]
