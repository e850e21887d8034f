"""Revision history: every change kept with who, when, why, before and after; soft delete."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from sqlalchemy import func, select

from civicspace.access.policy import AccessDenied, Viewer
from civicspace.db.audit import audit_log, revisions
from civicspace.model.records import KINDS, Record
from civicspace.store.repository import NotFound, Store
from civicspace.trust.history import history, restore, undelete
from tests.factories import sample_bundle
from tests.helpers import EDITOR, load_sample, snapshot
from tests.web.conftest import Web

RESEARCHER = Viewer("researcher", "researcher-1")
PROVENANCE = {"version", "updated_at", "updated_by"}


def _content(record: Record) -> dict[str, object]:
    return {k: v for k, v in record.model_dump(mode="json").items() if k not in PROVENANCE}


def _revision_count(store: Store) -> int:
    with store.db.begin() as conn:
        return conn.scalar(select(func.count()).select_from(revisions)) or 0


def test_every_change_is_a_revision(store: Store, tmp_path: Path) -> None:
    load_sample(store, tmp_path)
    incident = store.get("incidents", "inc-draft", EDITOR)
    renamed = incident.model_copy(update={"title": "Dispersal of a picket, confirmed"})
    store.save(renamed, RESEARCHER, incident.version, reason="second source")
    store.delete("incidents", "inc-draft", EDITOR, reason="duplicate of inc-extension")

    revs = history(store, "incidents", "inc-draft", EDITOR)
    assert [(r.revision, r.action, r.actor) for r in revs] == [
        (1, "create", "editor-1"),
        (2, "update", "researcher-1"),
        (3, "delete", "editor-1"),
    ]
    assert revs[0].before is None and revs[0].after is not None
    assert revs[1].reason == "second source"
    assert [(c.path, c.old, c.new) for c in revs[1].changes] == [
        ("title", incident.title, "Dispersal of a picket, confirmed")
    ]
    assert revs[2].reason == "duplicate of inc-extension"
    assert revs[2].before is not None and revs[2].before["title"] == renamed.title
    assert revs[2].after is None
    assert all(r.at is not None for r in revs)
    with pytest.raises(NotFound):
        store.get("incidents", "inc-draft", EDITOR)


def test_import_writes_revisions_and_one_audit_entry_per_batch(
    store: Store, tmp_path: Path
) -> None:
    load_sample(store, tmp_path)
    data = sample_bundle()
    records = sum(len(data.get(kind, [])) for kind in KINDS)
    assert _revision_count(store) == records
    with store.db.begin() as conn:
        actions = list(conn.scalars(select(audit_log.c.action)))
    assert actions.count("import") >= 1 and "create" not in actions


def test_reimport_with_replace_is_a_replace_revision(store: Store, tmp_path: Path) -> None:
    from civicspace.ingest.bundle import import_file

    path = load_sample(store, tmp_path)
    data = json.loads(path.read_text())
    data["incidents"][0]["title"] = "Retitled by a second import"
    path.write_text(json.dumps(data, ensure_ascii=False))
    import_file(store, path, EDITOR, replace=True)
    revs = history(store, "incidents", data["incidents"][0]["id"], EDITOR)
    assert [r.action for r in revs] == ["create", "replace"]
    assert ("title", "Retitled by a second import") in [(c.path, c.new) for c in revs[1].changes]


def test_delete_then_undelete_gives_the_same_record(store: Store, tmp_path: Path) -> None:
    load_sample(store, tmp_path)
    before = store.get("cases", "case-mamai", EDITOR)
    store.delete("cases", "case-mamai", EDITOR)
    assert "case-mamai" not in snapshot(store)

    with pytest.raises(AccessDenied):
        undelete(store, "cases", "case-mamai", RESEARCHER)
    back = undelete(store, "cases", "case-mamai", EDITOR, reason="deleted by mistake")

    again = store.get("cases", "case-mamai", EDITOR)
    assert _content(again) == _content(before)
    assert again.version == before.version + 1 == back.version
    assert [h.id for h in store.search("Mamai", EDITOR, kinds=["cases"])] == ["case-mamai"]
    assert [r.action for r in history(store, "cases", "case-mamai", EDITOR)] == [
        "create",
        "delete",
        "undelete",
    ]
    with pytest.raises(ValueError, match="not deleted"):
        undelete(store, "cases", "case-mamai", EDITOR)


def test_a_referenced_record_is_not_deleted_and_nothing_is_journalled(
    store: Store, tmp_path: Path
) -> None:
    load_sample(store, tmp_path)
    count = _revision_count(store)
    with pytest.raises(Exception):  # noqa: B017  (the database refuses: incidents name him)
        store.delete("persons", "person-mamai", EDITOR)
    assert store.get("persons", "person-mamai", EDITOR).id == "person-mamai"
    assert _revision_count(store) == count


def test_undelete_names_the_deleted_records_it_needs(store: Store, tmp_path: Path) -> None:
    load_sample(store, tmp_path)
    store.delete("cases", "case-mamai", EDITOR)
    for incident in store.list("incidents", EDITOR).items:
        if any(p.person_id == "person-mamai" for p in incident.participants):
            store.delete("incidents", incident.id, EDITOR)
    store.delete("persons", "person-mamai", EDITOR)
    with pytest.raises(ValueError, match="persons 'person-mamai'.*undelete those first"):
        undelete(store, "cases", "case-mamai", EDITOR)
    undelete(store, "persons", "person-mamai", EDITOR)
    assert undelete(store, "cases", "case-mamai", EDITOR).id == "case-mamai"


def test_restore_an_earlier_revision(store: Store, tmp_path: Path) -> None:
    load_sample(store, tmp_path)
    first = store.get("laws", "law-elections", EDITOR)
    for title in ("Second title", "Third title"):
        current = store.get("laws", "law-elections", EDITOR)
        store.save(current.model_copy(update={"title": title}), EDITOR, current.version)

    restored = restore(store, "laws", "law-elections", 1, EDITOR)
    assert restored.title == first.title
    assert _content(store.get("laws", "law-elections", EDITOR)) == _content(first)
    revs = history(store, "laws", "law-elections", EDITOR)
    assert [r.action for r in revs] == ["create", "update", "update", "restore"]
    assert revs[-1].reason == "restore of revision 1"

    store.delete("laws", "law-elections", EDITOR)
    with pytest.raises(ValueError, match="deleted"):
        restore(store, "laws", "law-elections", 5, EDITOR)
    assert restore(store, "laws", "law-elections", 2, EDITOR).title == "Second title"
    assert store.get("laws", "law-elections", EDITOR).title == "Second title"


def test_history_respects_visibility(store: Store, tmp_path: Path) -> None:
    load_sample(store, tmp_path)
    assert history(store, "persons", "person-witness", EDITOR)
    with pytest.raises(NotFound):
        history(store, "persons", "person-witness", RESEARCHER)
    with pytest.raises(AccessDenied):
        history(store, "incidents", "inc-extension", Viewer.anonymous())

    # A public incident naming a confidential witness: researchers see its history
    # without the witness, editors with.
    as_editor = json.dumps(
        [r.as_json() for r in history(store, "incidents", "inc-extension", EDITOR)]
    )
    as_researcher = json.dumps(
        [r.as_json() for r in history(store, "incidents", "inc-extension", RESEARCHER)]
    )
    assert "person-witness" in as_editor
    assert "person-witness" not in as_researcher

    # Once confidential, always: the revision that made it public stays editor-only.
    witness = store.get("persons", "person-witness", EDITOR)
    store.save(witness.model_copy(update={"visibility": "public"}), EDITOR, witness.version)
    with pytest.raises(NotFound):
        history(store, "persons", "person-witness", RESEARCHER)
    public = store.get("persons", "person-witness", EDITOR)
    store.save(public.model_copy(update={"description": "Spoke to the press"}), EDITOR)
    assert [r.revision for r in history(store, "persons", "person-witness", RESEARCHER)] == [3]


def test_history_over_the_api(web: Web) -> None:
    path = "/api/v1/persons/person-witness/history"
    assert web.http.get(path).status_code == 401
    assert web.http.get(path, headers=web.as_("researcher")).status_code == 404
    answer = web.http.get(path, headers=web.as_("editor"))
    assert answer.status_code == 200
    assert [r["action"] for r in answer.json()["items"]] == ["create"]
    public = web.http.get("/api/v1/incidents/inc-extension/history", headers=web.as_("viewer"))
    assert public.status_code == 200 and "person-witness" not in public.text
    assert web.http.get("/api/v1/nothing/x/history", headers=web.as_("editor")).status_code == 404
