"""Field encryption (AES-256-GCM) and the blind index, under data keys from the database.

A sealed value reads ``cs1:<key id>:<base64url(nonce | ciphertext | tag)>``: the version
header lets the algorithm change later, the key id lets data keys rotate. The associated
data is the record's identity and the field (``persons|person-x|name``), so a ciphertext
copied into another record or field does not open.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import os
import threading
from dataclasses import dataclass
from typing import Any

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from sqlalchemy import Connection, insert, select

from civicspace.crypto.keys import KeyProblem, MasterKey, b64d, b64e
from civicspace.db.keys import crypto_keys
from civicspace.secret import Secret
from civicspace.text import fold_tokens

HEADER = "cs1"
NO_KEY_HELP = "configure a master key: civicspace keys init"


class KeysNotConfigured(KeyProblem):
    """A confidential value was to be written or read, but no master key is configured."""


def associated_data(kind: str, record_id: str, field: str) -> bytes:
    return f"{kind}|{record_id}|{field}".encode()


@dataclass(frozen=True)
class DataKey:
    id: str
    purpose: str
    secret: Secret
    active: bool


def _wrap(master: MasterKey, key: DataKey) -> str:
    nonce = os.urandom(12)
    aad = f"civicspace key wrap|{key.id}|{key.purpose}".encode()
    sealed = AESGCM(master.secret.reveal()).encrypt(nonce, key.secret.reveal(), aad)
    return f"{HEADER}:{master.id}:{b64e(nonce + sealed)}"


def _unwrap(master: MasterKey, key_id: str, purpose: str, wrapped: str) -> Secret:
    _, _, body = wrapped.split(":", 2)
    raw = b64d(body)
    aad = f"civicspace key wrap|{key_id}|{purpose}".encode()
    try:
        return Secret(AESGCM(master.secret.reveal()).decrypt(raw[:12], raw[12:], aad))
    except InvalidTag as exc:
        raise KeyProblem(f"data key {key_id} does not open with master key {master.id}") from exc


def new_data_key(purpose: str) -> DataKey:
    return DataKey(os.urandom(6).hex(), purpose, Secret(os.urandom(32)), True)


def store_wrapped(conn: Connection, master: MasterKey, keys: list[DataKey]) -> None:
    now = dt.datetime.now(dt.UTC)
    conn.execute(
        insert(crypto_keys),
        [
            {
                "key_id": k.id,
                "master_id": master.id,
                "purpose": k.purpose,
                "wrapped": _wrap(master, k),
                "active": k.active,
                "created_at": now,
            }
            for k in keys
        ],
    )


def read_keys(conn: Connection, master: MasterKey) -> list[DataKey]:
    """Every data key this database holds, unwrapped with ``master``.

    Raises :class:`KeyProblem` when the database has keys but none wrapped under ``master``
    (the wrong key file): guessing would only write data nobody can read later.
    """
    rows = conn.execute(select(crypto_keys)).all()
    mine = [r for r in rows if r.master_id == master.id]
    if rows and not mine:
        others = sorted({r.master_id for r in rows})
        raise KeyProblem(
            f"the master key {master.id} ({master.origin}) does not open this database; "
            f"its data keys are wrapped under {', '.join(others)}"
        )
    return [
        DataKey(r.key_id, r.purpose, _unwrap(master, r.key_id, r.purpose, r.wrapped), r.active)
        for r in mine
    ]


class Keyring:
    """The keys of one database: a master key (injected) and the data keys it unwraps.

    Data keys are read from the database on first use and kept in memory; if the database
    has none yet, a data key and a blind-index key are created in their own transaction.
    """

    def __init__(self, master: MasterKey) -> None:
        self.master = master
        self._lock = threading.Lock()
        self._keys: dict[str, DataKey] = {}
        self._ciphers: dict[str, AESGCM] = {}
        self._active: str | None = None
        self._index: bytes | None = None
        self._mac: Any = None
        self._tokens: dict[str, str] = {}

    def __repr__(self) -> str:
        return f"Keyring(master={self.master.id})"

    # --- keys -------------------------------------------------------------------------
    def unlock(self, conn: Connection, create: bool = True) -> None:
        """Load the data keys (creating the first ones, committed separately, if none)."""
        with self._lock:
            keys = read_keys(conn, self.master)
            if not keys and create:
                keys = [new_data_key("data"), new_data_key("index")]
                with conn.engine.begin() as own:
                    if not read_keys(own, self.master):
                        store_wrapped(own, self.master, keys)
                    else:  # another process won the race
                        keys = read_keys(own, self.master)
            self._load(keys)

    def _load(self, keys: list[DataKey]) -> None:
        self._keys = {k.id: k for k in keys}
        self._ciphers = {k.id: AESGCM(k.secret.reveal()) for k in keys if k.purpose == "data"}
        data = sorted((k for k in keys if k.purpose == "data" and k.active), key=lambda k: k.id)
        self._active = data[0].id if data else None
        index = [k for k in keys if k.purpose == "index"]
        self._index = None
        if index:
            hkdf = HKDF(hashes.SHA256(), 32, salt=None, info=b"civicspace blind index v1")
            self._index = hkdf.derive(index[0].secret.reveal())
            self._mac = hmac.new(self._index, digestmod=hashlib.sha256)
            self._tokens = {}

    def rekey(self, master: MasterKey) -> None:
        """Use ``master`` from now on (after a rotation); unwrapped data keys stay loaded."""
        self.master = master

    @property
    def unlocked(self) -> bool:
        return self._active is not None

    def keys(self) -> list[DataKey]:
        return list(self._keys.values())

    def _ready(self, conn: Connection | None) -> None:
        if self._active is None:
            if conn is None:
                raise KeyProblem("the keyring is not unlocked")
            self.unlock(conn)

    # --- sealing ----------------------------------------------------------------------
    def seal(self, plaintext: str, aad: bytes, conn: Connection | None = None) -> str:
        self._ready(conn)
        assert self._active is not None
        nonce = os.urandom(12)
        body = self._ciphers[self._active].encrypt(nonce, plaintext.encode(), aad)
        return f"{HEADER}:{self._active}:{b64e(nonce + body)}"

    def open(self, sealed: str, aad: bytes, conn: Connection | None = None) -> str:
        """The plaintext of a ``cs1:`` value; other values (written before encryption) as is."""
        if not is_sealed(sealed):
            return sealed
        _, key_id, body = sealed.split(":", 2)
        if key_id not in self._ciphers:
            if conn is None and self._active is not None:
                raise KeyProblem(f"unknown data key {key_id}")
            if conn is not None:
                self.unlock(conn, create=False)
        if key_id not in self._ciphers:
            raise KeyProblem(f"data key {key_id} is not in this database (value of {aad!r})")
        raw = b64d(body)
        try:
            return self._ciphers[key_id].decrypt(raw[:12], raw[12:], aad).decode()
        except InvalidTag as exc:
            raise KeyProblem(f"a sealed value of {aad.decode()} was altered or moved") from exc

    def active_cipher(self, conn: Connection | None = None) -> tuple[str, AESGCM]:
        """The data key new values are sealed with, for callers that seal bytes (files)."""
        self._ready(conn)
        assert self._active is not None
        return self._active, self._ciphers[self._active]

    def cipher(self, key_id: str, conn: Connection | None = None) -> AESGCM:
        if key_id not in self._ciphers and conn is not None:
            self.unlock(conn, create=False)
        if key_id not in self._ciphers:
            raise KeyProblem(f"data key {key_id} is not in this database")
        return self._ciphers[key_id]

    def blind_tokens(self, text: str, conn: Connection | None = None) -> list[str]:
        """Keyed tokens for exact lookup: one for the whole folded name, one per word.

        >>> # blind_tokens("Айгерим Канарбек") -> ['0b…(aigerim kanarbek)', '0b…(aigerim)', ...]
        """
        self._ready(conn)
        words = fold_tokens(text)
        return [self._token(k) for k in dict.fromkeys([" ".join(words), *words]) if k]

    def blind_token(self, folded: str, conn: Connection | None = None) -> str:
        self._ready(conn)
        return self._token(folded)

    def _token(self, folded: str) -> str:
        token = self._tokens.get(folded)
        if token is None:
            assert self._mac is not None
            mac = self._mac.copy()
            mac.update(folded.encode())
            token = "0b" + mac.hexdigest()[:32]
            if len(self._tokens) > 200_000:  # words repeat; keep memory bounded
                self._tokens.clear()
            self._tokens[folded] = token
        return token


def is_sealed(value: object) -> bool:
    return isinstance(value, str) and value.startswith(HEADER + ":")
