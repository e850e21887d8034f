"""How an import runs: one frozen object handed to :func:`civicspace.ingest.import_path`.

Tests and callers pass their own (``ImportOptions(workers=2, parallel_at=1, chunk_size=2)``)
instead of patching module constants, so two imports in one process never share a setting.
"""

from __future__ import annotations

import multiprocessing
import os
from dataclasses import dataclass


def workers_available() -> int:
    """Worker processes an import may start here: one per core, none without ``fork``."""
    if "fork" not in multiprocessing.get_all_start_methods():
        return 0
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1


@dataclass(frozen=True)
class ImportOptions:
    """Settings of one import; the defaults suit a monitor's laptop and a shared server."""

    replace: bool = False
    """Replace records whose id is already stored instead of refusing them (``demo`` does)."""
    workers: int | None = None
    """Processes that validate and prepare a large import: ``None`` one per core, 0 or 1
    this process alone. Imports that replace records always stay in this process."""
    parallel_at: int = 10_000
    """Records in a file from which workers are started; below, starting them costs more
    than they save."""
    chunk_size: int = 5000
    """Records validated and written at once (also the size of one audit entry)."""
    analyze_after: int = 1000
    """Records written by one import after which the planner's statistics are refreshed."""

    def worker_count(self) -> int:
        """How many worker processes this import may use."""
        return workers_available() if self.workers is None else self.workers
