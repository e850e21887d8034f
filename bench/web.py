"""Benchmark the web app: requests/s, p50 and p95 latency of the incident list, search and
incident page (HTML) and the API list, at 1, 10 and 50 concurrent clients, on SQLite and
PostgreSQL, with N synthetic incidents (default 100,000; a third are restricted).

The server runs in its own processes (``--workers``, default 2) so the client does not steal its
CPU; requests carry a viewer's API token, as a logged-in monitor's would.

    python bench/web.py                                   # 100,000 incidents, both backends
    python bench/web.py --incidents 10000 --backend sqlite --requests 200

PostgreSQL runs when CIVICSPACE_BENCH_POSTGRES_URL (or CIVICSPACE_TEST_POSTGRES_URL)
names a server; each run works in a fresh schema that is dropped afterwards.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path
from typing import Any

import httpx
from sqlalchemy import create_engine, text

from civicspace.access import Viewer
from civicspace.access.accounts import Accounts
from civicspace.access.tokens import Tokens
from civicspace.ingest.bundle import import_file
from civicspace.store.db import Database
from civicspace.store.repository import Store

HERE = Path(__file__).parent
SEARCHES = ["Мамай", "Mamai", "Иманбай", "imanbai", "Садвакасова", "Sadvakasova", "police",
            "blogger fined", "Ахметов", "Akhmetov"]


def app_factory() -> Any:
    """Used by the server process: ``uvicorn web:app_factory --factory``."""
    from civicspace.web import Settings, create_app

    return create_app(Database.connect(os.environ["CIVICSPACE_DATABASE_URL"]), Settings())


def load(url: str, n: int) -> str:
    sys.path.insert(0, str(HERE))
    from store import synthetic_bundle  # bench/store.py: the same data as the store benchmark

    db = Database.connect(url)
    db.migrate()
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "bundle.json"
        path.write_text(json.dumps(synthetic_bundle(n), ensure_ascii=False), encoding="utf-8")
        started = time.perf_counter()
        import_file(Store(db), path, Viewer.local_operator())
        print(f"  loaded {n:,} incidents in {time.perf_counter() - started:.0f} s", flush=True)
    accounts = Accounts(db)
    accounts.add_user("bench", "viewer", "bench passphrase")
    token = Tokens(accounts).create("bench", "benchmark")[1]
    db.dispose()
    return token


def serve(port: int, workers: int) -> None:
    """Uvicorn with ``workers`` processes sharing a listening socket made with proto=TCP.

    Uvicorn (0.54) binds its multi-worker socket with proto 0, so asyncio does not set
    TCP_NODELAY on accepted connections and each keep-alive request after the first waits
    ~40 ms for a delayed ACK (Kludex/uvicorn#3149): 52 ms instead of 7 ms for an incident
    page at one client. Binding the socket here sidesteps that.
    """
    import socket

    import uvicorn
    from uvicorn.supervisors import Multiprocess

    config = uvicorn.Config(
        "web:app_factory", factory=True, port=port, workers=workers, log_level="warning"
    )
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM, socket.IPPROTO_TCP)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind(("127.0.0.1", port))
    sock.set_inheritable(True)
    if workers > 1:
        Multiprocess(config, sockets=[sock]).run()
    else:
        uvicorn.Server(config).run(sockets=[sock])


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def targets(n: int, rng: random.Random) -> dict[str, Any]:
    pages = max(n // 3 // 25, 1)
    return {
        "list (HTML)": lambda: f"/incidents?page={rng.randrange(1, min(pages, 200) + 1)}",
        "search (HTML)": lambda: f"/incidents?q={rng.choice(SEARCHES)}",
        "incident page": lambda: f"/incidents/inc-{rng.randrange(n)}",
        "list (API)": lambda: f"/api/v1/incidents?limit=50&sort=date&order=desc"
        f"&offset={rng.randrange(0, 1000)}",
    }


async def measure(base: str, token: str, make_url: Any, clients: int, total: int) -> dict[str, float]:
    latencies: list[float] = []
    errors = 0
    limits = httpx.Limits(max_connections=clients, max_keepalive_connections=clients)
    headers = {"Authorization": f"Bearer {token}"}
    async with httpx.AsyncClient(base_url=base, headers=headers, limits=limits, timeout=60) as client:
        queue = list(range(total))

        async def worker() -> None:
            nonlocal errors
            while queue:
                queue.pop()
                url = make_url()
                started = time.perf_counter()
                response = await client.get(url)
                latencies.append(time.perf_counter() - started)
                if response.status_code >= 500:
                    errors += 1

        started = time.perf_counter()
        await asyncio.gather(*(worker() for _ in range(clients)))
        wall = time.perf_counter() - started
    latencies.sort()
    return {
        "rps": total / wall,
        "p50": statistics.median(latencies) * 1000,
        "p95": latencies[int(0.95 * (len(latencies) - 1))] * 1000,
        "errors": errors,
    }


def run_backend(
    name: str, url: str, n: int, requests: int, levels: list[int], workers: int
) -> None:
    print(f"\n{name}: {n:,} incidents", flush=True)
    token = load(url, n)
    port = free_port()
    env = {**os.environ, "CIVICSPACE_DATABASE_URL": url, "PYTHONPATH": str(HERE)}
    server = subprocess.Popen(
        [sys.executable, __file__, "--serve", str(port), "--workers", str(workers)], env=env
    )
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(200):
            try:
                httpx.get(f"{base}/api/v1/me", timeout=1)
                break
            except httpx.HTTPError:
                time.sleep(0.1)
        rng = random.Random(5)
        print(f"  {'endpoint':<15}{'clients':>8}{'req/s':>9}{'p50 ms':>9}{'p95 ms':>9}{'5xx':>5}")
        for label, make_url in targets(n, rng).items():
            asyncio.run(measure(base, token, make_url, 4, 20))  # warm caches
            for clients in levels:
                r = asyncio.run(measure(base, token, make_url, clients, max(requests, clients)))
                print(f"  {label:<15}{clients:>8}{r['rps']:>9.1f}{r['p50']:>9.1f}{r['p95']:>9.1f}"
                      f"{r['errors']:>5}", flush=True)
    finally:
        server.terminate()
        server.wait(timeout=30)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--incidents", type=int, default=100_000)
    parser.add_argument("--requests", type=int, default=300, help="requests per measurement")
    parser.add_argument("--clients", default="1,10,50")
    parser.add_argument("--backend", choices=["sqlite", "postgresql", "both"], default="both")
    parser.add_argument("--workers", type=int, default=2, help="Uvicorn worker processes")
    parser.add_argument("--serve", type=int, metavar="PORT", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.serve:
        serve(args.serve, args.workers)
        return
    levels = [int(c) for c in args.clients.split(",")]
    if args.backend in ("sqlite", "both"):
        with tempfile.TemporaryDirectory() as tmp:
            run_backend("SQLite", str(Path(tmp) / "bench.sqlite"), args.incidents,
                        args.requests, levels, args.workers)
    pg = os.environ.get("CIVICSPACE_BENCH_POSTGRES_URL") or os.environ.get(
        "CIVICSPACE_TEST_POSTGRES_URL")
    if args.backend in ("postgresql", "both"):
        if not pg:
            print("\nPostgreSQL: skipped (set CIVICSPACE_BENCH_POSTGRES_URL)")
            return
        schema = f"cs_bench_{uuid.uuid4().hex[:10]}"
        admin = create_engine(pg)
        with admin.begin() as conn:
            conn.execute(text(f'CREATE SCHEMA "{schema}"'))
        sep = "&" if "?" in pg else "?"
        try:
            run_backend("PostgreSQL", f"{pg}{sep}options=-csearch_path%3D{schema}",
                        args.incidents, args.requests, levels, args.workers)
        finally:
            with admin.begin() as conn:
                conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
            admin.dispose()


if __name__ == "__main__":
    main()
