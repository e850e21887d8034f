"""Importing a large file on every core.

Validating records and turning them into rows, search documents and revisions costs
about three times what the database spends storing them, and it is all pure Python, so
threads cannot share it out. Here forked worker processes take the file's records in
chunks: each validates its chunk and prepares it (:func:`civicspace.store.prepared.prepare_insert`),
while the importing process, the only one with a connection, checks identifiers and
references and writes one chunk after another in a single transaction
(:mod:`civicspace.ingest.pipeline`). Nothing changes for the user: every problem is still
reported as ``file:row:field`` and any problem means nothing is written.

What a worker cannot prepare on its own (a confidential record, whose rows are sealed
with the keyring, or a record naming a party not prepared before the fork) comes back
validated and is written through :meth:`~civicspace.store.repository.Store.insert_many`.
"""

from __future__ import annotations

import multiprocessing
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from civicspace.ingest.checks import Chunk
from civicspace.ingest.runners import Job, Task
from civicspace.ingest.source import PARTIES
from civicspace.model.records import Record
from civicspace.store.prepared import prepare_insert
from civicspace.store.search import parties_named, party_names

_job: Job | None = None  # set in the importing process just before it forks workers
_stop: Any = None  # an Event the workers inherit: once set, they skip the chunks left


def _prepare(task: Task) -> Chunk:
    """In a worker: validate one chunk and prepare what it can."""
    job = _job
    assert job is not None, "workers are forked after the job is set"
    if _stop.is_set():
        return Chunk(task[0], [], [])  # the import has failed: nobody reads this chunk
    chunk, records = job.validate(task)
    if chunk.problems:
        return chunk  # the import will be refused: nothing to prepare
    if chunk.kind in PARTIES:
        # A confidential party's names only go into confidential documents, which the
        # writing process builds; the next round needs no more than its visibility.
        chunk.names = {
            r.id: party_names(r) if r.visibility != "confidential" else (r.visibility, [])
            for r in records
        }
    plain: list[Record] = []
    parties = job.parties()
    for record in records:
        named = parties_named([record])
        known = all(ids <= names.keys() for ids, names in zip(named, parties, strict=True))
        (plain if known and record.visibility != "confidential" else chunk.records).append(record)
    if plain:
        chunk.prepared = prepare_insert(
            job.dialect, plain, job.actor, job.now, *parties, job.journal
        )
    return chunk


class Workers:
    """Up to ``count`` forked processes validate and prepare the chunks."""

    def __init__(self, count: int) -> None:
        self.workers = count

    @contextmanager
    def chunks(self, job: Job, kinds: tuple[str, ...]) -> Iterator[Iterator[Chunk]]:
        """Fork workers that inherit ``job``; their chunks, in file order.

        Leaving the block, for whatever reason, stops the workers. They are not killed: a
        worker killed while sending a chunk back would hold the pool's result lock for good,
        and the pool's own shutdown would then wait for it forever. On an error they are
        told to skip what is left, so each one finishes the chunk in hand and exits. Only
        an interrupt (Ctrl-C, which the workers receive too) ends them at once."""
        global _job, _stop
        tasks = job.tasks(kinds)
        if not tasks:
            yield iter(())
            return
        context = multiprocessing.get_context("fork")
        _job, _stop = job, context.Event()
        pool = context.Pool(min(self.workers, len(tasks)))
        try:
            yield pool.imap(_prepare, tasks)
        except Exception:
            _stop.set()
            raise
        except BaseException:
            pool.terminate()
            raise
        finally:
            pool.close()
            pool.join()
            _job = _stop = None
