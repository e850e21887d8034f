"""Bearer secrets: browser sessions and API tokens, stored only as SHA-256 digests.

A token is 32 random bytes (``secrets.token_urlsafe``); API tokens start with ``cs_`` so
they are easy to spot in logs and secret scanners. Revoking a token deletes nothing:
it stamps ``revoked_at`` so the history of who had access remains.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets
from dataclasses import dataclass

from sqlalchemy import delete, insert, select, update

from civicspace.access import tables as a
from civicspace.access.accounts import AccountError, Accounts, User, as_utc

API_PREFIX = "cs_"


def digest(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


@dataclass(frozen=True)
class TokenInfo:
    id: int
    user: str
    label: str | None
    created_at: dt.datetime
    revoked: bool


class Tokens:
    """Sessions and API tokens of the users in ``accounts``' database."""

    def __init__(self, accounts: Accounts, session_lifetime: dt.timedelta | None = None) -> None:
        self.accounts = accounts
        self.db = accounts.db
        self.session_lifetime = session_lifetime or dt.timedelta(hours=12)

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
        now = self.accounts.clock()
        with self.db.begin() as conn:
            row = conn.execute(
                select(a.users.c.id, a.users.c.name, a.users.c.role, a.sessions.c.expires_at)
                .join(a.users, a.users.c.id == a.sessions.c.user_id)
                .where(a.sessions.c.token_hash == digest(token), a.users.c.disabled.is_(False))
            ).first()
        if row is None or as_utc(row.expires_at) <= now:
            return None
        return User(row.id, row.name, row.role)

    def end_session(self, token: str) -> None:
        with self.db.begin() as conn:
            conn.execute(delete(a.sessions).where(a.sessions.c.token_hash == digest(token)))

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
        with self.db.begin() as conn:
            row = conn.execute(
                select(a.users.c.id, a.users.c.name, a.users.c.role)
                .join(a.users, a.users.c.id == a.api_tokens.c.user_id)
                .where(
                    a.api_tokens.c.token_hash == digest(token),
                    a.api_tokens.c.revoked_at.is_(None),
                    a.users.c.disabled.is_(False),
                )
            ).first()
        return User(row.id, row.name, row.role) if row else None

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
