"""Importing, linking, reviewing and comparing lists on a real database (SQLite and PostgreSQL)."""

from __future__ import annotations

from pathlib import Path

import openpyxl
import pytest
from sqlalchemy import delete, select

from civicspace.db.engine import Database
from civicspace.db.victim_lists import review_decisions, victim_list_records
from civicspace.victims import compare, service
from civicspace.victims.importer import ListImportError, read_list_file
from civicspace.victims.linkage import cluster_records, pair_key
from civicspace.victims.synth import make_lists

KINDS = {"official": "official", "qantar": "ngo", "azattyk": "media"}


@pytest.fixture(scope="module")
def list_files(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, int]]:
    folder = tmp_path_factory.mktemp("lists")
    lists = make_lists(120, seed=21)
    lists.write(folder)
    truth = {
        f"{name}:{i + 2}": r["person_id"]
        for name, recs in lists.lists.items()
        for i, r in enumerate(recs)
    }
    return folder, truth


def import_all(db: Database, folder: Path) -> None:
    for name, kind in KINDS.items():
        service.import_list(
            db,
            folder / f"{name}.csv",
            service.ListMetadata(name, name.title(), kind),
            imported_by="tester",
        )


def test_import_keeps_raw_fields_and_adds_keys(
    database: Database, list_files: tuple[Path, dict[str, int]]
) -> None:
    folder, _ = list_files
    import_all(database, folder)
    assert {row["id"] for row in service.lists(database)} == set(KINDS)
    with database.begin() as conn:
        row = conn.execute(
            select(victim_list_records).where(victim_list_records.c.list_id == "official")
        ).first()
    assert row is not None
    assert row.raw["name"] == row.name  # the name as written, untouched
    assert row.initials_only
    assert row.surname_key and row.given_initial


def test_a_bad_file_imports_nothing_and_reports_every_row(
    database: Database, tmp_path: Path
) -> None:
    bad = tmp_path / "bad.csv"
    bad.write_text(
        "ФИО,Возраст,Пол\nМамай Ж.,40,м\n,12,ж\nIvanov I.,two hundred,x\n", encoding="utf-8"
    )
    with pytest.raises(ListImportError) as err:
        service.import_list(
            database,
            bad,
            service.ListMetadata("bad", "Bad", "ngo"),
            {"name": "ФИО", "age": "Возраст", "gender": "Пол"},
        )
    assert err.value.problems == [
        f"{bad}:3:name: empty name",
        f"{bad}:4:age: expected a whole number of years 0-120, got 'two hundred'",
        f"{bad}:4:gender: unknown gender 'x' (m/f, м/ж, male/female)",
    ]
    assert service.lists(database) == []


def test_xlsx_lists_are_read_with_a_column_mapping(tmp_path: Path) -> None:
    path = tmp_path / "list.xlsx"
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(["ФИО", "Дата смерти", "Город"])
    sheet.append(["Мамай Жанболат", "06.01.2022", "Алматы"])
    book.save(path)
    [row] = read_list_file(path, {"name": "ФИО", "date": "Дата смерти", "place": "Город"})
    assert row.fields == {"name": "Мамай Жанболат", "date": "06.01.2022", "place": "Алматы"}
    assert row.raw["Город"] == "Алматы"


def test_link_review_and_compare(
    database: Database, list_files: tuple[Path, dict[str, int]]
) -> None:
    folder, truth = list_files
    import_all(database, folder)
    run_id, result = service.run_linkage(database, created_by="tester")
    assert (result.model_version, result.threshold) == ("v3", 0.3)  # the default model
    details = service.run_details(database, run_id)
    assert details is not None and details["model_version"] == "v3"
    clusters = service.clusters(database, run_id)
    assert clusters == result.clusters
    # a reviewer splits a linked pair: the split holds from then on
    a, b = next(
        (r, s) for r, c in clusters.items() for s, d in clusters.items() if r < s and c == d
    )
    service.decide(database, a, b, "different", "reviewer", note="different fathers")
    after = service.clusters(database, run_id)
    assert after[a] != after[b]
    # changing one's mind soft-deletes the earlier decision
    service.decide(database, a, b, "same", "editor")
    with database.begin() as conn:
        rows = conn.execute(select(review_decisions).order_by(review_decisions.c.id)).all()
    assert [(r.decision, r.deleted_by is not None) for r in rows] == [
        ("different", True),
        ("same", False),
    ]
    assert service.clusters(database, run_id)[a] == service.clusters(database, run_id)[b]
    # the comparison counts people, and each person is one true person in the main
    people = compare.compare_lists(service.records_frame(database), after, "official")
    pure = sum(len({truth[r] for r in p["records"]}) == 1 for p in people.people)
    assert pure >= 0.95 * len(people.people)
    sizes = people.as_dict()["list_sizes"]
    assert sizes == {name: len(read_list_file(folder / f"{name}.csv")) for name in KINDS}
    assert people.histories().observed == len(people.people)


def test_decisions_need_known_records(database: Database) -> None:
    with pytest.raises(ValueError, match="unknown record"):
        service.decide(database, "x:1", "y:2", "same", "reviewer")


def test_deleting_a_list_removes_its_pairs_and_clusters_and_the_queue_still_works(
    database: Database, list_files: tuple[Path, dict[str, int]]
) -> None:
    from civicspace.db.victim_lists import linkage_clusters, linkage_pairs

    folder, _ = list_files
    import_all(database, folder)
    # a high threshold leaves many pairs to review
    run_id, _ = service.run_linkage(database, threshold=0.999, created_by="tester")
    queue = service.review_queue(database, run_id, floor=0.0)
    pair = queue[0]
    gone = pair["left"]["list_id"]
    service.decide(database, pair["left"]["id"], pair["right"]["id"], "same", "editor")

    service.delete_list(database, gone)

    with database.begin() as conn:
        named = conn.execute(
            select(linkage_pairs).where(
                linkage_pairs.c.record_l.like(f"{gone}:%")
                | linkage_pairs.c.record_r.like(f"{gone}:%")
            )
        ).all()
        clustered = conn.execute(
            select(linkage_clusters.c.record_id).where(
                linkage_clusters.c.record_id.like(f"{gone}:%")
            )
        ).all()
        others = conn.execute(select(linkage_pairs).where(linkage_pairs.c.run_id == run_id)).all()
    assert named == [] and clustered == []
    assert others  # the other lists' pairs stay
    after = service.review_queue(database, run_id, floor=0.0)
    assert all(gone not in (q["left"]["list_id"], q["right"]["list_id"]) for q in after)
    assert len(after) == sum(
        gone not in (q["left"]["list_id"], q["right"]["list_id"]) for q in queue[1:]
    )
    assert all(not r.startswith(f"{gone}:") for r in service.clusters(database, run_id))
    assert all(
        gone not in (d.left.list_id, d.right.list_id) for d in service.decided_pairs(database)
    )


# -- pairs a v3 run kept apart --------------------------------------------------------------

# A Cyrillic record without age, date or place looks like both an official record and a
# Latin-script record born twenty years apart in different towns (as in test_linkage_v3):
# v3 links it to one of them and keeps the other two apart.
CONTRADICTING = {
    "official": {"name": "Зейнуллабеков Е.Т.", "age": "30", "date": "2022-01-05", "place": "Тараз"},
    "qantar": {"name": "Зейнуллабеков Ерлан Талгатұлы", "gender": "m"},
    "azattyk": {
        "name": "Erlan Zeinullabekov",
        "birth_year": "1972",
        "date": "2022-01-09",
        "place": "Aktobe",
        "gender": "m",
    },
}


@pytest.fixture(scope="module")
def contradicting_files(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, str]]:
    """Synthetic lists with the three records above added last; their ids in the database."""
    folder = tmp_path_factory.mktemp("contradicting")
    lists = make_lists(600, seed=11)
    ids = {}
    for name, record in CONTRADICTING.items():
        lists.lists[name].append({"record_id": f"{name}-x", "person_id": None, **record})
        ids[name] = f"{name}:{len(lists.lists[name]) + 1}"  # row 1 is the header
    lists.write(folder)
    return folder, ids


def test_a_v3_run_keeps_its_pairs_apart_when_reclustered_until_a_reviewer_joins_them(
    database: Database, contradicting_files: tuple[Path, dict[str, str]]
) -> None:
    from civicspace.db.victim_lists import linkage_apart, linkage_runs

    folder, ids = contradicting_files
    import_all(database, folder)
    run_id, result = service.run_linkage(database, model="v3", created_by="tester")
    official, latin = ids["official"], ids["azattyk"]
    assert (official, latin) in result.apart or (latin, official) in result.apart
    with database.begin() as conn:
        stored = {
            (r.record_l, r.record_r)
            for r in conn.execute(select(linkage_apart).where(linkage_apart.c.run_id == run_id))
        }
    assert stored == {pair_key(a, b) for a, b in result.apart}
    # redoing the run's clustering from what is stored gives the run's clusters
    assert service.clusters(database, run_id) == result.clusters
    assert result.clusters[official] != result.clusters[latin]
    # ...and the stored pairs alone would not: without them the two would be re-joined
    record_list = {r: r.split(":")[0] for r in result.clusters}
    unchecked = cluster_records(record_list, result.pairs, result.threshold)
    assert unchecked[official] == unchecked[latin]
    # a reviewer's "same person" overrides the model's "apart"
    service.decide(database, latin, official, "same", "editor", note="same man, wrong age")
    joined = service.clusters(database, run_id)
    assert joined[official] == joined[latin]
    # deleting the run deletes its pairs kept apart with it
    with database.begin() as conn:
        conn.execute(delete(linkage_runs).where(linkage_runs.c.id == run_id))
        assert conn.execute(select(linkage_apart)).all() == []


def test_deleting_a_list_removes_the_pairs_kept_apart_that_name_its_records(
    database: Database, contradicting_files: tuple[Path, dict[str, str]]
) -> None:
    from civicspace.db.victim_lists import linkage_apart

    folder, ids = contradicting_files
    import_all(database, folder)
    run_id, result = service.run_linkage(database, model="v3", created_by="tester")
    assert any(ids["azattyk"] in pair for pair in result.apart)

    service.delete_list(database, "azattyk")

    with database.begin() as conn:
        left = [
            (r.record_l, r.record_r)
            for r in conn.execute(select(linkage_apart).where(linkage_apart.c.run_id == run_id))
        ]
    assert left == sorted(
        pair_key(a, b)
        for a, b in result.apart
        if not (a.startswith("azattyk:") or b.startswith("azattyk:"))
    )
    assert all(not r.startswith("azattyk:") for r in service.clusters(database, run_id))
