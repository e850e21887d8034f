"""The ``civicspace lists`` commands end to end: synth, import, link, review, compare, estimate."""

from __future__ import annotations

import json
from pathlib import Path

from typer.testing import CliRunner

from civicspace.cli import app

runner = CliRunner()


def run(db: Path, *args: str) -> tuple[int, str, str]:
    result = runner.invoke(app, ["--db", str(db), "lists", *args])
    return result.exit_code, result.stdout, result.stderr


def test_workflow_from_synthetic_lists_to_an_estimate(tmp_path: Path) -> None:
    db = tmp_path / "cs.sqlite"
    code, out, _ = run(db, "synth", str(tmp_path / "lists"), "--people", "120", "--seed", "5")
    assert code == 0, out
    for name, kind in (("official", "official"), ("qantar", "ngo"), ("azattyk", "media")):
        code, out, err = run(db, "import", str(tmp_path / "lists" / f"{name}.csv"),
                             "--id", name, "--kind", kind, "--date", "2022-08-15")
        assert code == 0, err
        assert "imported" in out
    code, out, err = run(db, "link")
    assert code == 0, err
    assert "people" in out
    chart, people_csv, histories = (tmp_path / "upset.svg", tmp_path / "people.csv",
                                    tmp_path / "histories.csv")
    code, out, err = run(db, "compare", "--chart", str(chart), "--csv", str(people_csv),
                         "--histories", str(histories))
    assert code == 0, err
    assert "not on the 'official' list" in out
    assert chart.read_text().lstrip().startswith("<?xml")
    header = people_csv.read_text(encoding="utf-8").splitlines()[0].split(",")
    assert header[:5] == ["person", "name", "azattyk", "official", "qantar"]
    code, out, err = run(db, "estimate", "--histories", str(histories), "--json",
                         "--samples", "500")
    assert code == 0, err
    report = json.loads(out)
    observed = sum(int(line.rsplit(",", 1)[1])
                   for line in histories.read_text().splitlines()[1:])
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
