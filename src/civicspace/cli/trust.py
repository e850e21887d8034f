"""``civicspace history``, ``undelete``, ``audit``, ``backup`` and ``restore``.

Only argument parsing and printing live here; the work is in :mod:`civicspace.trust`.
"""

from __future__ import annotations

import errno
import json
import sqlite3
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer
from rich.table import Table
from typer.core import TyperGroup

from civicspace import settings
from civicspace.cli.common import (
    KINDS_HELP,
    JsonOpt,
    KindsInHelp,
    check_kind,
    console,
    fail,
    open_database,
    open_store,
    print_json,
    record_kinds,
    state,
    viewer,
)

if TYPE_CHECKING:
    from civicspace.trust.sealing import BackupKey

KindArg = Annotated[str, typer.Argument(help=KINDS_HELP, metavar="KIND")]
IdArg = Annotated[str, typer.Argument(metavar="ID")]
ReasonOpt = Annotated[str | None, typer.Option("--reason", help="Why (kept in the revision).")]


class _ShowByDefault(TyperGroup):
    """``history KIND ID`` shows; ``history restore KIND ID REV`` restores."""

    def parse_args(self, ctx: typer.Context, args: list[str]) -> list[str]:  # type: ignore[override]
        if args and args[0] not in self.commands and not args[0].startswith("-"):
            args = ["show", *args]
        return super().parse_args(ctx, args)


history_app = typer.Typer(
    cls=_ShowByDefault,
    help="A record's revisions (who, when, why, what changed); restore an earlier one.",
    no_args_is_help=True,
)
audit_app = typer.Typer(help="The tamper-evident audit trail.", no_args_is_help=True)


def _short(value: Any) -> str:
    text = value if isinstance(value, str) else json.dumps(value, ensure_ascii=False)
    return text if len(text) <= 60 else text[:57] + "..."


@history_app.command("show", cls=KindsInHelp)
def show_history(
    ctx: typer.Context, kind: KindArg, record_id: IdArg, json_out: JsonOpt = False
) -> None:
    """Every revision of one record, with what changed."""
    from civicspace.trust.history import history

    revs = history(open_store(ctx), check_kind(kind), record_id, viewer(ctx))
    if json_out:
        print_json([r.as_json() for r in revs])
        return
    for r in revs:
        title = f"revision {r.revision}: {r.action} by {r.actor} at {r.at:%Y-%m-%d %H:%M:%S}"
        table = Table(
            "field", "before", "after", title=title + (f" ({r.reason})" if r.reason else "")
        )
        for change in r.changes:
            table.add_row(change.path, _short(change.old), _short(change.new))
        console.print(table)


@history_app.command("restore", cls=KindsInHelp)
def restore_revision(
    ctx: typer.Context,
    kind: KindArg,
    record_id: IdArg,
    number: Annotated[int, typer.Argument(metavar="REV")],
    reason: ReasonOpt = None,
) -> None:
    """Make revision REV's content current again (as a new revision)."""
    from civicspace.trust.history import restore

    record = restore(open_store(ctx), check_kind(kind), record_id, number, viewer(ctx), reason)
    console.print(f"Restored {kind} {record_id} to revision {number}: now version {record.version}")


def undelete_command(
    ctx: typer.Context, kind: KindArg, record_id: IdArg, reason: ReasonOpt = None
) -> None:
    """Bring back a deleted record as it was (editors)."""
    from civicspace.trust.history import undelete

    record = undelete(open_store(ctx), check_kind(kind), record_id, viewer(ctx), reason)
    console.print(f"Undeleted {kind} {record_id}: now version {record.version}")


@audit_app.command("verify")
def audit_verify(
    ctx: typer.Context,
    head: Annotated[
        str | None,
        typer.Option("--head", help="A head hash published earlier: check it is in the chain."),
    ] = None,
    json_out: JsonOpt = False,
) -> None:
    """Recompute the hash chain; name the first altered, removed or reordered entry."""
    from civicspace.trust import audit

    with open_database(ctx).begin() as conn:
        verdict = audit.verify(conn, head)
    if json_out:
        print_json({**verdict.__dict__, "message": verdict.message()})
    elif verdict.ok:
        console.print(verdict.message(), soft_wrap=True)
    if not verdict.ok:
        fail(verdict.message())


@audit_app.command("head")
def audit_head(ctx: typer.Context) -> None:
    """Print the hash of the newest entry (publish it elsewhere)."""
    from civicspace.trust import audit

    with open_database(ctx).begin() as conn:
        seq, digest = audit.head(conn)
    typer.echo(f"{digest} {seq}")


@audit_app.command("export")
def audit_export(
    ctx: typer.Context,
    out: Annotated[Path, typer.Option("--out", help="JSON lines file to write.")],
) -> None:
    """Write every entry as JSON lines, for an external notary."""
    from civicspace.trust import audit

    count = audit.export_lines(open_database(ctx), out, actor=viewer(ctx).name or "cli")
    console.print(f"Wrote {count} entries to {out}")


def _key(key_file: Path | None, passphrase_stdin: bool, confirm: bool) -> BackupKey:
    from civicspace.trust.sealing import BackupKey

    if key_file is not None:
        return BackupKey.from_file(key_file)
    if passphrase_stdin:
        return BackupKey.from_passphrase(sys.stdin.readline().rstrip("\n"))
    if (configured := settings.read("backup_passphrase")) is not None:
        return BackupKey.from_passphrase(configured.reveal().decode())
    passphrase = typer.prompt("Backup passphrase", hide_input=True, confirmation_prompt=confirm)
    return BackupKey.from_passphrase(passphrase)


KeyFileOpt = Annotated[
    Path | None,
    typer.Option("--key-file", help="Key file (at least 32 random bytes) instead of a passphrase."),
]
PassStdinOpt = Annotated[
    bool,
    typer.Option("--passphrase-stdin", help="Read the passphrase from the first line of stdin."),
]


def backup_command(
    ctx: typer.Context,
    out: Annotated[Path, typer.Option("--out", help="The encrypted backup file to write.")],
    evidence: Annotated[
        Path | None,
        typer.Option("--evidence", help="Evidence folder to include (default: the database's)."),
    ] = None,
    key_file: KeyFileOpt = None,
    passphrase_stdin: PassStdinOpt = False,
) -> None:
    """Back up the database, the audit trail and the evidence files into one encrypted file,
    while the application keeps running. The key is a passphrase (asked, --passphrase-stdin,
    or CIVICSPACE_BACKUP_PASSPHRASE) or --key-file."""
    from civicspace.trust.backup import create_backup, default_evidence

    key = _key(key_file, passphrase_stdin, confirm=True)
    try:
        db = open_database(ctx)
        summary = create_backup(
            db, out, key, evidence or default_evidence(db), viewer(ctx).name or "cli"
        )
    except OSError as exc:
        fail(_disk_message(exc, out))
    except sqlite3.OperationalError as exc:  # SQLite's snapshot hit the full disk
        fail(_disk_message(OSError(errno.ENOSPC, str(exc)), out))
    records = sum(summary.tables.get(k, 0) for k in record_kinds())
    console.print(
        f"Wrote {out}: {records} records, {summary.evidence_files} evidence files, "
        f"audit head {summary.audit_head[1]} ({summary.audit_head[0]} entries)",
        soft_wrap=True,
    )


def restore_command(
    ctx: typer.Context,
    backup: Annotated[Path, typer.Argument(exists=True, dir_okay=False, help="A backup file.")],
    db: Annotated[
        str | None,
        typer.Option("--db", help="Empty target: a new SQLite file or a PostgreSQL URL."),
    ] = None,
    evidence: Annotated[
        Path | None,
        typer.Option("--evidence", help="Where to put the evidence files (default: the target's)."),
    ] = None,
    key_file: KeyFileOpt = None,
    passphrase_stdin: PassStdinOpt = False,
) -> None:
    """Restore a backup into an empty database; checks the audit chain and head afterwards."""
    from civicspace import application
    from civicspace.trust.backup import RestoreError, default_evidence, restore_backup
    from civicspace.trust.sealing import BackupKeyError

    target = db or state(ctx).db_url
    if not target:
        fail("name the target database with --db")
    key = _key(key_file, passphrase_stdin, confirm=False)
    try:
        folder = evidence or default_evidence(application.open_database(target))
        summary = restore_backup(backup, target, key, folder)
    except (RestoreError, BackupKeyError) as exc:
        fail(str(exc))
    except OSError as exc:
        fail(_disk_message(exc, Path(target)))
    console.print(
        f"Restored {backup} into {target}: audit head {summary.audit_head[1]} verified, "
        f"{summary.evidence_files} evidence files",
        soft_wrap=True,
    )


def _disk_message(exc: OSError, path: Path) -> str:
    if exc.errno in (errno.ENOSPC, errno.EFBIG, errno.EDQUOT):
        return f"the disk is full (or the file size limit was reached) while writing {path}; nothing was written under that name"
    return f"cannot write {path}: {exc.strerror or exc}"


def register(app: typer.Typer) -> None:
    app.add_typer(history_app, name="history")
    app.add_typer(audit_app, name="audit")
    app.command("undelete", cls=KindsInHelp)(undelete_command)
    app.command("backup")(backup_command)
    app.command("restore")(restore_command)


__all__ = ["register", "state"]
