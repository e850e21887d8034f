"""Benchmark the store: import N synthetic incidents (with persons and sources), then search.

Prints incidents/s for the import (JSON bundle -> validated -> written -> indexed), the
peak resident memory of the process, and p50/p95 latency of 1,000 searches, for SQLite
and PostgreSQL. Each backend runs in its own process so memory figures do not mix.

    python bench/store.py                      # 100,000 incidents, SQLite and PostgreSQL
    python bench/store.py --incidents 10000 --backend sqlite
    python bench/store.py --workers 1          # the import in one process, no workers

The import uses one worker process per core (see civicspace.ingest.workers); "peak MB"
is the importing process, "worker MB" the largest worker.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import resource
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

from sqlalchemy import create_engine, text

from civicspace.access import Viewer
from civicspace.application import open_database, open_store
from civicspace.ingest import ImportOptions, import_document
from civicspace.ingest.bundle import read_document
from civicspace.ingest.options import workers_available

GIVEN = [
    "Жанболат",
    "Айгерим",
    "Нурлан",
    "Асель",
    "Ерлан",
    "Динара",
    "Бауыржан",
    "Гүлнар",
    "Серік",
    "Мадина",
    "Алексей",
    "Ольга",
    "Дмитрий",
    "Татьяна",
    "Ақжол",
    "Әсем",
    "Қайрат",
    "Ұлжан",
    "Өмірзақ",
    "Іңкәр",
]
SURNAMES = [
    "Мамай",
    "Иманбай",
    "Достияров",
    "Князев",
    "Садвакасова",
    "Нурмагамбетов",
    "Ахметов",
    "Сейтқали",
    "Жұмабаев",
    "Оспанова",
    "Қасымов",
    "Әбенов",
    "Петров",
    "Иванова",
    "Төлеубай",
    "Нұрланұлы",
]
VIOLATIONS = [
    "protest_dispersed",
    "protester_detained",
    "journalist_attacked",
    "activist_prosecuted",
    "criminal_charge_for_speech",
    "intimidation",
    "registration_denied",
    "surveillance",
]
FREEDOM_OF = {
    "protest_dispersed": "assembly",
    "protester_detained": "assembly",
    "journalist_attacked": "expression",
    "activist_prosecuted": "expression",
    "criminal_charge_for_speech": "expression",
    "intimidation": "expression",
    "registration_denied": "association",
    "surveillance": "association",
}
WORDS = "police dispersed peaceful protest activists detained court fined blogger charged false information".split()


def synthetic_bundle(n_incidents: int, seed: int = 7) -> dict:
    rng = random.Random(seed)
    n_persons, n_sources = max(10, n_incidents // 5), max(5, n_incidents // 100)
    pub = {"visibility": "public", "verification": "verified"}
    sources = [
        {"id": f"src-{i}", "title": f"Report {i}", "publisher": f"Monitor {i % 17}", **pub}
        for i in range(n_sources)
    ]
    persons = []
    for i in range(n_persons):
        name = f"{rng.choice(GIVEN)} {rng.choice(SURNAMES)}"
        persons.append(
            {
                "id": f"p-{i}",
                "name": {"text": name, "script": "Cyrl"},
                "roles": ["activist"],
                "sources": [{"source_id": f"src-{rng.randrange(n_sources)}"}],
                **pub,
            }
        )
    incidents = []
    for i in range(n_incidents):
        violation = rng.choice(VIOLATIONS)
        day = rng.randrange(1, 29)
        incidents.append(
            {
                "id": f"inc-{i}",
                "title": f"{violation.replace('_', ' ').capitalize()} #{i}",
                "date": f"2022-{rng.randrange(1, 13):02d}-{day:02d}",
                "country": "KZ",
                "freedoms": [FREEDOM_OF[violation]],
                "violations": [violation],
                "participants": [{"person_id": f"p-{rng.randrange(n_persons)}", "role": "target"}],
                "counts": {"detained": rng.randrange(0, 5)},
                "summary": " ".join(rng.choice(WORDS) for _ in range(12)),
                "sources": [{"source_id": f"src-{rng.randrange(n_sources)}"}],
                "visibility": rng.choice(["public", "public", "restricted"]),
                "verification": "verified",
            }
        )
    return {
        "format": "civicspace-export",
        "version": 1,
        "countries": [{"id": "KZ", "name": "Kazakhstan"}],
        "sources": sources,
        "persons": persons,
        "incidents": incidents,
    }


def queries(n: int, seed: int = 11) -> list[str]:
    rng = random.Random(seed)
    from civicspace.text import transliterate

    out = []
    for _ in range(n):
        name = rng.choice(SURNAMES)
        form = rng.choice(["cyr", "icao", "informal", "word"])
        out.append(
            rng.choice(WORDS)
            if form == "word"
            else name
            if form == "cyr"
            else transliterate(name, form)
        )
    return out


def run_one(backend: str, n: int, searches: int, workers: int) -> dict:
    with tempfile.TemporaryDirectory() as tmp:
        bundle_path = Path(tmp) / "bundle.json"
        bundle_path.write_text(
            json.dumps(synthetic_bundle(n), ensure_ascii=False), encoding="utf-8"
        )
        schema = None
        if backend == "sqlite":
            url = str(Path(tmp) / "bench.sqlite")
        else:
            base = os.environ.get(
                "CIVICSPACE_BENCH_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test"
            )
            schema = f"cs_bench_{uuid.uuid4().hex[:8]}"
            with create_engine(base).begin() as conn:
                conn.execute(text(f"CREATE SCHEMA {schema}"))
            url = f"{base}?options=-csearch_path%3D{schema}"
        try:
            db = open_database(url)
            db.migrate()
            store = open_store(db)
            editor = Viewer("editor", "bench")
            started = time.perf_counter()
            document = read_document(bundle_path)
            options = ImportOptions(workers=workers)
            counts = import_document(store, editor, document, str(bundle_path), options).counts
            elapsed = time.perf_counter() - started
            latencies = []
            for q in queries(searches):
                t0 = time.perf_counter()
                store.search(q, Viewer.anonymous(), limit=20)
                latencies.append((time.perf_counter() - t0) * 1000)
            latencies.sort()
            db.dispose()
        finally:
            if schema:
                with create_engine(base).begin() as conn:
                    conn.execute(text(f"DROP SCHEMA {schema} CASCADE"))
    return {
        "backend": backend,
        "incidents": counts["incidents"],
        "persons": counts["persons"],
        "sources": counts["sources"],
        "import_s": round(elapsed, 2),
        "incidents_per_s": round(counts["incidents"] / elapsed),
        "records_per_s": round(sum(counts.values()) / elapsed),
        "peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024),
        "worker_rss_mb": round(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024),
        "searches": searches,
        "search_p50_ms": round(statistics.median(latencies), 2),
        "search_p95_ms": round(latencies[int(len(latencies) * 0.95) - 1], 2),
    }


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--incidents", type=int, default=100_000)
    parser.add_argument("--searches", type=int, default=1_000)
    parser.add_argument("--backend", choices=["sqlite", "postgresql", "both"], default="both")
    parser.add_argument(
        "--workers",
        type=int,
        default=workers_available(),
        help="processes preparing the import (default: one per core; 1: the importing one alone)",
    )
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        print(json.dumps(run_one(args.backend, args.incidents, args.searches, args.workers)))
        return
    backends = ["sqlite", "postgresql"] if args.backend == "both" else [args.backend]
    print(
        f"civicspace store benchmark: {args.incidents:,} incidents, {args.searches:,} searches, "
        f"{os.cpu_count()} cores, import workers: {args.workers}"
    )
    header = (
        f"{'backend':<11}{'import s':>9}{'incidents/s':>13}{'records/s':>11}{'peak MB':>9}"
        f"{'worker MB':>11}{'p50 ms':>8}{'p95 ms':>8}"
    )
    print(header)
    for backend in backends:
        out = subprocess.run(
            [
                sys.executable,
                __file__,
                "--child",
                "--backend",
                backend,
                "--incidents",
                str(args.incidents),
                "--searches",
                str(args.searches),
                "--workers",
                str(args.workers),
            ],
            check=True,
            capture_output=True,
            text=True,
        ).stdout
        r = json.loads(out.strip().splitlines()[-1])
        print(
            f"{r['backend']:<11}{r['import_s']:>9}{r['incidents_per_s']:>13,}{r['records_per_s']:>11,}"
            f"{r['peak_rss_mb']:>9}{r['worker_rss_mb']:>11}{r['search_p50_ms']:>8}{r['search_p95_ms']:>8}"
        )


if __name__ == "__main__":
    main()
