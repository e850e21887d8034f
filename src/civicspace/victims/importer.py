"""Reading a victim list from CSV or XLSX: map columns, validate every row, all or nothing.

The column mapping says which of the file's columns holds each field we know
(``name=ФИО,age=Возраст``); unmapped columns are kept in the raw record all the same.
Every problem is reported as ``file:row:field: reason`` and nothing is imported if there
is any, so a list is never half in the database.
"""

from __future__ import annotations

import csv
import datetime as dt
import zipfile
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from civicspace.victims.normalise import parse_date, parse_gender, parse_int

FIELDS = ("name", "gender", "age", "birth_year", "date", "place", "circumstances", "source")
LIST_KINDS = ("official", "ngo", "media", "other")


class ListImportError(ValueError):
    """The file cannot be imported; ``problems`` lists every bad cell."""

    def __init__(self, problems: list[str]) -> None:
        super().__init__("\n".join(problems))
        self.problems = problems


@dataclass(frozen=True)
class ListRow:
    """One row as read: its number in the file, every cell, and our fields."""

    row_number: int
    raw: dict[str, Any]
    fields: dict[str, Any]


def parse_mapping(text: str | None) -> dict[str, str]:
    """``"name=ФИО,age=Возраст"`` -> ``{"name": "ФИО", "age": "Возраст"}``."""
    mapping: dict[str, str] = {}
    for part in (text or "").split(","):
        if not part.strip():
            continue
        field, sep, column = part.partition("=")
        if not sep or field.strip() not in FIELDS:
            raise ListImportError(
                [
                    f"mapping:{part.strip()}: expected FIELD=COLUMN with FIELD "
                    f"one of {', '.join(FIELDS)}"
                ]
            )
        mapping[field.strip()] = column.strip()
    return mapping


def _cell(value: Any) -> Any:
    if isinstance(value, dt.datetime):
        return value.date().isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return "" if value is None else value


def _read_table(path: Path) -> tuple[list[str], list[list[Any]]]:
    try:
        if path.suffix.lower() in {".xlsx", ".xlsm"}:
            from openpyxl import load_workbook

            book = load_workbook(path, read_only=True, data_only=True)
            rows = [[_cell(v) for v in row] for row in book.active.iter_rows(values_only=True)]
            book.close()
        elif path.suffix.lower() in {".csv", ".txt"}:
            with path.open(newline="", encoding="utf-8-sig") as fh:
                rows = [list(r) for r in csv.reader(fh)]
        else:
            raise ListImportError(
                [f"{path}:0:: unsupported file type {path.suffix!r} (CSV or XLSX)"]
            )
    except UnicodeDecodeError as exc:
        raise ListImportError(
            [f"{path}:0:: not UTF-8 text (byte {exc.start}); save the file as UTF-8"]
        ) from exc
    except (csv.Error, zipfile.BadZipFile, KeyError, OSError) as exc:
        raise ListImportError([f"{path}:0:: not a readable CSV or XLSX file ({exc})"]) from exc
    if not rows:
        raise ListImportError([f"{path}:1:: the file is empty"])
    header = [str(h).strip() for h in rows[0]]
    return header, rows[1:]


def read_list_file(path: str | Path, mapping: Mapping[str, str] | None = None) -> list[ListRow]:
    """Rows of a list file, validated; raises :class:`ListImportError` with every problem."""
    path = Path(path)
    header, body = _read_table(path)
    mapping = {f: c for f, c in (mapping or {}).items()}
    for field in FIELDS:  # columns already named like our fields map themselves
        if field not in mapping and field in header:
            mapping[field] = field
    problems = [
        f"{path}:1:{field}: no column {column!r} in the file"
        for field, column in mapping.items()
        if column not in header
    ]
    if "name" not in mapping:
        problems.append(f"{path}:1:name: no name column; map one with name=COLUMN")
    if problems:
        raise ListImportError(problems)
    rows: list[ListRow] = []
    this_year = dt.date.today().year
    for number, cells in enumerate(body, start=2):
        if not any(str(c).strip() for c in cells):
            continue  # blank lines between blocks of a list are common and harmless
        raw = {h: _cell(cells[i]) if i < len(cells) else "" for i, h in enumerate(header) if h}
        fields = {f: str(raw.get(c, "")).strip() for f, c in mapping.items()}
        where = f"{path}:{number}"
        if not fields.get("name"):
            problems.append(f"{where}:name: empty name")
        age = fields.get("age", "")
        if age and (parse_int(age) is None or not 0 <= (parse_int(age) or 0) <= 120):
            problems.append(f"{where}:age: expected a whole number of years 0-120, got {age!r}")
        year = fields.get("birth_year", "")
        if year and (parse_int(year) is None or not 1900 <= (parse_int(year) or 0) <= this_year):
            problems.append(f"{where}:birth_year: expected a year 1900-{this_year}, got {year!r}")
        gender = fields.get("gender", "")
        if gender and parse_gender(gender) is None:
            problems.append(f"{where}:gender: unknown gender {gender!r} (m/f, м/ж, male/female)")
        day = fields.get("date", "")
        if day and parse_date(day) is None:
            problems.append(f"{where}:date: expected YYYY-MM-DD or DD.MM.YYYY, got {day!r}")
        rows.append(ListRow(number, raw, fields))
    if problems:
        raise ListImportError(problems)
    if not rows:
        raise ListImportError([f"{path}:2:: no records"])
    return rows
