"""The ``civicspace`` command line: one module per command group, over the core's services.

Only :func:`main` lives here, so importing a command group does not load the others.
"""

__all__ = ["main"]


def main() -> None:
    from civicspace.cli.app import app

    app()
