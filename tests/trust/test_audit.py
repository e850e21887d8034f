"""The audit trail: a hash chain that names the first altered, removed or reordered entry."""

from __future__ import annotations

import datetime as dt
import json
import threading
from pathlib import Path

from sqlalchemy import delete, select, update

from civicspace.access.policy import Viewer
from civicspace.db.audit import audit_head, audit_log
from civicspace.db.engine import Database
from civicspace.ingest.bundle import export_bundle
from civicspace.store.repository import RecordQuery, Store
from civicspace.trust import audit
from tests.helpers import EDITOR, load_sample
from tests.web.conftest import PASSWORD, Web

RESEARCHER = Viewer("researcher", "researcher-1")


def _busy(store: Store, tmp_path: Path) -> None:
    """A sample import and a few edits: a chain of several entries."""
    load_sample(store, tmp_path)
    for title in ("One", "Two", "Three"):
        law = store.get("laws", "law-elections", EDITOR)
        store.save(law.model_copy(update={"title": title}), EDITOR, law.version)
    store.get("persons", "person-witness", EDITOR)


def _verify(db: Database, published: str | None = None) -> audit.Verdict:
    with db.begin() as conn:
        return audit.verify(conn, published)


def _entries(db: Database) -> list[dict[str, object]]:
    with db.begin() as conn:
        return list(audit.entries(conn))


def test_an_untouched_chain_verifies(store: Store, tmp_path: Path) -> None:
    _busy(store, tmp_path)
    verdict = _verify(store.db)
    assert verdict.ok and verdict.entries == len(_entries(store.db)) >= 5
    with store.db.begin() as conn:
        assert audit.head(conn) == (verdict.entries, verdict.head)


def test_an_altered_entry_is_named(store: Store, tmp_path: Path) -> None:
    _busy(store, tmp_path)
    with store.db.begin() as conn:
        conn.execute(update(audit_log).where(audit_log.c.seq == 3).values(actor="someone-else"))
    verdict = _verify(store.db)
    assert not verdict.ok and verdict.broken_at == 3 and "altered" in verdict.message()


def test_a_removed_entry_is_named(store: Store, tmp_path: Path) -> None:
    _busy(store, tmp_path)
    with store.db.begin() as conn:
        conn.execute(delete(audit_log).where(audit_log.c.seq == 2))
    verdict = _verify(store.db)
    assert not verdict.ok and verdict.broken_at == 2 and "missing" in verdict.message()


def test_reordered_entries_are_named(store: Store, tmp_path: Path) -> None:
    _busy(store, tmp_path)
    rows = {e["seq"]: e for e in _entries(store.db)}
    with store.db.begin() as conn:  # swap entries 2 and 3, renumbered to keep the sequence
        for seq, other in ((2, 3), (3, 2)):
            moved = {k: v for k, v in rows[other].items() if k != "seq"}
            conn.execute(update(audit_log).where(audit_log.c.seq == seq).values(**moved))
    verdict = _verify(store.db)
    assert not verdict.ok and verdict.broken_at == 2


def test_entries_cut_from_the_end_are_detected(store: Store, tmp_path: Path) -> None:
    _busy(store, tmp_path)
    last = len(_entries(store.db))
    with store.db.begin() as conn:
        conn.execute(delete(audit_log).where(audit_log.c.seq == last))
    verdict = _verify(store.db)
    assert not verdict.ok and verdict.broken_at == last


def test_a_rewritten_chain_does_not_match_the_published_head(store: Store, tmp_path: Path) -> None:
    _busy(store, tmp_path)
    published = _verify(store.db).head
    # An insider rewrites entry 2 and recomputes every hash after it, and the head.
    rows = _entries(store.db)
    with store.db.begin() as conn:
        prev = rows[0]["hash"]
        for row in rows[1:]:
            if row["seq"] == 2:
                row["actor"] = "nobody"
            row["prev_hash"] = prev
            row["hash"] = prev = audit.entry_hash(str(prev), row)
            conn.execute(update(audit_log).where(audit_log.c.seq == row["seq"]).values(**row))
        conn.execute(update(audit_head).values(hash=prev))
    assert _verify(store.db).ok  # consistent in itself...
    verdict = _verify(store.db, published)  # ...but not with what was published
    assert not verdict.ok and "rewritten" in verdict.message()


def test_a_published_head_stays_valid_as_the_chain_grows(store: Store, tmp_path: Path) -> None:
    _busy(store, tmp_path)
    published = _verify(store.db).head
    store.get("persons", "person-witness", EDITOR)
    verdict = _verify(store.db, published)
    assert verdict.ok and verdict.published_head_found and verdict.head != published


def test_confidential_reads_are_audited(store: Store, tmp_path: Path) -> None:
    load_sample(store, tmp_path)
    before = len(_entries(store.db))
    store.get("persons", "person-mamai", EDITOR)  # public: not logged
    store.list("incidents", RESEARCHER)  # cannot see confidential: nothing to log
    assert len(_entries(store.db)) == before

    store.get("persons", "person-witness", EDITOR)
    store.list("persons", EDITOR, RecordQuery(visibility="confidential"))
    store.get_many("sources", ["src-secret", "src-update"], EDITOR)
    store.search("Canarybek", EDITOR)
    reads = [e for e in _entries(store.db)[before:] if e["action"] == "read"]
    assert [(e["actor"], e["kind"], json.loads(str(e["detail"]))["ids"]) for e in reads] == [
        ("editor-1", "persons", ["person-witness"]),
        ("editor-1", "persons", ["person-witness"]),
        ("editor-1", "sources", ["src-secret"]),
        ("editor-1", "persons", ["person-witness"]),
    ]
    assert _verify(store.db).ok


def test_exports_are_audited(store: Store, tmp_path: Path) -> None:
    load_sample(store, tmp_path)
    export_bundle(store, EDITOR)
    exports = [e for e in _entries(store.db) if e["action"] == "export"]
    by_kind = {e["kind"]: json.loads(str(e["detail"])) for e in exports}
    assert by_kind["persons"]["confidential_ids"] == ["person-witness"]
    assert by_kind["sources"]["confidential_ids"] == ["src-secret"]
    assert all(e["actor"] == "editor-1" for e in exports)


def test_changes_are_audited_with_their_revision(store: Store, tmp_path: Path) -> None:
    load_sample(store, tmp_path)
    loaded = len(_entries(store.db))  # the import's own batch entries come first
    law = store.get("laws", "law-elections", EDITOR)
    store.save(law.model_copy(update={"title": "New"}), EDITOR, law.version, reason="typo")
    store.delete("laws", "law-elections", EDITOR)
    changes = [
        e for e in _entries(store.db)[loaded:] if e["kind"] == "laws" and e["action"] != "export"
    ]
    assert [
        (e["action"], e["record_id"], json.loads(str(e["detail"]))["revision"]) for e in changes
    ] == [
        ("update", "law-elections", 2),
        ("delete", "law-elections", 3),
    ]


def test_logins_are_audited(web: Web) -> None:
    for password in ("not the password", PASSWORD):
        form = web.http.get("/login")
        token = form.text.split('name="csrf_token" value="')[1].split('"')[0]
        web.http.post(
            "/login",
            data={"name": "editor", "password": password, "csrf_token": token},
            follow_redirects=False,
        )
    with web.db.begin() as conn:
        logins = conn.execute(
            select(audit_log.c.action, audit_log.c.actor).where(audit_log.c.action.like("login%"))
        ).all()
    assert [tuple(r) for r in logins] == [("login-failed", "editor"), ("login", "editor")]


def test_concurrent_appends_keep_one_unbroken_chain(database: Database) -> None:
    """Writers appending at once (each a transaction of its own, as confidential reads are)
    get consecutive entries; on PostgreSQL the server hashes them, and the hashes are the
    ones :func:`audit.entry_hash` recomputes, whatever the script of the names."""
    threads, each = 8, 15
    now = dt.datetime(2024, 5, 1, 12, 0, tzinfo=dt.UTC)
    errors: list[BaseException] = []

    def writer(n: int) -> None:
        try:
            for i in range(each):
                event = audit.AuditEvent(
                    "read", f"редактор-{n}", "persons", f"p-{i}", {"ids": [f"p-{i}"], "note": "é"}
                )
                with database.begin() as conn:
                    audit.append(conn, [event], now)
        except BaseException as exc:  # noqa: BLE001 - reported below
            errors.append(exc)

    with database.begin() as conn:  # the first entry (the fixture's TRUNCATE took the head)
        audit.append(conn, [audit.AuditEvent("login", "editor-1")], now)
    workers = [threading.Thread(target=writer, args=(n,)) for n in range(threads)]
    for w in workers:
        w.start()
    for w in workers:
        w.join(timeout=120)
    assert errors == []
    verdict = _verify(database)
    assert verdict.ok, verdict.message()
    assert verdict.entries == 1 + threads * each
    entries = _entries(database)
    assert [e["seq"] for e in entries] == list(range(1, threads * each + 2))
    assert all(audit.entry_hash(str(e["prev_hash"]), e) == e["hash"] for e in entries)
