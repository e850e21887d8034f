"""Bearer secrets: browser sessions and API tokens, stored only as SHA-256 digests.

A token is 32 random bytes (``secrets.token_urlsafe``); API tokens start with ``cs_`` so
they are easy to spot in logs and secret scanners. Revoking a token deletes nothing:
it stamps ``revoked_at`` so the history of who had access remains.

A server may trust a token or session found valid for ``recheck_after`` seconds before
asking the database again (the web app's ``auth_recheck_seconds``, 1 by default), which
spares a busy client a look-up per request. A change made through the same
:class:`~civicspace.access.accounts.Accounts` (revoking, logging out, a new password, an
admin disabling a user or changing a role) applies at once; one made by another process
(the command line, another server worker) within ``recheck_after``. By default (0) every
check asks the database.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets
import time
from collections.abc import Callable
from dataclasses import dataclass

from sqlalchemy import delete, insert, select, update

from civicspace.access.accounts import AccountError, Accounts, User, as_utc
from civicspace.db import accounts as a

API_PREFIX = "cs_"
REMEMBERED_AT_MOST = 10_000


def digest(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


@dataclass(frozen=True)
class TokenInfo:
    id: int
    user: str
    label: str | None
    created_at: dt.datetime
    revoked: bool


@dataclass(frozen=True)
class _Verified:
    """A token or session found valid: for whom, when (monotonic) and at which generation
    of the accounts; a session also until when it lasts."""

    user: User
    checked: float
    generation: int
    expires_at: dt.datetime | None = None


class Tokens:
    """Sessions and API tokens of the users in ``accounts``' database.

    ``recheck_after`` (seconds, 0 for every time) and ``monotonic`` are seams for tests.
    """

    def __init__(
        self,
        accounts: Accounts,
        session_lifetime: dt.timedelta | None = None,
        recheck_after: float = 0.0,
        monotonic: Callable[[], float] = time.monotonic,
    ) -> None:
        self.accounts = accounts
        self.db = accounts.db
        self.session_lifetime = session_lifetime or dt.timedelta(hours=12)
        self.recheck_after = recheck_after
        self.monotonic = monotonic
        # By ("api" or "session", digest): a session secret never answers as an API token.
        self._verified: dict[tuple[str, str], _Verified] = {}

    def _recall(self, key: tuple[str, str]) -> _Verified | None:
        found = self._verified.get(key)
        if found is None:
            return None
        if (
            found.generation != self.accounts.generation
            or self.monotonic() - found.checked >= self.recheck_after
        ):
            self._verified.pop(key, None)
            return None
        return found

    def _remember(self, key: tuple[str, str], verified: _Verified) -> None:
        if self.recheck_after <= 0:
            return
        if len(self._verified) >= REMEMBERED_AT_MOST:
            self._verified.clear()
        self._verified[key] = verified

    # --- browser sessions ---------------------------------------------------------------
    def start_session(self, user: User) -> str:
        token = secrets.token_urlsafe(32)
        now = self.accounts.clock()
        with self.db.begin() as conn:
            conn.execute(delete(a.sessions).where(a.sessions.c.expires_at < now))
            conn.execute(
                insert(a.sessions).values(
                    token_hash=digest(token),
                    user_id=user.id,
                    created_at=now,
                    expires_at=now + self.session_lifetime,
                )
            )
        return token

    def session_user(self, token: str) -> User | None:
        key = ("session", digest(token))
        now = self.accounts.clock()
        known = self._recall(key)
        if known is not None and known.expires_at is not None:
            return known.user if known.expires_at > now else None
        # Read before the look-up: a change committed meanwhile outdates what is remembered.
        generation, checked = self.accounts.generation, self.monotonic()
        with self.db.begin() as conn:
            row = conn.execute(
                select(a.users.c.id, a.users.c.name, a.users.c.role, a.sessions.c.expires_at)
                .join(a.users, a.users.c.id == a.sessions.c.user_id)
                .where(a.sessions.c.token_hash == key[1], a.users.c.disabled.is_(False))
            ).first()
        if row is None or as_utc(row.expires_at) <= now:
            return None
        user = User(row.id, row.name, row.role)
        self._remember(key, _Verified(user, checked, generation, as_utc(row.expires_at)))
        return user

    def end_session(self, token: str) -> None:
        with self.db.begin() as conn:
            conn.execute(delete(a.sessions).where(a.sessions.c.token_hash == digest(token)))
        self.accounts.changed()

    # --- API tokens -----------------------------------------------------------------------
    def create(self, user_name: str, label: str | None = None) -> tuple[int, str]:
        """A new API token for ``user_name``: its id and the secret, shown only this once."""
        user = self.accounts.get(user_name)
        if user is None:
            raise AccountError(f"no user {user_name!r}")
        token = API_PREFIX + secrets.token_urlsafe(32)
        with self.db.begin() as conn:
            result = conn.execute(
                insert(a.api_tokens).values(
                    token_hash=digest(token),
                    user_id=user.id,
                    label=label,
                    created_at=self.accounts.clock(),
                )
            )
            token_id = int(result.inserted_primary_key[0])  # type: ignore[index]
        return token_id, token

    def user_for(self, token: str) -> User | None:
        key = ("api", digest(token))
        known = self._recall(key)
        if known is not None:
            return known.user
        generation, checked = self.accounts.generation, self.monotonic()
        with self.db.begin() as conn:
            row = conn.execute(
                select(a.users.c.id, a.users.c.name, a.users.c.role)
                .join(a.users, a.users.c.id == a.api_tokens.c.user_id)
                .where(
                    a.api_tokens.c.token_hash == key[1],
                    a.api_tokens.c.revoked_at.is_(None),
                    a.users.c.disabled.is_(False),
                )
            ).first()
        if row is None:
            return None
        user = User(row.id, row.name, row.role)
        self._remember(key, _Verified(user, checked, generation))
        return user

    def revoke(self, token_id: int | None = None, token: str | None = None) -> bool:
        """Revoke by id or by the secret itself; False if no such live token."""
        condition = (
            a.api_tokens.c.id == token_id
            if token_id is not None
            else a.api_tokens.c.token_hash == digest(token or "")
        )
        with self.db.begin() as conn:
            result = conn.execute(
                update(a.api_tokens)
                .where(condition, a.api_tokens.c.revoked_at.is_(None))
                .values(revoked_at=self.accounts.clock())
            )
        self.accounts.changed()
        return result.rowcount == 1

    def list(self, user_name: str | None = None) -> list[TokenInfo]:
        query = select(
            a.api_tokens.c.id,
            a.users.c.name,
            a.api_tokens.c.label,
            a.api_tokens.c.created_at,
            a.api_tokens.c.revoked_at,
        ).join(a.users, a.users.c.id == a.api_tokens.c.user_id)
        if user_name:
            query = query.where(a.users.c.name == user_name)
        with self.db.begin() as conn:
            rows = conn.execute(query.order_by(a.api_tokens.c.id)).all()
        return [
            TokenInfo(r.id, r.name, r.label, as_utc(r.created_at), r.revoked_at is not None)
            for r in rows
        ]
