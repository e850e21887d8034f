"""Bad input: every problem reported as file:row:field: reason, and nothing written."""

import json
from pathlib import Path

import pytest

from civicspace.ingest.bundle import import_file
from civicspace.ingest.csv_records import read_csv
from civicspace.ingest.errors import ImportRejected
from tests.factories import sample_bundle
from tests.helpers import EDITOR, load_sample, snapshot


def _write(tmp_path: Path, data: object, name: str = "bad.json") -> Path:
    path = tmp_path / name
    path.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    return path


def _rejected(store, path: Path) -> list[str]:
    before = snapshot(store)
    with pytest.raises(ImportRejected) as info:
        import_file(store, path, EDITOR)
    assert snapshot(store) == before, "a rejected import must leave the database unchanged"
    return [str(p) for p in info.value.problems]


def test_every_row_is_checked_and_problems_name_file_row_field(store, tmp_path: Path) -> None:
    data = sample_bundle()
    data["incidents"][0]["date"] = "2022-02-30"
    data["incidents"][0]["freedoms"] = ["speech"]
    data["persons"][0]["birth_year"] = "nineteen-eighty"
    path = _write(tmp_path, data)
    problems = _rejected(store, path)
    assert f"{path}:incidents[0]:date: day is out of range for month" in problems
    assert any(
        p.startswith(f"{path}:incidents[0]:freedoms.0: unknown freedom 'speech'; allowed: assembly")
        for p in problems
    )
    assert any(p.startswith(f"{path}:persons[0]:birth_year:") for p in problems)


def test_duplicate_ids_and_unknown_references(store, tmp_path: Path) -> None:
    data = sample_bundle()
    data["persons"].append(dict(data["persons"][0]))
    data["incidents"][0]["participants"][0]["person_id"] = "person-nobody"
    problems = _rejected(store, _write(tmp_path, data))
    assert any(
        ":persons[2]:id: duplicate id 'person-mamai' (first at persons[0])" in p for p in problems
    )
    # duplicate rows are reported first; references are checked once rows are valid
    data["persons"].pop()
    problems = _rejected(store, _write(tmp_path, data))
    assert any(
        ":incidents[0]:participants.0.person_id: unknown persons id 'person-nobody'" in p
        for p in problems
    )


def test_existing_ids_are_refused_without_replace(store, tmp_path: Path) -> None:
    path = load_sample(store, tmp_path)
    problems = _rejected(store, path)
    assert any(":persons[0]:id: persons 'person-mamai' already exists" in p for p in problems)


def test_truncated_and_wrongly_encoded_files(store, tmp_path: Path) -> None:
    text = json.dumps(sample_bundle())
    truncated = tmp_path / "truncated.json"
    truncated.write_text(text[: len(text) // 2], encoding="utf-8")
    assert any("invalid JSON" in p for p in _rejected(store, truncated))
    latin1 = tmp_path / "latin1.json"
    latin1.write_bytes(json.dumps(sample_bundle(), ensure_ascii=False).encode("cp1251"))
    assert any("not UTF-8" in p for p in _rejected(store, latin1))
    assert any(
        "not a civicspace-export file" in p for p in _rejected(store, _write(tmp_path, [1, 2]))
    )


def test_csv_rows_are_numbered_like_a_spreadsheet(tmp_path: Path) -> None:
    path = tmp_path / "incidents.csv"
    path.write_text(
        "id,title,date,country,freedoms,violations,detained,colour\n"
        "i1,Protest dispersed,2022-07-05,KZ,assembly,protest_dispersed,3,\n"
        "i2,Blogger attacked,early 2022-13,KZ,expression,journalist_attacked,x,\n"
        "i1,Again,2022,KZ,assembly,,,\n",
        encoding="utf-8",
    )
    with pytest.raises(ImportRejected) as info:
        read_csv(path, "incidents")
    problems = [str(p) for p in info.value.problems]
    assert f"{path}:1:colour: unknown column for incidents" in problems[0]
    assert any(p.startswith(f"{path}:3:date: month 13 is out of range") for p in problems)
    assert any(p.startswith(f"{path}:3:counts.detained:") for p in problems)
    assert f"{path}:4:id: duplicate id 'i1' (first on row 2)" in problems


def test_replace_keeps_records_that_refer_to_the_replaced_ones(store, tmp_path: Path) -> None:
    load_sample(store, tmp_path)
    data = sample_bundle()
    only_persons = {k: v for k, v in data.items() if k in ("format", "version", "countries")}
    only_persons["persons"] = [
        dict(data["persons"][0], description="Opposition leader, in custody")
    ]
    path = _write(tmp_path, only_persons, "persons.json")
    import_file(store, path, EDITOR, replace=True)
    assert (
        store.get("persons", "person-mamai", EDITOR).description == "Opposition leader, in custody"
    )
    incident = store.get("incidents", "inc-extension", EDITOR)
    assert "person-mamai" in [p.person_id for p in incident.participants]
    assert store.get("cases", "case-mamai", EDITOR).defendants == ["person-mamai"]
