"""Benchmark: country update generation for 1,000 / 10,000 / 100,000 incidents in the period.

For each size, a fresh database is filled with synthetic public, verified incidents
(random freedoms, violations, fuzzy dates, people, places) plus cases, laws, statistics
and ratings, then the public report is timed: the database queries alone (``gather``),
the report model, the HTML, and the PDF. Target: under 5 s for 10,000 incidents in HTML.

    .venv/bin/python bench/report.py                       # 1k and 10k, PDF for both
    .venv/bin/python bench/report.py --sizes 1000,10000,100000 --pdf-sizes 1000,10000
    .venv/bin/python bench/report.py --db postgresql+psycopg://postgres@127.0.0.1/bench
"""

from __future__ import annotations

import argparse
import datetime as dt
import random
import re
import shutil
import subprocess
import tempfile
import time
from pathlib import Path
from typing import Any

from civicspace.access import Viewer
from civicspace.application import open_database, open_store
from civicspace.ingest import import_records
from civicspace.ingest.bundle import FORMAT, VERSION, parse_bundle
from civicspace.model.dates import FuzzyDate
from civicspace.model.records import Incident
from civicspace.model.vocabulary import vocabulary
from civicspace.reports import ReportRequest, build_report, render_html, render_pdf
from civicspace.reports.gather import gather
from civicspace.store.repository import Store

START, STOP = dt.date(2022, 6, 1), dt.date(2022, 8, 31)
PUBLIC = {
    "visibility": "public",
    "verification": "verified",
    "sources": [{"source_id": "src-bench"}],
}
EDITOR = Viewer("editor", "bench")


def base_bundle(people: int, cases: int) -> dict[str, Any]:
    return {
        "format": FORMAT,
        "version": VERSION,
        "countries": [{"id": "KZ", "name": "Kazakhstan"}],
        "locations": [{"id": f"loc-{i}", "country": "KZ", "name": f"Town {i}"} for i in range(20)],
        "sources": [
            {
                "id": "src-bench",
                "title": "Benchmark source",
                "publisher": "Bench",
                "visibility": "public",
                "verification": "verified",
            }
        ],
        "persons": [
            {"id": f"person-{i}", "name": {"text": f"Person Number{i}"}, **PUBLIC}
            for i in range(people)
        ],
        "cases": [
            {
                "id": f"case-{i}",
                "title": f"Case {i}",
                "country": "KZ",
                "defendants": [f"person-{i}"],
                "charges": [{"code": "KZ-CC", "article": random.choice(["272", "274", "378"])}],
                "events": [
                    {"kind": "pretrial_detention_ordered", "date": "2022-07-01"},
                    {
                        "kind": "pretrial_detention_extended",
                        "date": "2022-08-20",
                        "until": "2022-10-12",
                    },
                ],
                **PUBLIC,
            }
            for i in range(cases)
        ],
        "statistics": [
            {
                "id": f"stat-{i}",
                "country": "KZ",
                "value": 100 * i,
                "unit": "people",
                "counts": f"figure {i}",
                "as_of": "2022-08",
                "topic": f"t{i % 7}",
                **PUBLIC,
            }
            for i in range(30)
        ],
        "ratings": [
            {
                "id": "rating-1",
                "country": "KZ",
                "date": "2022-06",
                "band": "repressed",
                "previous_band": "obstructed",
                **PUBLIC,
            }
        ],
        "laws": [
            {
                "id": "law-1",
                "title": "Draft law",
                "country": "KZ",
                "restrictive": True,
                "stages": [{"stage": "public_discussion", "date": "2022-07"}],
                **PUBLIC,
            }
        ],
    }


def incidents(n: int, people: int, rng: random.Random) -> list[Incident]:
    violations = vocabulary("violation type").keys()
    days = (STOP - START).days
    out = []
    for i in range(n):
        day = START + dt.timedelta(days=rng.randrange(days + 1))
        kind = rng.random()
        date = (
            FuzzyDate.from_date(day)
            if kind < 0.6
            else FuzzyDate(day.year, day.month)
            if kind < 0.85
            else FuzzyDate(day.year, day.month, part=rng.choice(["early", "mid", "late"]))
        )
        violation = rng.choice(violations)
        freedoms = list(vocabulary("violation type")[violation].attr("freedoms"))
        out.append(
            Incident(
                id=f"inc-{i}",
                title=f"Incident {i}",
                date=date,
                country="KZ",
                location_id=f"loc-{rng.randrange(20)}",
                freedoms=freedoms,
                violations=[violation],
                participants=[{"person_id": f"person-{rng.randrange(people)}", "role": "target"}],  # type: ignore[list-item]
                counts={"detained": rng.randrange(4)},  # type: ignore[arg-type]
                summary="A synthetic incident used to measure report generation.",
                **PUBLIC,  # type: ignore[arg-type]
            )
        )
    return out


def fill(db_url: str, n: int) -> Store:
    db = open_database(db_url)
    db.migrate()
    store = open_store(db)
    rng = random.Random(n)
    people, cases = 2000, 200
    import_records(store, EDITOR, parse_bundle(base_bundle(people, cases), "bench"), file="bench")
    batch = incidents(n, people, rng)
    with db.begin() as conn:
        for start in range(0, n, 5000):
            store.insert_many(conn, batch[start : start + 5000], "bench")
    return store


def timed(fn: Any) -> tuple[Any, float]:
    t0 = time.perf_counter()
    result = fn()
    return result, time.perf_counter() - t0


def _pages(pdf: bytes) -> str:
    """Page count from ``pdfinfo`` (poppler-utils), or "?" without it."""
    if shutil.which("pdfinfo") is None:
        return "?"
    info = subprocess.run(["pdfinfo", "-"], input=pdf, capture_output=True, check=True)
    found = re.search(rb"Pages:\s+(\d+)", info.stdout)
    return found.group(1).decode() if found else "?"


def measure(url: str, n: int, with_pdf: bool) -> str:
    """One line of the table: fill a database with ``n`` incidents and time the report."""
    request = ReportRequest("KZ", START, STOP, "public", "en")
    store, fill_s = timed(lambda: fill(url, n))
    data, query_s = timed(lambda: gather(store, Viewer.anonymous(), "KZ", START, STOP))
    assert len(data.incidents) == n, len(data.incidents)
    report, model_s = timed(lambda: build_report(store, request, EDITOR))
    html, html_s = timed(lambda: render_html(report))
    html_total = model_s + html_s
    pdf_s, pages = "-", "-"
    if with_pdf:
        pdf, pdf_only = timed(lambda: render_pdf(report))
        pdf_s = f"{html_total + pdf_only:.1f}"
        pages = _pages(pdf)
    store.db.dispose()
    return (
        f"{n:>10,} {fill_s:>8.1f} {query_s:>10.2f} {model_s:>8.2f} "
        f"{html_total:>8.2f} {len(html) / 1e6:>8.1f} {pdf_s:>8} {pages:>6}"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="1000,10000")
    parser.add_argument(
        "--pdf-sizes", default="1000,10000", help="sizes for which the PDF is rendered too (slow)"
    )
    parser.add_argument(
        "--db", default=None, help="empty database URL; default: a temporary SQLite file per size"
    )
    args = parser.parse_args()
    pdf_sizes = {int(s) for s in args.pdf_sizes.split(",") if s}
    print(
        f"{'incidents':>10} {'fill s':>8} {'queries s':>10} {'model s':>8} "
        f"{'HTML s':>8} {'HTML MB':>8} {'PDF s':>8} {'pages':>6}"
    )
    for n in [int(s) for s in args.sizes.split(",")]:
        with tempfile.TemporaryDirectory() as tmp:
            url = args.db or str(Path(tmp) / "bench.sqlite")
            print(measure(url, n, n in pdf_sizes), flush=True)
    print(
        "queries: gather() alone; model: queries + report model; HTML: model + rendering;"
        " PDF: HTML + WeasyPrint"
    )


if __name__ == "__main__":
    main()
