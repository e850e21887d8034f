"""Attaching evidence files to records, with a chain of custody, and checking them later.

:class:`EvidenceLocker` is the one door: it checks that the viewer may see (and, to add,
change) the record, sniffs the content's type, stores it content-addressed (encrypted
for confidential records, :mod:`~civicspace.evidence.blobs`), catalogues it
(:mod:`~civicspace.evidence.catalogue`) and appends a custody row for every addition,
access and export (:mod:`~civicspace.evidence.custody`). ``verify`` re-hashes every file
against what was recorded when it was added.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Iterable, Iterator
from contextlib import ExitStack
from dataclasses import dataclass
from pathlib import Path
from typing import Any, BinaryIO

from sqlalchemy import select

from civicspace import settings
from civicspace.access.policy import Viewer
from civicspace.crypto import require_keyring
from civicspace.db.engine import Database
from civicspace.db.evidence import evidence_files
from civicspace.evidence.blobs import BlobFolder, EvidenceDamaged, EvidenceRejected, read_chunks
from civicspace.evidence.catalogue import EvidenceFile, files_where, insert_file, stored_as
from civicspace.evidence.custody import CustodyEntry, custody_of, log_custody
from civicspace.evidence.sniff import ACCEPTED, HEAD_BYTES, sniff
from civicspace.store.repository import Store

ENV_DIR = settings.setting("evidence_dir").env
ENV_MAX_BYTES = settings.setting("evidence_max_bytes").env
DEFAULT_MAX_BYTES: int = settings.setting("evidence_max_bytes").default


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
        with ExitStack() as opened:
            if isinstance(source, Path):
                original_name = original_name or source.name
                source = opened.enter_context(source.open("rb"))
            described = {"original_name": original_name or "file", "origin": origin, "note": note}
            confidential = record.visibility == "confidential"
            return self._add(
                kind, record_id, source, viewer, confidential, described, declared_type
            )

    def _add(
        self,
        kind: str,
        record_id: str,
        handle: BinaryIO,
        viewer: Viewer,
        confidential: bool,
        described: dict[str, str | None],
        declared_type: str | None,
    ) -> EvidenceFile:
        head = handle.read(HEAD_BYTES)
        sniffed = sniff(head)
        name = safe_name(str(described["original_name"]))
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
            added = insert_file(
                conn,
                kind,
                record_id,
                stored,
                confidential,
                {**described, "original_name": name},
                declared_type=declared_type,
                sniffed_type=sniffed,
                added_by=actor,
                added_at=now,
            )
            log_custody(conn, added, "added", actor, now, described["origin"])
            return added

    # --- reading ----------------------------------------------------------------------
    def attached(self, kind: str, record_id: str, viewer: Viewer) -> list[EvidenceFile]:
        self.store.get(kind, record_id, viewer)
        with self.db.begin() as conn:
            return files_where(
                conn, evidence_files.c.kind == kind, evidence_files.c.record_id == record_id
            )

    def custody(self, file_id: int, viewer: Viewer) -> list[CustodyEntry]:
        found = self.get(file_id, viewer)
        with self.db.begin() as conn:
            return custody_of(conn, found)

    def get(self, file_id: int, viewer: Viewer) -> EvidenceFile:
        with self.db.begin() as conn:
            found = files_where(conn, evidence_files.c.id == file_id)
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
                    log_custody(conn, row, "verify_failed", "verify", self.clock())
        return problems

    # --- helpers ----------------------------------------------------------------------
    def _ciphers(self) -> Callable[[str], Any]:
        with self.db.engine.connect() as conn:
            keyring = require_keyring(conn, "files of confidential records")
            keyring.active_cipher(conn)
        return keyring.cipher

    def _content(self, found: EvidenceFile) -> Iterator[bytes]:
        with self.db.begin() as conn:
            name = stored_as(conn, found.id)
        return self.blobs.read(name, self._ciphers() if found.encrypted else None)

    @staticmethod
    def _check(found: EvidenceFile, data: bytes) -> None:
        import hashlib

        if hashlib.sha256(data).hexdigest() != found.sha256:
            raise EvidenceDamaged(f"evidence file {found.id} changed since it was added")

    def _log(self, found: EvidenceFile, action: str, viewer: Viewer, origin: str | None) -> None:
        with self.db.begin() as conn:
            log_custody(conn, found, action, viewer.name or viewer.role, self.clock(), origin)


def _prepend(head: bytes, rest: Iterator[bytes]) -> Iterator[bytes]:
    if head:
        yield head
    yield from rest
