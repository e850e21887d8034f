"""The editors' review queue: unverified records, and the one-step verify and publish.

Verification and publication are editors' decisions (``Viewer.require_publish``); both
go through :meth:`Store.save`, so they bump the version and record who and when.
"""

from __future__ import annotations

from civicspace.access.policy import Viewer
from civicspace.model.records import KINDS, Record
from civicspace.store.repository import RecordQuery, Store


def review_queue(store: Store, viewer: Viewer, limit: int = 50) -> dict[str, list[Record]]:
    """Unverified records of every kind the viewer may read, newest change first."""
    queue: dict[str, list[Record]] = {}
    for kind in KINDS:
        page = store.list(
            kind,
            viewer,
            RecordQuery(verification="unverified", sort="updated_at", descending=True, limit=limit),
        )
        if page.items:
            queue[kind] = page.items
    return queue


def verify(
    store: Store, kind: str, record_id: str, viewer: Viewer, expected_version: int | None = None
) -> Record:
    """Mark a record verified, keeping its visibility."""
    viewer.require_publish()
    record = store.get(kind, record_id, viewer)
    changed = record.model_copy(update={"verification": "verified"})
    return store.save(changed, viewer, expected_version or record.version)


def publish(
    store: Store, kind: str, record_id: str, viewer: Viewer, expected_version: int | None = None
) -> Record:
    """Verify a record and make it public: anonymous visitors will see it."""
    viewer.require_publish()
    record = store.get(kind, record_id, viewer)
    changed = record.model_copy(update={"verification": "verified", "visibility": "public"})
    return store.save(changed, viewer, expected_version or record.version)
