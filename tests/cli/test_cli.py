"""The command line, driven as a user would (typer's runner on the real app and database)."""

import json
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from civicspace.cli.app import app
from civicspace.model.records import KINDS

runner = CliRunner()


def run(db: str, *args: str, role: str | None = None) -> tuple[int, str, str]:
    prefix = ["--db", db] + (["--as", role] if role else [])
    result = runner.invoke(app, [*prefix, *args])
    return result.exit_code, result.stdout, result.stderr


@pytest.fixture
def demo_db(database_url: str) -> str:
    code, _, err = run(database_url, "demo", "--json")
    assert code == 0, err
    return database_url


def test_demo_is_idempotent(demo_db: str, tmp_path: Path) -> None:
    run(demo_db, "export", "--format", "json", "--out", str(tmp_path / "a.json"))
    code, out, _ = run(demo_db, "demo", "--json")
    assert code == 0 and json.loads(out)["loaded"]["cases"] >= 4
    run(demo_db, "export", "--format", "json", "--out", str(tmp_path / "b.json"))

    def content(p: Path) -> dict:
        data = json.loads(p.read_text(encoding="utf-8"))
        for kind in KINDS:
            for r in data[kind]:  # a reload is a new write: only the timestamps move
                r.pop("created_at"), r.pop("updated_at")
        return data

    assert content(tmp_path / "a.json") == content(tmp_path / "b.json")


@pytest.mark.parametrize("query", ["Mamai", "Мамай"])
def test_search_finds_mamai_and_his_case_with_charges(demo_db: str, query: str) -> None:
    code, out, _ = run(demo_db, "search", query, "--json")
    hits = json.loads(out)
    assert code == 0
    person = next(h for h in hits if h["kind"] == "persons")
    case = next(h for h in hits if h["kind"] == "cases")
    assert "Mamai" in person["title"]
    code, out, _ = run(demo_db, "show", "cases", case["id"], "--json")
    articles = {c["article"] for c in json.loads(out)["charges"]}
    assert {"274", "378"} <= articles


def test_stats_list_and_show_respect_the_viewer(demo_db: str) -> None:
    internal = json.loads(run(demo_db, "stats", "--json")[1])
    public = json.loads(run(demo_db, "stats", "--json", role="anonymous")[1])
    assert set(internal) == set(KINDS)
    assert public["persons"] < internal["persons"]
    listing = json.loads(
        run(demo_db, "list", "incidents", "--freedom", "association", "--json", role="anonymous")[1]
    )
    assert listing["total"] == len(listing["items"]) > 0
    assert all("association" in i["freedoms"] for i in listing["items"])
    code, _, err = run(demo_db, "show", "persons", "person-witness-w1", role="anonymous")
    assert code == 1 and "no persons record" in err


def test_cases_deadlines_and_prisoners(demo_db: str) -> None:
    rows = json.loads(
        run(demo_db, "cases", "deadlines", "--today", "2022-09-01", "--within", "60", "--json")[1]
    )
    mamai = next(r for r in rows if "Mamai" in r["person_name"])
    assert mamai["deadline"] == "2022-10-12" and mamai["days_left"] == 41
    assert mamai["status"] == "pretrial_detention"
    assert (
        json.loads(
            run(demo_db, "cases", "deadlines", "--today", "2022-09-01", "--within", "30", "--json")[
                1
            ]
        )
        == []
    )
    prisoners = json.loads(run(demo_db, "cases", "prisoners", "--on", "2022-09-01", "--json")[1])
    assert any("Mamai" in p["name"] and p["days_in_custody"] > 150 for p in prisoners)


def test_bad_import_exits_nonzero_with_located_problems_and_no_traceback(
    demo_db: str, tmp_path: Path
) -> None:
    before = run(demo_db, "stats", "--json")[1]
    bad = tmp_path / "persons.csv"
    bad.write_text("id,name,gender\np-new,Asel,female\np-bad,,robot\n", encoding="utf-8")
    code, out, err = run(demo_db, "import", str(bad), "--kind", "persons")
    assert code == 2
    assert f"{bad}:3:gender:" in err and "Traceback" not in err + out
    assert run(demo_db, "stats", "--json")[1] == before


def test_csv_import_of_one_kind(demo_db: str, tmp_path: Path) -> None:
    good = tmp_path / "persons.csv"
    good.write_text(
        "id,name,names,gender,roles\np-asel,Asel Nurova,Асель Нурова@Cyrl/ru,female,activist;blogger\n",
        encoding="utf-8",
    )
    code, _, err = run(demo_db, "import", str(good), "--kind", "persons")
    assert code == 0, err
    hits = json.loads(run(demo_db, "search", "Нурова", "--json")[1])
    assert [h["id"] for h in hits] == ["p-asel"]


def test_console_script_reports_user_errors_without_traceback(tmp_path: Path) -> None:
    missing = tmp_path / "nowhere" / "x.sqlite"
    proc = subprocess.run(
        [sys.executable, "-m", "civicspace", "--db", str(missing), "stats"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert proc.returncode == 1
    assert "folder" in proc.stderr and "Traceback" not in proc.stderr


def test_list_and_rating_read_fuzzy_dates_and_refuse_unreadable_ones(demo_db: str) -> None:
    """``list --from/--to`` and ``rating suggest --at`` share one reading of dates."""
    july = json.loads(
        run(demo_db, "list", "incidents", "--from", "2022-07", "--to", "2022-07", "--json")[1]
    )
    assert july["items"] and all(i["date"].startswith("2022-07") for i in july["items"])
    for args in (
        ("list", "incidents", "--from", "someday"),
        ("rating", "suggest", "--country", "KZ", "--at", "someday"),
    ):
        code, _, err = run(demo_db, *args)
        assert code == 2 and "cannot read date 'someday'" in err, args


def test_reindex_rebuilds_search_for_editors_only(demo_db: str) -> None:
    from sqlalchemy import create_engine, text

    engine = create_engine(demo_db if "://" in demo_db else f"sqlite:///{demo_db}")
    with engine.begin() as conn:  # documents written by an older folding, say
        conn.execute(text("DELETE FROM search_documents WHERE kind = 'incidents'"))
    engine.dispose()
    assert "inc-2022-03-mamai" not in run(demo_db, "search", "Мамай", "--json")[1]

    code, _, err = run(demo_db, "reindex", role="researcher")
    assert code == 1 and "researcher" in err
    assert "inc-2022-03-mamai" not in run(demo_db, "search", "Мамай", "--json")[1]

    code, out, err = run(demo_db, "reindex")
    assert code == 0, err
    assert "Rebuilt" in out
    assert "inc-2022-03-mamai" in run(demo_db, "search", "Мамай", "--json")[1]
