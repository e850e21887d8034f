"""Attaching evidence files to records, with a chain of custody, and checking them later.

:class:`EvidenceLocker` is the one door: it checks that the viewer may see (and, to add,
change) the record, sniffs the content's type, stores it content-addressed (encrypted
for confidential records), and appends a custody row for every addition, access and
export. ``verify`` re-hashes every file against what was recorded when it was added.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any, BinaryIO

from sqlalchemy import Connection, insert, select

from civicspace import settings
from civicspace.access.policy import Viewer
from civicspace.crypto import Sealed, associated_data, is_sealed, require_keyring
from civicspace.db.engine import Database
from civicspace.db.evidence import evidence_custody, evidence_files
from civicspace.evidence.blobs import BlobFolder, EvidenceDamaged, EvidenceRejected, read_chunks
from civicspace.evidence.sniff import ACCEPTED, HEAD_BYTES, sniff
from civicspace.store.repository import Store

ENV_DIR = settings.setting("evidence_dir").env
ENV_MAX_BYTES = settings.setting("evidence_max_bytes").env
DEFAULT_MAX_BYTES: int = settings.setting("evidence_max_bytes").default
SEALED_FIELDS = ("original_name", "origin", "note")


def evidence_dir(db: Database) -> Path:
    """``CIVICSPACE_EVIDENCE_DIR``, else ``evidence/`` beside a SQLite file, else ``var/evidence``."""
    folder: Path | None = settings.read("evidence_dir")
    if folder is not None:
        return folder
    url = db.engine.url
    if url.get_backend_name() == "sqlite" and url.database:
        return Path(url.database).parent / "evidence"
    return Path("var/evidence")


def max_bytes_setting() -> int:
    value = settings.raw("evidence_max_bytes") or ""
    if not value:
        return DEFAULT_MAX_BYTES
    if not value.isdigit():
        raise ValueError(f"{ENV_MAX_BYTES} must be a number of bytes, not {value!r}")
    return int(value)


def safe_name(name: str) -> str:
    """A file name to keep and to export under: no folders, no control characters.

    >>> safe_name("../../etc/passwd"), safe_name("C:\\\\Users\\\\x\\\\photo 1.jpg")
    ('passwd', 'photo 1.jpg')
    """
    base = re.split(r"[\\\\/]", name)[-1]
    base = "".join(c for c in base if c.isprintable()).strip().lstrip(".")
    return base[:200] or "file"


@dataclass(frozen=True)
class EvidenceFile:
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


@dataclass(frozen=True)
class CustodyEntry:
    action: str
    actor: str
    at: dt.datetime
    origin: str | None
    sha256: str


@dataclass(frozen=True)
class VerifyProblem:
    file_id: int
    kind: str
    record_id: str
    problem: str


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC).replace(microsecond=0)


class EvidenceLocker:
    """Evidence files of the records in ``store``'s database, kept under ``root``."""

    def __init__(
        self,
        store: Store,
        root: Path | None = None,
        max_bytes: int | None = None,
        clock: Callable[[], dt.datetime] = _now,
    ) -> None:
        self.store = store
        self.db = store.db
        self.blobs = BlobFolder(root or evidence_dir(store.db))
        self.max_bytes = max_bytes if max_bytes is not None else max_bytes_setting()
        self.clock = clock

    # --- adding -----------------------------------------------------------------------
    def add(
        self,
        kind: str,
        record_id: str,
        source: Path | BinaryIO,
        viewer: Viewer,
        original_name: str | None = None,
        declared_type: str | None = None,
        origin: str | None = None,
        note: str | None = None,
    ) -> EvidenceFile:
        """Attach a file; refused if too large or if its content is not an accepted type."""
        viewer.require_write()
        record = self.store.get(kind, record_id, viewer)  # NotFound if hidden from viewer
        confidential = record.visibility == "confidential"
        if isinstance(source, Path):
            original_name = original_name or source.name
            with source.open("rb") as handle:
                return self._add(
                    kind,
                    record_id,
                    handle,
                    viewer,
                    confidential,
                    original_name,
                    declared_type,
                    origin,
                    note,
                )
        return self._add(
            kind,
            record_id,
            source,
            viewer,
            confidential,
            original_name or "file",
            declared_type,
            origin,
            note,
        )

    def _add(
        self,
        kind: str,
        record_id: str,
        handle: BinaryIO,
        viewer: Viewer,
        confidential: bool,
        original_name: str,
        declared_type: str | None,
        origin: str | None,
        note: str | None,
    ) -> EvidenceFile:
        head = handle.read(HEAD_BYTES)
        sniffed = sniff(head)
        name = safe_name(original_name)
        if sniffed not in ACCEPTED:
            raise EvidenceRejected(
                f"{name}: the content is {sniffed}, not a photo, document, audio or video "
                "file (the name and declared type are not trusted)"
            )
        chunks: Iterable[bytes] = _prepend(head, read_chunks(handle))
        actor = viewer.name or viewer.role
        now = self.clock()
        with self.db.begin() as conn:
            if confidential:
                keyring = require_keyring(conn, "files of confidential records")
                stored = self.blobs.put(
                    chunks,
                    self.max_bytes,
                    name_for=lambda sha: keyring.blind_token("evidence " + sha, conn)[2:],
                    cipher=keyring.active_cipher(conn),
                )
            else:
                stored = self.blobs.put(chunks, self.max_bytes)
            values: dict[str, Any] = {"original_name": name, "origin": origin, "note": note}
            if confidential:
                for field in SEALED_FIELDS:
                    if values[field]:
                        values[field] = Sealed(
                            values[field], _aad(kind, record_id, stored.sha256, field)
                        )
            file_id = conn.execute(
                insert(evidence_files).values(
                    kind=kind,
                    record_id=record_id,
                    sha256=stored.sha256,
                    size=stored.size,
                    stored_as=stored.stored_as,
                    encrypted=confidential,
                    declared_type=declared_type,
                    sniffed_type=sniffed,
                    added_by=actor,
                    added_at=now,
                    **values,
                )
            ).inserted_primary_key[0]  # type: ignore[index]
            self._custody(
                conn,
                file_id,
                "added",
                actor,
                origin,
                stored.sha256,
                now,
                confidential,
                kind,
                record_id,
            )
            return self._files(conn, [evidence_files.c.id == file_id])[0]

    def _custody(
        self,
        conn: Connection,
        file_id: int,
        action: str,
        actor: str,
        origin: str | None,
        sha: str,
        now: dt.datetime,
        confidential: bool,
        kind: str,
        record_id: str,
    ) -> None:
        if confidential and origin:
            origin = Sealed(origin, _aad(kind, record_id, sha, f"custody.{action}"))  # type: ignore[assignment]
        conn.execute(
            insert(evidence_custody).values(
                file_id=file_id, action=action, actor=actor, at=now, origin=origin, sha256=sha
            )
        )

    # --- reading ----------------------------------------------------------------------
    def attached(self, kind: str, record_id: str, viewer: Viewer) -> list[EvidenceFile]:
        self.store.get(kind, record_id, viewer)
        with self.db.begin() as conn:
            return self._files(
                conn, [evidence_files.c.kind == kind, evidence_files.c.record_id == record_id]
            )

    def custody(self, file_id: int, viewer: Viewer) -> list[CustodyEntry]:
        found = self.get(file_id, viewer)
        with self.db.begin() as conn:
            rows = conn.execute(
                select(evidence_custody)
                .where(evidence_custody.c.file_id == file_id)
                .order_by(evidence_custody.c.id)
            ).all()
            keyring = require_keyring(conn) if found.encrypted else None
            out = []
            for r in rows:
                origin = r.origin
                if keyring and is_sealed(origin):
                    aad = _aad(found.kind, found.record_id, found.sha256, f"custody.{r.action}")
                    origin = keyring.open(origin, aad, conn)
                out.append(CustodyEntry(r.action, r.actor, r.at, origin, r.sha256))
            return out

    def get(self, file_id: int, viewer: Viewer) -> EvidenceFile:
        with self.db.begin() as conn:
            found = self._files(conn, [evidence_files.c.id == file_id])
        if not found:
            raise EvidenceRejected(f"no evidence file {file_id}")
        self.store.get(found[0].kind, found[0].record_id, viewer)  # NotFound if hidden
        return found[0]

    def read(self, file_id: int, viewer: Viewer, origin: str | None = None) -> bytes:
        """The file's content (checked against its hash); the access joins its custody."""
        found = self.get(file_id, viewer)
        data = b"".join(self._content(found))
        self._check(found, data)
        self._log(found, "accessed", viewer, origin)
        return data

    def export(self, file_id: int, viewer: Viewer, folder: Path, origin: str | None = None) -> Path:
        """Write the file into ``folder`` under its hash and original name; logged."""
        found = self.get(file_id, viewer)
        data = b"".join(self._content(found))
        self._check(found, data)
        folder.mkdir(parents=True, exist_ok=True)
        folder = folder.resolve()
        target = (folder / f"{found.sha256[:12]}-{safe_name(found.original_name)}").resolve()
        if target.parent != folder:
            raise EvidenceRejected(f"refusing to write outside {folder}")
        target.write_bytes(data)
        self._log(found, "exported", viewer, origin or str(target))
        return target

    def verify(self) -> list[VerifyProblem]:
        """Re-hash every stored file; each one changed or missing is reported (and logged)."""
        problems = []
        with self.db.begin() as conn:
            rows = conn.execute(select(evidence_files).order_by(evidence_files.c.id)).all()
        for row in rows:
            ciphers = self._ciphers() if row.encrypted else None
            try:
                digest = self.blobs.digest(row.stored_as, ciphers)
                problem = None if digest == row.sha256 else f"content changed (sha256 {digest})"
            except EvidenceDamaged as exc:
                problem = str(exc)
            if problem:
                problems.append(VerifyProblem(row.id, row.kind, row.record_id, problem))
                with self.db.begin() as conn:
                    conn.execute(
                        insert(evidence_custody).values(
                            file_id=row.id,
                            action="verify_failed",
                            actor="verify",
                            at=self.clock(),
                            origin=None,
                            sha256=row.sha256,
                        )
                    )
        return problems

    # --- helpers ----------------------------------------------------------------------
    def _ciphers(self) -> Callable[[str], Any]:
        with self.db.engine.connect() as conn:
            keyring = require_keyring(conn, "files of confidential records")
            keyring.active_cipher(conn)
        return keyring.cipher

    def _content(self, found: EvidenceFile) -> Iterator[bytes]:
        stored_as = self._stored_as(found.id)
        return self.blobs.read(stored_as, self._ciphers() if found.encrypted else None)

    def _stored_as(self, file_id: int) -> str:
        with self.db.begin() as conn:
            return str(
                conn.scalar(
                    select(evidence_files.c.stored_as).where(evidence_files.c.id == file_id)
                )
            )

    @staticmethod
    def _check(found: EvidenceFile, data: bytes) -> None:
        import hashlib

        if hashlib.sha256(data).hexdigest() != found.sha256:
            raise EvidenceDamaged(f"evidence file {found.id} changed since it was added")

    def _log(self, found: EvidenceFile, action: str, viewer: Viewer, origin: str | None) -> None:
        with self.db.begin() as conn:
            self._custody(
                conn,
                found.id,
                action,
                viewer.name or viewer.role,
                origin,
                found.sha256,
                self.clock(),
                found.encrypted,
                found.kind,
                found.record_id,
            )

    def _files(self, conn: Connection, where: Any) -> list[EvidenceFile]:
        out = []
        for row in conn.execute(select(evidence_files).where(*where).order_by(evidence_files.c.id)):
            values = {f: getattr(row, f) for f in SEALED_FIELDS}
            if row.encrypted:
                keyring = require_keyring(conn)
                for field, value in values.items():
                    if is_sealed(value):
                        aad = _aad(row.kind, row.record_id, row.sha256, field)
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


def _aad(kind: str, record_id: str, sha: str, field: str) -> bytes:
    return associated_data("evidence", f"{kind}/{record_id}/{sha}", field)


def _prepend(head: bytes, rest: Iterator[bytes]) -> Iterator[bytes]:
    if head:
        yield head
    yield from rest
