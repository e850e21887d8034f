"""Where confidential values meet the database: sealed as each statement executes.

``store.mapping`` marks what is confidential by wrapping it in :class:`Sealed`; the
engine of a :class:`~civicspace.store.db.Database` carries its :class:`Keyring` as an
execution option, and a ``before_execute`` hook replaces every ``Sealed`` in the
statement's parameters by its ciphertext. No write path can store a marked value in
plaintext: without a keyring the statement is refused.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection, Engine, event
from sqlalchemy.sql import visitors

from civicspace.crypto.keyring import NO_KEY_HELP, Keyring, KeysNotConfigured

OPTION = "civicspace_keyring"


@dataclass(frozen=True, slots=True)
class Sealed:
    """A plaintext to be encrypted with ``aad`` (see :func:`keyring.associated_data`)."""

    plaintext: str
    aad: bytes

    def __repr__(self) -> str:
        return "Sealed('**********')"


def keyring_of(conn: Connection) -> Keyring | None:
    keyring = conn.get_execution_options().get(OPTION)
    return keyring if isinstance(keyring, Keyring) else None


def require_keyring(conn: Connection, what: str = "confidential records") -> Keyring:
    keyring = keyring_of(conn)
    if keyring is None:
        raise KeysNotConfigured(f"{what} are stored encrypted: {NO_KEY_HELP}")
    return keyring


def _contains(value: Any) -> bool:
    if type(value) is Sealed:
        return True
    if type(value) is dict:
        return any(_contains(v) for v in value.values())
    if type(value) is list:
        return any(_contains(v) for v in value)
    return False


def _resolve(value: Any, conn: Connection) -> Any:
    if type(value) is Sealed:
        return require_keyring(conn).seal(value.plaintext, value.aad, conn)
    if type(value) is dict:
        return {k: _resolve(v, conn) for k, v in value.items()}
    if type(value) is list:
        return [_resolve(v, conn) for v in value]
    return value


def _rows(params: Any, conn: Connection) -> Any:
    if type(params) is dict:
        if any(_contains(v) for v in params.values()):
            return _resolve(params, conn)
        return params
    if isinstance(params, (list, tuple)):
        return type(params)(_rows(p, conn) for p in params)
    return params


def _seal_parameters(
    conn: Connection, clause: Any, multiparams: Any, params: Any, _options: Any
) -> tuple[Any, Any, Any]:
    if multiparams:
        multiparams = _rows(multiparams, conn)
    if params:
        params = _rows(params, conn)
    if getattr(clause, "_values", None):  # insert(...).values(...), update(...).values(...)

        def visit(bind: Any) -> None:
            if _contains(bind.value):
                bind.value = _resolve(bind.value, conn)

        if any(_contains(getattr(v, "value", None)) for v in clause._values.values()):
            clause = visitors.cloned_traverse(clause, {}, {"bindparam": visit})
    return clause, multiparams, params


def install(engine: Engine) -> None:
    """Seal marked values on every statement ``engine`` runs (idempotent)."""
    if not event.contains(engine, "before_execute", _seal_parameters):
        event.listen(engine, "before_execute", _seal_parameters, retval=True)
