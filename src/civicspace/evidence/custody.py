"""The chain of custody of evidence files: a row for every addition, access, export and
failed check of a file, with who, when and from where. For a file of a confidential
record the origin is sealed, bound to the file and the action."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection, Row, insert, select

from civicspace.crypto import Sealed, is_sealed, require_keyring
from civicspace.db.evidence import evidence_custody
from civicspace.evidence.catalogue import EvidenceFile, field_aad


@dataclass(frozen=True)
class CustodyEntry:
    """One link of a file's chain of custody: ``added``, ``accessed``, ``exported``..."""

    action: str
    actor: str
    at: dt.datetime
    origin: str | None
    sha256: str


def log_custody(
    conn: Connection,
    file: EvidenceFile | Row[Any],
    action: str,
    actor: str,
    at: dt.datetime,
    origin: str | None = None,
) -> None:
    """Append ``action`` on ``file`` (a catalogued file or its row) to its chain of custody."""
    value: str | Sealed | None = origin
    if file.encrypted and origin:
        value = Sealed(
            origin, field_aad(file.kind, file.record_id, file.sha256, f"custody.{action}")
        )
    conn.execute(
        insert(evidence_custody).values(
            file_id=file.id, action=action, actor=actor, at=at, origin=value, sha256=file.sha256
        )
    )


def custody_of(conn: Connection, file: EvidenceFile) -> list[CustodyEntry]:
    """The chain of custody of ``file``, oldest first, its sealed origins opened."""
    rows = conn.execute(
        select(evidence_custody)
        .where(evidence_custody.c.file_id == file.id)
        .order_by(evidence_custody.c.id)
    ).all()
    keyring = require_keyring(conn) if file.encrypted else None
    out = []
    for r in rows:
        origin = r.origin
        if keyring and is_sealed(origin):
            aad = field_aad(file.kind, file.record_id, file.sha256, f"custody.{r.action}")
            origin = keyring.open(origin, aad, conn)
        out.append(CustodyEntry(r.action, r.actor, r.at, origin, r.sha256))
    return out
