"""Storage: the :class:`Store` facade over queries, pages, counts, writes and full-text
search, with the whole visibility rule inside it.

What other packages may import is listed in ``__all__``; the modules behind it are the
store's own (``mapping``, ``bulk``, ``prepared`` and ``search`` serve imports and the
journal too, and are imported from their modules by name).
"""

from civicspace.store.aggregates import MonthCount, current_rating, incidents_per_month
from civicspace.store.counts import CountCache
from civicspace.store.errors import IdTaken, NotFound, UnknownReference, VersionConflict
from civicspace.store.journal import Clock, Journal, utcnow
from civicspace.store.pages import SUMMARY_FIELDS, Page
from civicspace.store.queries import RecordQuery
from civicspace.store.redaction import keep_hidden, readable_references, redact
from civicspace.store.reindex import rebuild_search
from civicspace.store.relations import cases_of, incidents_of, members_of
from civicspace.store.repository import Store
from civicspace.store.review import publish, review_queue, verify
from civicspace.store.search import SearchHit
from civicspace.store.visibility import visible_to, without_accounts

__all__ = [
    "SUMMARY_FIELDS",
    "Clock",
    "CountCache",
    "IdTaken",
    "Journal",
    "MonthCount",
    "NotFound",
    "Page",
    "RecordQuery",
    "SearchHit",
    "Store",
    "UnknownReference",
    "VersionConflict",
    "cases_of",
    "current_rating",
    "incidents_of",
    "incidents_per_month",
    "keep_hidden",
    "members_of",
    "publish",
    "readable_references",
    "rebuild_search",
    "redact",
    "review_queue",
    "utcnow",
    "verify",
    "visible_to",
    "without_accounts",
]
