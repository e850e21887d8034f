"""The ``civicspace`` command line. It only translates arguments into service calls.

Heavy dependencies (the store, SQLAlchemy, the importers) are imported inside the
commands, so ``civicspace --help`` starts in a fraction of a second; a test in
``tests/cli`` fails if a module-level import brings them back.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer
from rich.table import Table
from typer.core import TyperGroup

from civicspace.access.policy import ROLES
from civicspace.cli.common import (
    KINDS_HELP,
    CliState,
    KindsInHelp,
    check_kind,
    console,
    open_database,
    open_store,
    print_json,
    report_error,
    state,
    viewer,
)
from civicspace.settings import setting

if TYPE_CHECKING:
    from rich.progress import Progress

    from civicspace.model.dates import FuzzyDate


def _user_error(exc: Exception) -> tuple[int, str] | None:
    """The exit code and message of an error a user can act on; None for a bug.

    2 for a refused import, 1 for the rest. The classes are imported here, when an
    error happens, so that starting a command does not load them.
    """
    from sqlalchemy.exc import OperationalError

    from civicspace.db.engine import DatabaseError
    from civicspace.ingest.errors import ImportRejected
    from civicspace.model.vocabulary import VocabularyError
    from civicspace.store.repository import NotFound, VersionConflict

    if isinstance(exc, ImportRejected):
        return 2, str(exc)
    user_errors = (DatabaseError, VocabularyError, NotFound, VersionConflict, PermissionError)
    if isinstance(exc, (*user_errors, ValueError)):
        return 1, str(exc)
    if isinstance(exc, OperationalError):  # a full disk, a locked or unreachable database
        reason = str(exc.orig).strip() if exc.orig is not None else str(exc)
        if any(word in reason for word in ("full", "No space", "too large", "disk I/O")):
            reason = f"the disk is full or cannot be written ({reason}); nothing was written"
        return 1, f"the database refused the operation: {reason}"
    return None


class _Commands(TyperGroup):
    """Turns user errors into one clear line on stderr and a non-zero exit, never a traceback."""

    def invoke(self, ctx: typer.Context) -> object:  # type: ignore[override]
        try:
            return super().invoke(ctx)
        except (typer.Exit, typer.Abort, typer.TyperException):
            raise  # the command line's own exits, --help and usage errors
        except Exception as exc:
            error = _user_error(exc)
            if error is None:
                raise
            report_error(error[1])
            ctx.exit(error[0])


app = typer.Typer(
    cls=_Commands,
    help="Monitor civic space: incidents, people, legal cases, victim lists and ratings.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
)
cases_app = typer.Typer(
    help="Legal cases: custody deadlines and political prisoners.", no_args_is_help=True
)
app.add_typer(cases_app, name="cases")

JsonOpt = Annotated[bool, typer.Option("--json", help="Print only JSON.")]


def _kind(value: str) -> str:
    return check_kind(value)


def _date(value: str | None) -> FuzzyDate | None:
    from civicspace.model.dates import FuzzyDate

    if value is None:
        return None
    try:
        return FuzzyDate.parse(value)
    except ValueError as exc:
        raise typer.BadParameter(str(exc)) from exc


@app.callback()
def root(
    ctx: typer.Context,
    db: Annotated[
        str | None,
        typer.Option(
            "--db",
            envvar=setting("database_url").env,
            help="SQLite file path or database URL (postgresql+psycopg://...). Default: ./civicspace.sqlite",
        ),
    ] = None,
    as_role: Annotated[
        str,
        typer.Option(
            "--as",
            help=f"See the data as this role would ({', '.join(ROLES)}); 'anonymous' gives the public view.",
        ),
    ] = "editor",
) -> None:
    if as_role not in ROLES:
        raise typer.BadParameter(
            f"{as_role!r} is not one of: {', '.join(ROLES)}", param_hint="--as"
        )
    ctx.obj = CliState(db, as_role)


@app.command()
def init(ctx: typer.Context) -> None:
    """Create the database (or bring it to the newest schema)."""
    db = open_database(ctx)
    console.print(f"Database ready: {db.url}")


@app.command()
def demo(ctx: typer.Context, json_out: JsonOpt = False) -> None:
    """Load the demo dataset (Kazakhstan, June-August 2022) and show what it holds. Idempotent."""
    from civicspace.cases import political_prisoners, upcoming_deadlines
    from civicspace.demo import load_demo

    store = open_store(ctx)
    counts = load_demo(store, viewer(ctx)).counts
    as_of = dt.date(2022, 9, 1)
    summary: dict[str, Any] = {
        "database": store.db.url,
        "loaded": counts,
        "search_mamai": [
            dataclasses.asdict(h) for h in store.search("Mamai", viewer(ctx), limit=5)
        ],
        "deadlines": [
            dataclasses.asdict(r) for r in upcoming_deadlines(store, viewer(ctx), as_of, 60)
        ],
        "political_prisoners": [
            dataclasses.asdict(r) for r in political_prisoners(store, viewer(ctx), as_of)
        ],
    }
    if json_out:
        print_json(summary)
        return
    console.print(f"[bold]Demo data loaded[/bold] into {store.db.url}")
    console.print(", ".join(f"{n} {k}" for k, n in counts.items()))
    _print_hits(summary["search_mamai"], "Search 'Mamai'")
    _print_deadlines(summary["deadlines"], f"Custody deadlines within 60 days of {as_of}")
    _print_prisoners(summary["political_prisoners"], f"Political prisoners on {as_of}")


@app.command()
def stats(ctx: typer.Context, json_out: JsonOpt = False) -> None:
    """Count the records of each kind you may see."""
    counts = open_store(ctx).counts(viewer(ctx))
    if json_out:
        print_json(counts)
        return
    table = Table("kind", "records", title="Records")
    for kind, n in counts.items():
        table.add_row(kind, str(n))
    console.print(table)


@app.command()
def search(
    ctx: typer.Context,
    text: Annotated[str, typer.Argument(help="Words to find, in any script or spelling.")],
    kind: Annotated[
        list[str] | None, typer.Option("--kind", callback=lambda v: [_kind(k) for k in v or []])
    ] = None,
    limit: int = 20,
    json_out: JsonOpt = False,
) -> None:
    """Full-text search over every kind of record; Latin finds Cyrillic and back."""
    hits = [
        dataclasses.asdict(h)
        for h in open_store(ctx).search(text, viewer(ctx), kind or None, limit)
    ]
    if json_out:
        print_json(hits)
    else:
        _print_hits(hits, f"Search {text!r}")


@app.command(cls=KindsInHelp)
def show(
    ctx: typer.Context,
    kind: Annotated[str, typer.Argument(callback=_kind, help=KINDS_HELP)],
    record_id: Annotated[str, typer.Argument(metavar="ID")],
    json_out: JsonOpt = False,
) -> None:
    """Show one record."""
    record = open_store(ctx).get(kind, record_id, viewer(ctx))
    data = record.model_dump(mode="json", exclude_none=True)
    if json_out:
        print_json(data)
        return
    from civicspace.model.kinds import caption, spec_of

    table = Table("field", "value", title=f"{kind} {record_id}: {caption(record)}")
    for fields in spec_of(kind).sections.values():
        for name in fields:
            value = data.get(name)
            if value not in ([], {}, None, ""):
                table.add_row(name, _cell(value))
    console.print(table)


def _cell(value: object) -> str:
    """One value of a record as a table cell: text as it is, lists joined, the rest as JSON."""
    if callable(value):
        value = value()
    if isinstance(value, str):
        return value
    if isinstance(value, dict) and set(value) <= {"text", "script", "lang"} and "text" in value:
        return str(value["text"])
    if isinstance(value, list) and all(isinstance(v, str) for v in value):
        return ", ".join(value)
    return json.dumps(value, ensure_ascii=False, default=str)


@app.command("list", cls=KindsInHelp)
def list_records(
    ctx: typer.Context,
    kind: Annotated[str, typer.Argument(callback=_kind, help=KINDS_HELP)],
    country: str | None = None,
    date_from: Annotated[str | None, typer.Option("--from", help="Start of the period.")] = None,
    date_to: Annotated[str | None, typer.Option("--to", help="End of the period.")] = None,
    freedom: str | None = None,
    violation: str | None = None,
    role: str | None = None,
    verification: str | None = None,
    visibility: str | None = None,
    query: Annotated[str | None, typer.Option("--query", "-q", help="Full-text filter.")] = None,
    sort: str = "id",
    desc: bool = False,
    limit: int = 50,
    offset: int = 0,
    json_out: JsonOpt = False,
) -> None:
    """List records of one kind with filters."""
    from civicspace.store.repository import RecordQuery

    page = open_store(ctx).list(
        kind,
        viewer(ctx),
        RecordQuery(
            country=country,
            date_from=_date(date_from),
            date_to=_date(date_to),
            freedom=freedom,
            violation=violation,
            role=role,
            verification=verification,
            visibility=visibility,
            text=query,
            sort=sort,
            descending=desc,
            limit=limit,
            offset=offset,
        ),
    )
    items = [r.model_dump(mode="json", exclude_none=True) for r in page.items]
    if json_out:
        print_json(
            {
                "total": page.total,
                "total_exact": page.exact,
                "limit": page.limit,
                "offset": page.offset,
                "items": items,
            }
        )
        return
    from civicspace.model.kinds import spec_of

    columns = spec_of(kind).list_columns
    table = Table(
        "id", *columns, "visibility", "verification", title=f"{kind}: {len(items)} of {page.total}"
    )
    for record, item in zip(page.items, items, strict=True):
        cells = [_cell(item.get(name, getattr(record, name, None)) or "") for name in columns]
        table.add_row(item["id"], *cells, item["visibility"], item["verification"])
    console.print(table)


def _progress() -> Progress:
    from rich.progress import (
        BarColumn,
        MofNCompleteColumn,
        Progress,
        TextColumn,
        TimeRemainingColumn,
    )

    return Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeRemainingColumn(),
        console=console,
        transient=True,
    )


@app.command("import")
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
        _kind(kind)
    store = open_store(ctx)
    with _progress() as progress:
        task = progress.add_task(f"Importing {path.name}", total=None)
        result = import_path(
            store,
            who,
            path,
            ImportOptions(replace=replace),
            kind=kind,
            progress=lambda done, total: progress.update(task, total=total, advance=done),
        )
    console.print("Imported " + ", ".join(f"{n} {k}" for k, n in result.counts.items() if n))


@app.command()
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
        _print_deadlines(rows, f"Custody deadlines from {day} within {within} days")


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
        _print_prisoners(rows, f"Political prisoners on {day}")


def _short_charges(labels: list[str]) -> str:
    """``KZ-CC art. 274 (Knowingly ...)`` -> ``KZ-CC 274`` for narrow terminal tables."""
    return ", ".join(label.split(" (")[0].replace(" art.", "") for label in labels)


def _print_hits(hits: list[dict], title: str) -> None:  # type: ignore[type-arg]
    table = Table("kind", "id", "title", "snippet", title=title)
    for h in hits:
        table.add_row(h["kind"], h["id"], h["title"], h["snippet"])
    console.print(table)


def _print_deadlines(rows: list[dict], title: str) -> None:  # type: ignore[type-arg]
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


def _print_prisoners(rows: list[dict], title: str) -> None:  # type: ignore[type-arg]
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


# Capabilities in their own packages add their commands here (each module's
# ``register(app)``); the core CLI stays one thin file.
PLUGIN_MODULES = (
    "civicspace.cli.lists",
    "civicspace.cli.report",
    "civicspace.cli.rating",
    "civicspace.cli.serve",
    "civicspace.cli.trust",
    "civicspace.cli.keys",
    "civicspace.cli.evidence",
)


def _register_plugins() -> None:
    import importlib
    import importlib.util

    for name in PLUGIN_MODULES:
        package = name.rsplit(".", 1)[0]
        if importlib.util.find_spec(package) is None or importlib.util.find_spec(name) is None:
            continue
        module = importlib.import_module(name)
        if hasattr(module, "register"):
            module.register(app)
        elif name == "civicspace.cli.lists":
            app.add_typer(module.app, name="lists")


_register_plugins()


def main() -> None:
    app()


__all__ = ["app", "main", "state"]
