"""Whether a database is already at the newest migration, told without importing Alembic.

Every command migrates the database it opens; when there is nothing to do, importing
Alembic (and Mako, Pygments) was a fifth of a short command's start-up. The newest
revisions are read from the migration files' ``revision`` and ``down_revision``
assignments, as Alembic reads them: a head is a revision no other one revises.
"""

from __future__ import annotations

import ast
from functools import cache
from importlib import resources

from sqlalchemy import Engine
from sqlalchemy.exc import SQLAlchemyError

__all__ = ["at_newest", "newest_revisions"]


def _assignments(source: str) -> dict[str, object]:
    """The module-level ``name = literal`` assignments of a migration file."""
    found: dict[str, object] = {}
    for node in ast.parse(source).body:
        if isinstance(node, ast.Assign) and len(node.targets) == 1:
            target, value = node.targets[0], node.value
        elif isinstance(node, ast.AnnAssign) and node.value is not None:  # revision: str = "x"
            target, value = node.target, node.value
        else:
            continue
        if isinstance(target, ast.Name):
            try:
                found[target.id] = ast.literal_eval(value)
            except ValueError:
                continue
    return found


@cache
def newest_revisions() -> frozenset[str]:
    """The head revision of every branch of ``civicspace/db/migrations/versions``."""
    folder = resources.files("civicspace.db").joinpath("migrations", "versions")
    revisions: set[str] = set()
    revised: set[str] = set()
    for item in folder.iterdir():
        if not item.name.endswith(".py") or item.name.startswith("__"):
            continue
        values = _assignments(item.read_text(encoding="utf-8"))
        if isinstance(values.get("revision"), str):
            revisions.add(str(values["revision"]))
        down = values.get("down_revision")
        revised.update([down] if isinstance(down, str) else down or ())  # type: ignore[arg-type]
    return frozenset(revisions - revised)


def at_newest(engine: Engine) -> bool:
    """True if ``engine``'s database records exactly the newest revisions (False if unsure)."""
    try:
        with engine.connect() as conn:
            stored = {
                row[0] for row in conn.exec_driver_sql("SELECT version_num FROM alembic_version")
            }
    except SQLAlchemyError:
        return False
    return stored == newest_revisions()
