"""A web app over a real database (SQLite and PostgreSQL) holding the sample bundle,
with one account and one API token per role."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from argon2 import PasswordHasher
from fastapi.testclient import TestClient

from civicspace.access.accounts import Accounts
from civicspace.access.tokens import Tokens
from civicspace.application import open_store
from civicspace.db.engine import Database
from civicspace.store.repository import Store
from civicspace.web import Settings, create_app
from tests.helpers import load_sample

ROLES = ("anonymous", "viewer", "researcher", "editor", "admin")
PASSWORD = "correct horse battery"
TODAY = dt.date(2022, 9, 1)
# Everything an anonymous visitor must never see in the sample bundle.
CANARIES = (
    "Canarybek",
    "Канарбек",
    "person-witness",
    "Interview notes",
    "Informant K",
    "src-secret",
    "inc-draft",
    "Unverified report of a dispersal",
)
CONFIDENTIAL = CANARIES[:6]


def fast_hasher() -> PasswordHasher:
    """Argon2id with small costs: the same algorithm, fast enough for a test suite."""
    return PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1)


@dataclass
class Web:
    db: Database
    store: Store
    accounts: Accounts
    tokens: dict[str, str] = field(default_factory=dict)
    client: TestClient | None = None

    def as_(self, role: str) -> dict[str, str]:
        """Headers authenticating as ``role`` (none for anonymous)."""
        return {"Authorization": f"Bearer {self.tokens[role]}"} if role != "anonymous" else {}

    @property
    def http(self) -> TestClient:
        assert self.client is not None
        return self.client


def build_web(database: Database, tmp_path: Path, sample: bool = True, **settings: object) -> Web:
    if sample:
        load_sample(open_store(database), tmp_path)
    accounts = Accounts(database, hasher=fast_hasher())
    tokens = Tokens(accounts)
    web = Web(database, open_store(database), accounts)
    for role in ROLES[1:]:
        accounts.add_user(role, role, PASSWORD)
        web.tokens[role] = tokens.create(role, "tests")[1]
    app = create_app(
        database,
        Settings(today=lambda: TODAY, **settings),
        accounts=accounts,  # type: ignore[arg-type]
    )
    web.client = TestClient(app, base_url="http://testserver")
    return web


@pytest.fixture
def web(database: Database, tmp_path: Path) -> Iterator[Web]:
    built = build_web(database, tmp_path)
    with built.http:
        yield built
