"""The one set of checks every import runs: validation, duplicate ids, references, ids taken.

Items are validated where they are prepared (in this process or a forked worker, see
:mod:`civicspace.ingest.runners`), with what the importer may claim
(:func:`civicspace.editing.check_claims`, as every form and ``Store.save``); the writing
process, the only one with a connection, then checks each chunk's ids and references with
:class:`Checks`, in file order, as the importer may see them. Problems are reported as
``file:row:field: reason``, section by section in the bundle's order.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass, field
from functools import cache
from typing import Any, TypeVar

from pydantic import BaseModel, ValidationError
from sqlalchemy import Connection, Select, select
from sqlalchemy.engine import Dialect

from civicspace.access.policy import Viewer
from civicspace.db import schema as t
from civicspace.db.engine import among_ids, bound_ids
from civicspace.editing import ClaimRefused, check_claims
from civicspace.ingest.errors import Problem, problems_from_validation
from civicspace.ingest.source import PLACES, REPORT_ORDER, Section
from civicspace.model.kinds import references
from civicspace.model.records import Record
from civicspace.store import readable_references
from civicspace.store.mapping import MAPPINGS, load_records
from civicspace.store.prepared import Names, PreparedInsert

M = TypeVar("M", bound=BaseModel)
Replaced = dict[str, Record | None]  # id -> the stored record, when it is needed to replace it


def validate_item(model: type[M], item: Any, file: str, row: str) -> M | list[Problem]:
    """One item as ``model``, or every problem it has."""
    try:
        return model.model_validate(item)
    except ValidationError as exc:
        return problems_from_validation(file, row, exc)


def duplicate(file: str, row: str, record_id: str, first: str) -> Problem:
    """A second record with an id; ``first`` is where the first was read (``persons[0]``, ``2``)."""
    where = f"on row {first}" if first.isdigit() else f"at {first}"
    return Problem(file, row, "id", f"duplicate id {record_id!r} (first {where})")


class SeenIds:
    """Ids met so far by kind, and where: the duplicate-id check of every reader."""

    def __init__(self) -> None:
        self.rows: dict[tuple[str, str], str] = {}
        self.ids: dict[str, set[str]] = {}

    def add(self, file: str, kind: str, row: str, record_id: str) -> Problem | None:
        """Note ``record_id`` read at ``row``; the problem if it was met before."""
        key = (kind, record_id)
        if key in self.rows:
            return duplicate(file, row, record_id, self.rows[key])
        self.rows[key] = row
        self.ids.setdefault(kind, set()).add(record_id)
        return None


@dataclass
class Chunk:
    """Part of one section, validated (and perhaps prepared) for the writing process."""

    kind: str
    rows: list[tuple[str, str]]  # (row, id) of each valid item, in file order
    problems: list[Problem]
    refs: list[tuple[str, str, str, str]] = field(default_factory=list)  # row, field, kind, id
    names: Names = field(default_factory=dict)  # of parties, for the next round's documents
    prepared: PreparedInsert | None = None
    records: list[Any] = field(default_factory=list)  # for the writing process to write


def validate_chunk(
    section: Section,
    model: type[BaseModel],
    positions: range,
    file: str,
    known: dict[str, set[str]],
    viewer: Viewer | None = None,
) -> tuple[Chunk, list[Any]]:
    """Validate ``section``'s items at ``positions``: the chunk (problems, ids, references to
    look up; those to ``known`` ids are left out) and the valid items. With a ``viewer``, a
    record claiming what the viewer may not (verified, confidential) is a problem too."""
    chunk = Chunk(section.kind, [], [])
    valid: list[Any] = []
    items = section.items
    # Whose claims to check: editors may claim anything, places claim nothing.
    claimant = None if viewer is None or viewer.can_publish or section.kind in PLACES else viewer
    for i in positions:
        row = section.row(i)
        obj: Any = validate_item(model, items[i], file, row)
        if isinstance(obj, list):
            chunk.problems.extend(obj)
            continue
        if claimant is not None:
            refused = _refused_claim(obj, claimant, file, row)
            if refused:
                chunk.problems.append(refused)
                continue
        valid.append(obj)
        chunk.rows.append((row, obj.id))
        chunk.refs.extend(
            (row, name, ref_kind, rid)
            for name, ref_kind, rid in references(obj)
            if rid not in known.get(ref_kind, ())
        )
    return chunk, valid


def _refused_claim(record: Any, viewer: Viewer, file: str, row: str) -> Problem | None:
    """What ``record`` claims that ``viewer`` may not, as the forms and ``Store.save`` refuse
    it (a stored record's verification is not kept: a replacing import sets its own)."""
    try:
        check_claims(viewer, record)
    except ClaimRefused as refused:
        return Problem(file, row, refused.field, str(refused))
    return None


class Checks:
    """Identifiers and references of the chunks as they come, in file order.

    Sections arrive in insert order (places, sources, parties, then what names them), so
    every reference points at a record met before or one already in the database.

    The database is seen as ``viewer`` sees it, with the store's own answers: a reference to
    a record the viewer may not read is as unknown as one to no record
    (:func:`~civicspace.store.redaction.readable_references`, the store's one reference
    check), and a stored id the viewer may not replace (any, without ``replace``; one the
    viewer may not read, with it) "already exists", whoever may read the holder.
    """

    def __init__(self, conn: Connection, file: str, viewer: Viewer, replace: bool = False) -> None:
        self.conn, self.file, self.viewer, self.replace = conn, file, viewer, replace
        self.seen = SeenIds()
        self.invalid: dict[str, list[Problem]] = {}  # validation and duplicates, reported first
        self.unknown: dict[str, list[Problem]] = {}  # references to nothing
        self.taken: dict[str, list[Problem]] = {}  # records already in the database

    @property
    def ids(self) -> dict[str, set[str]]:
        """Ids of the records checked so far, by kind."""
        return self.seen.ids

    @property
    def failed(self) -> bool:
        return bool(self.invalid or self.unknown or self.taken)

    def layout(self, problems: list[Problem]) -> None:
        """Problems of the file's layout (unknown or malformed sections), listed first."""
        if problems:
            self.invalid.setdefault("", []).extend(problems)

    def chunk(self, chunk: Chunk) -> Replaced:
        """Check one chunk; the ids among it to replace (when replacing), each with the
        stored record when the importer may not have been shown all of it."""
        fresh: list[tuple[str, str]] = []
        duplicates: list[Problem] = []
        for row, record_id in chunk.rows:
            problem = self.seen.add(self.file, chunk.kind, row, record_id)
            if problem:
                duplicates.append(problem)
            else:
                fresh.append((row, record_id))
        if chunk.problems or duplicates:
            found = in_file_order([*chunk.problems, *duplicates])
            self.invalid.setdefault(chunk.kind, []).extend(found)
        if self.invalid:
            return {}  # the import is refused for these; its other checks would only add noise
        if chunk.kind not in MAPPINGS:
            self._resolve(chunk.kind, chunk.refs)
            return {}  # countries and locations are updated in place when they exist
        stored = stored_visibility(self.conn, chunk.kind, {rid for _, rid in fresh})
        replaced = {
            rid
            for rid, visibility in stored.items()
            if self.replace and self.viewer.can_read(visibility, "verified")
        }
        taken = [
            Problem(self.file, row, "id", f"{chunk.kind} {rid!r} already exists")
            for row, rid in fresh
            if rid in stored and rid not in replaced
        ]
        if taken:
            self.taken.setdefault(chunk.kind, []).extend(taken)
        before = self._before(chunk.kind, replaced)
        row_ids = dict(chunk.rows)
        kept = {
            (row, kind, rid)
            for row, record_id in row_ids.items()
            if record_id in before
            for _f, kind, rid in references(before[record_id])
        }
        self._resolve(chunk.kind, chunk.refs, kept)
        return {rid: before.get(rid) for rid in replaced}

    def _before(self, kind: str, ids: set[str]) -> dict[str, Record]:
        """The stored records an importer who may not read everything replaces: what they
        were not shown of them is kept (``Store.save`` does the same)."""
        if self.viewer.can_publish or not ids:
            return {}
        return {r.id: r for r in load_records(self.conn, kind, sorted(ids))}

    def _resolve(
        self,
        kind: str,
        refs: list[tuple[str, str, str, str]],
        kept: Collection[tuple[str, str, str]] = (),
    ) -> None:
        """Each reference names a record of this file (checked before it), one of the
        database that the importer may read, or one that the stored record it replaces
        already named (``kept``: row, kind, id)."""
        elsewhere = [
            ref
            for ref in refs
            if ref[3] not in self.ids.get(ref[2], ()) and (ref[0], ref[2], ref[3]) not in kept
        ]
        wanted: dict[str, set[str]] = {}
        for _row, _field, ref_kind, rid in elsewhere:
            wanted.setdefault(ref_kind, set()).add(rid)
        countries = existing(self.conn, "countries", wanted.pop("countries", set()))
        found = readable_references(self.conn, wanted, self.viewer)
        found.update(("countries", code) for code in countries)
        for row, name, ref_kind, rid in elsewhere:
            if (ref_kind, rid) not in found:
                self.unknown.setdefault(kind, []).append(
                    Problem(self.file, row, name, f"unknown {ref_kind} id {rid!r}")
                )

    def problems(self) -> list[Problem]:
        """Every problem, section by section; those of references only once all rows are valid."""
        if self.invalid:
            return _in_order(self.invalid)
        return [*_in_order(self.unknown), *_in_order(self.taken)]


def in_file_order(problems: list[Problem]) -> list[Problem]:
    """One section's problems in the order of its rows, as a monitor reads the file
    (``persons[12]`` is row 12, a CSV row ``7`` is 7); a row's own problems keep their order."""

    def position(problem: Problem) -> int:
        number = problem.row.rpartition("[")[2].rstrip("]")
        return int(number) if number.isdigit() else -1

    return sorted(problems, key=position)


def _in_order(by_section: dict[str, list[Problem]]) -> list[Problem]:
    return [p for section in ("", *REPORT_ORDER) for p in by_section.get(section, ())]


PLACE_TABLES = {"countries": t.countries, "locations": t.locations}


def existing(conn: Connection, kind: str, ids: set[str]) -> set[str]:
    """Which of ``ids`` are stored as ``kind`` (a place or a record kind)."""
    if not ids:
        return set()
    query = _stored_ids(kind, conn.dialect)
    return set(conn.scalars(query, {"ids": bound_ids(sorted(ids), conn.dialect)}))


def stored_visibility(conn: Connection, kind: str, ids: set[str]) -> dict[str, str]:
    """The visibility of each of ``ids`` stored as ``kind`` (a record kind)."""
    if not ids:
        return {}
    query = _stored_visibility(kind, conn.dialect)
    rows = conn.execute(query, {"ids": bound_ids(sorted(ids), conn.dialect)})
    return {row.id: row.visibility for row in rows}


@cache
def _stored_ids(kind: str, dialect: Dialect) -> Select[Any]:
    table = PLACE_TABLES[kind] if kind in PLACE_TABLES else MAPPINGS[kind].table
    return select(table.c.id).where(among_ids(table.c.id, dialect))


@cache
def _stored_visibility(kind: str, dialect: Dialect) -> Select[Any]:
    table = MAPPINGS[kind].table
    return select(table.c.id, table.c.visibility).where(among_ids(table.c.id, dialect))
