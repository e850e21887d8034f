"""The evidence folder: file contents named by their SHA-256, written atomically.

A confidential record's file is stored encrypted (AES-256-GCM in 1 MiB chunks under the
database's data key) and named by a keyed token of its hash, so neither its content nor
the fact that we hold a known file shows in the folder. Encrypted layout::

    b"CSEV1" | key id length (1) | key id | nonce prefix (7) | chunks
    chunk = final flag (1) | length (4) | ciphertext with tag

Each chunk's nonce is ``prefix | counter (4) | final (1)`` and its associated data the
file's header, so chunks cannot be altered, reordered, dropped or cut off unnoticed.
"""

from __future__ import annotations

import hashlib
import os
import struct
import tempfile
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

MAGIC = b"CSEV1"
CHUNK = 1 << 20
_LEN = struct.Struct(">BI")


class EvidenceRejected(ValueError):
    """The file cannot be attached: too large, of a refused type, or unreadable."""


class EvidenceDamaged(ValueError):
    """A stored file no longer matches what was recorded (changed, cut or missing)."""


@dataclass(frozen=True)
class Stored:
    sha256: str
    size: int
    head: bytes
    stored_as: str


def _chunks(source: Iterable[bytes], limit: int) -> Iterator[bytes]:
    total = 0
    for chunk in source:
        total += len(chunk)
        if total > limit:
            raise EvidenceRejected(f"the file is larger than the limit of {limit:,} bytes")
        yield chunk


def read_chunks(source: BinaryIO) -> Iterator[bytes]:
    while chunk := source.read(CHUNK):
        yield chunk


class BlobFolder:
    """Content-addressed files under ``root`` (``ab/abcdef...``)."""

    def __init__(self, root: Path) -> None:
        self.root = root

    def path(self, stored_as: str) -> Path:
        if not stored_as.isalnum():  # names are hex digests or tokens, never user input
            raise EvidenceDamaged(f"bad stored name {stored_as!r}")
        return self.root / stored_as[:2] / stored_as

    def put(
        self,
        source: Iterable[bytes],
        limit: int,
        name_for: Callable[[str], str] | None = None,
        cipher: tuple[str, AESGCM] | None = None,
    ) -> Stored:
        """Copy ``source`` in (hashing as it goes); ``name_for(sha)`` names an encrypted file."""
        self.root.mkdir(parents=True, exist_ok=True)
        digest = hashlib.sha256()
        size, head = 0, b""
        fd, tmp_name = tempfile.mkstemp(dir=self.root, prefix=".incoming-")
        tmp = Path(tmp_name)
        try:
            with os.fdopen(fd, "wb") as out:
                writer = _Sealer(out, cipher) if cipher else None
                for chunk in _chunks(source, limit):
                    if not head:
                        head = chunk[:64]
                    digest.update(chunk)
                    size += len(chunk)
                    if writer:
                        writer.write(chunk)
                    else:
                        out.write(chunk)
                if writer:
                    writer.close()
                out.flush()
                os.fsync(out.fileno())
            sha = digest.hexdigest()
            stored_as = name_for(sha) if name_for else sha
            target = self.path(stored_as)
            target.parent.mkdir(exist_ok=True)
            if target.exists() and not cipher:
                tmp.unlink()  # the same content is already there
            else:
                os.replace(tmp, target)
            return Stored(sha, size, head, stored_as)
        except BaseException:
            tmp.unlink(missing_ok=True)
            raise

    def read(
        self, stored_as: str, ciphers: Callable[[str], AESGCM] | None = None
    ) -> Iterator[bytes]:
        """The plaintext of a stored file, chunk by chunk; ``ciphers(key_id)`` opens one."""
        path = self.path(stored_as)
        if not path.exists():
            raise EvidenceDamaged(f"{path} is missing")
        with path.open("rb") as source:
            if ciphers is None:
                while chunk := source.read(CHUNK):
                    yield chunk
                return
            yield from _open(source, ciphers)

    def digest(self, stored_as: str, ciphers: Callable[[str], AESGCM] | None = None) -> str:
        digest = hashlib.sha256()
        for chunk in self.read(stored_as, ciphers):
            digest.update(chunk)
        return digest.hexdigest()


class _Sealer:
    def __init__(self, out: BinaryIO, cipher: tuple[str, AESGCM]) -> None:
        key_id, self.aes = cipher
        self.out = out
        self.prefix = os.urandom(7)
        kid = key_id.encode()
        self.header = MAGIC + bytes([len(kid)]) + kid + self.prefix
        out.write(self.header)
        self.counter = 0
        self.pending: bytes | None = None

    def write(self, chunk: bytes) -> None:
        if self.pending is not None:
            self._emit(self.pending, final=False)
        self.pending = chunk

    def close(self) -> None:
        self._emit(self.pending or b"", final=True)

    def _emit(self, chunk: bytes, final: bool) -> None:
        nonce = self.prefix + struct.pack(">IB", self.counter, final)
        sealed = self.aes.encrypt(nonce, chunk, self.header)
        self.out.write(_LEN.pack(final, len(sealed)) + sealed)
        self.counter += 1


def _open(source: BinaryIO, ciphers: Callable[[str], AESGCM]) -> Iterator[bytes]:
    magic = source.read(len(MAGIC))
    if magic != MAGIC:
        raise EvidenceDamaged("not an encrypted evidence file")
    kid_len = source.read(1)
    kid = source.read(kid_len[0]) if kid_len else b""
    prefix = source.read(7)
    header = magic + kid_len + kid + prefix
    aes: AESGCM = ciphers(kid.decode())
    counter = 0
    while True:
        frame = source.read(_LEN.size)
        if len(frame) < _LEN.size:
            raise EvidenceDamaged("the encrypted file was cut short")
        final, length = _LEN.unpack(frame)
        sealed = source.read(length)
        nonce = prefix + struct.pack(">IB", counter, final)
        try:
            yield aes.decrypt(nonce, sealed, header)
        except InvalidTag as exc:
            raise EvidenceDamaged("the encrypted file was altered") from exc
        counter += 1
        if final:
            if source.read(1):
                raise EvidenceDamaged("data after the end of the encrypted file")
            return


def sealed_key_id(path: Path) -> str | None:
    """The data key an encrypted evidence file is sealed with (None for a plain file)."""
    with path.open("rb") as source:
        if source.read(len(MAGIC)) != MAGIC:
            return None
        kid_len = source.read(1)
        return source.read(kid_len[0]).decode() if kid_len else None
