"""Export incidents in ACLED's CSV layout so they can be merged with ACLED data.

Each violation type maps to an ACLED event type and sub-event type in
``violation_types.yaml``; the first violation of an incident decides its row. ACLED's
``time_precision`` is 1 (day), 2 (week/part of a month) or 3 (month or vaguer).
"""

from __future__ import annotations

import csv
import datetime as dt
from pathlib import Path
from typing import Any

from civicspace.model.dates import FuzzyDate
from civicspace.model.vocabulary import vocabulary

COLUMNS = [
    "event_id_cnty",
    "event_date",
    "year",
    "time_precision",
    "disorder_type",
    "event_type",
    "sub_event_type",
    "actor1",
    "assoc_actor_1",
    "inter1",
    "actor2",
    "assoc_actor_2",
    "inter2",
    "interaction",
    "civilian_targeting",
    "iso",
    "region",
    "country",
    "admin1",
    "admin2",
    "admin3",
    "location",
    "latitude",
    "longitude",
    "geo_precision",
    "source",
    "source_scale",
    "notes",
    "fatalities",
    "tags",
    "timestamp",
]
_ISO_NUMERIC = {
    "KZ": "398",
    "KG": "417",
    "UZ": "860",
    "TJ": "762",
    "TM": "795",
    "RU": "643",
    "BY": "112",
}
# ACLED actor type codes: 1 state forces, 6 protesters, 7 civilians, 8 external/other.
_INTER = {"state_body": 1, "court": 1, "political_party": 6, "movement": 6, "initiative_group": 6}


def _precision(date: FuzzyDate) -> int:
    if date.precision == "day" and not date.approximate:
        return 1
    return 2 if date.precision == "month" and date.part else 3


def acled_rows(data: dict[str, Any]) -> list[dict[str, Any]]:
    """ACLED rows for the incidents of an export bundle (references resolved within it)."""
    violation = vocabulary("violation type")
    countries = {c["id"]: c for c in data.get("countries", [])}
    locations = {loc["id"]: loc for loc in data.get("locations", [])}
    persons = {p["id"]: p for p in data.get("persons", [])}
    orgs = {o["id"]: o for o in data.get("organisations", [])}
    sources = {s["id"]: s for s in data.get("sources", [])}
    rows = []
    for n, inc in enumerate(data.get("incidents", []), start=1):
        date = FuzzyDate.parse(inc["date"])
        mapping = (
            violation[inc["violations"][0]].attr("acled")
            if inc.get("violations")
            else {
                "event_type": "Strategic developments",
                "sub_event_type": "Other",
                "disorder_type": "Strategic developments",
            }
        )
        actors: dict[str, list[tuple[str, int]]] = {"perpetrator": [], "target": []}
        for p in inc.get("participants", []):
            if p["role"] not in actors:
                continue
            if "organisation_id" in p and p["organisation_id"] in orgs:
                org = orgs[p["organisation_id"]]
                actors[p["role"]].append((org["name"]["text"], _INTER.get(org["org_kind"], 8)))
            elif p.get("person_id") in persons:
                actors[p["role"]].append((persons[p["person_id"]]["name"]["text"], 7))
        perp, target = actors["perpetrator"], actors["target"]
        inter1, inter2 = (perp[0][1] if perp else 0), (target[0][1] if target else 0)
        loc = locations.get(inc.get("location_id") or "", {})
        country = countries.get(inc["country"], {"name": inc["country"]})
        counts = inc.get("counts", {})
        rows.append(
            {
                "event_id_cnty": f"{inc['country']}{n}",
                "event_date": date.earliest.isoformat(),
                "year": date.year,
                "time_precision": _precision(date),
                "disorder_type": mapping["disorder_type"],
                "event_type": mapping["event_type"],
                "sub_event_type": mapping["sub_event_type"],
                "actor1": perp[0][0] if perp else "",
                "assoc_actor_1": "; ".join(a for a, _ in perp[1:]),
                "inter1": inter1 or "",
                "actor2": target[0][0] if target else "",
                "assoc_actor_2": "; ".join(a for a, _ in target[1:]),
                "inter2": inter2 or "",
                "interaction": int(f"{min(inter1, inter2)}{max(inter1, inter2)}")
                if inter1 and inter2
                else "",
                "civilian_targeting": "Civilian targeting" if inter2 == 7 else "",
                "iso": _ISO_NUMERIC.get(inc["country"], ""),
                "region": country.get("region") or "",
                "country": country["name"],
                "admin1": loc.get("admin1", ""),
                "admin2": loc.get("admin2", ""),
                "admin3": loc.get("admin3", ""),
                "location": loc.get("name", ""),
                "latitude": loc.get("latitude", ""),
                "longitude": loc.get("longitude", ""),
                "geo_precision": loc.get("geo_precision", ""),
                "source": "; ".join(
                    sources[c["source_id"]].get("publisher") or sources[c["source_id"]]["title"]
                    for c in inc.get("sources", [])
                    if c["source_id"] in sources
                ),
                "source_scale": "Other",
                "notes": inc.get("summary") or inc["title"],
                "fatalities": counts.get("killed", 0),
                "tags": "; ".join(inc.get("tags", [])),
                "timestamp": int(dt.datetime.fromisoformat(inc["updated_at"]).timestamp())
                if inc.get("updated_at")
                else "",
            }
        )
    return rows


def write_acled(data: dict[str, Any], path: Path) -> None:
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=COLUMNS)
        writer.writeheader()
        writer.writerows(acled_rows(data))
