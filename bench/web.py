"""Benchmark the web app: requests/s, p50 and p95 latency of the incident list, search and
incident page (HTML) and the API list, at 1, 10 and 50 concurrent clients, on SQLite and
PostgreSQL, with N synthetic incidents (default 100,000; a third are restricted).

The server is ``civicspace serve --workers N`` (default 2), whose workers each accept on
a socket of their own; the client is a bare keep-alive HTTP/1.1 loop (0.1-0.3 ms of CPU per
request, httpx took 2.3-3.6 ms of the same two cores). Requests carry a viewer's API token, as a
logged-in monitor's would.

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
from urllib.parse import quote, urlsplit

import httpx
from sqlalchemy import create_engine, text

from civicspace.access import Viewer
from civicspace.access.accounts import Accounts
from civicspace.access.tokens import Tokens
from civicspace.application import open_database, open_store
from civicspace.ingest.bundle import import_file

HERE = Path(__file__).parent
SEARCHES = [
    "Мамай",
    "Mamai",
    "Иманбай",
    "imanbai",
    "Садвакасова",
    "Sadvakasova",
    "police",
    "blogger fined",
    "Ахметов",
    "Akhmetov",
]


def load(url: str, n: int) -> str:
    sys.path.insert(0, str(HERE))
    from store import synthetic_bundle  # bench/store.py: the same data as the store benchmark

    db = open_database(url)
    db.migrate()
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "bundle.json"
        path.write_text(json.dumps(synthetic_bundle(n), ensure_ascii=False), encoding="utf-8")
        started = time.perf_counter()
        import_file(open_store(db), path, Viewer.local_operator())
        print(f"  loaded {n:,} incidents in {time.perf_counter() - started:.0f} s", flush=True)
    accounts = Accounts(db)
    accounts.add_user("bench", "viewer", "bench passphrase")
    token = Tokens(accounts).create("bench", "benchmark")[1]
    db.dispose()
    return token


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
        "list (API)": lambda: (
            f"/api/v1/incidents?limit=50&sort=date&order=desc&offset={rng.randrange(0, 1000)}"
        ),
    }


class Connection:
    """One keep-alive HTTP/1.1 connection sending GETs, as a browser tab would.

    httpx's client spent 2.3-3.6 ms of CPU per request (1.6 ms for a 30-byte answer), on
    the same two cores as the server it measures: at 10 clients that was a fifth of the
    machine. This one reads the status line, the headers and a Content-Length (or chunked)
    body and nothing more, and keeps cookies the server sets (the CSRF cookie), as httpx did.
    """

    def __init__(self, host: str, port: int, headers: dict[str, str], jar: dict[str, str]):
        self.host, self.port, self.jar = host, port, jar
        self.fixed = "".join(f"{k}: {v}\r\n" for k, v in {"Host": host, **headers}.items())
        self.reader: asyncio.StreamReader | None = None
        self.writer: asyncio.StreamWriter | None = None

    async def get(self, path: str) -> int:
        if self.writer is None:
            self.reader, self.writer = await asyncio.open_connection(self.host, self.port)
        assert self.reader is not None
        cookie = "; ".join(f"{k}={v}" for k, v in self.jar.items())
        request = f"GET {quote(path, safe='/?=&%')} HTTP/1.1\r\n{self.fixed}"
        request += f"Cookie: {cookie}\r\n\r\n" if cookie else "\r\n"
        self.writer.write(request.encode())
        head = (await self.reader.readuntil(b"\r\n\r\n")).decode("latin-1").split("\r\n")
        status = int(head[0].split(" ", 2)[1])
        headers = [line.partition(":") for line in head[1:] if line]
        fields = {k.strip().lower(): v.strip() for k, _, v in headers}
        for k, _, v in headers:
            if k.strip().lower() == "set-cookie":
                name, _, rest = v.strip().partition("=")
                self.jar[name] = rest.split(";", 1)[0]
        if "content-length" in fields:
            await self.reader.readexactly(int(fields["content-length"]))
        elif fields.get("transfer-encoding") == "chunked":
            while size := int((await self.reader.readuntil(b"\r\n")).split(b";")[0], 16):
                await self.reader.readexactly(size + 2)
            await self.reader.readuntil(b"\r\n")
        if fields.get("connection") == "close":
            await self.close()
        return status

    async def close(self) -> None:
        if self.writer is not None:
            self.writer.close()
            self.writer, self.reader = None, None


async def measure(
    base: str, token: str, make_url: Any, clients: int, total: int
) -> dict[str, float]:
    latencies: list[float] = []
    errors = 0
    address = urlsplit(base)
    jar: dict[str, str] = {}
    headers = {"Authorization": f"Bearer {token}"}
    connections = [
        Connection(address.hostname or "127.0.0.1", address.port or 80, headers, jar)
        for _ in range(clients)
    ]
    queue = list(range(total))

    async def worker(connection: Connection) -> None:
        nonlocal errors
        while queue:
            queue.pop()
            url = make_url()
            started = time.perf_counter()
            status = await connection.get(url)
            latencies.append(time.perf_counter() - started)
            if status >= 500:
                errors += 1

    started = time.perf_counter()
    await asyncio.gather(*(worker(c) for c in connections))
    wall = time.perf_counter() - started
    for connection in connections:
        await connection.close()
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
    # The server users run: civicspace serve, its workers each on a socket of their own.
    server = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "civicspace",
            "--db",
            url,
            "serve",
            "--port",
            str(port),
            "--workers",
            str(workers),
        ],
        stdout=subprocess.DEVNULL,
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
                print(
                    f"  {label:<15}{clients:>8}{r['rps']:>9.1f}{r['p50']:>9.1f}{r['p95']:>9.1f}"
                    f"{r['errors']:>5}",
                    flush=True,
                )
    finally:
        server.terminate()
        server.wait(timeout=30)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--incidents", type=int, default=100_000)
    parser.add_argument("--requests", type=int, default=300, help="requests per measurement")
    parser.add_argument("--clients", default="1,10,50")
    parser.add_argument("--backend", choices=["sqlite", "postgresql", "both"], default="both")
    parser.add_argument("--workers", type=int, default=2, help="civicspace serve --workers")
    args = parser.parse_args()
    levels = [int(c) for c in args.clients.split(",")]
    if args.backend in ("sqlite", "both"):
        with tempfile.TemporaryDirectory() as tmp:
            run_backend(
                "SQLite",
                str(Path(tmp) / "bench.sqlite"),
                args.incidents,
                args.requests,
                levels,
                args.workers,
            )
    pg = os.environ.get("CIVICSPACE_BENCH_POSTGRES_URL") or os.environ.get(
        "CIVICSPACE_TEST_POSTGRES_URL"
    )
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
            run_backend(
                "PostgreSQL",
                f"{pg}{sep}options=-csearch_path%3D{schema}",
                args.incidents,
                args.requests,
                levels,
                args.workers,
            )
        finally:
            with admin.begin() as conn:
                conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
            admin.dispose()


if __name__ == "__main__":
    main()
