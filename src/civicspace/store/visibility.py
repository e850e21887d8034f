"""The visibility rule, inside the store: which rows a viewer may read, and what of a
record's provenance the viewer may learn.

Every statement that chooses records or search documents for a viewer takes its
condition from :func:`visible_to` (the SQL form of
:meth:`~civicspace.access.Viewer.can_read`), and every record the store hands out has
passed :func:`without_accounts`, so no adapter or template can forget either.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, TypeVar

from sqlalchemy import ColumnElement

from civicspace.access.policy import Viewer
from civicspace.access.redaction import for_viewer
from civicspace.model.records import Record

R = TypeVar("R", bound=Record)


def visible_to(viewer: Viewer, table: Any) -> tuple[ColumnElement[bool], ...]:
    """The conditions on ``table`` (a record table or ``search_documents``: anything with
    ``visibility`` and ``verification`` columns) that keep the rows ``viewer`` may read.

    >>> # select(t.incidents.c.id).where(*visible_to(Viewer.anonymous(), t.incidents))
    >>> # ... WHERE visibility IN ('public') AND verification = 'verified'
    """
    c = table.c
    if viewer.verified_only:
        return (c.visibility.in_(viewer.visibilities), c.verification == "verified")
    return (c.visibility.in_(viewer.visibilities),)


def without_accounts(records: Sequence[R], viewer: Viewer) -> list[R]:
    """``records`` with the account names of their provenance (``created_by``,
    ``updated_by``) blanked when ``viewer`` may not learn who the monitors are."""
    return [for_viewer(record, viewer) for record in records]
