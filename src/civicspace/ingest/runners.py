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

from pydantic import BaseModel
from sqlalchemy.engine import Dialect

from civicspace.ingest.checks import Chunk, validate_chunk
from civicspace.ingest.source import Source
from civicspace.model.records import Country, Location, record_type

_PLACE_TYPES: dict[str, type[BaseModel]] = {"countries": Country, "locations": Location}
Task = tuple[str, int, int]  # kind, start, stop


@dataclass
class Job:
    """What a runner needs to validate and prepare chunks (forked workers inherit it)."""

    source: Source
    dialect: Dialect
    actor: str
    now: dt.datetime
    journal: Any
    known: dict[str, set[str]]  # ids of the records checked so far, by kind
    chunk_size: int
    persons: dict[str, tuple[str, list[str]]] = field(default_factory=dict)
    orgs: dict[str, tuple[str, list[str]]] = field(default_factory=dict)

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
        model = _PLACE_TYPES.get(kind) or record_type(kind)
        section = self.source.sections[kind]
        return validate_chunk(section, model, range(start, stop), self.source.file, self.known)


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
