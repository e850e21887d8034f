"""Sealing the evidence of confidential records again under the active data key.

Part of ``civicspace keys rotate --reencrypt`` (:mod:`civicspace.trust.rotation`): the
sealed name, origin and note of each file, the sealed origins in its custody, and the
file itself (decrypted, checked against its recorded hash, encrypted again, written to a
temporary file and renamed over the old one, so a crash leaves one whole file or the other).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, Row, select, update

from civicspace.crypto import Keyring, Sealed, is_sealed
from civicspace.db.engine import Database
from civicspace.db.evidence import evidence_custody, evidence_files
from civicspace.evidence.blobs import BlobFolder, EvidenceDamaged, sealed_key_id
from civicspace.evidence.catalogue import SEALED_FIELDS, field_aad


@dataclass
class Resealed:
    rows: int = 0  # file and custody rows whose sealed values were sealed again
    files: int = 0  # stored files encrypted again
    problems: list[str] = field(default_factory=list)  # files missing or damaged, left as is


def reseal_evidence(db: Database, keyring: Keyring, root: Path) -> Resealed:
    """Seal every encrypted file's values and content under the active data key.

    Values and files already under it are skipped, so running it again resumes it.
    """
    done = Resealed()
    blobs = BlobFolder(root)
    with db.begin() as conn:
        key_id = keyring.active_cipher(conn)[0]
        files = conn.execute(
            select(evidence_files).where(evidence_files.c.encrypted).order_by(evidence_files.c.id)
        ).all()
    for row in files:
        with db.begin() as conn:
            done.rows += _reseal_rows(conn, keyring, key_id, row)
        try:
            done.files += _reseal_file(blobs, keyring, key_id, row)
        except EvidenceDamaged as exc:  # reported; the file stays as it was
            done.problems.append(f"evidence file {row.id}: {exc}")
    return done


def _reseal_file(blobs: BlobFolder, keyring: Keyring, key_id: str, file: Row[Any]) -> bool:
    """Encrypt one stored file again (False if it needed nothing); EvidenceDamaged if it
    is missing, or its content no longer opens or matches its hash."""
    path = blobs.path(file.stored_as)
    if not path.exists():
        raise EvidenceDamaged(f"{path} is missing")
    if sealed_key_id(path) in (key_id, None):
        return False  # already done (records with the same content share the file)

    def same_name(sha: str) -> str:
        if sha != file.sha256:  # content that no longer matches is not rewritten
            raise EvidenceDamaged("it changed since it was added")
        return str(file.stored_as)

    blobs.put(
        blobs.read(file.stored_as, keyring.cipher),
        file.size,
        name_for=same_name,
        cipher=(key_id, keyring.cipher(key_id)),
    )
    return True


def _reseal_rows(conn: Connection, keyring: Keyring, key_id: str, file: Row[Any]) -> int:
    """The file row's and its custody rows' sealed values, each under the active key."""
    current = f"cs1:{key_id}:"

    def again(value: Any, name: str) -> Sealed | None:
        if not is_sealed(value) or value.startswith(current):
            return None
        aad = field_aad(file.kind, file.record_id, file.sha256, name)
        return Sealed(keyring.open(value, aad, conn), aad)

    count = 0
    values = {f: v for f in SEALED_FIELDS if (v := again(getattr(file, f), f)) is not None}
    if values:
        conn.execute(update(evidence_files).where(evidence_files.c.id == file.id).values(**values))
        count += 1
    custody = conn.execute(
        select(evidence_custody.c.id, evidence_custody.c.action, evidence_custody.c.origin).where(
            evidence_custody.c.file_id == file.id
        )
    )
    for entry in custody:
        origin = again(entry.origin, f"custody.{entry.action}")
        if origin is not None:
            conn.execute(
                update(evidence_custody)
                .where(evidence_custody.c.id == entry.id)
                .values(origin=origin)
            )
            count += 1
    return count
