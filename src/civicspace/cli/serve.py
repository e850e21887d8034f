"""Commands for the web app: ``serve``, ``user add``, ``token create`` and ``token revoke``."""

from __future__ import annotations

import os
import secrets
import sys
from typing import TYPE_CHECKING, Annotated

import typer

from civicspace.cli.common import console, fail, open_database, state
from civicspace.settings import setting

if TYPE_CHECKING:
    from civicspace.access.accounts import Accounts
    from civicspace.access.tokens import Tokens

DEMO_USERS = (("editor", "editor"), ("researcher", "researcher"), ("viewer", "viewer"))

user_app = typer.Typer(help="User accounts.", no_args_is_help=True)
token_app = typer.Typer(help="API tokens (bearer secrets, stored hashed).", no_args_is_help=True)


def serve(
    ctx: typer.Context,
    host: Annotated[str, typer.Option(help="Address to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="Port to listen on.")] = 8000,
    demo_users: Annotated[
        bool,
        typer.Option(
            "--demo-users",
            help="Create editor/researcher/viewer logins with printed passwords if missing "
            "(only for a demo database).",
        ),
    ] = False,
    workers: Annotated[
        int,
        typer.Option(
            min=1,
            help="Processes serving requests (each on its own socket; more than one "
            "needs SO_REUSEPORT, as on Linux). About one per core.",
        ),
    ] = 1,
) -> None:
    """Serve the web pages and the REST API (``/api/v1``) of the database ``--db``."""
    import uvicorn

    from civicspace.access.accounts import Accounts
    from civicspace.db.engine import resolve_url
    from civicspace.web.app import create_app
    from civicspace.web.server import WORKER_ENV, run_workers
    from civicspace.web.settings import Settings, SettingsError

    db = open_database(ctx)
    try:
        settings = Settings.from_env()
    except SettingsError as exc:
        fail(str(exc))
    accounts = Accounts(db)
    if demo_users:
        # A fresh password on every start, printed: these logins are for demo databases only.
        for name, role in DEMO_USERS:
            password = f"demo-{name}-{secrets.token_hex(4)}"
            if accounts.get(name) is None:
                accounts.add_user(name, role, password)
            else:
                accounts.set_password(name, password)
            console.print(f"  demo login [bold]{name}[/bold] / {password}  ({role})")
    shown = "localhost" if host in ("127.0.0.1", "0.0.0.0") else host
    console.print(f"civicspace serving {db.url} at [bold]http://{shown}:{port}/[/bold]")
    if workers == 1:
        app = create_app(db, settings, accounts)
        uvicorn.run(app, host=host, port=port, log_level="warning")
        return
    db.dispose()
    # Every worker must sign and check sessions with the same secret: it is handed down,
    # with the database, through the environment (never on a command line).
    environment = {
        **os.environ,
        WORKER_ENV: resolve_url(state(ctx).db_url),
        setting("secret_key").env: str(settings.secret_key),
    }
    try:
        status = run_workers(host, port, workers, environment)
    except RuntimeError as exc:
        fail(str(exc))
    if status:
        raise typer.Exit(status)


def _accounts(ctx: typer.Context) -> Accounts:
    from civicspace.access.accounts import Accounts

    return Accounts(open_database(ctx))


def _tokens(ctx: typer.Context) -> Tokens:
    from civicspace.access.tokens import Tokens

    return Tokens(_accounts(ctx))


def _read_password(password_stdin: bool) -> str:
    if password_stdin:
        return sys.stdin.readline().rstrip("\n")
    value: str = typer.prompt("Password", hide_input=True, confirmation_prompt=True)
    return value


@user_app.command("add")
def user_add(
    ctx: typer.Context,
    name: str,
    role: Annotated[str, typer.Option(help="viewer, researcher, editor or admin")] = "viewer",
    password_stdin: Annotated[
        bool, typer.Option("--password-stdin", help="Read the password from standard input.")
    ] = False,
) -> None:
    """Create a user (asks for the password twice)."""
    accounts = _accounts(ctx)
    user = accounts.add_user(name, role, _read_password(password_stdin))
    console.print(f"user {user.name} ({user.role}) created")


@user_app.command("password")
def user_password(
    ctx: typer.Context,
    name: str,
    password_stdin: Annotated[bool, typer.Option("--password-stdin")] = False,
) -> None:
    """Set a user's password; their open sessions end."""
    _accounts(ctx).set_password(name, _read_password(password_stdin))
    console.print(f"password of {name} changed")


@user_app.command("list")
def user_list(ctx: typer.Context) -> None:
    for user in _accounts(ctx).users():
        console.print(f"{user.name}\t{user.role}")


@token_app.command("create")
def token_create(
    ctx: typer.Context,
    name: Annotated[str, typer.Argument(help="the user the token acts as")],
    label: Annotated[str | None, typer.Option(help="what the token is for")] = None,
) -> None:
    """Create an API token; the secret is printed once and only its hash is kept."""
    tokens = _tokens(ctx)
    token_id, secret = tokens.create(name, label)
    console.print(f"token {token_id} for {name}:", highlight=False)
    sys.stdout.write(secret + "\n")


@token_app.command("revoke")
def token_revoke(
    ctx: typer.Context,
    token_id: Annotated[int | None, typer.Argument(help="the token's id")] = None,
    secret_stdin: Annotated[
        bool, typer.Option("--secret-stdin", help="Read the token itself from standard input.")
    ] = False,
) -> None:
    """Revoke an API token by id (see ``token list``) or by its secret."""
    tokens = _tokens(ctx)
    secret = sys.stdin.readline().strip() if secret_stdin else None
    if token_id is None and not secret:
        fail("give a token id or --secret-stdin")
    if not tokens.revoke(token_id, secret):
        fail("no such live token")
    console.print("token revoked")


@token_app.command("list")
def token_list(ctx: typer.Context, name: Annotated[str | None, typer.Argument()] = None) -> None:
    for info in _tokens(ctx).list(name):
        state = "revoked" if info.revoked else "live"
        console.print(f"{info.id}\t{info.user}\t{state}\t{info.label or ''}\t{info.created_at}")


def register(app: typer.Typer) -> None:
    app.command("serve")(serve)
    app.add_typer(user_app, name="user")
    app.add_typer(token_app, name="token")
