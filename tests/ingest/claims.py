"""What a researcher's import may claim, worked out from a bundle the way the import's
claim check (:func:`civicspace.editing.check_claims`) words it."""

from __future__ import annotations

import copy
from typing import Any

from civicspace.ingest.errors import Problem
from civicspace.model.records import KINDS


def claims_refused(file: str, bundle: dict[str, Any]) -> list[Problem]:
    """The problems a researcher's import of ``bundle`` gets, one per record claiming
    what only editors may, in the bundle's order."""
    out = []
    for kind in KINDS:
        for i, item in enumerate(bundle.get(kind, ())):
            row = f"{kind}[{i}]"
            if item.get("confidential"):
                out.append(
                    Problem(
                        file, row, "confidential", "only editors may mark a source confidential"
                    )
                )
            elif item.get("verification", "unverified") != "unverified":
                out.append(Problem(file, row, "verification", "only editors may verify records"))
            elif item.get("visibility") == "confidential":
                out.append(
                    Problem(file, row, "visibility", "only editors may make a record confidential")
                )
    return out


def unverified(bundle: dict[str, Any]) -> dict[str, Any]:
    """``bundle`` as a researcher may import it: every record unverified, confidential ones
    restricted, no source confidential."""
    out = copy.deepcopy(bundle)
    for kind in KINDS:
        for item in out.get(kind, ()):
            item["verification"] = "unverified"
            item.pop("confidential", None)
            if item.get("visibility") == "confidential":
                item["visibility"] = "restricted"
    return out
