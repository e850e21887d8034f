"""Suggested scores, band boundaries, official ratings and history, on both databases."""

from __future__ import annotations

import datetime as dt
import json
import re
from pathlib import Path

import pytest
from pydantic import ValidationError
from typer.testing import CliRunner

from civicspace.access import Viewer
from civicspace.cli.app import app
from civicspace.model.dates import FuzzyDate
from civicspace.model.records import Incident
from civicspace.rating import banded, rating_history, record_rating, suggest_rating, weights
from civicspace.store.repository import Store
from tests.helpers import EDITOR, load_sample

AT = dt.date(2022, 8, 31)
DOCS = Path(__file__).resolve().parents[2] / "docs" / "rating.md"


def _killing(n: int, killed: int) -> Incident:
    return Incident(
        id=f"inc-killing-{n}",
        title="Protesters shot",
        date=FuzzyDate(2022, 7, n),
        country="KZ",
        freedoms=["assembly"],
        violations=["killing"],
        counts={"killed": killed},
        visibility="public",
        verification="verified",  # type: ignore[arg-type]
        sources=[{"source_id": "src-update"}],  # type: ignore[list-item]
    )


def test_suggestion_explains_each_indicator(store: Store, tmp_path: Path) -> None:
    load_sample(store, tmp_path)
    result = suggest_rating(store, EDITOR, "KZ", AT)
    keys = [i.key for i in result.indicators]
    assert keys == list(weights()["indicators"])
    assert 1 <= result.score <= 100
    assert result.score == round(100 - sum(i.contribution for i in result.indicators))
    by_key = {i.key: i for i in result.indicators}
    # the verified public incident counts; the restricted unverified draft does not
    assert by_key["expression"].evidence == ["inc-extension"]
    assert by_key["assembly"].evidence == []
    assert by_key["custody"].evidence == ["person-mamai"]
    assert by_key["legal_environment"].value == 0  # the sample draft is not marked restrictive
    for ind in result.indicators:
        assert ind.explanation and 0 <= ind.contribution <= ind.weight
    assert result.current_band == "repressed"


def test_more_violations_lower_the_score(store: Store, tmp_path: Path) -> None:
    load_sample(store, tmp_path)
    before = suggest_rating(store, EDITOR, "KZ", AT)
    store.save(_killing(1, 30), EDITOR)
    store.save(_killing(2, 10), EDITOR)
    after = suggest_rating(store, EDITOR, "KZ", AT)
    killings = next(i for i in after.indicators if i.key == "killings")
    assert killings.value == 40 and killings.evidence == ["inc-killing-1", "inc-killing-2"]
    assert after.score < before.score
    # incidents outside the trailing window do not count
    later = suggest_rating(store, EDITOR, "KZ", dt.date(2023, 12, 31))
    assert next(i for i in later.indicators if i.key == "killings").value == 0


def test_band_changes_only_past_a_boundary() -> None:
    assert banded(41, "obstructed", 0) == "obstructed"
    assert banded(40, "obstructed", 0) == "repressed"
    assert banded(60, "obstructed", 0) == "obstructed"
    assert banded(61, "obstructed", 0) == "narrowed"
    assert banded(39, "obstructed", 2) == "obstructed"
    assert banded(38, "obstructed", 2) == "repressed"
    assert banded(10, None, 0) == "closed"


def test_set_records_rating_with_previous_band_and_checks_score(
    store: Store, tmp_path: Path
) -> None:
    load_sample(store, tmp_path)
    saved = record_rating(
        store,
        EDITOR,
        "KZ",
        FuzzyDate.parse("2022-12"),
        score=18,
        rationale="Lethal force against protesters",
        sources=["src-update"],
    )
    assert saved.band == "closed" and saved.previous_band == "repressed"
    assert [r.id for r in rating_history(store, EDITOR, "KZ")] == ["rating-2022", saved.id]
    with pytest.raises(ValidationError):
        record_rating(store, EDITOR, "KZ", FuzzyDate.parse("2023-01"), band="open", score=35)
    with pytest.raises(PermissionError):
        record_rating(store, Viewer("viewer", "v"), "KZ", FuzzyDate.parse("2023-02"), "open")


def test_cli_suggest_set_history(database_url: str, store: Store, tmp_path: Path) -> None:
    load_sample(store, tmp_path)
    runner = CliRunner()
    out = runner.invoke(
        app,
        ["--db", database_url, "rating", "suggest", "--country", "KZ", "--at", "2022-08", "--json"],
    )
    assert out.exit_code == 0, out.output
    data = json.loads(out.stdout)
    assert data["at"] == "2022-08-31" and data["current_band"] == "repressed"
    assert {"score", "suggested_band", "indicators"} <= set(data)
    out = runner.invoke(
        app,
        [
            "--db",
            database_url,
            "rating",
            "set",
            "--country",
            "KZ",
            "--date",
            "2022-11",
            "--band",
            "repressed",
            "--score",
            "33",
            "--rationale",
            "No accountability",
            "--source",
            "src-update",
        ],
    )
    assert out.exit_code == 0, out.output
    editor = json.loads(
        runner.invoke(
            app, ["--db", database_url, "rating", "history", "--country", "KZ", "--json"]
        ).stdout
    )
    assert [r["score"] for r in editor] == [None, 33]
    public = json.loads(
        runner.invoke(
            app,
            [
                "--db",
                database_url,
                "--as",
                "anonymous",
                "rating",
                "history",
                "--country",
                "KZ",
                "--json",
            ],
        ).stdout
    )
    assert [r["band"] for r in public] == ["repressed", "repressed"]
    assert all("score" not in r for r in public)
    bad = runner.invoke(
        app,
        [
            "--db",
            database_url,
            "rating",
            "set",
            "--country",
            "KZ",
            "--date",
            "2022-12",
            "--band",
            "open",
            "--score",
            "20",
        ],
    )
    assert bad.exit_code != 0


def test_every_indicator_and_setting_is_documented() -> None:
    text = DOCS.read_text("utf-8")
    cfg = weights()
    for key in cfg["indicators"]:
        assert re.search(rf"`{key}`", text), key
    for setting in ("window_months", "verified_only", "band_margin"):
        assert f"`{setting}`" in text, setting
