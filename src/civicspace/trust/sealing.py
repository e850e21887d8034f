"""The encrypted backup container: a versioned header, then AES-256-GCM chunks.

Layout::

    header  = b"CSBACKUP" | version (1) | kdf (1) | salt (16) | log2 n, r, p (1, 4, 4) | nonce prefix (7)
    chunk   = final flag (1) | length (4) | ciphertext with tag

Each chunk's nonce is ``prefix | counter (4) | final flag (1)`` and its associated data is
the header, so a chunk cannot be altered, moved, dropped or cut off at the end without
decryption failing (the STREAM construction). The key comes from a passphrase through
scrypt, or from a key file through HKDF-SHA256; either is salted per backup.
"""

from __future__ import annotations

import os
import struct
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from cryptography.hazmat.primitives.kdf.scrypt import Scrypt

MAGIC = b"CSBACKUP"
VERSION = 1
KDF_SCRYPT, KDF_KEY_FILE = 1, 2
CHUNK = 1 << 20
_HEADER = struct.Struct(">8sBB16sBII7s")


class BackupKeyError(ValueError):
    """Wrong passphrase or key file, or a backup that was altered or cut short."""


@dataclass(frozen=True)
class BackupKey:
    """Where the key comes from: a passphrase (scrypt) or the bytes of a key file (HKDF)."""

    secret: bytes
    kdf: int
    log2_n: int = 17  # scrypt cost: 128 MiB of memory, a fraction of a second
    r: int = 8
    p: int = 1

    def __repr__(self) -> str:
        return "BackupKey(**********)"

    @classmethod
    def from_passphrase(cls, passphrase: str, log2_n: int = 17) -> BackupKey:
        if len(passphrase) < 10:
            raise BackupKeyError("a backup passphrase needs at least 10 characters")
        return cls(passphrase.encode("utf-8"), KDF_SCRYPT, log2_n)

    @classmethod
    def from_file(cls, path: Path) -> BackupKey:
        secret = Path(path).read_bytes()
        if (
            secret.isascii()
        ):  # a text key (hex, base64) may end with a newline; raw bytes stay whole
            secret = secret.strip()
        if len(secret) < 32:
            raise BackupKeyError(f"key file {path} holds {len(secret)} bytes; it needs at least 32")
        return cls(secret, KDF_KEY_FILE)

    def derive(self, kdf: int, salt: bytes, log2_n: int, r: int, p: int) -> bytes:
        if kdf != self.kdf:
            wanted = "a passphrase" if kdf == KDF_SCRYPT else "a key file"
            raise BackupKeyError(f"this backup was encrypted with {wanted}")
        if kdf == KDF_SCRYPT:
            return Scrypt(salt=salt, length=32, n=1 << log2_n, r=r, p=p).derive(self.secret)
        return HKDF(hashes.SHA256(), 32, salt, b"civicspace backup v1").derive(self.secret)


class SealedWriter:
    """A write-only file object that encrypts what is written into ``out``."""

    def __init__(self, out: BinaryIO, key: BackupKey) -> None:
        salt, self.prefix = os.urandom(16), os.urandom(7)
        self.header = _HEADER.pack(
            MAGIC, VERSION, key.kdf, salt, key.log2_n, key.r, key.p, self.prefix
        )
        self.aead = AESGCM(key.derive(key.kdf, salt, key.log2_n, key.r, key.p))
        self.out, self.buffer, self.counter = out, bytearray(), 0
        out.write(self.header)

    def write(self, data: bytes) -> int:
        self.buffer += data
        while len(self.buffer) > CHUNK:
            self._seal(bytes(self.buffer[:CHUNK]), final=False)
            del self.buffer[:CHUNK]
        return len(data)

    def flush(self) -> None:
        return None

    def close(self) -> None:
        self._seal(bytes(self.buffer), final=True)
        self.buffer.clear()

    def _seal(self, data: bytes, final: bool) -> None:
        nonce = self.prefix + struct.pack(">I?", self.counter, final)
        sealed = self.aead.encrypt(nonce, data, self.header)
        self.out.write(struct.pack(">?I", final, len(sealed)) + sealed)
        self.counter += 1


class OpenedReader:
    """A read-only file object giving the plaintext of a sealed stream, checked chunk by chunk."""

    def __init__(self, source: BinaryIO, key: BackupKey) -> None:
        self.header = source.read(_HEADER.size)
        if len(self.header) < _HEADER.size or not self.header.startswith(MAGIC):
            raise BackupKeyError("not a civicspace backup (no CSBACKUP header)")
        _magic, version, kdf, salt, log2_n, r, p, self.prefix = _HEADER.unpack(self.header)
        if version != VERSION:
            raise BackupKeyError(
                f"backup format version {version} is not supported (this is {VERSION})"
            )
        self.aead = AESGCM(key.derive(kdf, salt, log2_n, r, p))
        self.source, self.buffer, self.counter, self.done = source, bytearray(), 0, False

    def read(self, size: int = -1) -> bytes:
        while not self.done and (size < 0 or len(self.buffer) < size):
            self._next()
        if size < 0:
            size = len(self.buffer)
        out = bytes(self.buffer[:size])
        del self.buffer[:size]
        return out

    def _next(self) -> None:
        frame = self.source.read(5)
        if len(frame) < 5:
            raise BackupKeyError("the backup is cut short (its last part is missing)")
        final, length = struct.unpack(">?I", frame)
        sealed = self.source.read(length)
        nonce = self.prefix + struct.pack(">I?", self.counter, final)
        try:
            self.buffer += self.aead.decrypt(nonce, sealed, self.header)
        except InvalidTag:
            raise BackupKeyError(
                "cannot decrypt the backup: wrong passphrase or key file, or the file was altered"
            ) from None
        self.counter += 1
        self.done = final
