"""What every command shares: the database from ``--db``, the viewer from ``--as``, output.

Nothing here loads the database layers until a command asks for them, so ``--help`` and
the commands that need no database start quickly (see ``bench/cli.py``).
"""

from __future__ import annotations

import json
import sys
from dataclasses import dataclass
from typing import TYPE_CHECKING, Annotated, Any, NoReturn

import typer
from rich.console import Console
from typer.core import TyperCommand

from civicspace.access.policy import Viewer

if TYPE_CHECKING:
    from rich.progress import Progress

    from civicspace.db.engine import Database
    from civicspace.model.dates import FuzzyDate
    from civicspace.store.repository import Store

console = Console()
err_console = Console(stderr=True)

JsonOpt = Annotated[bool, typer.Option("--json", help="Print only JSON.")]


@dataclass
class CliState:
    db_url: str | None
    role: str = "editor"


def state(ctx: typer.Context) -> CliState:
    root = ctx.find_root()
    if not isinstance(root.obj, CliState):
        root.obj = CliState(None)
    return root.obj


def open_database(ctx: typer.Context) -> Database:
    """The database named by ``--db`` (or the environment/default), migrated to the newest schema."""
    from civicspace import application

    db = application.open_database(state(ctx).db_url)
    db.migrate()
    return db


def open_store(ctx: typer.Context) -> Store:
    from civicspace import application

    return application.open_store(open_database(ctx))


def viewer(ctx: typer.Context) -> Viewer:
    role = state(ctx).role
    return Viewer.local_operator() if role == "editor" else Viewer(role, "cli")  # type: ignore[arg-type]


def report_error(message: str) -> None:
    """One error on stderr, unwrapped and without markup (file names contain brackets)."""
    err_console.print("[red]error:[/red] ", end="")
    err_console.print(message, markup=False, highlight=False, soft_wrap=True)


def fail(message: str, code: int = 1) -> NoReturn:
    report_error(message)
    raise typer.Exit(code)


def print_json(data: Any) -> None:
    sys.stdout.write(json.dumps(data, ensure_ascii=False, indent=2, default=str) + "\n")


def fuzzy_date(value: str) -> FuzzyDate:
    """``value`` as a date of its precision (``2022``, ``2022-06``...), else a usage error."""
    from civicspace.model.dates import FuzzyDate

    try:
        return FuzzyDate.parse(value)
    except ValueError as exc:
        raise typer.BadParameter(str(exc)) from exc


# The help of a KIND argument: replaced by the kinds' names when the help is shown, so
# that building the command line does not import the record model.
KINDS_HELP = "<the record kinds>"


def record_kinds() -> tuple[str, ...]:
    from civicspace.model.records import KINDS

    return KINDS


def check_kind(value: str) -> str:
    """``value`` if it names a kind of record, else a usage error listing them."""
    if value not in record_kinds():
        raise typer.BadParameter(f"{value!r} is not one of: {', '.join(record_kinds())}")
    return value


class KindsInHelp(TyperCommand):
    """A command with a KIND argument whose help names the kinds, looked up only for --help."""

    def format_help(self, ctx: Any, formatter: Any) -> None:
        for param in self.params:
            if getattr(param, "help", None) == KINDS_HELP:
                param.help = ", ".join(record_kinds())  # type: ignore[attr-defined]
        super().format_help(ctx, formatter)


def progress_bar() -> Progress:
    """A bar on a terminal, where it is erased when done; nothing at all otherwise (a
    transient bar still leaves an empty line in a file or a pipe)."""
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
        disable=not console.is_terminal,
    )
