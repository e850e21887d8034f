"""Files to :class:`~civicspace.ingest.source.Source`: each format read by its own reader.

A ``civicspace-export`` bundle (JSON or YAML) is ``{"format": "civicspace-export",
"version": 1, "countries": [...], "locations": [...], "sources": [...], "persons": [...],
...}``; its items stay plain data until the pipeline validates them, so a large bundle can
be validated by worker processes. A CSV file holds one kind (see
:mod:`civicspace.ingest.csv_records`) and is validated as it is read.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import yaml

from civicspace.ingest.csv_records import read_csv
from civicspace.ingest.errors import ImportRejected, Problem, read_text
from civicspace.ingest.memory import without_cycle_collection
from civicspace.ingest.source import INSERT_ORDER, PLACES, Section, Source, bundle_source
from civicspace.model.records import KINDS

FORMAT = "civicspace-export"
VERSION = 1


@without_cycle_collection  # 100,000 incidents: 0.6 s instead of 2.2 s to parse
def read_document(path: Path) -> Any:
    """Parse a JSON or YAML file; a broken file is a :class:`ImportRejected` naming where."""
    name = str(path)
    content = read_text(path)
    try:
        if path.suffix.lower() in (".yaml", ".yml"):
            return yaml.safe_load(content)
        return json.loads(content)
    except json.JSONDecodeError as exc:
        raise ImportRejected(
            [Problem(name, f"line {exc.lineno}", "-", f"invalid JSON: {exc.msg}")]
        ) from exc
    except yaml.YAMLError as exc:
        line = getattr(getattr(exc, "problem_mark", None), "line", None)
        where = f"line {line + 1}" if line is not None else "-"
        raise ImportRejected([Problem(name, where, "-", f"invalid YAML: {exc}")]) from exc


def record_count(document: Any) -> int:
    """How many records a parsed bundle holds (countries and locations aside)."""
    if not isinstance(document, dict):
        return 0
    return sum(len(v) for k, v in document.items() if k in INSERT_ORDER and isinstance(v, list))


def check_header(document: Any, file: str) -> list[Problem]:
    """Refuse what is not a bundle of this version; problems for sections it does not know."""
    if not isinstance(document, dict) or document.get("format") != FORMAT:
        raise ImportRejected([Problem(file, "-", "format", f"not a {FORMAT} file")])
    if document.get("version") != VERSION:
        raise ImportRejected(
            [Problem(file, "-", "version", f"version {document.get('version')!r} is not {VERSION}")]
        )
    unknown = set(document) - {"format", "version", *PLACES, *KINDS}
    return [Problem(file, "-", key, "unknown section") for key in sorted(unknown)]


def document_source(document: Any, file: str) -> Source:
    """A parsed bundle's sections, items unvalidated; a section that is no list is a problem."""
    source = Source(file, {}, check_header(document, file))
    for kind in (*PLACES, *KINDS):
        value = document.get(kind) or []
        if not isinstance(value, list):
            source.problems.append(Problem(file, "-", kind, "expected a list"))
        elif value:
            source.sections[kind] = Section(kind, value)
    return source


def read_path(
    path: Path, kind: str | None = None, columns: Mapping[str, str] | None = None
) -> Source:
    """Read ``path`` by its format: a CSV of ``kind`` (``columns`` renames the file's columns
    to field names), otherwise a JSON or YAML bundle."""
    if kind is not None or path.suffix.lower() == ".csv":
        if kind is None:
            problem = Problem(str(path), "-", "-", "a CSV file holds one kind: say which (--kind)")
            raise ImportRejected([problem])
        return bundle_source(read_csv(path, kind, columns), str(path))
    return document_source(read_document(path), str(path))
