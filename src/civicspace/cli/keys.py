"""``civicspace keys``: create the master key, rotate it, show which keys a database holds."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from civicspace import settings
from civicspace.cli.common import console, fail, state

keys_app = typer.Typer(help="Encryption keys of confidential fields.", no_args_is_help=True)
KeyFileOpt = Annotated[
    Path | None,
    typer.Option("--key-file", help="Where the master key lives (default: <database>.key)"),
]
EvidenceOpt = Annotated[
    Path | None,
    typer.Option("--evidence", help="The evidence folder (default: the database's)"),
]


def _key_file(ctx: typer.Context, key_file: Path | None) -> Path | None:
    from civicspace.db.engine import default_key_file, resolve_url

    if key_file is not None:
        return key_file
    configured: Path | None = settings.read("master_key_file")
    if configured is not None:
        return configured
    return default_key_file(resolve_url(state(ctx).db_url))


@keys_app.command("init")
def init(ctx: typer.Context, key_file: KeyFileOpt = None) -> None:
    """Create a master key file (mode 0600) and the database's data keys."""
    from civicspace.application import open_database
    from civicspace.crypto.keyring import Keyring
    from civicspace.crypto.keys import ENV_KEY, ENV_KEY_FILE, MasterKey
    from civicspace.db.engine import default_key_file

    path = _key_file(ctx, key_file)
    if path is None:
        fail(f"a PostgreSQL database needs --key-file PATH (or {ENV_KEY})")
    if settings.read("master_key") is not None and key_file is None:
        fail(f"a master key is already configured in {ENV_KEY}")
    if path.exists():
        fail(f"{path} exists already; rotate it with: civicspace keys rotate")
    master = MasterKey.generate()
    master.write(path)
    db = open_database(state(ctx).db_url, keyring=Keyring(MasterKey(master.secret, str(path))))
    db.migrate()
    console.print(f"Master key {master.id} written to {path} (keep a copy offline).")
    if path != default_key_file(db.url):
        console.print(f"Point {ENV_KEY_FILE} at it for every command and the server.")


@keys_app.command("rotate")
def rotate(
    ctx: typer.Context,
    key_file: KeyFileOpt = None,
    reencrypt: Annotated[
        bool,
        typer.Option(
            "--reencrypt",
            help="Also seal everything again under a new data key: records, revisions, evidence",
        ),
    ] = False,
    batch: Annotated[int, typer.Option(help="Records per transaction when re-encrypting")] = 500,
    evidence: EvidenceOpt = None,
) -> None:
    """Wrap the data keys under a new master key (no data rewritten, no downtime)."""
    from civicspace.application import open_database
    from civicspace.crypto.keys import ENV_KEY, ENV_KEY_FILE, MasterKey
    from civicspace.trust.rotation import new_data_key_active, rewrap
    from civicspace.trust.rotation import reencrypt as seal_again

    db = open_database(state(ctx).db_url)
    db.migrate()
    if db.keyring is None:
        fail("no master key is configured: civicspace keys init")
    origin = Path(db.keyring.master.origin)
    path = key_file or (origin if origin.is_file() else None)
    if path is None:  # never wrap the data keys under a key that is saved nowhere
        fail(f"the master key comes from {ENV_KEY}: name a file for the new one with --key-file")
    result = rewrap(db, MasterKey.generate(), path)
    console.print(f"Master key {result.old_master} -> {result.new_master}, written to {path}.")
    if path != origin:
        console.print(f"Point {ENV_KEY_FILE} at {path} (and drop {ENV_KEY}) before restarting.")
    if reencrypt:
        key_id = new_data_key_active(db)
        done = seal_again(db, batch, evidence)
        console.print(
            f"Data key {key_id} now seals new values; sealed again: {done.records} records, "
            f"{done.revisions} revisions, {done.evidence_rows} evidence rows, "
            f"{done.evidence_files} evidence files."
        )
        for problem in done.problems:
            console.print(f"  not re-encrypted: {problem}")


@keys_app.command("remove")
def remove(
    ctx: typer.Context,
    key_id: Annotated[str, typer.Argument(help="A retired data key (see keys status)")],
    evidence: EvidenceOpt = None,
) -> None:
    """Delete a retired data key once nothing is sealed under it (checks every table)."""
    from civicspace.application import open_database
    from civicspace.crypto import KeyProblem
    from civicspace.trust.rotation import remove_data_key

    db = open_database(state(ctx).db_url)
    db.migrate()
    try:
        remove_data_key(db, key_id, evidence)
    except KeyProblem as exc:
        fail(str(exc))
    console.print(f"Data key {key_id} removed: nothing was sealed under it any more.")


@keys_app.command("status")
def status(ctx: typer.Context) -> None:
    """Which master key this command uses and which data keys the database holds."""
    from sqlalchemy import select

    from civicspace.application import open_database
    from civicspace.db.keys import crypto_keys

    db = open_database(state(ctx).db_url)
    db.migrate()
    if db.keyring is None:
        console.print("No master key configured: confidential records are refused.")
    else:
        console.print(f"Master key {db.keyring.master.id} from {db.keyring.master.origin}")
    with db.begin() as conn:
        for row in conn.execute(select(crypto_keys).order_by(crypto_keys.c.created_at)):
            state_ = "active" if row.active else "retired"
            console.print(f"  {row.purpose} key {row.key_id} ({state_}) wrapped by {row.master_id}")


def register(app: typer.Typer) -> None:
    app.add_typer(keys_app, name="keys")
