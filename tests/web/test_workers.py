"""``civicspace serve --workers N``: several processes serve one address, as one app."""

from __future__ import annotations

import os
import re
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest

from civicspace.access.accounts import Accounts
from civicspace.application import open_database

CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')
PASSWORD = "correct horse battery"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _children(pid: int) -> set[int]:
    path = Path(f"/proc/{pid}/task/{pid}/children")
    return {int(c) for c in path.read_text().split()} if path.exists() else set()


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="SO_REUSEPORT and /proc")
def test_two_workers_share_the_session_secret_and_stop_together(
    tmp_path: Path, sqlite_template: Path
) -> None:
    import shutil

    path = tmp_path / "db.sqlite"
    shutil.copy(sqlite_template, path)
    db = open_database(str(path))
    Accounts(db).add_user("aliya", "editor", PASSWORD)
    db.dispose()
    port = _free_port()
    env = {k: v for k, v in os.environ.items() if k != "CIVICSPACE_SECRET_KEY"}
    server = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "civicspace",
            "--db",
            str(path),
            "serve",
            "--workers",
            "2",
            "--port",
            str(port),
        ],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(300):
            try:
                if httpx.get(f"{base}/login", timeout=1).status_code == 200:
                    break
            except httpx.HTTPError:
                time.sleep(0.1)
        workers = _children(server.pid)
        assert len(workers) == 2
        # Each request on a fresh connection, so the kernel deals them out to both workers:
        # a form served by one is accepted by the other only if they share the secret.
        for _ in range(12):
            with httpx.Client(base_url=base) as reader:
                form = reader.get("/login")
                cookies = dict(reader.cookies)
            token = CSRF.search(form.text).group(1)  # type: ignore[union-attr]
            with httpx.Client(base_url=base, cookies=cookies) as poster:
                answer = poster.post(
                    "/login",
                    data={"name": "aliya", "password": PASSWORD, "csrf_token": token},
                    follow_redirects=False,
                )
                assert answer.status_code == 303, answer.text
                me = poster.get("/api/v1/me").json()
            assert me["name"] == "aliya"
        server.send_signal(signal.SIGTERM)
        assert server.wait(timeout=30) == 0
        assert all(not Path(f"/proc/{pid}").exists() for pid in workers)
    finally:
        if server.poll() is None:
            server.kill()
            server.wait()
