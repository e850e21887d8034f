"""The ``civicspace lists`` commands end to end: synth, import, link, review, compare, estimate."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
import typer
from sqlalchemy import Table, select
from typer.testing import CliRunner

from civicspace.application import open_database
from civicspace.cli.app import app
from civicspace.cli.common import CliState, viewer
from civicspace.db.victim_lists import (
    linkage_runs,
    review_decisions,
    victim_list_records,
    victim_lists,
)

runner = CliRunner()


def run(
    db: Path, *args: str, as_role: str | None = None, stdin: str | None = None
) -> tuple[int, str, str]:
    options = ["--as", as_role] if as_role else []
    result = runner.invoke(app, ["--db", str(db), *options, "lists", *args], input=stdin)
    return result.exit_code, result.stdout, result.stderr


def test_workflow_from_synthetic_lists_to_an_estimate(tmp_path: Path) -> None:
    db = tmp_path / "cs.sqlite"
    code, out, _ = run(db, "synth", str(tmp_path / "lists"), "--people", "120", "--seed", "5")
    assert code == 0, out
    for name, kind in (("official", "official"), ("qantar", "ngo"), ("azattyk", "media")):
        code, out, err = run(
            db,
            "import",
            str(tmp_path / "lists" / f"{name}.csv"),
            "--id",
            name,
            "--kind",
            kind,
            "--date",
            "2022-08-15",
        )
        assert code == 0, err
        assert "imported" in out
    code, out, err = run(db, "link")
    assert code == 0, err
    assert "people" in out
    chart, people_csv, histories = (
        tmp_path / "upset.svg",
        tmp_path / "people.csv",
        tmp_path / "histories.csv",
    )
    code, out, err = run(
        db,
        "compare",
        "--chart",
        str(chart),
        "--csv",
        str(people_csv),
        "--histories",
        str(histories),
    )
    assert code == 0, err
    assert "not on the 'official' list" in out
    assert chart.read_text().lstrip().startswith("<?xml")
    header = people_csv.read_text(encoding="utf-8").splitlines()[0].split(",")
    assert header[:5] == ["person", "name", "azattyk", "official", "qantar"]
    code, out, err = run(
        db, "estimate", "--histories", str(histories), "--json", "--samples", "500"
    )
    assert code == 0, err
    report = json.loads(out)
    observed = sum(int(line.rsplit(",", 1)[1]) for line in histories.read_text().splitlines()[1:])
    assert report["observed"] == observed
    best = report["estimates"][report["recommended"]]
    assert best["method"] == "lcmcr"
    assert best["lower"] >= observed
    assert best["lower"] <= best["estimate"] <= best["upper"]


def test_import_errors_are_reported_without_traceback(tmp_path: Path) -> None:
    bad = tmp_path / "bad.csv"
    bad.write_text("name,age\nМамай Ж.,-3\n", encoding="utf-8")
    code, out, err = run(tmp_path / "cs.sqlite", "import", str(bad), "--id", "bad")
    assert code == 1
    assert f"{bad}:2:age: expected a whole number of years 0-120, got '-3'" in err
    assert "Traceback" not in err + out


def test_estimate_reports_bad_histories(tmp_path: Path) -> None:
    bad = tmp_path / "h.csv"
    bad.write_text("a,b,count\n1,0,ten\n")
    code, _, err = run(tmp_path / "cs.sqlite", "estimate", "--histories", str(bad))
    assert code == 1
    assert f"{bad}:2:count: expected a whole number >= 0, got 'ten'" in err


def test_two_lists_give_chapman(tmp_path: Path) -> None:
    path = tmp_path / "h.csv"
    path.write_text("official,ngo,count\n1,0,120\n0,1,40\n1,1,80\n")
    code, out, err = run(tmp_path / "cs.sqlite", "estimate", "--histories", str(path), "--json")
    assert code == 0, err
    report = json.loads(out)
    [chapman] = report["estimates"]
    assert chapman["method"] == "chapman"
    assert chapman["estimate"] == round((200 + 1) * (120 + 1) / (80 + 1) - 1, 1)


# -- who may run which command (the global --as) ---------------------------------------------


@pytest.fixture(scope="module")
def linked_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Three small lists imported and linked by the local operator (no --as)."""
    folder = tmp_path_factory.mktemp("as-lists")
    db = folder / "cs.sqlite"
    assert run(db, "synth", str(folder / "lists"), "--people", "60", "--seed", "3")[0] == 0
    for name in ("official", "qantar", "azattyk"):
        code, _, err = run(db, "import", str(folder / "lists" / f"{name}.csv"), "--id", name)
        assert code == 0, err
    code, _, err = run(db, "link")
    assert code == 0, err
    return folder


@pytest.fixture
def linked(linked_template: Path, tmp_path: Path) -> Path:
    """A copy of the linked database (and its key file) for one test to change."""
    for path in linked_template.iterdir():
        if path.is_file():
            shutil.copy(path, tmp_path / path.name)
    shutil.copytree(linked_template / "lists", tmp_path / "lists")
    return tmp_path / "cs.sqlite"


def rows(db: Path, table: Table) -> list[dict[str, object]]:
    database = open_database(db)
    try:
        with database.begin() as conn:
            return [dict(r._mapping) for r in conn.execute(select(table))]
    finally:
        database.dispose()


def name_of(role: str) -> str:
    """The name the CLI's viewer for ``--as role`` carries (what the commands record)."""
    who = viewer(typer.Context(typer.main.get_command(app), obj=CliState(None, role)))
    return who.name or who.role


def refused(code: int, out: str, err: str, message: str) -> bool:
    lines = err.strip().splitlines()
    return code == 1 and len(lines) == 1 and message in lines[0] and "Traceback" not in out + err


def test_viewers_and_the_public_neither_read_nor_change_the_lists(linked: Path) -> None:
    reading = "cannot read victim lists; researchers, editors and admins can"
    before = {t.name: rows(linked, t) for t in (victim_lists, linkage_runs, review_decisions)}
    for role in ("viewer", "anonymous"):
        for args in (
            ["show"],
            ["compare"],
            ["estimate"],
            ["link"],
            ["delete", "qantar", "--yes"],
            ["import", str(linked.parent / "lists" / "qantar.csv"), "--id", "again"],
        ):
            assert refused(*run(linked, *args, as_role=role), f"role {role!r} {reading}"), args
        assert refused(
            *run(linked, "review", "--accept", "official:2", "qantar:2", as_role=role),
            f"role {role!r} cannot decide linkage pairs; editors and admins can",
        )
    assert {
        t.name: rows(linked, t) for t in (victim_lists, linkage_runs, review_decisions)
    } == before
    # a capture-histories file holds counts, not names: anyone may estimate from one
    histories = linked.parent / "h.csv"
    histories.write_text("official,ngo,count\n1,0,120\n0,1,40\n1,1,80\n")
    code, _, err = run(linked, "estimate", "--histories", str(histories), as_role="viewer")
    assert code == 0, err


def test_researchers_read_import_and_link_but_do_not_decide(linked: Path) -> None:
    code, out, err = run(linked, "show", as_role="researcher")
    assert code == 0, err
    assert "official" in out and "qantar" in out
    code, out, err = run(linked, "compare", as_role="researcher")
    assert code == 0 and "people recorded" in out, err
    assert refused(
        *run(linked, "review", "--accept", "official:2", "qantar:2", as_role="researcher"),
        "role 'researcher' cannot decide linkage pairs; editors and admins can",
    )
    assert refused(
        *run(linked, "review", as_role="researcher", stdin="y\n" * 20),
        "role 'researcher' cannot decide linkage pairs",
    )
    assert rows(linked, review_decisions) == []
    code, _, err = run(
        linked,
        "import",
        str(linked.parent / "lists" / "qantar.csv"),
        "--id",
        "qantar-copy",
        as_role="researcher",
    )
    assert code == 0, err
    imported = {r["id"]: r["imported_by"] for r in rows(linked, victim_lists)}
    assert imported["qantar-copy"] == name_of("researcher")
    code, _, err = run(linked, "link", as_role="researcher")
    assert code == 0, err
    latest = max(rows(linked, linkage_runs), key=lambda r: r["id"])
    assert latest["created_by"] == name_of("researcher")
    code, _, err = run(linked, "delete", "qantar-copy", "--yes", as_role="researcher")
    assert code == 0, err
    assert not any(r["list_id"] == "qantar-copy" for r in rows(linked, victim_list_records))


def test_editors_decide_pairs_under_their_own_name(linked: Path) -> None:
    code, out, err = run(
        linked,
        "review",
        "--reject",
        "official:2",
        "qantar:2",
        "--note",
        "different fathers",
        as_role="editor",
    )
    assert code == 0, err
    assert "official:2 and qantar:2 are different" in out
    [decision] = rows(linked, review_decisions)
    assert (decision["record_l"], decision["record_r"], decision["decision"]) == (
        "official:2",
        "qantar:2",
        "different",
    )
    assert decision["decided_by"] == name_of("editor")
    assert decision["note"] == "different fathers"
    # admins decide too; the local operator (no --as) is an editor
    for role in ("admin", None):
        code, _, err = run(
            linked,
            "review",
            "--accept",
            "official:3",
            "qantar:3",
            **({"as_role": role} if role else {}),
        )
        assert code == 0, err
    decided = [r["decided_by"] for r in rows(linked, review_decisions) if r["deleted_at"] is None]
    assert decided[-2:] == [name_of("admin"), name_of("editor")]


def test_deleting_a_list_asks_first_and_names_an_unknown_one(linked: Path) -> None:
    code, out, err = run(linked, "delete", "qantar", stdin="n\n")
    assert code == 1 and "Aborted" in out + err
    assert "qantar" in {r["id"] for r in rows(linked, victim_lists)}
    assert refused(*run(linked, "delete", "nosuch", "--yes"), "no list 'nosuch'")
    code, out, err = run(linked, "delete", "qantar", stdin="y\n")
    assert code == 0, err
    assert "qantar" not in {r["id"] for r in rows(linked, victim_lists)}
