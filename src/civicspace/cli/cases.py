"""``civicspace cases``: custody deadlines coming up and the political-prisoner list."""

from __future__ import annotations

import dataclasses
import datetime as dt
from typing import Annotated

import typer
from rich.table import Table

from civicspace.cli.common import JsonOpt, console, open_store, print_json, viewer

cases_app = typer.Typer(
    help="Legal cases: custody deadlines and political prisoners.", no_args_is_help=True
)


@cases_app.command("deadlines")
def deadlines(
    ctx: typer.Context,
    within: Annotated[int, typer.Option(help="Days ahead.")] = 30,
    today: Annotated[str | None, typer.Option(help="Count from this day (default: today).")] = None,
    json_out: JsonOpt = False,
) -> None:
    """Custody deadlines coming up (pre-trial detention, house arrest...)."""
    from civicspace.cases import upcoming_deadlines

    day = dt.date.fromisoformat(today) if today else dt.date.today()
    rows = [
        dataclasses.asdict(r) for r in upcoming_deadlines(open_store(ctx), viewer(ctx), day, within)
    ]
    if json_out:
        print_json(rows)
    else:
        print_deadlines(rows, f"Custody deadlines from {day} within {within} days")


@cases_app.command("prisoners")
def prisoners(
    ctx: typer.Context,
    on: Annotated[
        str | None, typer.Option(help="The list as it stood on this day (default: today).")
    ] = None,
    json_out: JsonOpt = False,
) -> None:
    """The political-prisoner list, with charges and time in custody."""
    from civicspace.cases import political_prisoners

    day = dt.date.fromisoformat(on) if on else dt.date.today()
    rows = [dataclasses.asdict(r) for r in political_prisoners(open_store(ctx), viewer(ctx), day)]
    if json_out:
        print_json(rows)
    else:
        print_prisoners(rows, f"Political prisoners on {day}")


def _short_charges(labels: list[str]) -> str:
    """``KZ-CC art. 274 (Knowingly ...)`` -> ``KZ-CC 274`` for narrow terminal tables."""
    return ", ".join(label.split(" (")[0].replace(" art.", "") for label in labels)


def print_deadlines(rows: list[dict], title: str) -> None:  # type: ignore[type-arg]
    """Custody deadlines as a table, soonest first as the service orders them."""
    table = Table("deadline", "days", "person", "status", "case", "charges", title=title)
    for r in rows:
        table.add_row(
            r["deadline"],
            str(r["days_left"]),
            r["person_name"],
            r["status"].replace("_", " "),
            r["case_title"],
            _short_charges(r["charges"]),
        )
    console.print(table)


def print_prisoners(rows: list[dict], title: str) -> None:  # type: ignore[type-arg]
    """The political-prisoner list as a table."""
    table = Table(
        "name", "status", "in custody since", "days", "charges", "recognised by", title=title
    )
    for r in rows:
        table.add_row(
            r["name"],
            r["status"].replace("_", " "),
            r["custody_since"] or "",
            str(r["days_in_custody"] or ""),
            _short_charges(r["charges"]),
            r["recognised_by"],
        )
    console.print(table)


def register(app: typer.Typer) -> None:
    app.add_typer(cases_app, name="cases")
