"""User accounts: argon2 password hashes, roles, and a brake on password guessing.

>>> # accounts = Accounts(db); accounts.add_user("aliya", "researcher", "long passphrase")
>>> # accounts.authenticate("aliya", "long passphrase", client="10.0.0.1").role
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Callable
from dataclasses import dataclass

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import delete, func, insert, select, update

from civicspace.access.policy import ROLES, Viewer
from civicspace.db import accounts as a
from civicspace.db.engine import Database

Clock = Callable[[], dt.datetime]
MIN_PASSWORD_LENGTH = 10


def utcnow() -> dt.datetime:
    return dt.datetime.now(dt.UTC).replace(microsecond=0)


def as_utc(value: dt.datetime) -> dt.datetime:
    """SQLite hands back naive datetimes; every stored time is UTC."""
    return value if value.tzinfo else value.replace(tzinfo=dt.UTC)


class AccountError(ValueError):
    """A user cannot be created or changed as asked (unknown role, short password...)."""


class LoginThrottled(PermissionError):
    """Too many failed logins for this name or client; try again after ``retry_after`` s."""

    def __init__(self, retry_after: int) -> None:
        super().__init__(f"too many failed logins; try again in {retry_after} seconds")
        self.retry_after = retry_after


@dataclass(frozen=True)
class User:
    id: int
    name: str
    role: str

    @property
    def viewer(self) -> Viewer:
        return Viewer(self.role, self.name)  # type: ignore[arg-type]


@dataclass(frozen=True)
class LoginLimit:
    """At most ``per_name`` failures for one user name and ``per_client`` for one client
    address within ``window``; later attempts are refused without checking the password."""

    per_name: int = 5
    per_client: int = 20
    window: dt.timedelta = dt.timedelta(minutes=15)


class Accounts:
    """Users in one database. ``clock`` and ``hasher`` are seams for tests."""

    def __init__(
        self,
        db: Database,
        clock: Clock = utcnow,
        hasher: PasswordHasher | None = None,
        limit: LoginLimit | None = None,
    ) -> None:
        self.db = db
        self.clock = clock
        self.hasher = hasher or PasswordHasher()
        self.limit = limit or LoginLimit()
        # Verifying against a real hash when the user does not exist keeps the time
        # of a failed login the same whether or not the name is known.
        self._dummy_hash = self.hasher.hash("not a password of anyone")
        # Moves after every change to users, sessions or tokens made through this object,
        # so what :class:`~civicspace.access.tokens.Tokens` remembers is dropped at once.
        self.generation = 0

    def changed(self) -> None:
        """Note a committed change to users, sessions or tokens (call after the commit)."""
        self.generation += 1

    def add_user(self, name: str, role: str, password: str) -> User:
        name = name.strip()
        if not name or len(name) > 100 or any(c.isspace() for c in name):
            raise AccountError("a user name is 1-100 characters without spaces")
        if role not in ROLES or role == "anonymous":
            raise AccountError(f"unknown role {role!r}; one of: {', '.join(ROLES[1:])}")
        self._check_password(password)
        with self.db.begin() as conn:
            if conn.scalar(select(a.users.c.id).where(a.users.c.name == name)) is not None:
                raise AccountError(f"user {name!r} already exists")
            result = conn.execute(
                insert(a.users).values(
                    name=name,
                    role=role,
                    password_hash=self.hasher.hash(password),
                    disabled=False,
                    created_at=self.clock(),
                )
            )
            user_id = int(result.inserted_primary_key[0])  # type: ignore[index]
        return User(user_id, name, role)

    @staticmethod
    def _check_password(password: str) -> None:
        if len(password) < MIN_PASSWORD_LENGTH:
            raise AccountError(f"a password needs at least {MIN_PASSWORD_LENGTH} characters")

    def set_password(self, name: str, password: str) -> None:
        self._check_password(password)
        with self.db.begin() as conn:
            user_id = conn.scalar(select(a.users.c.id).where(a.users.c.name == name))
            if user_id is None:
                raise AccountError(f"no user {name!r}")
            conn.execute(
                update(a.users)
                .where(a.users.c.id == user_id)
                .values(password_hash=self.hasher.hash(password))
            )
            # A new password ends every open session of that user.
            conn.execute(delete(a.sessions).where(a.sessions.c.user_id == user_id))
        self.changed()

    def get(self, name: str) -> User | None:
        with self.db.begin() as conn:
            row = conn.execute(
                select(a.users).where(a.users.c.name == name, a.users.c.disabled.is_(False))
            ).first()
        return User(row.id, row.name, row.role) if row else None

    def users(self) -> list[User]:
        with self.db.begin() as conn:
            rows = conn.execute(select(a.users).order_by(a.users.c.name)).all()
        return [User(r.id, r.name, r.role) for r in rows]

    def authenticate(self, name: str, password: str, client: str = "") -> User | None:
        """The user if the password is right; None if not; LoginThrottled when guessing."""
        now = self.clock()
        since = now - self.limit.window
        name_key, client_key = f"name:{name.casefold()}", f"client:{client}"
        with self.db.begin() as conn:
            for key, most in ((name_key, self.limit.per_name), (client_key, self.limit.per_client)):
                failures = conn.execute(
                    select(func.count(), func.min(a.login_failures.c.at)).where(
                        a.login_failures.c.key == key, a.login_failures.c.at >= since
                    )
                ).one()
                if failures[0] >= most:
                    oldest = as_utc(failures[1])
                    retry = math.ceil((oldest + self.limit.window - now).total_seconds())
                    raise LoginThrottled(max(retry, 1))
            row = conn.execute(
                select(a.users).where(a.users.c.name == name, a.users.c.disabled.is_(False))
            ).first()
            try:
                self.hasher.verify(row.password_hash if row else self._dummy_hash, password)
                ok = row is not None
            except (VerificationError, InvalidHashError):
                ok = False
            if not ok or row is None:
                conn.execute(
                    insert(a.login_failures),
                    [{"key": name_key, "at": now}, {"key": client_key, "at": now}],
                )
                return None
            conn.execute(delete(a.login_failures).where(a.login_failures.c.key == name_key))
            conn.execute(delete(a.login_failures).where(a.login_failures.c.at < since))
            if self.hasher.check_needs_rehash(row.password_hash):
                conn.execute(
                    update(a.users)
                    .where(a.users.c.id == row.id)
                    .values(password_hash=self.hasher.hash(password))
                )
        return User(row.id, row.name, row.role)
