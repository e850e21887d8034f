"""The master key: kept outside the database, in a key file or ``CIVICSPACE_MASTER_KEY``.

The master key only wraps (encrypts) the data keys stored in the database, so a stolen
database file or backup without the key file opens nothing. Format of a key file or the
environment variable: ``civicspace-master-key-v1:<base64url of 32 random bytes>``.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import os
import stat
from dataclasses import dataclass
from pathlib import Path

from civicspace import settings
from civicspace.secret import Secret

KEY_HEADER = "civicspace-master-key-v1"
ENV_KEY = settings.setting("master_key").env
ENV_KEY_FILE = settings.setting("master_key_file").env


class KeyProblem(ValueError):
    """A key is missing, malformed, unprotected or does not open this database."""


def b64e(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).decode().rstrip("=")


def b64d(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


@dataclass(frozen=True)
class MasterKey:
    secret: Secret
    origin: str = "generated"  # a file path, the environment variable, or "generated"

    @classmethod
    def generate(cls) -> MasterKey:
        return cls(Secret(os.urandom(32)))

    @classmethod
    def parse(cls, text: str, origin: str = "text") -> MasterKey:
        header, _, body = text.strip().partition(":")
        if header != KEY_HEADER:
            raise KeyProblem(f"{origin}: not a civicspace master key (expected '{KEY_HEADER}:...')")
        try:
            raw = b64d(body)
        except ValueError as exc:
            raise KeyProblem(f"{origin}: the key is not valid base64") from exc
        if len(raw) != 32:
            raise KeyProblem(f"{origin}: a master key is 32 bytes, this one is {len(raw)}")
        return cls(Secret(raw), origin)

    @classmethod
    def load(cls, path: Path) -> MasterKey:
        """Read a key file; refuse one that other users may read (like ssh does)."""
        try:
            mode = path.stat().st_mode
        except FileNotFoundError as exc:
            raise KeyProblem(f"key file {path} does not exist: civicspace keys init") from exc
        if os.name == "posix" and mode & (stat.S_IRWXG | stat.S_IRWXO):
            raise KeyProblem(f"key file {path} is readable by other users: chmod 600 {path}")
        return cls.parse(path.read_text(), str(path))

    def serialize(self) -> str:
        return f"{KEY_HEADER}:{b64e(self.secret.reveal())}"

    def write(self, path: Path) -> None:
        """Create ``path`` with mode 0600 (never overwrites an existing file)."""
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w") as out:
            out.write(self.serialize() + "\n")
            out.flush()
            os.fsync(out.fileno())

    @property
    def id(self) -> str:
        """A public fingerprint naming which master key wraps which data key."""
        mac = hmac.new(self.secret.reveal(), b"civicspace master key id", hashlib.sha256)
        return mac.hexdigest()[:12]


def master_key_from_environment(default_file: Path | None = None) -> MasterKey | None:
    """``CIVICSPACE_MASTER_KEY``, else the file ``CIVICSPACE_MASTER_KEY_FILE``, else
    ``default_file`` (the ``<database>.key`` beside a SQLite file) if it exists."""
    value: Secret | None = settings.read("master_key")
    if value is not None:
        return MasterKey.parse(value.reveal().decode(), ENV_KEY)
    path: Path | None = settings.read("master_key_file")
    if path is not None:
        return MasterKey.load(path)
    if default_file is not None and default_file.exists():
        return MasterKey.load(default_file)
    return None
