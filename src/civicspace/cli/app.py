"""The ``civicspace`` command line: the root command, its errors, and the groups registered
on it (one module per group). It only translates arguments into service calls.

Heavy dependencies (the store, SQLAlchemy, the importers) are imported inside the
commands, so ``civicspace --help`` starts in a fraction of a second; a test in
``tests/cli`` fails if a module-level import brings them back.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import importlib
from typing import Annotated, Any

import typer
from typer.core import TyperGroup

from civicspace.access.policy import ROLES
from civicspace.cli.cases import print_deadlines, print_prisoners
from civicspace.cli.common import (
    CliState,
    JsonOpt,
    console,
    open_database,
    open_store,
    print_json,
    report_error,
    state,
    viewer,
)
from civicspace.cli.records import print_hits
from civicspace.settings import setting


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
    print_hits(summary["search_mamai"], "Search 'Mamai'")
    print_deadlines(summary["deadlines"], f"Custody deadlines within 60 days of {as_of}")
    print_prisoners(summary["political_prisoners"], f"Political prisoners on {as_of}")


# Each command group's module adds its commands with ``register(app)``, in this order
# (the order ``--help`` lists them in).
COMMAND_GROUPS = (
    "civicspace.cli.records",
    "civicspace.cli.transfer",
    "civicspace.cli.cases",
    "civicspace.cli.lists",
    "civicspace.cli.report",
    "civicspace.cli.rating",
    "civicspace.cli.serve",
    "civicspace.cli.trust",
    "civicspace.cli.keys",
    "civicspace.cli.evidence",
)
for _group in COMMAND_GROUPS:
    importlib.import_module(_group).register(app)


def main() -> None:
    app()


__all__ = ["app", "main", "state"]
