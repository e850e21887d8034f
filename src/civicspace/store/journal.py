"""What the store tells about each change and sensitive read: the journal it is handed.

The store imports no journal: :func:`civicspace.application.open_store` hands in
:class:`civicspace.trust.journal.RevisionJournal`, tests may hand in
:class:`civicspace.trust.NoJournal`.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from typing import Any, Protocol

from sqlalchemy import Connection
from sqlalchemy.engine import Dialect

from civicspace.access.policy import Viewer
from civicspace.model.records import Record
from civicspace.store.snapshot import Snapshot

Clock = Callable[[], dt.datetime]


def utcnow() -> dt.datetime:
    return dt.datetime.now(dt.UTC).replace(microsecond=0)


class Journal(Protocol):
    """What the store tells about each change and sensitive read, in the same transaction.

    The default, :class:`civicspace.trust.journal.RevisionJournal`, keeps every change as a
    revision and writes the audit trail; :class:`civicspace.trust.NoJournal` keeps nothing.
    """

    keeps_audit_head: bool  # does every change move the audit head (see store.counts)?

    def inserted(
        self,
        conn: Connection,
        records: Sequence[Record] | Sequence[Snapshot],
        actor: str,
        now: dt.datetime,
        action: str = "create",
        reason: str | None = None,
    ) -> None: ...

    def prepare_inserted(
        self, dialect: Dialect, records: Sequence[Snapshot], actor: str, now: dt.datetime
    ) -> Any:
        """What :meth:`inserted` would write for these new records, built without a database."""

    def inserted_prepared(
        self, conn: Connection, prepared: Any, actor: str, now: dt.datetime
    ) -> None: ...

    def changed(
        self,
        conn: Connection,
        before: Record,
        after: Record | None,
        actor: str,
        now: dt.datetime,
        action: str,
        reason: str | None = None,
    ) -> int: ...

    def read(
        self, conn: Connection, viewer: Viewer, kind: str, ids: Sequence[str], now: dt.datetime
    ) -> None: ...

    def exported(
        self,
        conn: Connection,
        viewer: Viewer,
        kind: str,
        count: int,
        confidential_ids: Sequence[str],
        now: dt.datetime,
    ) -> None: ...
