"""The victim-list section: counts per list, the gap in the official list, an estimate."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import pytest

from civicspace.db.engine import Database
from civicspace.reports import ReportRequest, build_report, render_markdown
from civicspace.store.repository import Store
from civicspace.victims import service
from civicspace.victims.synth import make_lists
from tests.helpers import EDITOR, load_sample

KINDS = {"official": "official", "qantar": "ngo", "azattyk": "media"}


def test_report_compares_named_lists_and_states_the_estimate(
    database: Database, store: Store, tmp_path: Path
) -> None:
    load_sample(store, tmp_path)
    lists = make_lists(80, seed=5)
    lists.write(tmp_path)
    for name, kind in KINDS.items():
        service.import_list(
            database,
            tmp_path / f"{name}.csv",
            service.ListMetadata(name, name.title(), kind, compiler="X"),
        )
    request = ReportRequest(
        "KZ", dt.date(2022, 6, 1), dt.date(2022, 8, 31), victim_lists=tuple(KINDS)
    )
    with pytest.raises(ValueError, match="not been linked"):
        build_report(store, request, EDITOR)
    service.run_linkage(database)
    text = render_markdown(build_report(store, request, EDITOR))
    section = text[text.index("### Victim lists and estimates") : text.index("## Peaceful")]
    sizes = {name: len(recs) for name, recs in lists.lists.items()}
    for name, n in sizes.items():
        assert f"{name.title()} ({KINDS[name]}, compiled by X): {n}" in section
    assert "These are names on lists, not the number of victims." in section
    assert re.search(r"\d+ of them are not on the Official list\.", section)
    found = re.search(
        r"Estimated number of victims: ([\d,]+) \(95% interval ([\d,]+)–([\d,]+)\),"
        r" by (lcmcr|loglinear|chapman) \(",
        section,
    )
    assert found, section
    estimate, lower, upper = (int(g.replace(",", "")) for g in found.groups()[:3])
    assert lower <= estimate <= upper and estimate >= 80 * 0.5
    for recs in lists.lists.values():  # aggregates only: no name from any list
        for record in recs[:10]:
            assert record["name"] not in text
    bad = ReportRequest("KZ", dt.date(2022, 6, 1), dt.date(2022, 8, 31), victim_lists=("nope",))
    with pytest.raises(ValueError, match="no victim list nope"):
        build_report(store, bad, EDITOR)
