"""Import and export: one import pipeline for JSON/YAML bundles and CSV files, exports as
bundles, CSV per kind and ACLED-compatible CSV.

Import with :func:`import_path` (a file), :func:`import_document` (a parsed bundle) or
:func:`import_records` (records built in code), each taking :class:`ImportOptions`.
Names load on first use, so ``from civicspace.ingest.errors import ImportRejected`` stays
cheap for a command that never imports.
"""

from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from civicspace.ingest.bundle import export_bundle, parse_bundle
    from civicspace.ingest.errors import ImportRejected, Problem
    from civicspace.ingest.options import ImportOptions
    from civicspace.ingest.pipeline import (
        ImportResult,
        import_document,
        import_path,
        import_records,
        require_import,
    )
    from civicspace.ingest.source import Bundle

__all__ = [
    "Bundle",
    "ImportOptions",
    "ImportRejected",
    "ImportResult",
    "Problem",
    "export_bundle",
    "import_document",
    "import_path",
    "import_records",
    "parse_bundle",
    "require_import",
]

_HOMES = {
    "Bundle": "source",
    "ImportOptions": "options",
    "ImportRejected": "errors",
    "ImportResult": "pipeline",
    "Problem": "errors",
    "export_bundle": "bundle",
    "import_document": "pipeline",
    "import_path": "pipeline",
    "import_records": "pipeline",
    "parse_bundle": "bundle",
    "require_import": "pipeline",
}


def __getattr__(name: str) -> Any:
    if name not in _HOMES:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    return getattr(import_module(f"{__name__}.{_HOMES[name]}"), name)
