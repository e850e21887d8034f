"""Summaries for list pages: the same page as a full list, only what a row shows; a
confidential record comes whole, opened, and its read is audited."""

from __future__ import annotations

from pathlib import Path

import pytest

from civicspace.access import Viewer
from civicspace.model import Incident
from civicspace.store.repository import SUMMARY_FIELDS, RecordQuery, Store
from civicspace.trust import audit
from tests.helpers import EDITOR, load_sample

VIEWERS = (Viewer.anonymous(), Viewer("viewer", "v"), EDITOR)


@pytest.fixture
def sample(store: Store, tmp_path: Path) -> Store:
    load_sample(store, tmp_path)
    store.save(
        Incident(
            id="inc-secret",
            title="Confidential Mamai interview",
            date="2022-07-02",
            country="KZ",
            freedoms=["expression"],
            visibility="confidential",
            verification="verified",
        ),
        EDITOR,
    )
    return store


def shown(item: object) -> tuple[object, ...]:
    fields = ("id", "visibility", "verification", *SUMMARY_FIELDS["incidents"])
    return tuple(getattr(item, name) for name in fields)


@pytest.mark.parametrize(
    "query",
    [
        RecordQuery(sort="date", descending=True),
        RecordQuery(text="Mamai", sort="date", descending=True),
        RecordQuery(verification="verified", limit=1, offset=1),
    ],
)
def test_the_same_page_as_the_full_list(sample: Store, query: RecordQuery) -> None:
    for viewer in VIEWERS:
        full = sample.list("incidents", viewer, query)
        brief = sample.summaries("incidents", viewer, query)
        assert [shown(r) for r in brief.items] == [shown(r) for r in full.items], viewer
        assert (brief.total, brief.exact, brief.newest_first) == (
            full.total,
            full.exact,
            full.newest_first,
        )


def test_each_viewer_sees_only_what_they_may(sample: Store) -> None:
    def ids(viewer: Viewer) -> set[str]:
        return {r.id for r in sample.summaries("incidents", viewer).items}

    assert ids(Viewer.anonymous()) == {"inc-extension"}
    assert ids(Viewer("researcher", "r")) == {"inc-extension", "inc-draft"}
    assert ids(EDITOR) == {"inc-extension", "inc-draft", "inc-secret"}


def test_a_confidential_record_comes_opened_and_its_read_is_audited(
    sample: Store, database
) -> None:
    def head() -> int:
        with database.begin() as conn:
            return audit.head(conn)[0]

    before = head()
    sample.summaries("incidents", Viewer("viewer", "v"))
    assert head() == before  # nothing confidential shown, nothing audited
    page = sample.summaries("incidents", EDITOR, RecordQuery(text="interview"))
    assert [r.title for r in page.items] == ["Confidential Mamai interview"]
    assert head() == before + 1
