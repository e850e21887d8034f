"""The one import entry: the caller's role first, then one pipeline for every format."""

from __future__ import annotations

import ast
import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

import civicspace.ingest as ingest
from civicspace.access.policy import AccessDenied, Viewer
from civicspace.cli.app import app
from civicspace.demo import demo_dataset_path, load_demo
from civicspace.ingest import (
    ImportOptions,
    ImportRejected,
    import_document,
    import_path,
    import_records,
    parse_bundle,
)
from civicspace.store.repository import Store
from tests.factories import sample_bundle
from tests.helpers import EDITOR, snapshot
from tests.ingest.claims import claims_refused, unverified

READERS = [Viewer("viewer", "cli"), Viewer.anonymous()]


def _write(tmp_path: Path, data: object, name: str = "bundle.json") -> Path:
    path = tmp_path / name
    path.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    return path


@pytest.mark.parametrize("reader", READERS, ids=lambda v: v.role)
def test_a_reader_may_not_import_through_any_entry(
    store: Store, tmp_path: Path, reader: Viewer
) -> None:
    path = _write(tmp_path, sample_bundle())
    before = snapshot(store)
    attempts = [
        lambda: import_path(store, reader, path),
        lambda: import_path(store, reader, demo_dataset_path(), ImportOptions(replace=True)),
        lambda: import_document(store, reader, sample_bundle(), "sample.json"),
        lambda: import_records(store, reader, parse_bundle(sample_bundle(), "sample.json")),
        lambda: load_demo(store, reader),
    ]
    for attempt in attempts:
        with pytest.raises(AccessDenied, match=f"role '{reader.role}' cannot import records"):
            attempt()
    assert snapshot(store) == before


def test_the_role_is_checked_before_the_file_is_read(store: Store, tmp_path: Path) -> None:
    missing = tmp_path / "missing.json"
    with pytest.raises(AccessDenied, match="researcher, editor or admin"):
        import_path(store, Viewer("viewer"), missing)
    with pytest.raises(ImportRejected, match="cannot read file"):
        import_path(store, EDITOR, missing)


def test_a_researcher_imports_and_the_result_counts_by_kind(store: Store, tmp_path: Path) -> None:
    """A researcher may import what a researcher may save: unverified records, none
    confidential; the sample bundle's verified and confidential records are refused."""
    researcher = Viewer("researcher", "r-1")
    path = _write(tmp_path, sample_bundle())
    before = snapshot(store)
    with pytest.raises(ImportRejected) as refused:
        import_path(store, researcher, path)
    assert refused.value.problems == claims_refused(str(path), sample_bundle())
    assert snapshot(store) == before
    result = import_path(store, researcher, _write(tmp_path, unverified(sample_bundle()), "u.json"))
    assert list(result.counts)[:2] == ["countries", "locations"]
    assert result.counts["persons"] == len(sample_bundle()["persons"])
    assert result.workers == 0 and result.total == sum(result.counts.values())
    assert store.get("persons", "person-mamai", EDITOR).created_by == "r-1"


def test_an_editor_imports_every_claim(store: Store, tmp_path: Path) -> None:
    result = import_path(store, EDITOR, _write(tmp_path, sample_bundle()))
    assert result.counts["persons"] == len(sample_bundle()["persons"])
    witness = store.get("persons", "person-witness", EDITOR)
    assert (witness.visibility, witness.verification) == ("confidential", "verified")


def test_csv_columns_can_be_renamed_to_fields(store: Store, tmp_path: Path) -> None:
    import_path(store, EDITOR, _write(tmp_path, sample_bundle()))
    path = tmp_path / "people.csv"
    path.write_text(
        "ID,Name,roles,visibility\np-new,Асель Нурланова,journalist,public\n", encoding="utf-8"
    )
    columns = {"ID": "id", "Name": "name"}
    result = import_path(store, EDITOR, path, kind="persons", columns=columns)
    assert result.counts["persons"] == 1
    assert store.get("persons", "p-new", EDITOR).name.text == "Асель Нурланова"
    with pytest.raises(ImportRejected, match="unknown column for persons"):
        import_path(store, EDITOR, path, kind="persons")


def test_one_set_of_checks_for_csv_and_bundles(store: Store, tmp_path: Path) -> None:
    """A CSV naming someone unknown is refused by the same reference check as a bundle."""
    import_path(store, EDITOR, _write(tmp_path, sample_bundle()))
    path = tmp_path / "cases.csv"
    path.write_text(
        "id,title,country,defendants,visibility\nc-x,Case,KZ,person-nobody,public\n",
        encoding="utf-8",
    )
    with pytest.raises(ImportRejected) as info:
        import_path(store, EDITOR, path, kind="cases")
    assert [str(p) for p in info.value.problems] == [
        f"{path}:2:defendants.0: unknown persons id 'person-nobody'"
    ]


def test_records_built_in_code_go_through_the_same_checks(store: Store) -> None:
    bundle = parse_bundle(sample_bundle(), "sample.json")
    import_records(store, EDITOR, bundle)
    with pytest.raises(ImportRejected, match="already exists"):
        import_records(store, EDITOR, bundle.records[:1])
    replaced = import_records(store, EDITOR, bundle.records[:1], ImportOptions(replace=True))
    assert replaced.counts[bundle.records[0].kind] == 1


def test_the_demo_loads_through_the_pipeline_and_twice_gives_the_same(store: Store) -> None:
    first = load_demo(store, EDITOR)
    assert first.counts["cases"] >= 4
    before = snapshot(store)
    assert load_demo(store, EDITOR).counts == first.counts
    assert json.loads(snapshot(store)).keys() == json.loads(before).keys()


def test_options_are_a_frozen_value() -> None:
    options = ImportOptions()
    with pytest.raises(AttributeError):
        options.workers = 3  # type: ignore[misc]
    assert ImportOptions(workers=0).worker_count() == 0


def test_the_public_surface_is_listed_and_every_name_resolves() -> None:
    assert ingest.__all__ == sorted(ingest.__all__)
    for name in ingest.__all__:
        assert getattr(ingest, name) is not None
    with pytest.raises(AttributeError):
        ingest.no_such_name  # noqa: B018


def test_no_module_of_the_import_pipeline_imports_one_that_imports_it() -> None:
    folder = Path(ingest.__file__).parent
    graph: dict[str, set[str]] = {}
    for path in folder.glob("*.py"):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        graph[path.stem] = {
            node.module.rsplit(".", 1)[1]
            for node in ast.walk(tree)
            if isinstance(node, ast.ImportFrom)
            and node.module
            and node.module.startswith("civicspace.ingest.")
        } | {
            alias.name
            for node in ast.walk(tree)
            if isinstance(node, ast.ImportFrom) and node.module == "civicspace.ingest"
            for alias in node.names
        }

    def reaches(start: str, target: str, seen: set[str]) -> bool:
        for nxt in graph.get(start, ()):
            if nxt == target or (nxt not in seen and reaches(nxt, target, seen | {nxt})):
                return True
        return False

    assert "parallel" not in graph
    assert [m for m in graph if m != "__init__" and reaches(m, m, set())] == []


@pytest.mark.parametrize("role", ["viewer", "anonymous"])
def test_command_line_import_as_a_reader_is_refused_and_writes_nothing(
    database_url: str, tmp_path: Path, role: str
) -> None:
    runner = CliRunner()

    def stats() -> dict[str, int]:
        result = runner.invoke(app, ["--db", database_url, "stats", "--json"])
        assert result.exit_code == 0, result.stderr
        return json.loads(result.stdout)

    before = stats()
    for args in (
        [str(demo_dataset_path())],
        [str(_write(tmp_path, sample_bundle()))],
        [str(_write(tmp_path, sample_bundle())), "--replace"],
    ):
        result = runner.invoke(app, ["--db", database_url, "--as", role, "import", *args])
        assert result.exit_code == 1
        assert f"role '{role}' cannot import records" in result.stderr
        assert "nothing was imported" in result.stderr
        assert "Traceback" not in result.stderr + result.stdout
    assert stats() == before
    nowhere = tmp_path / "not-yet.sqlite"
    result = runner.invoke(app, ["--db", str(nowhere), "--as", role, "import", args[0]])
    assert result.exit_code == 1 and not nowhere.exists(), "refused before opening the database"
    result = runner.invoke(app, ["--db", database_url, "import", str(demo_dataset_path())])
    assert result.exit_code == 0, result.stderr
    assert stats()["incidents"] > before["incidents"]


def test_problems_are_listed_in_file_order(store: Store, tmp_path: Path) -> None:
    data = sample_bundle()
    data["persons"].append(dict(data["persons"][0]))  # a duplicate, then an invalid row
    data["persons"].append(dict(data["persons"][1], id="person-new", birth_year="x"))
    rows = [f"persons[{len(data['persons']) - 2}]", f"persons[{len(data['persons']) - 1}]"]
    path = _write(tmp_path, data)
    with pytest.raises(ImportRejected) as by_file:
        import_path(store, EDITOR, path)
    with pytest.raises(ImportRejected) as in_code:
        parse_bundle(data, str(path))
    for info in (by_file, in_code):
        assert [p.row for p in info.value.problems] == rows


def test_command_line_import_prints_no_stray_line(database_url: str, tmp_path: Path) -> None:
    """Into a file or a pipe the progress bar shows nothing, not even an empty line."""
    runner = CliRunner()
    bad = tmp_path / "people.csv"
    bad.write_text("id,name\np-1,\n", encoding="utf-8")
    refused = runner.invoke(app, ["--db", database_url, "import", str(bad), "--kind", "persons"])
    assert refused.exit_code != 0 and refused.stdout == ""
    result = runner.invoke(app, ["--db", database_url, "import", str(demo_dataset_path())])
    assert result.exit_code == 0, result.stderr
    assert result.stdout.startswith("Imported 1 countries")
