"""Where confidential values meet the database: sealed as each statement executes.

``store.mapping`` marks what is confidential by wrapping it in :class:`Sealed`; the
engine of a :class:`~civicspace.db.engine.Database` carries its :class:`Keyring` as an
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


_MAY_HOLD_SEALED = frozenset({Sealed, dict, list})


def _contains(value: Any) -> bool:
    kind = type(value)
    if kind is Sealed:
        return True
    if kind is dict:
        return any(_contains(v) for v in value.values())
    if kind is list:
        return any(_contains(v) for v in value)
    return False


class _Sealer:
    """Seals the marked values of one statement (the keyring is looked up once)."""

    def __init__(self, conn: Connection) -> None:
        self.conn = conn
        self.keyring: Keyring | None = None

    def value(self, value: Any) -> Any:
        kind = type(value)
        if kind is Sealed:
            if self.keyring is None:
                self.keyring = require_keyring(self.conn)
            return self.keyring.seal(value.plaintext, value.aad, self.conn)
        if kind is dict:
            return {k: self.value(v) for k, v in value.items()}
        if kind is list:
            return [self.value(v) for v in value]
        return value

    def row(self, row: dict[str, Any]) -> dict[str, Any]:
        """``row`` itself when nothing in it is marked (the common case), else a sealed copy."""
        if _MAY_HOLD_SEALED.isdisjoint(map(type, row.values())):
            return row
        sealed: dict[str, Any] | None = None
        for key, value in row.items():
            kind = type(value)
            if kind is Sealed or ((kind is dict or kind is list) and _contains(value)):
                if sealed is None:
                    sealed = dict(row)
                sealed[key] = self.value(value)
        return row if sealed is None else sealed

    def params(self, params: Any) -> Any:
        if type(params) is dict:
            return self.row(params)
        if isinstance(params, (list, tuple)):
            return type(params)(self.params(p) for p in params)
        return params


def sealer(conn: Connection) -> _Sealer:
    """Seals marked values for writes that bypass the statement hook (bulk inserts)."""
    return _Sealer(conn)


def _seal_parameters(
    conn: Connection, clause: Any, multiparams: Any, params: Any, _options: Any
) -> tuple[Any, Any, Any]:
    sealer = _Sealer(conn)
    if multiparams:
        multiparams = sealer.params(multiparams)
    if params:
        params = sealer.params(params)
    if getattr(clause, "_values", None):  # insert(...).values(...), update(...).values(...)

        def visit(bind: Any) -> None:
            if _contains(bind.value):
                bind.value = sealer.value(bind.value)

        if any(_contains(getattr(v, "value", None)) for v in clause._values.values()):
            clause = visitors.cloned_traverse(clause, {}, {"bindparam": visit})
    return clause, multiparams, params


def install(engine: Engine) -> None:
    """Seal marked values on every statement ``engine`` runs (idempotent)."""
    if not event.contains(engine, "before_execute", _seal_parameters):
        event.listen(engine, "before_execute", _seal_parameters, retval=True)
