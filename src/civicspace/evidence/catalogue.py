"""The catalogue of evidence files: one row per file attached to a record, with what was
recorded when it was added. For a confidential record the file's name, origin and note
are sealed, each bound to the record, the file's hash and the field."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from sqlalchemy import ColumnElement, Connection, insert, select

from civicspace.crypto import Sealed, associated_data, is_sealed, require_keyring
from civicspace.db.evidence import evidence_files
from civicspace.evidence.blobs import Stored

SEALED_FIELDS = ("original_name", "origin", "note")


@dataclass(frozen=True)
class EvidenceFile:
    """A file attached to a record, as catalogued (its sealed values opened)."""

    id: int
    kind: str
    record_id: str
    sha256: str
    size: int
    original_name: str
    declared_type: str | None
    sniffed_type: str
    origin: str | None
    note: str | None
    added_by: str
    added_at: dt.datetime
    encrypted: bool


def field_aad(kind: str, record_id: str, sha: str, field: str) -> bytes:
    """What a sealed value of the file ``sha`` of ``kind/record_id`` is bound to."""
    return associated_data("evidence", f"{kind}/{record_id}/{sha}", field)


def insert_file(
    conn: Connection,
    kind: str,
    record_id: str,
    stored: Stored,
    encrypted: bool,
    described: dict[str, str | None],
    **columns: Any,
) -> EvidenceFile:
    """Catalogue ``stored`` with its ``described`` name, origin and note (sealed if
    ``encrypted``) and the other ``columns``; the file as it now reads back."""
    values: dict[str, Any] = dict(described)
    if encrypted:
        for field in SEALED_FIELDS:
            if values[field]:
                values[field] = Sealed(
                    values[field], field_aad(kind, record_id, stored.sha256, field)
                )
    file_id = conn.execute(
        insert(evidence_files).values(
            kind=kind,
            record_id=record_id,
            sha256=stored.sha256,
            size=stored.size,
            stored_as=stored.stored_as,
            encrypted=encrypted,
            **columns,
            **values,
        )
    ).inserted_primary_key[0]  # type: ignore[index]
    return files_where(conn, evidence_files.c.id == file_id)[0]


def files_where(conn: Connection, *where: ColumnElement[bool]) -> list[EvidenceFile]:
    """The catalogued files matching ``where``, oldest first, their sealed values opened."""
    out = []
    for row in conn.execute(select(evidence_files).where(*where).order_by(evidence_files.c.id)):
        values = {f: getattr(row, f) for f in SEALED_FIELDS}
        if row.encrypted:
            keyring = require_keyring(conn)
            for field, value in values.items():
                if is_sealed(value):
                    aad = field_aad(row.kind, row.record_id, row.sha256, field)
                    values[field] = keyring.open(value, aad, conn)
        added_at = row.added_at if row.added_at.tzinfo else row.added_at.replace(tzinfo=dt.UTC)
        out.append(
            EvidenceFile(
                id=row.id,
                kind=row.kind,
                record_id=row.record_id,
                sha256=row.sha256,
                size=row.size,
                original_name=values["original_name"],
                declared_type=row.declared_type,
                sniffed_type=row.sniffed_type,
                origin=values["origin"],
                note=values["note"],
                added_by=row.added_by,
                added_at=added_at,
                encrypted=row.encrypted,
            )
        )
    return out


def stored_as(conn: Connection, file_id: int) -> str:
    """The name the file's content is kept under in the blob folder."""
    return str(
        conn.scalar(select(evidence_files.c.stored_as).where(evidence_files.c.id == file_id))
    )
