"""A stolen database file reveals no protected name; editors still read and find them."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from sqlalchemy import inspect, select, text, update

from civicspace.access import Viewer
from civicspace.application import open_database, open_store
from civicspace.crypto import KeyProblem, Keyring, KeysNotConfigured, MasterKey, associated_data
from civicspace.db import schema as t
from civicspace.demo import demo_dataset_path
from civicspace.ingest.bundle import import_file
from civicspace.model import Person
from civicspace.store.repository import Store
from civicspace.trust import NoJournal
from tests.helpers import EDITOR, load_sample

# Every protected value of the sample and demo data, and the folding keys search would
# have stored for them. ("Canarybek" and "witness W-1" alone also appear in a restricted
# demo incident, which is not confidential and so not encrypted.)
PROTECTED = (
    "Aigerim Canarybek",
    "Айгерим Канарбек",
    "Канарбек",
    "aigerim canaribek",
    "aigerim kanarbek",
    "kanarbek",
    "Interview notes",
    "Informant K",
    "Свидетель Ш-1",
    "Canary informant network",
    "Confidential source A",
    "Fictional confidential witness",
)


def _load_everything(store: Store, tmp_path: Path) -> None:
    load_sample(store, tmp_path)
    import_file(store, demo_dataset_path(), EDITOR, replace=True)
    witness = store.get("persons", "person-witness", EDITOR)
    store.save(witness.model_copy(update={"description": "phone +7 701 555 0199"}), EDITOR)


def _leaks(data: bytes) -> list[str]:
    lowered = data.lower()
    return [p for p in (*PROTECTED, "+7 701 555 0199") if p.lower().encode() in lowered]


@pytest.mark.parametrize("journal", ["none", "revisions"])
def test_sqlite_file_wal_and_fts_tables_hold_no_protected_plaintext(
    tmp_path: Path, journal: str
) -> None:
    path = tmp_path / "stolen.sqlite"
    db = open_database(path)
    db.migrate()
    store = open_store(db, journal=NoJournal()) if journal == "none" else open_store(db)
    _load_everything(store, tmp_path)
    # Read the files as a thief would, while the WAL still holds the latest pages.
    files = sorted(tmp_path.glob("stolen.sqlite*"))
    assert path.with_name("stolen.sqlite-wal") in files
    raw = b"".join(f.read_bytes() for f in files if not f.name.endswith(".key"))
    assert _leaks(raw) == []
    with db.begin() as conn:  # the FTS shadow tables are part of the file; check them by name
        blocks = conn.execute(text("SELECT block FROM search_fts_data")).scalars().all()
        assert blocks and _leaks(b"".join(blocks)) == []
    # ... and after a checkpoint folds the WAL into the main file.
    with db.begin() as conn:
        conn.execute(text("PRAGMA wal_checkpoint(TRUNCATE)"))
    assert _leaks(path.read_bytes()) == []
    # The editor still gets every value back.
    witness = store.get("persons", "person-witness-w1", EDITOR)
    assert witness.name.text == "Aigerim Canarybek"
    assert "Witness W-1" in [n.text for n in witness.names]  # type: ignore[attr-defined]
    assert store.get("sources", "src-secret", EDITOR).title == "Interview notes"  # type: ignore[attr-defined]
    db.dispose()


def _dump(store: Store, tables: list[str] | None = None) -> bytes:
    engine = store.db.engine
    dumped: list[str] = []
    with engine.connect() as conn:
        for table in tables or inspect(engine).get_table_names():
            if table.startswith("search_fts"):
                continue  # FTS5 shadow tables are covered by the raw-file test
            for row in conn.execute(text(f'SELECT * FROM "{table}"')):
                dumped.append(" ".join(str(v) for v in row))
    return "\n".join(dumped).encode()


def test_no_table_holds_protected_plaintext_through_plain_sql(store: Store, tmp_path: Path) -> None:
    """Runs on SQLite and PostgreSQL: every column of every table, read with plain SQL."""
    _load_everything(store, tmp_path)
    assert _leaks(_dump(store)) == []


def test_revision_history_holds_no_protected_plaintext(store: Store, tmp_path: Path) -> None:
    _load_everything(store, tmp_path)
    assert _leaks(_dump(store, ["revisions"])) == []


def test_editor_finds_exact_names_and_words_but_not_prefixes(store: Store, tmp_path: Path) -> None:
    _load_everything(store, tmp_path)
    for query in ("Aigerim Canarybek", "Айгерим Канарбек", "Канарбек", "Witness W-1"):
        assert "person-witness-w1" in {h.id for h in store.search(query, EDITOR)}, query
    hit = next(h for h in store.search("Aigerim Canarybek", EDITOR) if h.id == "person-witness")
    assert hit.title == "Aigerim Canarybek"
    assert store.search("Canaryb", EDITOR) == [] or all(
        h.visibility != "confidential" for h in store.search("Canaryb", EDITOR)
    )
    assert "src-secret" in {h.id for h in store.search("Informant K", EDITOR)}
    for viewer in (Viewer.anonymous(), Viewer("viewer", "v"), Viewer("researcher", "r")):
        assert "person-witness" not in {h.id for h in store.search("Aigerim Canarybek", viewer)}


def test_without_a_master_key_confidential_records_are_refused(database_url: str) -> None:
    db = open_database(database_url, keyring=None)
    store = open_store(db)
    public = Person(id="p-open", name={"text": "Open Person"}, visibility="public")
    store.save(public, EDITOR)
    secret = Person(id="p-secret", name={"text": "Hidden Person"}, visibility="confidential")
    with pytest.raises(KeysNotConfigured, match="civicspace keys init"):
        store.save(secret, EDITOR)
    with db.begin() as conn:
        assert conn.scalar(select(t.persons.c.id).where(t.persons.c.id == "p-secret")) is None
    db.dispose()


def test_a_ciphertext_moved_to_another_record_does_not_open(store: Store) -> None:
    for pid, name in (("p-a", "Alpha Secret"), ("p-b", "Beta Secret")):
        store.save(Person(id=pid, name={"text": name}, visibility="confidential"), EDITOR)
    with store.db.begin() as conn:
        sealed = conn.scalar(select(t.persons.c.name).where(t.persons.c.id == "p-a"))
        assert sealed["text"].startswith("cs1:")
        conn.execute(update(t.persons).where(t.persons.c.id == "p-b").values(name=sealed))
    with pytest.raises(KeyProblem, match="altered or moved"):
        store.get("persons", "p-b", EDITOR)


def test_the_wrong_master_key_is_refused_not_used(database_url: str, store: Store) -> None:
    store.save(Person(id="p-a", name={"text": "Alpha Secret"}, visibility="confidential"), EDITOR)
    other = open_database(database_url, keyring=Keyring(MasterKey.generate()))
    with pytest.raises(KeyProblem, match="does not open this database"):
        open_store(other).get("persons", "p-a", EDITOR)
    other.dispose()


def test_secrets_print_as_stars() -> None:
    key = MasterKey.generate()
    assert "**********" in repr(key) and key.serialize().split(":")[1] not in repr(key)
    assert str(key.secret) == "**********"


def test_new_sqlite_database_gets_a_private_key_file(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.delenv("CIVICSPACE_MASTER_KEY")
    db = open_database(tmp_path / "new.sqlite")
    db.migrate()
    key_file = tmp_path / "new.sqlite.key"
    assert key_file.stat().st_mode & 0o777 == 0o600
    open_store(db).save(
        Person(id="p", name={"text": "Kept Secret"}, visibility="confidential"), EDITOR
    )
    db.dispose()
    key_file.chmod(0o644)
    with pytest.raises(KeyProblem, match="chmod 600"):
        open_database(tmp_path / "new.sqlite")


@settings(max_examples=60, deadline=None)
@given(st.text(max_size=300), st.text(min_size=1, max_size=40))
def test_seal_then_open_gives_the_value_back_and_only_with_its_identity(
    keyring: Keyring, value: str, record_id: str
) -> None:
    aad = associated_data("persons", record_id, "name")
    sealed = keyring.seal(value, aad)
    assert sealed.startswith("cs1:") and (len(value) < 8 or value not in sealed)
    assert keyring.open(sealed, aad) == value
    with pytest.raises(KeyProblem):
        keyring.open(sealed, associated_data("persons", record_id + "x", "name"))


@pytest.fixture(scope="module")
def keyring(tmp_path_factory: pytest.TempPathFactory) -> Keyring:
    db = open_database(tmp_path_factory.mktemp("keys") / "k.sqlite")
    db.migrate()
    assert db.keyring is not None and db.keyring.unlocked
    return db.keyring
