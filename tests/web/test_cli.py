"""``civicspace user add``, ``token create`` and ``token revoke`` on a real database."""

from __future__ import annotations

from typer.testing import CliRunner

from civicspace.access.accounts import Accounts
from civicspace.access.tokens import Tokens
from civicspace.application import open_database
from civicspace.cli.app import app


def test_users_and_tokens_from_the_command_line(database_url: str) -> None:
    runner = CliRunner()
    db = ["--db", database_url]
    added = runner.invoke(
        app,
        [*db, "user", "add", "aliya", "--role", "editor", "--password-stdin"],
        input="a long passphrase\n",
    )
    assert added.exit_code == 0, added.output
    short = runner.invoke(app, [*db, "user", "add", "bek", "--password-stdin"], input="short\n")
    assert short.exit_code == 1 and "at least" in short.output
    created = runner.invoke(app, [*db, "token", "create", "aliya", "--label", "import script"])
    assert created.exit_code == 0, created.output
    secret = created.output.strip().splitlines()[-1]
    database = open_database(database_url)
    try:
        tokens = Tokens(Accounts(database))
        assert tokens.user_for(secret) is not None
        assert tokens.user_for(secret).role == "editor"  # type: ignore[union-attr]
        revoked = runner.invoke(app, [*db, "token", "revoke", "--secret-stdin"], input=secret)
        assert revoked.exit_code == 0, revoked.output
        assert tokens.user_for(secret) is None
        again = runner.invoke(app, [*db, "token", "revoke", "1"])
        assert again.exit_code == 1
    finally:
        database.dispose()
    help_text = runner.invoke(app, ["serve", "--help"]).output
    assert "--port" in help_text and "--demo-users" in help_text
