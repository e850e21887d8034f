"""What the public may not learn about the monitors themselves.

Account names in provenance (``created_by``, ``updated_by``) identify human-rights
workers; anonymous readers get records without them.
"""

from __future__ import annotations

from typing import TypeVar

from pydantic import BaseModel

from civicspace.access.policy import Viewer

R = TypeVar("R", bound=BaseModel)


def for_viewer(record: R, viewer: Viewer) -> R:
    """``record`` as ``viewer`` may see its provenance."""
    if viewer.role != "anonymous":
        return record
    return record.model_copy(update={"created_by": None, "updated_by": None})
