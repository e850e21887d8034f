"""What the store refuses with: a record missing or hidden, a stale version, a taken id,
a reference to a record that is not there (or that its author may not see)."""

from __future__ import annotations


class NotFound(LookupError):
    """No record of that kind and id that the viewer may see."""


class VersionConflict(RuntimeError):
    """The record changed since the caller read it (optimistic concurrency)."""


class IdTaken(VersionConflict):
    """A new record's id belongs to a stored record (which the caller may not be able to see)."""


class UnknownReference(ValueError):
    """A record points at a record that does not exist or that its author may not see."""

    def __init__(self, message: str, field: str) -> None:
        super().__init__(message)
        self.field = field
