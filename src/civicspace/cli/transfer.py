"""``civicspace import`` and ``export``: records in and out, through the import pipeline
and the exporters of :mod:`civicspace.ingest`."""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from civicspace.cli.common import check_kind, console, open_store, progress_bar, viewer

if TYPE_CHECKING:
    from rich.progress import TaskID


def import_(
    ctx: typer.Context,
    path: Annotated[Path, typer.Argument(help="A JSON/YAML export, or a CSV with --kind.")],
    kind: Annotated[
        str | None, typer.Option(help="The kind of records in a CSV file (see docs/import.md).")
    ] = None,
    replace: Annotated[
        bool, typer.Option(help="Replace records whose id exists instead of refusing.")
    ] = False,
) -> None:
    """Import records; every row is checked first and nothing is written if any is wrong."""
    from civicspace.ingest.options import ImportOptions
    from civicspace.ingest.pipeline import import_path, require_import

    who = viewer(ctx)
    require_import(who)  # before the database is opened: a refused import creates nothing
    if kind is not None:
        check_kind(kind)
    store = open_store(ctx)
    with progress_bar() as progress:
        tasks: list[TaskID] = []  # the bar, added once the file is read and its size known

        def advance(done: int, total: int) -> None:
            if not tasks:
                tasks.append(progress.add_task(f"Importing {path.name}", total=total))
            progress.advance(tasks[0], done)

        result = import_path(
            store, who, path, ImportOptions(replace=replace), kind=kind, progress=advance
        )
    console.print("Imported " + ", ".join(f"{n} {k}" for k, n in result.counts.items() if n))


def export(
    ctx: typer.Context,
    out: Annotated[Path, typer.Option("--out", help="File to write (a folder for --format csv).")],
    fmt: Annotated[str, typer.Option("--format", help="json, csv or acled.")] = "json",
) -> None:
    """Export what you may see: a JSON bundle, CSV files per kind, or ACLED-compatible incidents."""
    from civicspace.ingest import acled, bundle, csv_records

    data = bundle.export_bundle(open_store(ctx), viewer(ctx))
    if fmt == "json":
        out.write_text(
            json.dumps(data, ensure_ascii=False, indent=2, sort_keys=True) + "\n", encoding="utf-8"
        )
    elif fmt == "csv":
        csv_records.write_csv_folder(data, out)
    elif fmt == "acled":
        acled.write_acled(data, out)
    else:
        raise typer.BadParameter(f"{fmt!r} is not one of json, csv, acled", param_hint="--format")
    console.print(f"Wrote {out}")


def register(app: typer.Typer) -> None:
    app.command("import")(import_)
    app.command()(export)
