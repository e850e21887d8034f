"""Managing accounts, for admins: every user with their state, adding users, changing a
role, disabling and enabling, and revoking API tokens.

Every call takes the acting :class:`Viewer` and refuses anyone but an admin. The last
enabled admin can be neither demoted nor disabled, so an installation never locks
itself out of user management. Disabling a user ends their browser sessions at once
(their API tokens stop working too: every token check requires an enabled user).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection, Row, delete, func, select, update

from civicspace.access.accounts import AccountError, Accounts, User, as_utc
from civicspace.access.policy import ROLES, AccessDenied, Viewer
from civicspace.access.tokens import TokenInfo, Tokens
from civicspace.db import accounts as a


@dataclass(frozen=True)
class Account:
    name: str
    role: str
    disabled: bool
    created_at: dt.datetime


class UserAdmin:
    """User management over ``accounts`` and ``tokens`` (one database)."""

    def __init__(self, accounts: Accounts, tokens: Tokens) -> None:
        self.accounts = accounts
        self.tokens = tokens
        self.db = accounts.db

    @staticmethod
    def _require_admin(viewer: Viewer) -> None:
        if viewer.role != "admin":
            raise AccessDenied(f"role {viewer.role!r} cannot manage users")

    def users(self, viewer: Viewer) -> list[Account]:
        self._require_admin(viewer)
        with self.db.begin() as conn:
            rows = conn.execute(select(a.users).order_by(a.users.c.name)).all()
        return [Account(r.name, r.role, bool(r.disabled), as_utc(r.created_at)) for r in rows]

    def add(self, viewer: Viewer, name: str, role: str, password: str) -> User:
        self._require_admin(viewer)
        return self.accounts.add_user(name, role, password)

    def set_role(self, viewer: Viewer, name: str, role: str) -> None:
        self._require_admin(viewer)
        if role not in ROLES or role == "anonymous":
            raise AccountError(f"unknown role {role!r}; one of: {', '.join(ROLES[1:])}")
        with self.db.begin() as conn:
            row = self._row(conn, name)
            if row.role == "admin" and role != "admin" and not row.disabled:
                self._keep_an_admin(conn, name)
            conn.execute(update(a.users).where(a.users.c.id == row.id).values(role=role))
        self.accounts.changed()

    def set_disabled(self, viewer: Viewer, name: str, disabled: bool) -> None:
        self._require_admin(viewer)
        with self.db.begin() as conn:
            row = self._row(conn, name)
            if disabled and row.role == "admin" and not row.disabled:
                self._keep_an_admin(conn, name)
            conn.execute(update(a.users).where(a.users.c.id == row.id).values(disabled=disabled))
            if disabled:
                conn.execute(delete(a.sessions).where(a.sessions.c.user_id == row.id))
        self.accounts.changed()

    def api_tokens(self, viewer: Viewer) -> list[TokenInfo]:
        self._require_admin(viewer)
        return self.tokens.list()

    def revoke(self, viewer: Viewer, token_id: int) -> bool:
        self._require_admin(viewer)
        return self.tokens.revoke(token_id=token_id)

    @staticmethod
    def _row(conn: Connection, name: str) -> Row[Any]:
        row = conn.execute(select(a.users).where(a.users.c.name == name)).first()
        if row is None:
            raise AccountError(f"no user {name!r}")
        return row

    @staticmethod
    def _keep_an_admin(conn: Connection, name: str) -> None:
        others = conn.scalar(
            select(func.count())
            .select_from(a.users)
            .where(a.users.c.role == "admin", a.users.c.disabled.is_(False), a.users.c.name != name)
        )
        if not others:
            raise AccountError("this is the last enabled admin; make another admin first")
