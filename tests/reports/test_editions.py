"""Editions, templates and the CLI on the sample bundle, over SQLite and PostgreSQL."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from typer.testing import CliRunner

from civicspace.access import Viewer
from civicspace.cli.app import app
from civicspace.model.dates import FuzzyDate
from civicspace.rating import record_rating
from civicspace.reports import ReportRequest, build_report, render_markdown
from civicspace.store.repository import Store
from tests.helpers import EDITOR, load_sample

REQUEST = dict(country="KZ", date_from=dt.date(2022, 6, 1), date_to=dt.date(2022, 8, 31))


def test_public_edition_shows_band_but_never_score(store: Store, tmp_path: Path) -> None:
    load_sample(store, tmp_path)
    record_rating(
        store,
        EDITOR,
        "KZ",
        FuzzyDate.parse("2022-08"),
        score=33,
        rationale="Custody of opposition leaders",
        sources=["src-update"],
    )
    public = render_markdown(build_report(store, ReportRequest(**REQUEST), EDITOR))  # type: ignore[arg-type]
    internal = render_markdown(
        build_report(store, ReportRequest(**REQUEST, edition="internal"), EDITOR)  # type: ignore[arg-type]
    )
    assert "Repressed" in public and "Score" not in public
    assert " 33" not in public and "33." not in public
    assert "Score: 33." in internal
    # the confidential witness and source, and the restricted draft incident
    for hidden in (
        "Canarybek",
        "Канарбек",
        "Interview notes",
        "Informant K",
        "Unverified report of a dispersal",
    ):
        assert hidden not in public
    assert "Unverified report of a dispersal" in internal
    assert "Aigerim Canarybek (witness) [CONFIDENTIAL]" in internal


def test_internal_edition_needs_a_signed_in_reader(store: Store) -> None:
    request = ReportRequest(**REQUEST, edition="internal")  # type: ignore[arg-type]
    with pytest.raises(PermissionError):
        build_report(store, request, Viewer.anonymous())


def test_viewer_role_reads_restricted_but_not_confidential(store: Store, tmp_path: Path) -> None:
    load_sample(store, tmp_path)
    request = ReportRequest(**REQUEST, edition="internal")  # type: ignore[arg-type]
    text = render_markdown(build_report(store, request, Viewer("viewer", "v")))
    assert "Unverified report of a dispersal" in text and "Canarybek" not in text


def test_cli_writes_each_format_and_honours_template_dir(
    database_url: str, store: Store, tmp_path: Path
) -> None:
    load_sample(store, tmp_path)
    runner = CliRunner()
    base = [
        "--db",
        database_url,
        "report",
        "--country",
        "kz",
        "--from",
        "2022-06",
        "--to",
        "2022-08",
    ]
    out = runner.invoke(app, [*base, "--format", "md", "--out", str(tmp_path / "r.md")])
    assert out.exit_code == 0, out.output
    text = (tmp_path / "r.md").read_text("utf-8")
    assert "Pre-trial detention of opposition leader extended" in text
    assert "12 October 2022" in text and "Canarybek" not in text
    assert (tmp_path / "r-charts" / "incidents-per-month.svg").read_text().startswith("<svg")

    templates = tmp_path / "templates"
    templates.mkdir()
    (templates / "report.html").write_text(
        "<h1>OUR HOUSE STYLE {{ report.title }}</h1>{% include 'report.css' %}", "utf-8"
    )
    out = runner.invoke(
        app,
        [
            *base,
            "--format",
            "html",
            "--out",
            str(tmp_path / "r.html"),
            "--template-dir",
            str(templates),
        ],
    )
    assert out.exit_code == 0, out.output
    html = (tmp_path / "r.html").read_text("utf-8")
    assert html.startswith("<h1>OUR HOUSE STYLE Kazakhstan: civic space update")
    assert "@page" in html  # the package's stylesheet is still found

    bad = runner.invoke(
        app, [*base, "--format", "md", "--edition", "secret", "--out", str(tmp_path / "x.md")]
    )
    assert bad.exit_code != 0
