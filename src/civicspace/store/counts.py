"""Counts and page ids of list queries, kept until the data changes.

Counting the incidents a viewer may see takes a few milliseconds at 100,000 records, and
choosing a deep page's ids as much again on PostgreSQL (the tie-breaking sort), and both
answer the same until something is written. The data's version is the head of the audit
trail (its sequence number and chained hash): every change a store with the revision
journal makes appends an audit entry in the change's own transaction, and the head row
stays locked until that transaction commits, so the head moves whenever committed records
may have changed (and on logins and audited reads, which only costs a recount).

The key of an answer is the version and the statement itself, its structure and every
bound value, so the viewer's visibility rule and each filter are part of the key by
construction: an editor's count or page is never an anonymous visitor's answer. Only ids
are kept, never records: a page's records are read afresh. A caller may also keep an answer
of its own under a key it names (:meth:`Counter.remembered`): the store keeps a list page's
ids and total by kind, viewer and every field of the query, so that a page asked again
does not even build its statements.

>>> # count = cache.counter(conn)  # reads the version first, then
>>> # count(select(func.count()).select_from(t.incidents).where(...))
>>> # count.ids(select(t.incidents.c.id).where(...).limit(25))
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable
from typing import Any, TypeVar

from sqlalchemy import Connection, Executable, select

from civicspace.db.audit import audit_head

Version = tuple[int, str]
Answer = Any  # a count, a tuple of ids, or what a caller keeps with Counter.remembered
T = TypeVar("T")


class Counter:
    """Runs count statements (calling it) and id statements (:meth:`ids`) on ``conn``."""

    def __init__(self, conn: Connection) -> None:
        self.conn = conn

    def __call__(self, statement: Executable) -> int:
        return int(self.conn.scalar(statement) or 0)

    def ids(self, statement: Executable) -> tuple[str, ...]:
        return tuple(self.conn.scalars(statement))

    def remembered(self, key: Hashable, compute: Callable[[], T]) -> T:
        """``compute()``, kept under ``key`` while the data stays as it is. ``key`` names
        everything besides the data that the answer depends on (an immutable answer)."""
        return compute()


def plain_counter(conn: Connection) -> Counter:
    """Counting without a cache: each statement runs."""
    return Counter(conn)


# Built once: SQLAlchemy keeps a statement's cache key, so every request after the first
# skips building and keying it.
_HEAD = select(audit_head.c.seq, audit_head.c.hash).where(audit_head.c.id == 1)


def data_version(conn: Connection) -> Version | None:
    """The audit trail's head, or None when its row is missing (nothing is then cached)."""
    row = conn.execute(_HEAD).first()
    return (int(row.seq), str(row.hash)) if row else None


def statement_key(statement: Executable) -> Hashable | None:
    """The statement's structure and bound values; None when SQLAlchemy cannot key it."""
    cache_key = statement._generate_cache_key()  # type: ignore[attr-defined]
    if cache_key is None:
        return None
    values = tuple(_hashable(bind.effective_value) for bind in cache_key.bindparams)
    return cache_key.key, values


def _hashable(value: Any) -> Hashable:
    if isinstance(value, list | tuple):
        return tuple(_hashable(v) for v in value)
    return value  # type: ignore[no-any-return]


class _Cached(Counter):
    def __init__(self, conn: Connection, cache: CountCache, version: Version) -> None:
        super().__init__(conn)
        self.cache = cache
        self.version = version

    def __call__(self, statement: Executable) -> int:
        found = self._answer(statement, super().__call__)
        assert isinstance(found, int)
        return found

    def ids(self, statement: Executable) -> tuple[str, ...]:
        found = self._answer(statement, super().ids)
        assert isinstance(found, tuple)
        return found

    def remembered(self, key: Hashable, compute: Callable[[], T]) -> T:
        wrapped = ("remembered", key)  # never equal to a statement's key
        found = self.cache._get(self.version, wrapped)
        if found is not None:
            return found  # type: ignore[no-any-return]
        answer = compute()
        self.cache._put(self.version, wrapped, answer)
        return answer

    def _answer(self, statement: Executable, run: Callable[[Executable], Answer]) -> Answer:
        key = statement_key(statement)
        if key is None:
            return run(statement)
        found = self.cache._get(self.version, key)
        if found is not None:
            return found
        answer = run(statement)
        self.cache._put(self.version, key, answer)
        return answer


class CountCache:
    """Answers by (data version, statement), the newest version's only, ``size`` at most."""

    def __init__(self, size: int = 1024) -> None:
        self.size = size
        self._version: Version | None = None
        self._answers: OrderedDict[Hashable, Answer] = OrderedDict()
        self._lock = threading.Lock()
        self.hits = 0
        self.misses = 0

    def counter(self, conn: Connection) -> Counter:
        """Count and choose ids with ``conn``, answering from the cache while the data is
        at the version read now. The version is read before any statement: an answer may
        then be newer than its version (harmless, the next reader sees a newer version),
        never older."""
        version = data_version(conn)
        if version is None:
            return plain_counter(conn)
        return _Cached(conn, self, version)

    def _get(self, version: Version, key: Hashable) -> Answer | None:
        with self._lock:
            if version != self._version:
                self.misses += 1
                return None
            found = self._answers.get(key)
            if found is None:
                self.misses += 1
                return None
            self._answers.move_to_end(key)
            self.hits += 1
            return found

    def _put(self, version: Version, key: Hashable, answer: Answer) -> None:
        with self._lock:
            if version != self._version:
                self._answers.clear()
                self._version = version
            self._answers[key] = answer
            while len(self._answers) > self.size:
                self._answers.popitem(last=False)

    def clear(self) -> None:
        with self._lock:
            self._answers.clear()
            self._version = None
