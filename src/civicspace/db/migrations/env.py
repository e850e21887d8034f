"""Alembic environment: runs on the connection handed in by ``Database.migrate``."""

from alembic import context
from sqlalchemy import create_engine

# Every table of the project, listed in one place, so autogenerate proposes nothing.
from civicspace.db import metadata
from civicspace.db.autogenerate import include_object

config = context.config
connection = config.attributes.get("connection")


def _run(conn) -> None:  # type: ignore[no-untyped-def]
    context.configure(
        connection=conn,
        target_metadata=metadata,
        include_object=include_object,
        render_as_batch=conn.dialect.name == "sqlite",
    )
    with context.begin_transaction():
        context.run_migrations()


if connection is not None:
    _run(connection)
else:  # the `alembic` command line, e.g. `alembic revision --autogenerate`
    engine = create_engine(config.get_main_option("sqlalchemy.url") or "sqlite://")
    with engine.begin() as conn:
        _run(conn)
