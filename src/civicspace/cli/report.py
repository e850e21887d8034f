"""``civicspace report``: draft a country update (Markdown, HTML or PDF)."""

from __future__ import annotations

import datetime as dt
from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer

from civicspace.cli.common import console, open_store, viewer


class Format(StrEnum):
    md = "md"
    html = "html"
    pdf = "pdf"


class Edition(StrEnum):
    public = "public"
    internal = "internal"


class Lang(StrEnum):
    en = "en"
    ru = "ru"


def _day(value: str, last: bool) -> dt.date:
    """A period bound: ``2022-06`` as --from is 1 June, as --to is 30 June."""
    from civicspace.model.dates import FuzzyDate

    try:
        date = FuzzyDate.parse(value)
    except ValueError as exc:
        raise typer.BadParameter(str(exc)) from exc
    return date.latest if last else date.earliest


def report(
    ctx: typer.Context,
    country: Annotated[str, typer.Option("--country", help="ISO country code, e.g. KZ")],
    date_from: Annotated[str, typer.Option("--from", help="First day (YYYY-MM-DD or YYYY-MM)")],
    date_to: Annotated[str, typer.Option("--to", help="Last day (YYYY-MM-DD or YYYY-MM)")],
    out: Annotated[Path, typer.Option("--out", help="File to write")],
    fmt: Annotated[Format, typer.Option("--format")] = Format.html,
    edition: Annotated[
        Edition,
        typer.Option(help="public: only public, verified records; internal: all you may see"),
    ] = Edition.public,
    lang: Annotated[Lang, typer.Option("--lang")] = Lang.en,
    victim_list: Annotated[
        list[str] | None,
        typer.Option("--victim-list", help="Victim list id to compare and estimate (repeat)"),
    ] = None,
    template_dir: Annotated[
        Path | None,
        typer.Option("--template-dir", help="Directory with report.md/report.html/report.css"),
    ] = None,
) -> None:
    """Draft the country update for a period from the database."""
    from civicspace.reports import ReportRequest, build_report, write_report

    request = ReportRequest(
        country.upper(),
        _day(date_from, last=False),
        _day(date_to, last=True),
        edition.value,
        lang.value,
        victim_lists=tuple(victim_list or ()),
    )
    built = build_report(open_store(ctx), request, viewer(ctx))
    for path in write_report(built, fmt.value, out, template_dir):
        console.print(str(path), highlight=False)


def register(app: typer.Typer) -> None:
    app.command("report")(report)
