"""The command line starts without loading the heavy libraries only some commands need."""

import json
import subprocess
import sys

from typer.testing import CliRunner

# Each takes a large share of a second to import; a command that needs one imports it itself.
HEAVY = ("splink", "pandas", "matplotlib", "scipy", "duckdb", "weasyprint", "fastapi")


def _loaded_after(code: str, packages: tuple[str, ...] = HEAVY) -> list[str]:
    """Which of ``packages`` are in ``sys.modules`` after running ``code`` in a fresh interpreter."""
    listed = f"[m for m in {packages!r} if m in sys.modules]"
    probe = f"{code}\nimport json, sys\nprint(json.dumps({listed}))"
    done = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True)
    return json.loads(done.stdout.strip().splitlines()[-1])


def test_importing_the_command_line_loads_no_heavy_library() -> None:
    assert _loaded_after("import civicspace.cli.app") == []


def _run_main(*args: str) -> str:
    """Code that runs ``civicspace ARGS`` in-process and returns when it exits."""
    return (
        f"import sys\nfrom civicspace.cli import main\nsys.argv = ['civicspace', *{args!r}]\n"
        "try:\n    main()\nexcept SystemExit:\n    pass"
    )


def test_help_loads_no_heavy_library() -> None:
    assert _loaded_after(_run_main("--help")) == []


def test_help_loads_neither_the_database_layer_nor_the_record_model() -> None:
    """``--help`` of every group stays light; a KIND argument's help is filled in when shown."""
    light = ("sqlalchemy", "civicspace.model", "civicspace.store", "civicspace.db")
    for args in (("--help",), ("lists", "--help"), ("keys", "--help"), ("history", "--help")):
        assert _loaded_after(_run_main(*args), light) == [], args


def test_the_kind_argument_help_names_every_kind() -> None:
    from civicspace.cli.app import app
    from civicspace.model.records import KINDS

    for args in (["show", "--help"], ["list", "--help"], ["history", "show", "--help"]):
        out = CliRunner().invoke(app, args, terminal_width=400).stdout
        assert all(kind in out for kind in KINDS), args


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
