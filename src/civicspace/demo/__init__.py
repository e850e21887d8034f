"""The demo dataset: Kazakhstan's civic space, June–August 2022.

It encodes the IPHR/KIBHR country update for the CIVICUS Monitor (published September
2022) as a ``civicspace-export`` bundle: every person, organisation, incident, legal case,
law, statistic and rating it reports, each citing the update (source
``src-iphr-kibhr-2022-09``). A few clearly fictional restricted and confidential records
are added to exercise access control; they must never reach a public output.
"""

from __future__ import annotations

from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING, Any

import yaml

if TYPE_CHECKING:
    from civicspace.access.policy import Viewer
    from civicspace.ingest.pipeline import ImportResult
    from civicspace.store.repository import Store

DEMO_DATASET = "kz_2022_06_08.yaml"
DEMO_SOURCE_ID = "src-iphr-kibhr-2022-09"

__all__ = [
    "DEMO_DATASET",
    "DEMO_SOURCE_ID",
    "demo_dataset_path",
    "load_demo",
    "load_demo_dataset",
]


def demo_dataset_path() -> Path:
    """The path of the bundled demo dataset (a YAML ``civicspace-export`` bundle)."""
    return Path(str(resources.files(__name__).joinpath(DEMO_DATASET)))


def load_demo_dataset() -> dict[str, Any]:
    """The demo bundle as plain data: ``{"format": ..., "persons": [...], ...}``."""
    data = yaml.safe_load(demo_dataset_path().read_text(encoding="utf-8"))
    if not isinstance(data, dict):
        raise ValueError(f"{DEMO_DATASET}: expected a mapping at the top level")
    return data


def load_demo(store: Store, viewer: Viewer) -> ImportResult:
    """Import the demo dataset through the import pipeline, as ``viewer``; loading it again
    replaces the same records, so the data stays the same. A reader may not load it."""
    from civicspace.ingest.options import ImportOptions
    from civicspace.ingest.pipeline import import_path

    return import_path(store, viewer, demo_dataset_path(), ImportOptions(replace=True))
