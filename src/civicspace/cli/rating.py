"""``civicspace rating``: suggest a score, record an official rating, show the history."""

from __future__ import annotations

from typing import Annotated, Any

import typer
from rich.table import Table

from civicspace.cli.common import JsonOpt, console, fuzzy_date, open_store, print_json, viewer

rating_app = typer.Typer(
    help="Civic space ratings: suggested score, official ratings, history.",
    no_args_is_help=True,
)
CountryOpt = Annotated[str, typer.Option("--country", help="ISO country code, e.g. KZ")]


@rating_app.command()
def suggest(
    ctx: typer.Context,
    country: CountryOpt,
    at: Annotated[
        str, typer.Option("--at", help="Rating date (YYYY-MM-DD; a month means its last day)")
    ],
    json_out: JsonOpt = False,
) -> None:
    """Suggest a score (1-100) and band from the documented indicators, with explanations."""
    from civicspace.rating import suggest_rating

    result = suggest_rating(open_store(ctx), viewer(ctx), country, fuzzy_date(at).latest)
    if json_out:
        print_json(result.as_dict())
        return
    table = Table(
        "indicator",
        "value",
        "points",
        "explanation",
        title=f"{result.country} on {result.at}: score {result.score}",
    )
    for i in result.indicators:
        table.add_row(i.label, f"{i.value:g}", f"-{i.contribution:.1f}", i.explanation)
    console.print(table)
    change = (
        f"{result.current_band} -> {result.suggested_band}"
        if result.changes
        else f"stays {result.suggested_band}"
    )
    console.print(f"Suggested band: {result.suggested_band} ({change})")


@rating_app.command("set")
def set_rating(
    ctx: typer.Context,
    country: CountryOpt,
    date: Annotated[str, typer.Option("--date", help="Date of the rating (fuzzy: 2022-06)")],
    band: Annotated[str | None, typer.Option("--band", help="open ... closed")] = None,
    score: Annotated[int | None, typer.Option("--score", min=1, max=100)] = None,
    rationale: Annotated[str | None, typer.Option("--rationale")] = None,
    source: Annotated[list[str] | None, typer.Option("--source", help="Source id (repeat)")] = None,
    rated_by: Annotated[str, typer.Option("--rated-by")] = "CIVICUS Monitor",
    record_id: Annotated[str | None, typer.Option("--id")] = None,
    json_out: JsonOpt = False,
) -> None:
    """Record the official rating with its rationale and sources."""
    from civicspace.rating import record_rating

    saved = record_rating(
        open_store(ctx),
        viewer(ctx),
        country,
        fuzzy_date(date),
        band,
        score,
        rationale,
        source or [],
        rated_by,
        record_id=record_id,
    )
    data = saved.model_dump(mode="json", exclude_none=True)
    if json_out:
        print_json(data)
    else:
        console.print(f"Recorded {saved.id}: {saved.band} on {saved.date}")


@rating_app.command()
def history(ctx: typer.Context, country: CountryOpt, json_out: JsonOpt = False) -> None:
    """The official ratings of a country, oldest first (scores only for signed-in roles)."""
    from civicspace.rating import rating_history

    who = viewer(ctx)
    rows = []
    for r in rating_history(open_store(ctx), who, country):
        row: dict[str, Any] = {
            "id": r.id,
            "date": str(r.date),
            "band": r.band,
            "previous_band": r.previous_band,
            "rated_by": r.rated_by,
            "rationale": r.rationale,
            "sources": [c.source_id for c in r.sources],
        }
        if who.role != "anonymous":
            row["score"] = r.score
        rows.append(row)
    if json_out:
        print_json(rows)
        return
    table = Table(
        "date",
        "band",
        "previous",
        "score",
        "rated by",
        "rationale",
        title=f"Ratings of {country.upper()}",
    )
    for row in rows:
        table.add_row(
            row["date"],
            row["band"],
            row["previous_band"] or "",
            str(row.get("score") or ""),
            row["rated_by"],
            row["rationale"] or "",
        )
    console.print(table)


def register(app: typer.Typer) -> None:
    app.add_typer(rating_app, name="rating")
