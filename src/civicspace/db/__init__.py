"""The bottom layer: the engine, every table and the migrations.

Nothing here imports a package above :mod:`civicspace.model`. Every table module is
listed in :data:`TABLE_MODULES` and imported here, so ``metadata`` always holds every
table, whichever module a caller imported first (Alembic's ``env.py`` reads it).
"""

from civicspace.db import accounts, audit, evidence, keys, schema, victim_lists
from civicspace.db.schema import metadata

TABLE_MODULES = (schema, accounts, keys, evidence, audit, victim_lists)

__all__ = ["TABLE_MODULES", "metadata"]
