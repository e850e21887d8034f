"""Creating and changing records of every kind: the one way the web forms, the API and
any script write a record, each call one transaction.

A form may name people or organisations that do not exist yet (``new_records``); they
are written with the record in the same transaction, so a refused change (invalid, an
unknown id, a stale version, a role that may not) writes nothing at all, however often
it is sent again.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any, TypeVar, cast

from civicspace.access.policy import AccessDenied, Viewer
from civicspace.model.records import Record
from civicspace.store import NotFound, Store

R = TypeVar("R", bound=Record)


# Fields only editors may set: check_claims refuses them from anyone else.
EDITORS_FIELDS = ("verification", "confidential")


class ClaimRefused(AccessDenied):
    """A change claims what only editors may: ``field`` names the claim (``verification``,
    ``confidential``, ``visibility``)."""

    def __init__(self, message: str, field: str) -> None:
        super().__init__(message)
        self.field = field


def check_claims(
    viewer: Viewer,
    record: Record | Mapping[str, Any],
    stored_verification: str = "unverified",
) -> None:
    """Refuse what only editors may claim: a confidential source or record, or a
    verification other than the one stored (``unverified`` for a new record). ``record``
    may be a record or its fields, so a form can say which field is at fault before the
    record is whole."""
    if viewer.can_publish:
        return
    fields = record if isinstance(record, Mapping) else dict(record)
    if fields.get("confidential"):
        raise ClaimRefused("only editors may mark a source confidential", "confidential")
    if fields.get("verification", "unverified") not in ("unverified", stored_verification):
        raise ClaimRefused("only editors may verify records", "verification")
    if fields.get("visibility") == "confidential":
        raise ClaimRefused("only editors may make a record confidential", "visibility")


def verification_after_change(viewer: Viewer, stored: str) -> str:
    """The verification a record keeps when changed by someone not choosing one (a form
    without that field): an editor's change keeps a verified record verified; any other
    change leaves it unverified, for an editor to review again."""
    return "verified" if viewer.can_publish and stored == "verified" else "unverified"


def create_record(
    store: Store, viewer: Viewer, record: R, *, new_records: Sequence[Record] = ()
) -> R:
    """Create ``record`` and the ``new_records`` it names (people, organisations typed in
    as new), all in one transaction. Returns the record as ``viewer`` may see it.

    Raises ``AccessDenied`` (:class:`ClaimRefused`), ``IdTaken``, ``UnknownReference``,
    ``pydantic.ValidationError``, and then nothing is written.
    """
    viewer.require_write()
    everything: list[Record] = [*new_records, record]
    for each in everything:
        check_claims(viewer, each)
    with store.transaction() as shared:
        for each in new_records:
            shared.save(each, viewer, expected_version=0)
        saved = shared.save(record, viewer, expected_version=0)
    return cast(R, saved)  # Store.save returns the record's own type


def update_record(
    store: Store,
    viewer: Viewer,
    record: R,
    expected_version: int,
    *,
    new_records: Sequence[Record] = (),
) -> R:
    """Replace the stored ``record`` at ``expected_version`` and create the ``new_records``
    it names, in one transaction. What ``viewer`` could not see of the stored record is kept.

    Raises ``VersionConflict`` for a stale version, ``NotFound``, and as
    :func:`create_record`; then nothing is written.
    """
    viewer.require_write()
    for each in new_records:
        check_claims(viewer, each)
    with store.transaction() as shared:
        stored = "unverified"
        if not viewer.can_publish and record.verification != "unverified":
            try:
                stored = shared.get(record.kind, record.id, viewer).verification
            except NotFound:
                pass  # Store.save says so, the same way for hidden and missing records
        check_claims(viewer, record, stored)
        for each in new_records:
            shared.save(each, viewer, expected_version=0)
        saved = shared.save(record, viewer, expected_version)
    return cast(R, saved)


__all__ = [
    "EDITORS_FIELDS",
    "ClaimRefused",
    "check_claims",
    "create_record",
    "update_record",
    "verification_after_change",
]
