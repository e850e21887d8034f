"""Export -> import into an empty database -> export gives the same bundle."""

import json
from pathlib import Path

from civicspace.access import Viewer
from civicspace.application import open_database, open_store
from civicspace.demo import demo_dataset_path
from civicspace.ingest import acled, csv_records
from civicspace.ingest.bundle import export_bundle, import_file
from civicspace.model.records import KINDS
from tests.helpers import EDITOR


def test_json_export_import_export_is_identical(
    store, tmp_path: Path, sqlite_template: Path
) -> None:
    import_file(store, demo_dataset_path(), EDITOR)
    first = export_bundle(store, EDITOR)
    path = tmp_path / "export.json"
    path.write_text(json.dumps(first, ensure_ascii=False), encoding="utf-8")

    empty = tmp_path / "empty.sqlite"
    empty.write_bytes(sqlite_template.read_bytes())
    other = open_store(open_database(empty))
    import_file(other, path, EDITOR)
    second = export_bundle(other, EDITOR)
    assert json.dumps(second, sort_keys=True) == json.dumps(first, sort_keys=True)
    assert sum(len(first[k]) for k in ("persons", "incidents", "cases")) > 20


def test_public_export_holds_only_public_verified_records(store) -> None:
    import_file(store, demo_dataset_path(), EDITOR)
    public = export_bundle(store, Viewer.anonymous())
    internal = export_bundle(store, EDITOR)
    for kind in ("persons", "incidents", "sources", "cases"):
        assert all(
            r["visibility"] == "public" and r["verification"] == "verified" for r in public[kind]
        )
    assert len(public["persons"]) < len(internal["persons"])
    assert "Canarybek" not in json.dumps(public, ensure_ascii=False)
    # the monitors' own account names never reach open data
    assert not any("created_by" in r or "updated_by" in r for k in KINDS for r in public[k])
    assert all("created_by" in r for r in internal["persons"])
    assert "Canarybek" in json.dumps(internal, ensure_ascii=False)


def test_csv_export_reimports_the_flat_fields(store, tmp_path: Path) -> None:
    import_file(store, demo_dataset_path(), EDITOR)
    data = export_bundle(store, EDITOR)
    csv_records.write_csv_folder(data, tmp_path / "csv")
    persons = csv_records.read_csv(tmp_path / "csv" / "persons.csv", "persons").records
    by_id = {p.id: p for p in persons}
    mamai = next(p for p in data["persons"] if "Mamai" in p["name"]["text"])
    again = by_id[mamai["id"]]
    assert [n.text for n in again.names] == [n["text"] for n in mamai.get("names", [])]
    assert again.roles == mamai["roles"]
    incidents = csv_records.read_csv(tmp_path / "csv" / "incidents.csv", "incidents").records
    assert {i.id for i in incidents} == {i["id"] for i in data["incidents"]}


def test_acled_export_has_acled_columns_and_maps_violations(store, tmp_path: Path) -> None:
    import_file(store, demo_dataset_path(), EDITOR)
    data = export_bundle(store, Viewer.anonymous())
    rows = acled.acled_rows(data)
    assert len(rows) == len(data["incidents"]) > 0
    assert all(list(r) == acled.COLUMNS for r in rows)
    index = [i["id"] for i in data["incidents"]].index("inc-2022-08-knyazev-attack")
    attack = rows[index]
    assert "Knyazev" in attack["actor2"]
    assert attack["event_type"] == "Violence against civilians"
    assert attack["event_date"] == "2022-08-03" and attack["time_precision"] == 1
    assert {r["time_precision"] for r in rows} >= {1, 3}
