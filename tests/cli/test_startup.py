"""The command line starts without loading the heavy libraries only some commands need."""

import json
import subprocess
import sys

from typer.testing import CliRunner

# Each takes a large share of a second to import; a command that needs one imports it itself.
HEAVY = ("splink", "pandas", "matplotlib", "scipy", "duckdb", "weasyprint", "fastapi")


def _loaded_after(code: str) -> list[str]:
    """The heavy packages in ``sys.modules`` after running ``code`` in a fresh interpreter."""
    probe = (
        f"{code}\nimport json, sys\nprint(json.dumps([m for m in {HEAVY!r} if m in sys.modules]))"
    )
    done = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True)
    return json.loads(done.stdout.strip().splitlines()[-1])


def test_importing_the_command_line_loads_no_heavy_library() -> None:
    assert _loaded_after("import civicspace.cli.app") == []


def test_help_loads_no_heavy_library() -> None:
    code = (
        "import sys\nfrom civicspace.cli import main\nsys.argv = ['civicspace', '--help']\n"
        "try:\n    main()\nexcept SystemExit:\n    pass"
    )
    assert _loaded_after(code) == []


def test_help_still_lists_every_command_group() -> None:
    from civicspace.cli.app import app

    out = CliRunner().invoke(app, ["--help"]).stdout
    for command in ("search", "list", "import", "lists", "report", "rating", "serve", "keys"):
        assert command in out
    for group in ("history", "audit", "evidence", "user", "token", "cases"):
        assert group in out


def test_option_defaults_written_for_help_match_the_library() -> None:
    from civicspace.cli import lists
    from civicspace.victims.estimation.report import METHODS
    from civicspace.victims.linkage import DEFAULT_MODEL, MODELS

    assert lists.DEFAULT_MODEL == DEFAULT_MODEL and lists.DEFAULT_MODEL in MODELS
    assert lists.METHODS == METHODS
