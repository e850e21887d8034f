"""Tokens and sessions found valid are trusted briefly; revoking still takes effect at once
in the process that revokes, and within the recheck time anywhere else."""

from __future__ import annotations

import datetime as dt

import pytest

from civicspace.access import Viewer
from civicspace.access.accounts import Accounts
from civicspace.access.admin import UserAdmin
from civicspace.access.tokens import Tokens
from civicspace.db.engine import Database
from tests.web.conftest import fast_hasher

ADMIN = Viewer("admin", "root")


class Clocks:
    """Wall time for the accounts, monotonic seconds for the recheck."""

    def __init__(self) -> None:
        self.now = dt.datetime(2022, 9, 1, 12, tzinfo=dt.UTC)
        self.seconds = 100.0

    def wall(self) -> dt.datetime:
        return self.now

    def monotonic(self) -> float:
        return self.seconds


@pytest.fixture
def clocks() -> Clocks:
    return Clocks()


@pytest.fixture
def accounts(database: Database, clocks: Clocks) -> Accounts:
    accounts = Accounts(database, clock=clocks.wall, hasher=fast_hasher())
    accounts.add_user("root", "admin", "a long passphrase")
    accounts.add_user("aliya", "editor", "a long passphrase")
    return accounts


@pytest.fixture
def tokens(accounts: Accounts, clocks: Clocks) -> Tokens:
    return Tokens(accounts, dt.timedelta(hours=1), recheck_after=1.0, monotonic=clocks.monotonic)


def elsewhere(database: Database) -> Tokens:
    """The tokens of another process (the command line, another server worker)."""
    return Tokens(Accounts(database, hasher=fast_hasher()))


def test_a_revocation_elsewhere_applies_within_the_recheck_time(
    tokens: Tokens, database: Database, clocks: Clocks
) -> None:
    _, secret = tokens.create("aliya")
    assert tokens.user_for(secret) is not None
    assert elsewhere(database).revoke(token=secret)
    clocks.seconds += 0.5  # still trusted: nobody here knows of the revocation yet
    assert tokens.user_for(secret) is not None
    clocks.seconds += 0.5
    assert tokens.user_for(secret) is None
    clocks.seconds += 0.1  # a refusal is never remembered either way
    assert tokens.user_for(secret) is None


def test_a_revocation_here_applies_at_once(tokens: Tokens, accounts: Accounts) -> None:
    token_id, secret = tokens.create("aliya")
    assert tokens.user_for(secret) is not None
    assert tokens.revoke(token_id)
    assert tokens.user_for(secret) is None
    _, other = tokens.create("aliya")
    assert tokens.user_for(other) is not None
    # Another Tokens over the same accounts (an admin page building its own) counts too.
    assert Tokens(accounts).revoke(token=other)
    assert tokens.user_for(other) is None


def test_disabling_and_role_changes_apply_at_once(tokens: Tokens, accounts: Accounts) -> None:
    _, secret = tokens.create("aliya")
    user = accounts.get("aliya")
    assert user is not None
    session = tokens.start_session(user)
    assert tokens.user_for(secret).role == "editor"  # type: ignore[union-attr]
    admin = UserAdmin(accounts, tokens)
    admin.set_role(ADMIN, "aliya", "viewer")
    assert tokens.user_for(secret).role == "viewer"  # type: ignore[union-attr]
    assert tokens.session_user(session).role == "viewer"  # type: ignore[union-attr]
    admin.set_disabled(ADMIN, "aliya", True)
    assert tokens.user_for(secret) is None and tokens.session_user(session) is None
    admin.set_disabled(ADMIN, "aliya", False)
    assert tokens.user_for(secret).role == "viewer"  # type: ignore[union-attr]
    assert tokens.session_user(session) is None  # disabling ended the session for good


def test_sessions_end_at_logout_expiry_and_new_password(
    tokens: Tokens, accounts: Accounts, clocks: Clocks
) -> None:
    user = accounts.get("aliya")
    assert user is not None
    session = tokens.start_session(user)
    assert tokens.session_user(session) == user
    tokens.end_session(session)
    assert tokens.session_user(session) is None
    session = tokens.start_session(user)
    assert tokens.session_user(session) == user
    accounts.set_password("aliya", "another passphrase")
    assert tokens.session_user(session) is None
    session = tokens.start_session(user)
    assert tokens.session_user(session) == user
    clocks.now += dt.timedelta(hours=1)  # expired, though checked an instant ago
    assert tokens.session_user(session) is None


def test_a_session_secret_is_no_api_token(tokens: Tokens, accounts: Accounts) -> None:
    user = accounts.get("aliya")
    assert user is not None
    session = tokens.start_session(user)
    _, secret = tokens.create("aliya")
    assert tokens.session_user(session) == user and tokens.user_for(secret) == user
    assert tokens.user_for(session) is None
    assert tokens.session_user(secret) is None


def test_recheck_zero_asks_the_database_every_time(
    accounts: Accounts, database: Database, clocks: Clocks
) -> None:
    tokens = Tokens(accounts, recheck_after=0, monotonic=clocks.monotonic)
    _, secret = tokens.create("aliya")
    assert tokens.user_for(secret) is not None
    assert elsewhere(database).revoke(token=secret)
    assert tokens.user_for(secret) is None
