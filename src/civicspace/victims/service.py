"""The victim-list services the CLI and the web app call: import, link, review, export.

Each takes a :class:`~civicspace.db.engine.Database`; nothing here knows about terminals
or HTTP. This module is the one surface callers import; the work is done in
:mod:`.lists`, :mod:`.runs`, :mod:`.review` and :mod:`.roles`.
"""

from __future__ import annotations

from civicspace.victims.lists import (
    ListMetadata,
    delete_list,
    import_list,
    lists,
    records_frame,
)
from civicspace.victims.review import (
    DECISIONS,
    DecidedPair,
    RecordCard,
    ReviewPair,
    active_decisions,
    decide,
    decided_pairs,
    record_cards,
    review_pairs,
    review_queue,
)
from civicspace.victims.roles import (
    can_decide_pairs,
    can_read_lists,
    require_list_reader,
    require_pair_decider,
)
from civicspace.victims.runs import clusters, latest_run, run_details, run_linkage, runs

__all__ = [
    "DECISIONS",
    "DecidedPair",
    "ListMetadata",
    "RecordCard",
    "ReviewPair",
    "active_decisions",
    "can_decide_pairs",
    "can_read_lists",
    "clusters",
    "decide",
    "decided_pairs",
    "delete_list",
    "import_list",
    "latest_run",
    "lists",
    "record_cards",
    "records_frame",
    "require_list_reader",
    "require_pair_decider",
    "review_pairs",
    "review_queue",
    "run_details",
    "run_linkage",
    "runs",
]
