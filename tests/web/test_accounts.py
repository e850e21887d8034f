"""Accounts: argon2 hashes, throttled guessing, sessions and tokens stored only hashed."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import select

from civicspace.access.accounts import AccountError, Accounts, LoginLimit, LoginThrottled
from civicspace.access.tokens import Tokens
from civicspace.db import accounts as a
from civicspace.db.engine import Database
from tests.web.conftest import fast_hasher


class Clock:
    def __init__(self) -> None:
        self.now = dt.datetime(2022, 9, 1, 12, tzinfo=dt.UTC)

    def __call__(self) -> dt.datetime:
        return self.now


def test_passwords_are_argon2_and_checked(database: Database) -> None:
    accounts = Accounts(database, hasher=fast_hasher())
    accounts.add_user("aliya", "researcher", "a long passphrase")
    with database.begin() as conn:
        stored = conn.scalar(select(a.users.c.password_hash))
    assert stored.startswith("$argon2id$") and "passphrase" not in stored
    assert accounts.authenticate("aliya", "a long passphrase").role == "researcher"
    assert accounts.authenticate("aliya", "wrong passphrase") is None
    assert accounts.authenticate("nobody", "a long passphrase") is None
    with pytest.raises(AccountError, match="at least"):
        accounts.add_user("short", "viewer", "short")
    with pytest.raises(AccountError, match="unknown role"):
        accounts.add_user("boss", "owner", "a long passphrase")
    with pytest.raises(AccountError, match="exists"):
        accounts.add_user("aliya", "viewer", "a long passphrase")


def test_guessing_is_throttled_then_allowed_again(database: Database) -> None:
    clock = Clock()
    accounts = Accounts(database, clock=clock, hasher=fast_hasher(), limit=LoginLimit(per_name=3))
    accounts.add_user("aliya", "editor", "a long passphrase")
    for _ in range(3):
        assert accounts.authenticate("aliya", "guess", client="10.0.0.9") is None
    with pytest.raises(LoginThrottled) as refused:
        accounts.authenticate("aliya", "a long passphrase", client="10.0.0.9")
    assert 0 < refused.value.retry_after <= 15 * 60
    clock.now += dt.timedelta(minutes=16)
    assert accounts.authenticate("aliya", "a long passphrase", client="10.0.0.9") is not None


def test_sessions_expire_and_tokens_are_stored_hashed(database: Database) -> None:
    clock = Clock()
    accounts = Accounts(database, clock=clock, hasher=fast_hasher())
    user = accounts.add_user("aliya", "viewer", "a long passphrase")
    tokens = Tokens(accounts, dt.timedelta(hours=1))
    session = tokens.start_session(user)
    token_id, secret = tokens.create("aliya", "script")
    assert secret.startswith("cs_")
    with database.begin() as conn:
        stored = [
            *conn.scalars(select(a.sessions.c.token_hash)),
            *conn.scalars(select(a.api_tokens.c.token_hash)),
        ]
    assert session not in stored and secret not in stored
    assert tokens.session_user(session) == user and tokens.user_for(secret) == user
    clock.now += dt.timedelta(hours=2)
    assert tokens.session_user(session) is None
    assert tokens.revoke(token_id) and not tokens.revoke(token_id)
    assert tokens.user_for(secret) is None
    assert [t.revoked for t in tokens.list("aliya")] == [True]
    accounts.set_password("aliya", "another passphrase")
    assert accounts.authenticate("aliya", "a long passphrase") is None
