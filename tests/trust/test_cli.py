"""``history``, ``undelete``, ``audit`` and ``backup``/``restore`` driven as a user would."""

from __future__ import annotations

import json
import os
import sqlite3
from pathlib import Path

from typer.testing import CliRunner

from civicspace.application import open_database, open_store
from civicspace.cli.app import app

runner = CliRunner()


def run(
    db: str, *args: str, role: str | None = None, stdin: str | None = None
) -> tuple[int, str, str]:
    prefix = ["--db", db] + (["--as", role] if role else [])
    result = runner.invoke(app, [*prefix, *args], input=stdin)
    return result.exit_code, result.stdout, result.stderr


def test_history_undelete_and_restore(tmp_path: Path) -> None:
    db = str(tmp_path / "cli.sqlite")
    assert run(db, "demo", "--json")[0] == 0
    incident = json.loads(run(db, "list", "incidents", "--limit", "1", "--json")[1])["items"][0]
    rid = incident["id"]

    code, out, err = run(db, "history", "incidents", rid, "--json")
    assert code == 0, err
    assert [r["action"] for r in json.loads(out)] == ["create"]

    # Delete through the store (the CLI has no delete), then undelete and restore.
    from civicspace.access.policy import Viewer

    database = open_database(db)
    open_store(database).delete("incidents", rid, Viewer("editor", "aliya"), reason="test")
    database.dispose()
    assert run(db, "show", "incidents", rid)[0] == 1
    assert run(db, "undelete", "incidents", rid, role="researcher")[0] == 1
    code, out, err = run(db, "undelete", "incidents", rid, "--reason", "by mistake")
    assert code == 0, err
    assert run(db, "show", "incidents", rid)[0] == 0
    code, out, err = run(db, "history", "restore", "incidents", rid, "1")
    assert code == 0, err
    code, out, _ = run(db, "history", "incidents", rid, "--json")
    assert [(r["action"], r["actor"], r["reason"]) for r in json.loads(out)] == [
        ("create", "cli", None),
        ("delete", "aliya", "test"),
        ("undelete", "cli", "by mistake"),
        ("restore", "cli", "restore of revision 1"),
    ]
    code, out, _ = run(db, "history", "incidents", rid)
    assert code == 0 and "revision 2: delete by aliya" in out
    assert run(db, "history", "incidents", "no-such-id")[0] == 1


def test_audit_verify_head_export_and_a_tampered_row(tmp_path: Path) -> None:
    db = str(tmp_path / "cli.sqlite")
    run(db, "demo", "--json")
    code, out, _ = run(db, "audit", "head")
    head, seq = out.split()
    assert code == 0 and len(head) == 64 and int(seq) >= 1
    code, out, _ = run(db, "audit", "verify", "--head", head)
    assert code == 0 and "intact" in out and "published head is in the chain" in out
    code, out, _ = run(db, "audit", "export", "--out", str(tmp_path / "audit.jsonl"))
    lines = [json.loads(x) for x in (tmp_path / "audit.jsonl").read_text().splitlines()]
    assert lines[0]["prev_hash"] == "0" * 64 and lines[-1]["action"] == "audit-export"

    with sqlite3.connect(db) as conn:
        conn.execute("UPDATE audit_log SET actor = 'nobody' WHERE seq = 1")
    conn.close()
    code, _, err = run(db, "audit", "verify")
    assert code == 1 and "broken at entry 1" in err and "altered" in err


def test_backup_and_restore_commands(tmp_path: Path) -> None:
    db = str(tmp_path / "cli.sqlite")
    run(db, "demo", "--json")
    key = tmp_path / "key"
    key.write_bytes(os.urandom(32))
    out = tmp_path / "demo.csbackup"
    code, printed, err = run(
        db,
        "backup",
        "--out",
        str(out),
        "--key-file",
        str(key),
        "--evidence",
        str(tmp_path / "none"),
    )
    assert code == 0, err
    assert "audit head" in printed
    target = str(tmp_path / "restored.sqlite")
    code, printed, err = run(
        db,
        "restore",
        str(out),
        "--db",
        target,
        "--key-file",
        str(key),
        "--evidence",
        str(tmp_path / "ev"),
    )
    assert code == 0, err
    assert run(db, "audit", "head")[1].split()[0] in printed
    run(db, "export", "--out", str(tmp_path / "a.json"))
    run(target, "export", "--out", str(tmp_path / "b.json"))
    a = json.loads((tmp_path / "a.json").read_text())
    assert a == json.loads((tmp_path / "b.json").read_text()) and a["incidents"]

    code, _, err = run(
        db,
        "restore",
        str(out),
        "--db",
        str(tmp_path / "x.sqlite"),
        "--passphrase-stdin",
        stdin="not the passphrase\n",
    )
    assert code == 1 and "key file" in err


def test_backup_takes_the_evidence_beside_the_database_by_default(tmp_path: Path) -> None:
    db = str(tmp_path / "cli.sqlite")
    run(db, "init")
    (tmp_path / "evidence" / "ab").mkdir(parents=True)
    (tmp_path / "evidence" / "ab" / "abc").write_bytes(b"%PDF-1.7 court ruling")
    key = tmp_path / "key"
    key.write_text(os.urandom(32).hex() + "\n")  # a text key file, newline and all
    out = tmp_path / "b.csbackup"
    code, printed, err = run(db, "backup", "--out", str(out), "--key-file", str(key))
    assert code == 0 and "1 evidence files" in printed, err
    (tmp_path / "elsewhere").mkdir()
    target = tmp_path / "elsewhere" / "restored.sqlite"
    code, printed, err = run(db, "restore", str(out), "--db", str(target), "--key-file", str(key))
    assert code == 0, err
    restored = tmp_path / "elsewhere" / "evidence" / "ab" / "abc"
    assert restored.read_bytes() == b"%PDF-1.7 court ruling"
