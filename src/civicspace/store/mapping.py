"""How each kind of record maps to its table rows and back.

A record becomes one row of its main table plus rows of child tables for its ordered
collections (``Incident.participants`` -> ``incident_participants``) and citations.
Columns take the value of the record's attribute of the same name; ``<field>_lo`` and
``<field>_hi`` take the earliest and latest day of a fuzzy date ``<field>``.

Confidential records keep their protected fields (:data:`PROTECTED`: the fields marked
``Sealed`` on the model) encrypted: rows carry :class:`~civicspace.crypto.Sealed` values,
sealed by the database's keyring as the statement runs, and :func:`load_records` opens
them again.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from functools import cache
from operator import attrgetter
from typing import Any

from pydantic import BaseModel
from sqlalchemy import JSON, Connection, Table, select

from civicspace.crypto import Sealed, associated_data, is_sealed, require_keyring
from civicspace.db import schema as t
from civicspace.model.dates import FuzzyDate
from civicspace.model.kinds import fields_of, sealed_fields
from civicspace.model.records import Name, Record, record_type


@dataclass(frozen=True)
class Collection:
    """A list attribute stored in a child table; ``scalar`` names the column for plain values."""

    attribute: str
    table: Table
    scalar: str | None = None


@dataclass(frozen=True)
class Mapping:
    kind: str
    table: Table
    collections: tuple[Collection, ...] = ()
    derived: dict[str, Callable[[Any], Any]] = field(default_factory=dict)


def _sort_name(record: Any) -> str:
    return str(record.name.text).casefold()


MAPPINGS: dict[str, Mapping] = {
    m.kind: m
    for m in (
        Mapping("sources", t.sources),
        Mapping("organisations", t.organisations, derived={"sort_name": _sort_name}),
        Mapping(
            "persons",
            t.persons,
            (Collection("names", t.person_names), Collection("affiliations", t.affiliations)),
            derived={"sort_name": _sort_name},
        ),
        Mapping("incidents", t.incidents, (Collection("participants", t.participants),)),
        Mapping(
            "cases",
            t.cases,
            (
                Collection("defendants", t.defendants, scalar="person_id"),
                Collection("charges", t.charges),
                Collection("events", t.case_events),
                Collection("recognitions", t.recognitions),
            ),
        ),
        Mapping("laws", t.laws, (Collection("stages", t.law_stages),)),
        Mapping("statistics", t.statistics),
        Mapping("ratings", t.ratings),
        Mapping("summaries", t.summaries),
    )
}

_SKIP_ON_READ = {"parent_id", "position", "sort_name"}


@dataclass(frozen=True)
class Protected:
    """What of a confidential record is encrypted: text columns, name objects, child columns."""

    text: tuple[str, ...] = ("notes",)
    name: bool = False  # the JSON ``name`` {"text": ...}
    names_json: bool = False  # the JSON list ``names`` [{"text": ...}] (organisations)
    children: tuple[tuple[str, str], ...] = ()  # (collection attribute, column)


def _protected(kind: str) -> Protected:
    """Where the fields marked ``Sealed`` on ``kind`` are stored: a name's text in its JSON
    object, a list of names as a child table or a JSON list, a sub-record's field as a
    child column, any other field as a text column."""
    collections = {c.attribute for c in MAPPINGS[kind].collections}
    fields = {f.path: f for f in fields_of(record_type(kind))}
    text: list[str] = []
    children: list[tuple[str, str]] = []
    name = names_json = False
    for path in sealed_fields(kind):
        attribute, _, column = path.partition(".*.")
        if column:
            children.append((attribute, column))
        elif fields[path].model is Name and not fields[path].many:
            name = True
        elif fields[path].model is Name and path in collections:
            children.append((path, "text"))
        elif fields[path].model is Name:
            names_json = True
        else:
            text.append(path)
    return Protected(tuple(text), name, names_json, tuple(children))


# Derived from the ``Sealed`` markers: names and contact details of people, a confidential
# source's identity, witness statements (participants' notes) and every note.
PROTECTED: dict[str, Protected] = {kind: _protected(kind) for kind in MAPPINGS}
# Stored instead of a confidential name, so the sort index holds nothing readable.
SEALED_SORT_NAME = "~"


def _sealed_name(value: Any, aad: bytes) -> Any:
    if isinstance(value, dict) and value.get("text"):
        return {**value, "text": Sealed(value["text"], aad)}
    return value


def _seal(record: Record, rows: dict[Table, list[dict[str, Any]]]) -> None:
    """Replace the protected values of a confidential ``record``'s rows by ``Sealed``."""
    kind, rid = record.kind, record.id
    spec = PROTECTED.get(kind, Protected())
    mapping = MAPPINGS[kind]
    main = rows[mapping.table][0]
    for column in spec.text:
        if main.get(column):
            main[column] = Sealed(main[column], associated_data(kind, rid, column))
    if spec.name:
        main["name"] = _sealed_name(main["name"], associated_data(kind, rid, "name"))
        main["sort_name"] = SEALED_SORT_NAME
    if spec.names_json and main.get("names"):
        main["names"] = [
            _sealed_name(n, associated_data(kind, rid, f"names.{i}"))
            for i, n in enumerate(main["names"])
        ]
    for attribute, column in spec.children:
        table = next(c.table for c in mapping.collections if c.attribute == attribute)
        for row in rows[table]:
            if row.get(column):
                aad = associated_data(kind, rid, f"{attribute}.{row['position']}.{column}")
                row[column] = Sealed(row[column], aad)


def _open_name(value: Any, keyring: Any, aad: bytes, conn: Connection) -> Any:
    if isinstance(value, dict) and is_sealed(value.get("text")):
        return {**value, "text": keyring.open(value["text"], aad, conn)}
    return value


def _open(conn: Connection, kind: str, item: dict[str, Any]) -> None:
    """Decrypt the protected values of one loaded confidential record in place."""
    spec = PROTECTED.get(kind, Protected())
    rid = item["id"]

    def opened(value: Any, field: str) -> Any:
        if not is_sealed(value):
            return value  # written before encryption was configured
        return require_keyring(conn).open(value, associated_data(kind, rid, field), conn)

    for column in spec.text:
        if column in item:
            item[column] = opened(item[column], column)
    if spec.name and is_sealed(item["name"].get("text")):
        aad = associated_data(kind, rid, "name")
        item["name"] = _open_name(item["name"], require_keyring(conn), aad, conn)
    if spec.names_json and item.get("names"):
        item["names"] = [
            {**n, "text": opened(n.get("text"), f"names.{i}")} if isinstance(n, dict) else n
            for i, n in enumerate(item["names"])
        ]
    for attribute, column in spec.children:
        for i, child in enumerate(item[attribute]):
            if column in child:
                child[column] = opened(child[column], f"{attribute}.{i}.{column}")


def _plain(value: Any) -> Any:
    if isinstance(value, BaseModel):
        return value.model_dump(mode="json", exclude_none=True)
    if isinstance(value, list) and value and isinstance(value[0], BaseModel):
        return [_plain(v) for v in value]
    return value


Getter = Callable[[Any], Any]


def _date_bound(attribute: str, latest: bool) -> Getter:
    def get(obj: Any) -> Any:
        date = getattr(obj, attribute)
        if not isinstance(date, FuzzyDate):
            return None
        return date.latest if latest else date.earliest

    return get


def _attribute(attribute: str) -> Getter:
    return lambda obj: _plain(getattr(obj, attribute))


@cache
def _plan(table: Table, model: Any) -> tuple[tuple[str, Getter], ...]:
    """Which column takes which value of a ``model`` instance (worked out once per pair)."""
    fields = getattr(model, "model_fields", {})
    plan: list[tuple[str, Getter]] = []
    for column in table.columns:
        name = column.name
        if name.endswith(("_lo", "_hi")) and name[:-3] in fields:
            plan.append((name, _date_bound(name[:-3], name.endswith("_hi"))))
        elif name in fields:
            # Only JSON columns hold models (dumped here); others take the value as it is.
            get = _attribute(name) if isinstance(column.type, JSON) else attrgetter(name)
            plan.append((name, get))
    return tuple(plan)


def _row(obj: Any, table: Table, extra: dict[str, Any]) -> dict[str, Any]:
    row: dict[str, Any] = dict(extra)
    model: Any = type(obj)
    for name, get in _plan(table, model):
        if name not in row:
            row[name] = get(obj)
    return row


def record_rows(record: Record) -> dict[Table, list[dict[str, Any]]]:
    """The rows that store ``record``: its main row, child rows and citation rows."""
    mapping = MAPPINGS[record.kind]
    derived = {name: fn(record) for name, fn in mapping.derived.items()}
    rows: dict[Table, list[dict[str, Any]]] = {
        mapping.table: [_row(record, mapping.table, derived)]
    }
    for coll in mapping.collections:
        items = getattr(record, coll.attribute)
        if coll.scalar:
            child = [
                {"parent_id": record.id, "position": i, coll.scalar: v} for i, v in enumerate(items)
            ]
        else:
            child = [
                _row(item, coll.table, {"parent_id": record.id, "position": i})
                for i, item in enumerate(items)
            ]
        rows[coll.table] = child
    rows[t.citations] = [
        {
            "record_kind": record.kind,
            "record_id": record.id,
            "position": i,
            "source_id": c.source_id,
            "locator": c.locator,
        }
        for i, c in enumerate(record.sources)
    ]
    if record.visibility == "confidential":
        _seal(record, rows)
    return rows


def _clean(row: Any, table: Table) -> dict[str, Any]:
    out = {}
    for key, value in row._mapping.items():
        if key in _SKIP_ON_READ or (key.endswith(("_lo", "_hi")) and key[:-3] in table.c):
            continue
        if value is not None:
            if isinstance(value, dt.datetime) and value.tzinfo is None:
                value = value.replace(tzinfo=dt.UTC)  # SQLite drops the zone; we store UTC
            out[key] = value
    return out


def _chunks(ids: Sequence[str], size: int = 500) -> Iterable[Sequence[str]]:
    for start in range(0, len(ids), size):
        yield ids[start : start + size]


def load_records(conn: Connection, kind: str, ids: Sequence[str]) -> list[Record]:
    """Records of ``kind`` by id, in the order given (missing ids are skipped).

    Reads each table once per 500 ids, never once per record.
    """
    mapping = MAPPINGS[kind]
    model = record_type(kind)
    data: dict[str, dict[str, Any]] = {}
    for chunk in _chunks(list(dict.fromkeys(ids))):
        for row in conn.execute(select(mapping.table).where(mapping.table.c.id.in_(chunk))):
            item = _clean(row, mapping.table)
            for coll in mapping.collections:
                item[coll.attribute] = []
            item["sources"] = []
            data[item["id"]] = item
        found = [i for i in chunk if i in data]
        if not found:
            continue
        for coll in mapping.collections:
            query = (
                select(coll.table)
                .where(coll.table.c.parent_id.in_(found))
                .order_by(coll.table.c.parent_id, coll.table.c.position)
            )
            for row in conn.execute(query):
                value = row._mapping[coll.scalar] if coll.scalar else _clean(row, coll.table)
                data[row.parent_id][coll.attribute].append(value)
        query = (
            select(t.citations)
            .where(t.citations.c.record_kind == kind, t.citations.c.record_id.in_(found))
            .order_by(t.citations.c.record_id, t.citations.c.position)
        )
        for row in conn.execute(query):
            citation = {"source_id": row.source_id}
            if row.locator is not None:
                citation["locator"] = row.locator
            data[row.record_id]["sources"].append(citation)
    for item in data.values():
        if item["visibility"] == "confidential":
            _open(conn, kind, item)
    return [model.model_validate(data[i]) for i in ids if i in data]


def group_rows(records: Iterable[Record]) -> dict[Table, list[dict[str, Any]]]:
    """All rows of many records, grouped by table for ``executemany`` inserts."""
    grouped: dict[Table, list[dict[str, Any]]] = defaultdict(list)
    for record in records:
        for table, rows in record_rows(record).items():
            grouped[table].extend(rows)
    return grouped
