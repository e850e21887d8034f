"""What revisions and the audit trail cost: the same work with the journal on and off.

For each backend, in one run: the bulk import of N synthetic incidents (records/s; one
revision per record, written with one ``executemany`` per batch, and one audit entry per
batch), then API latency through the real app (in process): reading a confidential person
(an audited read), replacing an incident (a revision and an audit entry), and listing
incidents. Each figure is the best of ``--rounds`` alternating rounds (a latency is the
median of its round's requests); overhead is ``on / off - 1``; the target is under 30%.
Beside it, the lowest and highest overhead of single rounds, each comparing an "off" and
an "on" that ran side by side: on a busy machine that spread is the honest error bar.
(The API requests of the two modes take turns; imports alternate whole.)

    python bench/trust.py                                  # 20,000 incidents, SQLite
    python bench/trust.py --incidents 5000 --requests 200
    CIVICSPACE_BENCH_POSTGRES_URL=postgresql+psycopg://postgres@127.0.0.1:5432/test python bench/trust.py
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
import uuid
from pathlib import Path
from typing import Any

from argon2 import PasswordHasher
from fastapi.testclient import TestClient
from sqlalchemy import create_engine, text

from civicspace.access.accounts import Accounts
from civicspace.access.policy import Viewer
from civicspace.access.tokens import Tokens
from civicspace.application import open_database, open_store
from civicspace.crypto import ENV_KEY, MasterKey
from civicspace.db.engine import Database
from civicspace.ingest import import_records
from civicspace.ingest.bundle import parse_bundle
from civicspace.store.repository import Journal
from civicspace.trust import NoJournal, RevisionJournal
from civicspace.web import Settings, create_app

HERE = Path(__file__).parent
MODES = ("off", "on")
BENCH = Viewer("editor", "bench")  # who the benchmark imports as


def journal(mode: str) -> Journal:
    return RevisionJournal() if mode == "on" else NoJournal()


def bundle(n: int) -> dict[str, Any]:
    sys.path.insert(0, str(HERE))
    from store import synthetic_bundle  # bench/store.py: the same data as the store benchmark

    data: dict[str, Any] = synthetic_bundle(n)
    for i, person in enumerate(data["persons"]):
        if i % 10 == 0:  # one person in ten is a confidential witness
            person["visibility"] = "confidential"
    return data


class Backend:
    """Fresh empty databases: SQLite files in a folder, or schemas in one PostgreSQL server."""

    def __init__(self, name: str, folder: Path) -> None:
        self.name, self.folder, self.schemas = name, folder, []  # type: ignore[var-annotated]
        self.base = os.environ.get("CIVICSPACE_BENCH_POSTGRES_URL", "")

    def fresh(self) -> Database:
        if self.name == "sqlite":
            db = open_database(self.folder / f"{uuid.uuid4().hex}.sqlite")
        else:
            schema = f"cs_bench_{uuid.uuid4().hex[:10]}"
            with create_engine(self.base).begin() as conn:
                conn.execute(text(f'CREATE SCHEMA "{schema}"'))
            self.schemas.append(schema)
            db = open_database(f"{self.base}?options=-csearch_path%3D{schema}")
        db.migrate()
        return db

    def drop(self) -> None:
        if self.schemas:
            with create_engine(self.base).begin() as conn:
                for schema in self.schemas:
                    conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))


def time_import(backend: Backend, data: dict[str, Any], mode: str) -> tuple[float, float]:
    """Wall-clock and CPU seconds of this process writing the bundle (CPU time is the steadier
    figure on a busy machine; for PostgreSQL it leaves out the server's own work)."""
    parsed = parse_bundle(data, "bench.json")
    db = backend.fresh()
    try:
        started, cpu = time.perf_counter(), time.process_time()
        import_records(open_store(db, journal=journal(mode)), BENCH, parsed, file="bench.json")
        return time.perf_counter() - started, time.process_time() - cpu
    finally:
        db.dispose()


def api_latencies(db: Database, requests: int, n: int) -> dict[str, dict[str, float]]:
    """Median milliseconds per mode and request kind.

    Two apps on the same database, one journalling and one not, take turns request by
    request (which goes first alternates too), so that a busy moment on a shared machine
    falls on both alike instead of on whichever mode ran then.
    """
    accounts = Accounts(db, hasher=PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1))
    if accounts.get("bench") is None:
        accounts.add_user("bench", "editor", "bench passphrase")
    token = Tokens(accounts).create("bench", "benchmark")[1]
    auth = {"Authorization": f"Bearer {token}"}
    clients = {
        mode: TestClient(
            create_app(
                db, Settings(), accounts=accounts, store=open_store(db, journal=journal(mode))
            )
        )
        for mode in MODES
    }
    witnesses = min(50, max(10, n // 5) // 10)  # persons p-0, p-10, ... are confidential
    kinds = ("read confidential person", "replace incident", "list incidents")
    out: dict[str, dict[str, list[float]]] = {m: {k: [] for k in kinds} for m in MODES}
    for i in range(requests):
        for mode in MODES if i % 2 == 0 else MODES[::-1]:
            http, times = clients[mode], out[mode]
            started = time.perf_counter()
            person = http.get(f"/api/v1/persons/p-{(i % witnesses) * 10}", headers=auth)
            times["read confidential person"].append(time.perf_counter() - started)
            assert person.status_code == 200

            incident = http.get(f"/api/v1/incidents/inc-{i % min(500, n)}", headers=auth)
            body = incident.json()
            body.pop("kind")
            body["summary"] = f"{mode} {i} " + body.get("summary", "")[:80]
            started = time.perf_counter()
            put = http.put(
                f"/api/v1/incidents/inc-{i % 500}",
                json=body,
                headers={**auth, "If-Match": incident.headers["etag"]},
            )
            times["replace incident"].append(time.perf_counter() - started)
            assert put.status_code == 200, put.text

            started = time.perf_counter()
            listed = http.get("/api/v1/incidents?limit=50", headers=auth)
            times["list incidents"].append(time.perf_counter() - started)
            assert listed.status_code == 200
    return {m: {k: statistics.median(v) * 1000 for k, v in out[m].items()} for m in MODES}


def overhead(on: float, off: float) -> str:
    return f"{(on / off - 1) * 100:+.1f}%"


def spread(on: list[float], off: list[float]) -> str:
    """The overhead of each round (its off and on ran side by side), lowest to highest."""
    each = sorted(a / b - 1 for a, b in zip(on, off, strict=True))
    return f"rounds {each[0] * 100:+.0f}% to {each[-1] * 100:+.0f}%"


def run(name: str, n: int, requests: int, rounds: int) -> None:
    data = bundle(n)
    records = sum(len(data[k]) for k in ("sources", "persons", "incidents"))
    with tempfile.TemporaryDirectory() as tmp:
        backend = Backend(name, Path(tmp))
        try:
            # Rounds alternate off/on so that warming and drift do not favour one mode.
            times: dict[str, list[tuple[float, float]]] = {m: [] for m in MODES}
            for _ in range(rounds):
                for mode in MODES:
                    times[mode].append(time_import(backend, data, mode))
            latencies: dict[str, dict[str, list[float]]] = {m: {} for m in MODES}
            db = backend.fresh()
            import_records(open_store(db, journal=NoJournal()), BENCH, parse_bundle(data, "b"))
            for _ in range(rounds):
                for mode, medians in api_latencies(db, requests, n).items():
                    for key, value in medians.items():
                        latencies[mode].setdefault(key, []).append(value)
            db.dispose()
        finally:
            backend.drop()
    print(
        f"\n{name}: {n:,} incidents ({records:,} records), {requests} requests per kind, best of {rounds}"
    )
    seconds = {m: [t[0] for t in v] for m, v in times.items()}
    cpu = {m: min(t[1] for t in v) for m, v in times.items()}
    rate = {m: records / min(seconds[m]) for m in MODES}
    print(
        f"  import            off {rate['off']:8,.0f} records/s   on {rate['on']:8,.0f} records/s"
        f"   overhead {overhead(min(seconds['on']), min(seconds['off']))}"
        f" ({spread(seconds['on'], seconds['off'])})"
        f"   (CPU time of this process: {overhead(cpu['on'], cpu['off'])})"
    )
    for key, off in latencies["off"].items():
        on = latencies["on"][key]
        print(
            f"  {key:<26} off {min(off):6.2f} ms   on {min(on):6.2f} ms"
            f"   overhead {overhead(min(on), min(off))} ({spread(on, off)})"
        )


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--incidents", type=int, default=20_000)
    parser.add_argument("--requests", type=int, default=300)
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--backend", choices=["sqlite", "postgresql", "all"], default="all")
    args = parser.parse_args()
    # Confidential records are stored encrypted: a throwaway master key unless one is set.
    os.environ.setdefault(ENV_KEY, MasterKey.generate().serialize())
    backends = ["sqlite", "postgresql"] if args.backend == "all" else [args.backend]
    for name in backends:
        if name == "postgresql" and not os.environ.get("CIVICSPACE_BENCH_POSTGRES_URL"):
            print("\npostgresql: skipped (set CIVICSPACE_BENCH_POSTGRES_URL)")
            continue
        run(name, args.incidents, args.requests, args.rounds)


if __name__ == "__main__":
    main()
