"""``civicspace evidence``: attach files to records, list them, export one, verify all."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from civicspace.cli.common import (
    JsonOpt,
    console,
    open_store,
    print_json,
    report_error,
    viewer,
)

evidence_app = typer.Typer(help="Evidence files and their chain of custody.", no_args_is_help=True)


def _locker(ctx: typer.Context):  # type: ignore[no-untyped-def]
    from civicspace.evidence import EvidenceLocker

    return EvidenceLocker(open_store(ctx))


@evidence_app.command("add")
def add(
    ctx: typer.Context,
    kind: Annotated[str, typer.Argument(help="Kind of the record, e.g. incidents")],
    record_id: Annotated[str, typer.Argument(metavar="ID")],
    file: Annotated[Path, typer.Argument(exists=True, dir_okay=False, readable=True)],
    note: Annotated[str | None, typer.Option(help="What the file shows")] = None,
    origin: Annotated[
        str | None, typer.Option(help="Where it came from (who handed it over, how)")
    ] = None,
    declared_type: Annotated[
        str | None, typer.Option("--type", help="The type the sender gave (kept, not trusted)")
    ] = None,
) -> None:
    """Attach FILE to a record (stored by its SHA-256; encrypted if the record is confidential)."""
    added = _locker(ctx).add(
        kind, record_id, file, viewer(ctx), declared_type=declared_type, origin=origin, note=note
    )
    console.print(
        f"Evidence {added.id}: {added.original_name} ({added.sniffed_type}, {added.size:,} bytes) "
        f"sha256 {added.sha256}" + (" [encrypted]" if added.encrypted else "")
    )


@evidence_app.command("list")
def list_files(
    ctx: typer.Context,
    kind: Annotated[str, typer.Argument()],
    record_id: Annotated[str, typer.Argument(metavar="ID")],
    json_out: JsonOpt = False,
) -> None:
    """The files attached to a record, with their hashes and who added them."""
    files = _locker(ctx).attached(kind, record_id, viewer(ctx))
    if json_out:
        print_json([f.__dict__ for f in files])
        return
    table = Table("id", "name", "type", "bytes", "sha256", "added by", "added at")
    for f in files:
        table.add_row(
            str(f.id), f.original_name, f.sniffed_type, f"{f.size:,}", f.sha256[:16] + "…",
            f.added_by, f.added_at.isoformat(),
        )  # fmt: skip
    console.print(table)


@evidence_app.command("export")
def export(
    ctx: typer.Context,
    file_id: Annotated[int, typer.Argument(metavar="FILE_ID")],
    out: Annotated[Path, typer.Option("--out", file_okay=False, help="Folder to write into")],
) -> None:
    """Write one file out (checked against its hash); the export joins its chain of custody."""
    out.mkdir(parents=True, exist_ok=True)
    path = _locker(ctx).export(file_id, viewer(ctx), out)
    console.print(f"Written {path}")


@evidence_app.command("verify")
def verify(ctx: typer.Context) -> None:
    """Re-hash every stored file; exits 1 naming each file that changed or is missing."""
    problems = _locker(ctx).verify()
    for p in problems:
        report_error(f"evidence {p.file_id} of {p.kind} {p.record_id}: {p.problem}")
    if problems:
        raise typer.Exit(1)
    console.print("Every evidence file matches its recorded SHA-256.")


def register(app: typer.Typer) -> None:
    app.add_typer(evidence_app, name="evidence")
