"""Evidence files: stored by hash, sniffed not trusted, size-limited, encrypted when
confidential, every access in the chain of custody, and changes found by verify."""

from __future__ import annotations

import hashlib
import io
import os
from pathlib import Path

import pytest
from sqlalchemy import select, text
from typer.testing import CliRunner

from civicspace.access import Viewer
from civicspace.cli.app import app
from civicspace.db.evidence import evidence_custody, evidence_files
from civicspace.evidence import EvidenceDamaged, EvidenceLocker, EvidenceRejected
from civicspace.store.repository import NotFound, Store
from tests.helpers import EDITOR, load_sample

JPEG = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00" + os.urandom(5000)
PDF = b"%PDF-1.7\n" + b"Witness statement of Aigerim Canarybek\n" * 50
RESEARCHER = Viewer("researcher", "r")


@pytest.fixture
def locker(store: Store, tmp_path: Path) -> EvidenceLocker:
    load_sample(store, tmp_path)
    return EvidenceLocker(store, tmp_path / "evidence", max_bytes=100_000)


def _file(tmp_path: Path, name: str, data: bytes) -> Path:
    path = tmp_path / name
    path.write_bytes(data)
    return path


def test_a_file_is_stored_by_its_hash_with_its_metadata_and_custody(
    locker: EvidenceLocker, tmp_path: Path
) -> None:
    photo = _file(tmp_path, "IMG_0042.jpg", JPEG)
    added = locker.add(
        "incidents",
        "inc-extension",
        photo,
        EDITOR,
        declared_type="image/jpeg",
        origin="handed over on a USB stick by the lawyer",
        note="court entrance",
    )
    sha = hashlib.sha256(JPEG).hexdigest()
    assert added.sha256 == sha and added.size == len(JPEG) and not added.encrypted
    assert (locker.blobs.root / sha[:2] / sha).read_bytes() == JPEG
    [listed] = locker.attached("incidents", "inc-extension", EDITOR)
    assert (listed.original_name, listed.declared_type, listed.sniffed_type) == (
        "IMG_0042.jpg",
        "image/jpeg",
        "image/jpeg",
    )
    assert listed.added_by == "editor-1" and listed.note == "court entrance"
    assert locker.read(added.id, EDITOR, origin="office laptop") == JPEG
    locker.export(added.id, EDITOR, tmp_path / "out")
    custody = locker.custody(added.id, EDITOR)
    assert [c.action for c in custody] == ["added", "accessed", "exported"]
    assert custody[0].origin == "handed over on a USB stick by the lawyer"
    assert all(c.sha256 == sha and c.actor == "editor-1" for c in custody)


def test_the_type_comes_from_the_content_not_the_name(
    locker: EvidenceLocker, tmp_path: Path
) -> None:
    disguised = _file(tmp_path, "photo.jpg", b"MZ\x90\x00" + os.urandom(200))
    with pytest.raises(EvidenceRejected, match="application/x-msdownload"):
        locker.add("incidents", "inc-extension", disguised, EDITOR, declared_type="image/jpeg")
    elf = _file(tmp_path, "scan.pdf", b"\x7fELF\x02\x01\x01" + os.urandom(100))
    with pytest.raises(EvidenceRejected):
        locker.add("incidents", "inc-extension", elf, EDITOR)
    pdf = locker.add(
        "incidents",
        "inc-extension",
        _file(tmp_path, "x.jpg", PDF),
        EDITOR,
        declared_type="image/jpeg",
    )
    assert (pdf.declared_type, pdf.sniffed_type) == ("image/jpeg", "application/pdf")
    assert len(locker.attached("incidents", "inc-extension", EDITOR)) == 1


def test_oversized_files_are_refused_and_leave_nothing(
    locker: EvidenceLocker, tmp_path: Path
) -> None:
    big = _file(tmp_path, "video.mp4", b"\x00\x00\x00\x18ftypmp42" + b"\x00" * 200_000)
    with pytest.raises(EvidenceRejected, match="larger than the limit"):
        locker.add("incidents", "inc-extension", big, EDITOR)
    assert locker.attached("incidents", "inc-extension", EDITOR) == []
    assert [p for p in locker.blobs.root.rglob("*") if p.is_file()] == []


@pytest.mark.parametrize(
    "name",
    [
        "../../../../tmp/evil.pdf",
        "..\\..\\evil.pdf",
        "/etc/passwd",
        "..",
        "a/../../b.pdf",
        "\x00\x1b[31mred.pdf",
    ],
)
def test_file_names_cannot_escape_the_folders(
    locker: EvidenceLocker, tmp_path: Path, name: str
) -> None:
    added = locker.add("incidents", "inc-extension", io.BytesIO(PDF), EDITOR, original_name=name)
    assert "/" not in added.original_name and "\\" not in added.original_name
    assert not added.original_name.startswith(".") and added.original_name.isprintable()
    out = tmp_path / "export"
    out.mkdir()
    written = locker.export(added.id, EDITOR, out)
    assert written.parent == out.resolve() and written.read_bytes() == PDF
    stored = [p for p in locker.blobs.root.rglob("*") if p.is_file()]
    assert all(p.resolve().is_relative_to(locker.blobs.root.resolve()) for p in stored)


def test_files_of_confidential_records_are_encrypted(
    locker: EvidenceLocker, tmp_path: Path
) -> None:
    added = locker.add(
        "persons",
        "person-witness",
        _file(tmp_path, "Canarybek statement.pdf", PDF),
        EDITOR,
        origin="Informant K",
        note="statement of Aigerim Canarybek",
    )
    assert added.encrypted
    sha = hashlib.sha256(PDF).hexdigest()
    blobs = [p for p in locker.blobs.root.rglob("*") if p.is_file()]
    assert len(blobs) == 1 and sha not in str(blobs[0])  # not even the hash shows
    raw = blobs[0].read_bytes()
    assert b"Canarybek" not in raw and b"%PDF" not in raw
    with locker.db.begin() as conn:
        rows = conn.execute(text("SELECT * FROM evidence_files")).all()
        custody = conn.execute(text("SELECT * FROM evidence_custody")).all()
    dumped = repr(rows) + repr(custody)
    assert "Canarybek" not in dumped and "Informant K" not in dumped
    assert locker.read(added.id, EDITOR) == PDF
    assert locker.attached("persons", "person-witness", EDITOR)[0].original_name == (
        "Canarybek statement.pdf"
    )
    with pytest.raises(NotFound):
        locker.attached("persons", "person-witness", RESEARCHER)
    with pytest.raises(NotFound):
        locker.read(added.id, RESEARCHER)


def test_readers_cannot_add_and_hidden_records_take_no_files(locker: EvidenceLocker) -> None:
    with pytest.raises(PermissionError):
        locker.add("incidents", "inc-extension", io.BytesIO(PDF), Viewer("viewer", "v"))
    with pytest.raises(NotFound):
        locker.add("persons", "person-witness", io.BytesIO(PDF), RESEARCHER)


def test_verify_names_changed_and_missing_files(locker: EvidenceLocker, tmp_path: Path) -> None:
    plain = locker.add("incidents", "inc-extension", io.BytesIO(JPEG), EDITOR)
    gone = locker.add("incidents", "inc-extension", io.BytesIO(PDF), EDITOR)
    secret = locker.add("persons", "person-witness", io.BytesIO(PDF + b"x"), EDITOR)
    assert locker.verify() == []
    blobs = {row.id: row.stored_as for row in _rows(locker)}
    path = locker.blobs.path(blobs[plain.id])
    path.write_bytes(path.read_bytes()[:-1] + b"\x00")
    locker.blobs.path(blobs[gone.id]).unlink()
    sealed = locker.blobs.path(blobs[secret.id])
    damaged = bytearray(sealed.read_bytes())
    damaged[40] ^= 1
    sealed.write_bytes(bytes(damaged))
    problems = {p.file_id: p.problem for p in locker.verify()}
    assert set(problems) == {plain.id, gone.id, secret.id}
    assert "changed" in problems[plain.id] and "missing" in problems[gone.id]
    assert "altered" in problems[secret.id]
    with pytest.raises(EvidenceDamaged):
        locker.read(plain.id, EDITOR)
    with locker.db.begin() as conn:
        failed = conn.scalars(
            select(evidence_custody.c.file_id).where(evidence_custody.c.action == "verify_failed")
        ).all()
    assert sorted(failed) == sorted(problems)


def _rows(locker: EvidenceLocker) -> list:
    with locker.db.begin() as conn:
        return list(conn.execute(select(evidence_files)))


def test_cli_add_list_verify(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    db = tmp_path / "cli.sqlite"
    runner = CliRunner()
    sample = tmp_path / "sample.json"
    import json

    from tests.factories import sample_bundle

    sample.write_text(json.dumps(sample_bundle(), ensure_ascii=False), encoding="utf-8")
    assert runner.invoke(app, ["--db", str(db), "import", str(sample)]).exit_code == 0
    photo = _file(tmp_path, "photo.jpg", JPEG)
    added = runner.invoke(
        app,
        [
            "--db",
            str(db),
            "evidence",
            "add",
            "incidents",
            "inc-extension",
            str(photo),
            "--note",
            "court entrance",
        ],
    )
    assert added.exit_code == 0, added.output
    listed = runner.invoke(
        app, ["--db", str(db), "evidence", "list", "incidents", "inc-extension", "--json"]
    )
    assert json.loads(listed.output)[0]["sha256"] == hashlib.sha256(JPEG).hexdigest()
    assert (tmp_path / "evidence").is_dir()  # beside the database by default
    assert runner.invoke(app, ["--db", str(db), "evidence", "verify"]).exit_code == 0
    for blob in (tmp_path / "evidence").rglob("*"):
        if blob.is_file():
            blob.unlink()
    failed = runner.invoke(app, ["--db", str(db), "evidence", "verify"])
    assert failed.exit_code == 1 and "missing" in failed.output
