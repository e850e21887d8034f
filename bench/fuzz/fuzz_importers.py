"""Coverage-guided fuzzing (atheris) of the importers and the name parser.

Any input must end in a clear validation error (``ImportRejected``, ``ListImportError``)
or a clean parse; anything else is a crash atheris reports with the input that caused it.
The same promises run in ``make test`` as hypothesis tests (tests/security/).

    .venv/bin/pip install atheris
    .venv/bin/python bench/fuzz/fuzz_importers.py --target csv -atheris_runs=20000
    .venv/bin/python bench/fuzz/fuzz_importers.py --target bundle -max_total_time=60 corpus/

Targets: ``name``, ``bundle`` (JSON and YAML), ``csv`` (every kind), ``victims``.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from pathlib import Path

import atheris

with atheris.instrument_imports():
    from civicspace.ingest.bundle import parse_bundle, read_document
    from civicspace.ingest.csv_records import read_csv
    from civicspace.ingest.errors import ImportRejected
    from civicspace.model.records import KINDS
    from civicspace.text.names import parse_name
    from civicspace.victims.importer import ListImportError, read_list_file

WORK = Path(tempfile.mkdtemp(prefix="civicspace-fuzz-"))


def fuzz_name(data: bytes) -> None:
    parse_name(atheris.FuzzedDataProvider(data).ConsumeUnicodeNoSurrogates(200))


def fuzz_bundle(data: bytes) -> None:
    suffix = ".yaml" if data[:1] == b"y" else ".json"
    path = WORK / f"bundle{suffix}"
    path.write_bytes(data[1:])
    try:
        parse_bundle(read_document(path), str(path))
    except ImportRejected:
        pass


def fuzz_csv(data: bytes) -> None:
    kind = KINDS[data[0] % len(KINDS)] if data else KINDS[0]
    path = WORK / f"{kind}.csv"
    path.write_bytes(data[1:])
    try:
        read_csv(path, kind)
    except ImportRejected:
        pass


def fuzz_victims(data: bytes) -> None:
    suffix = ".xlsx" if data[:1] == b"x" else ".csv"
    path = WORK / f"list{suffix}"
    path.write_bytes(data[1:])
    try:
        read_list_file(path)
    except ListImportError:
        pass


TARGETS = {"name": fuzz_name, "bundle": fuzz_bundle, "csv": fuzz_csv, "victims": fuzz_victims}


def main() -> None:
    parser = argparse.ArgumentParser(add_help=False)
    parser.add_argument("--target", choices=sorted(TARGETS), default="csv")
    known, rest = parser.parse_known_args()
    atheris.Setup([sys.argv[0], *rest], TARGETS[known.target])
    atheris.Fuzz()


if __name__ == "__main__":
    main()
