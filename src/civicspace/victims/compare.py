"""Who is on which list: membership per person, gaps in the official list, overlaps and
breakdowns (children, gender, place, date), exported as CSV/JSON and an UpSet-style chart.

Counts here are of people *recorded*; they are never totals. Estimates of who no list
recorded come from :mod:`civicspace.victims.estimation`.
"""

from __future__ import annotations

import csv
import datetime as dt
import json
from collections import Counter, defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from civicspace.victims.estimation import CaptureHistories
from civicspace.victims.normalise import EPOCH


@dataclass
class Comparison:
    """People (clusters) with the lists that name them, and summary tables."""

    lists: list[str]
    people: list[dict[str, Any]]
    official: str | None = None
    breakdowns: dict[str, dict[str, dict[str, int]]] = field(default_factory=dict)

    def overlaps(self) -> list[dict[str, Any]]:
        """Counts per combination of lists (the UpSet bars), largest first."""
        tally = Counter(tuple(p["lists"]) for p in self.people)
        return [{"lists": list(k), "people": n} for k, n in tally.most_common()]

    def missing_from(self, list_name: str) -> list[dict[str, Any]]:
        return [p for p in self.people if list_name not in p["lists"]]

    def histories(self) -> CaptureHistories:
        return CaptureHistories.from_memberships((p["lists"] for p in self.people), self.lists)

    def as_dict(self) -> dict[str, Any]:
        data: dict[str, Any] = {
            "lists": self.lists,
            "people_recorded": len(self.people),
            "note": "people recorded on at least one list; not an estimate of the total",
            "list_sizes": {
                name: sum(name in p["lists"] for p in self.people) for name in self.lists
            },
            "overlaps": self.overlaps(),
            "breakdowns": self.breakdowns,
            "people": self.people,
        }
        if self.official:
            data["missing_from_official"] = [p["person"] for p in self.missing_from(self.official)]
        return data


def _age_group(birth_year: Any, event_year: int) -> str:
    if birth_year is None or pd.isna(birth_year):
        return "unknown"
    return "child (under 18)" if event_year - int(birth_year) < 18 else "adult"


def _first(values: Sequence[Any]) -> Any:
    return next((v for v in values if v is not None and not pd.isna(v) and v != ""), None)


def compare_lists(
    records: pd.DataFrame,
    clusters: Mapping[str, str],
    official: str | None = None,
    event_year: int = 2022,
) -> Comparison:
    """Group records into people by cluster and tabulate who is where.

    ``records`` needs ``unique_id``, ``list_name``, ``name`` and the normalised fields.
    """
    lists = sorted(records["list_name"].unique())
    by_cluster: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for row in records.to_dict("records"):
        by_cluster[clusters.get(row["unique_id"], row["unique_id"])].append(row)
    people = []
    for cluster_id, rows in sorted(by_cluster.items()):
        # show the fullest name: initials-only forms last
        rows = sorted(rows, key=lambda r: (bool(r.get("initials_only")), -len(str(r["name"]))))
        day = _first([r.get("event_day") for r in rows])
        people.append(
            {
                "person": cluster_id,
                "name": rows[0]["name"],
                "names": {r["list_name"]: r["name"] for r in rows},
                "lists": sorted({r["list_name"] for r in rows}),
                "records": sorted(r["unique_id"] for r in rows),
                "gender": _first([r.get("gender") for r in rows]) or "unknown",
                "age_group": _age_group(_first([r.get("birth_year") for r in rows]), event_year),
                "place": _first([r.get("place_key") for r in rows]) or "unknown",
                "date": (EPOCH + dt.timedelta(days=int(day))).isoformat()
                if day is not None
                else "unknown",
            }
        )
    comparison = Comparison(lists=lists, people=people, official=official)
    for facet in ("age_group", "gender", "place", "date"):
        table: dict[str, dict[str, int]] = {}
        for p in people:
            row = table.setdefault(str(p[facet]), {"all": 0, **{name: 0 for name in lists}})
            row["all"] += 1
            for name in p["lists"]:
                row[name] += 1
        comparison.breakdowns[facet] = dict(sorted(table.items()))
    return comparison


def write_csv(comparison: Comparison, path: str | Path) -> None:
    """One row per person, one 0/1 column per list."""
    with Path(path).open("w", newline="", encoding="utf-8") as fh:
        out = csv.writer(fh)
        out.writerow(
            ["person", "name", *comparison.lists, "gender", "age_group", "place", "date", "records"]
        )
        for p in comparison.people:
            out.writerow(
                [
                    p["person"],
                    p["name"],
                    *(int(n in p["lists"]) for n in comparison.lists),
                    p["gender"],
                    p["age_group"],
                    p["place"],
                    p["date"],
                    " ".join(p["records"]),
                ]
            )


def write_json(comparison: Comparison, path: str | Path) -> None:
    Path(path).write_text(
        json.dumps(comparison.as_dict(), ensure_ascii=False, indent=2), encoding="utf-8"
    )


def upset_chart(comparison: Comparison, path: str | Path) -> None:
    """An UpSet-style chart (bars per combination, dots for its lists) as PNG or SVG."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    bars = comparison.overlaps()
    lists = comparison.lists
    fig, (top, bottom) = plt.subplots(
        2,
        1,
        figsize=(max(4, 0.6 * len(bars) + 2), 2 + 0.4 * len(lists) + 3),
        gridspec_kw={"height_ratios": [3, max(1, 0.5 * len(lists))]},
        sharex=True,
    )
    xs = range(len(bars))
    top.bar(xs, [b["people"] for b in bars], color="#34495e")
    for x, b in zip(xs, bars, strict=True):
        top.text(x, b["people"], str(b["people"]), ha="center", va="bottom", fontsize=8)
    top.set_ylabel("people recorded")
    top.set_title("People recorded by each combination of lists (not an estimate)")
    for x, b in zip(xs, bars, strict=True):
        ys = [i for i, name in enumerate(lists) if name in b["lists"]]
        bottom.scatter([x] * len(lists), range(len(lists)), color="#ddd", s=40)
        bottom.scatter([x] * len(ys), ys, color="#34495e", s=40)
        if len(ys) > 1:
            bottom.plot([x, x], [min(ys), max(ys)], color="#34495e")
    bottom.set_yticks(range(len(lists)), lists)
    bottom.set_xticks([])
    fig.tight_layout()
    fig.savefig(path)
    plt.close(fig)
