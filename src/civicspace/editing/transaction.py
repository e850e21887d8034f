"""One transaction for several writes of the Store.

:meth:`Store.save` opens a transaction of its own. A form that creates the people it
names and the incident citing them must write all of it or nothing, so :func:`joined`
hands out a copy of the store whose every ``db.begin()`` joins one open transaction:
an error anywhere inside the block rolls back every write made in it.
"""

from __future__ import annotations

import copy
from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy import Connection

from civicspace.db.engine import Database
from civicspace.store import Store


class _JoinedDatabase(Database):
    """``database`` whose ``begin()`` yields the one connection already in a transaction."""

    def __init__(self, database: Database, conn: Connection) -> None:
        self.__dict__.update(database.__dict__)
        self._conn = conn

    @contextmanager
    def begin(self) -> Iterator[Connection]:
        # Committing or rolling back is the outer block's business, never an inner one's.
        yield self._conn


@contextmanager
def joined(store: Store) -> Iterator[Store]:
    """``store`` with every read and write inside the block in one transaction, committed
    when the block ends and rolled back, all of it, when it raises."""
    with store.db.begin() as conn:
        shared = copy.copy(store)
        shared.db = _JoinedDatabase(store.db, conn)
        yield shared


__all__ = ["joined"]
