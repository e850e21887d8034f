"""Who validates an import's chunks: this process, or forked workers, behind one interface.

The writing process asks a :class:`Runner` for the chunks of some kinds, in file order,
and checks and writes each one (:mod:`civicspace.ingest.pipeline`). :class:`InProcess`
validates them here and hands the records back for :meth:`Store.insert_many`;
:class:`~civicspace.ingest.workers.Workers` also turns them into rows in other processes.
Both validate with :func:`~civicspace.ingest.checks.validate_chunk`.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from contextlib import AbstractContextManager, contextmanager
from dataclasses import dataclass, field
from typing import Any, Protocol

from sqlalchemy.engine import Dialect

from civicspace.access.policy import Viewer
from civicspace.ingest.checks import Chunk, validate_chunk
from civicspace.ingest.source import PARTIES, Source, item_type
from civicspace.store.prepared import Names

Task = tuple[str, int, int]  # kind, start, stop


@dataclass
class Job:
    """What a runner needs to validate and prepare chunks (forked workers inherit it)."""

    source: Source
    dialect: Dialect
    viewer: Viewer
    actor: str
    now: dt.datetime
    journal: Any
    known: dict[str, set[str]]  # ids of the records checked so far, by kind
    chunk_size: int
    # Each party kind's visibility and names by id, as the chunks written so far gave them.
    names: dict[str, dict[str, tuple[str, list[str]]]] = field(
        default_factory=lambda: {kind: {} for kind in PARTIES}
    )

    def parties(self) -> tuple[Names, Names]:
        """The persons' and the organisations' names, in the order the store's
        :func:`~civicspace.store.prepared.prepare_insert` and ``parties_named`` take them."""
        return self.names["persons"], self.names["organisations"]

    def tasks(self, kinds: tuple[str, ...], whole: bool = False) -> list[Task]:
        """The chunks of ``kinds`` in file order; with ``whole``, one per section."""
        out = []
        for kind in kinds:
            section = self.source.sections.get(kind)
            total = len(section.items) if section else 0
            size = max(total, 1) if whole else self.chunk_size
            out += [(kind, start, min(start + size, total)) for start in range(0, total, size)]
        return out

    def validate(self, task: Task) -> tuple[Chunk, list[Any]]:
        """Validate one chunk: its ids, problems and references to look up, and the items."""
        kind, start, stop = task
        section = self.source.sections[kind]
        return validate_chunk(
            section, item_type(kind), range(start, stop), self.source.file, self.known, self.viewer
        )


class Runner(Protocol):
    """Validates (and perhaps prepares) the chunks of ``kinds`` and yields them in file order."""

    workers: int  # processes besides this one (0: none)

    def chunks(self, job: Job, kinds: tuple[str, ...]) -> AbstractContextManager[Iterator[Chunk]]:
        """The chunks in file order; leaving the block stops whatever the runner started."""
        ...


class InProcess:
    """This process validates each chunk as it is asked for; the records come back whole.
    With ``whole``, each section is one chunk (sources, which cite each other)."""

    workers = 0

    @contextmanager
    def chunks(
        self, job: Job, kinds: tuple[str, ...], whole: bool = False
    ) -> Iterator[Iterator[Chunk]]:
        yield (_with_records(*job.validate(task)) for task in job.tasks(kinds, whole))


def _with_records(chunk: Chunk, valid: list[Any]) -> Chunk:
    chunk.records = valid
    return chunk
