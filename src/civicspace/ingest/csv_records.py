"""CSV files of one kind of record, for people who keep their data in spreadsheets.

Columns are the record's fields by name (see ``docs/import.md``). Lists are written
with ``;`` between items. A few nested fields have flat columns:

- ``name``, ``name_script``, ``name_lang`` and ``names`` (``Жанболат Мамай@Cyrl/kk; ...``)
  for persons and organisations;
- ``participants`` as ``role:person:ID`` or ``role:organisation:ID`` items;
- ``detained``, ``injured``, ``killed``, ``fined`` for an incident's counts;
- ``charges`` as ``CODE ARTICLE[.PART]`` items (``KZ-CC 274; KZ-CC 272.2``);
- ``sources`` as source ids, optionally ``ID#locator``.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from civicspace.ingest.checks import SeenIds, validate_item
from civicspace.ingest.errors import ImportRejected, Problem, read_text
from civicspace.ingest.memory import without_cycle_collection
from civicspace.ingest.source import Bundle
from civicspace.model.records import KINDS, Record, record_type

_COUNTS = ("detained", "injured", "killed", "fined")


def _split(value: str) -> list[str]:
    return [item.strip() for item in value.split(";") if item.strip()]


def _names(value: str) -> list[dict[str, str]]:
    out = []
    for item in _split(value):
        text, _, tag = item.partition("@")
        script, _, lang = tag.partition("/")
        name = {"text": text.strip()}
        if script:
            name["script"] = script.strip()
        if lang:
            name["lang"] = lang.strip()
        out.append(name)
    return out


def _participant(item: str) -> dict[str, str]:
    parts = item.split(":", 2)
    if len(parts) != 3 or parts[1] not in ("person", "organisation"):
        raise ValueError(f"participant {item!r} is not role:person:ID or role:organisation:ID")
    return {"role": parts[0], f"{parts[1]}_id": parts[2]}


def _charge(item: str) -> dict[str, str]:
    code, _, article = item.partition(" ")
    if not article:
        raise ValueError(f"charge {item!r} is not 'CODE ARTICLE' (e.g. 'KZ-CC 274')")
    number, _, part = article.strip().partition(".")
    return {"code": code, "article": number, **({"part": part} if part else {})}


def _citation(item: str) -> dict[str, str]:
    source_id, _, locator = item.partition("#")
    return {"source_id": source_id, **({"locator": locator} if locator else {})}


def row_to_record_data(kind: str, row: dict[str, str]) -> dict[str, Any]:
    """The record fields a CSV row stands for (before validation)."""
    model = record_type(kind)
    fields = model.model_fields
    data: dict[str, Any] = {}
    counts: dict[str, str] = {}
    for column, raw in row.items():
        if column is None:  # csv.DictReader puts surplus cells, as a list, under None
            raise ValueError("the row has more cells than the header has columns")
        value = (raw or "").strip()
        if not value:
            continue
        if column in ("name_script", "name_lang"):
            continue
        if column == "name":
            data["name"] = {
                "text": value,
                "script": row.get("name_script") or None,
                "lang": row.get("name_lang") or None,
            }
        elif column == "names":
            data["names"] = _names(value)
        elif column == "participants":
            data["participants"] = [_participant(i) for i in _split(value)]
        elif column == "charges":
            data["charges"] = [_charge(i) for i in _split(value)]
        elif column == "sources":
            data["sources"] = [_citation(i) for i in _split(value)]
        elif column in _COUNTS and kind == "incidents":
            counts[column] = value
        elif column in fields and _is_list(fields[column].annotation):
            data[column] = _split(value)
        else:
            data[column] = value
    if counts:
        data["counts"] = counts
    return data


def _is_list(annotation: Any) -> bool:
    return getattr(annotation, "__origin__", None) is list or str(annotation).startswith("list[")


@without_cycle_collection
def read_csv(path: Path, kind: str, columns: Mapping[str, str] | None = None) -> Bundle:
    """Validate every row of a CSV of ``kind``; rows are numbered as in a spreadsheet.

    ``columns`` maps the file's column names to field names (``{"Date": "date"}``), for a
    spreadsheet kept with its own headings."""
    name = str(path)
    content = read_text(path)
    reader = csv.DictReader(io.StringIO(content, newline=""), strict=True)
    model = record_type(kind)
    allowed = set(model.model_fields) | {
        "name_script",
        "name_lang",
        *(_COUNTS if kind == "incidents" else ()),
    }
    problems: list[Problem] = []
    try:
        header = reader.fieldnames or []
    except csv.Error as exc:  # e.g. a quote left open in the header line
        raise ImportRejected([Problem(name, "1", "-", f"broken CSV: {exc}")]) from exc
    if not header:
        raise ImportRejected([Problem(name, "1", "-", "the file is empty")])
    if columns:
        header = reader.fieldnames = [columns.get(column, column) for column in header]
    for column in header:
        if column not in allowed:
            problems.append(
                Problem(
                    name,
                    "1",
                    column,
                    f"unknown column for {kind}; allowed: {', '.join(sorted(allowed))}",
                )
            )
    bundle = Bundle()
    seen = SeenIds()
    try:
        for index, row in enumerate(reader, start=2):
            try:
                data = row_to_record_data(kind, row)
            except ValueError as exc:
                problems.append(Problem(name, str(index), "-", str(exc)))
                continue
            record: Record | list[Problem] = validate_item(model, data, name, str(index))
            if isinstance(record, list):
                problems.extend(record)
                continue
            duplicate = seen.add(name, kind, str(index), record.id)
            if duplicate:
                problems.append(duplicate)
                continue
            bundle.records.append(record)
    except csv.Error as exc:
        problems.append(Problem(name, str(reader.line_num), "-", f"broken CSV: {exc}"))
    if problems:
        raise ImportRejected(problems)
    bundle.rows = seen.rows
    return bundle


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, list):
        return "; ".join(_cell(v) for v in value)
    return str(value)


def record_to_row(kind: str, data: dict[str, Any]) -> dict[str, str]:
    """The inverse of :func:`row_to_record_data` for the flat fields (timelines stay in JSON)."""
    row: dict[str, str] = {}
    for key, value in data.items():
        if key == "name":
            row["name"], row["name_script"], row["name_lang"] = (
                value["text"],
                value.get("script", ""),
                value.get("lang", ""),
            )
        elif key == "names":
            row["names"] = "; ".join(
                n["text"]
                + (
                    "@" + n.get("script", "") + ("/" + n["lang"] if n.get("lang") else "")
                    if n.get("script") or n.get("lang")
                    else ""
                )
                for n in value
            )
        elif key == "participants":
            row[key] = "; ".join(
                f"{p['role']}:person:{p['person_id']}"
                if "person_id" in p
                else f"{p['role']}:organisation:{p['organisation_id']}"
                for p in value
            )
        elif key == "charges":
            row[key] = "; ".join(
                f"{c['code']} {c['article']}" + (f".{c['part']}" if c.get("part") else "")
                for c in value
            )
        elif key == "sources":
            row[key] = "; ".join(
                c["source_id"] + (f"#{c['locator']}" if c.get("locator") else "") for c in value
            )
        elif key == "counts" and kind == "incidents":
            row.update({k: str(v) for k, v in value.items()})
        elif isinstance(value, list) and value and isinstance(value[0], dict):
            continue  # timelines, stages, affiliations: JSON export only
        else:
            row[key] = _cell(value)
    return row


def write_csv_folder(bundle_data: dict[str, Any], folder: Path) -> list[Path]:
    """One ``KIND.csv`` per kind of record into ``folder``."""
    folder.mkdir(parents=True, exist_ok=True)
    written = []
    for kind in KINDS:
        rows = [record_to_row(kind, item) for item in bundle_data.get(kind, [])]
        columns: list[str] = ["id"]
        for row in rows:
            columns.extend(c for c in row if c not in columns)
        path = folder / f"{kind}.csv"
        with path.open("w", newline="", encoding="utf-8") as handle:
            writer = csv.DictWriter(handle, fieldnames=columns)
            writer.writeheader()
            writer.writerows(rows)
        written.append(path)
    return written
