"""20 writers updating the same records through the API at once: no update is lost.

A real Uvicorn server (threads, sockets, the connection pool) over SQLite and PostgreSQL;
each writer reads a record, adds its own tag and writes it back with ``If-Match``,
retrying on 409 until its change is in.
"""

from __future__ import annotations

import socket
import threading
import time
from pathlib import Path

import httpx
import uvicorn
from sqlalchemy import func, select

from civicspace.db.audit import revisions
from civicspace.db.engine import Database
from civicspace.trust import audit
from tests.helpers import EDITOR
from tests.web.conftest import build_web

WRITERS = 20
EACH = 3
RECORDS = ("inc-extension", "inc-draft")


def test_twenty_concurrent_writers_lose_no_update(database: Database, tmp_path: Path) -> None:
    web = build_web(database, tmp_path)
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    server = uvicorn.Server(uvicorn.Config(web.http.app, log_level="warning", lifespan="off"))
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    while not server.started:
        time.sleep(0.02)
    start = {rid: web.store.get("incidents", rid, EDITOR).version for rid in RECORDS}
    base = f"http://127.0.0.1:{port}/api/v1/incidents/"
    headers = web.as_("editor")
    conflicts: list[int] = []
    failures: list[str] = []
    barrier = threading.Barrier(WRITERS)

    def writer(number: int) -> None:
        with httpx.Client(headers=headers, timeout=60) as http:
            barrier.wait()
            for n in range(EACH):
                rid = RECORDS[(number + n) % len(RECORDS)]
                while True:
                    got = http.get(base + rid)
                    body = got.json()
                    body.pop("kind", None)
                    body["tags"] = [*body.get("tags", []), f"w{number}-{n}"]
                    put = http.put(base + rid, json=body, headers={"If-Match": got.headers["etag"]})
                    if put.status_code == 200:
                        break
                    if put.status_code != 409:
                        failures.append(f"{put.status_code} {put.text}")
                        return
                    conflicts.append(number)

    threads = [threading.Thread(target=writer, args=(i,)) for i in range(WRITERS)]
    try:
        for t in threads:
            t.start()
        for t in threads:
            t.join()
    finally:
        server.should_exit = True
        thread.join(10)
    assert failures == []
    assert conflicts, "the writers never collided: the test did not test concurrency"

    wanted = {f"w{i}-{n}" for i in range(WRITERS) for n in range(EACH)}
    found: set[str] = set()
    for rid in RECORDS:
        record = web.store.get("incidents", rid, EDITOR)
        mine = [t for t in record.tags if t.startswith("w")]
        assert len(mine) == len(set(mine))  # nobody's change applied twice
        found |= set(mine)
        updates = len(mine)
        assert record.version == start[rid] + updates  # one version per accepted write
        with database.begin() as conn:
            revs = conn.scalar(
                select(func.count())
                .select_from(revisions)
                .where(revisions.c.record_id == rid, revisions.c.action == "update")
            )
        assert revs == updates
    assert found == wanted  # no lost update
    with database.begin() as conn:
        assert audit.verify(conn).ok  # concurrent appends kept the chain whole
