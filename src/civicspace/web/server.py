"""Serving the app in several processes, each accepting connections on a socket of its own.

``civicspace serve --workers N`` starts N copies of ``python -m civicspace.web.server``.
Each binds the same address with ``SO_REUSEPORT`` (Linux), so the kernel hands every new
connection to one of them. With one shared listening socket, the first worker to wake took
every connection of a burst and kept it for its keep-alive life while the others idled (at
10 clients: 36 ms of CPU per request in one worker, none in the other).

The workers read the database URL and the settings from the environment the parent sets:
above all the session secret, the same in every worker, or a session made by one would be
refused by the others. Login limits live in the database, so they hold across workers.
"""

from __future__ import annotations

import signal
import socket
import subprocess
import sys
import time
from typing import Any

from civicspace import settings
from civicspace.application import open_database

WORKER_ENV = settings.setting("database_url").env


def listening_socket(host: str, port: int) -> socket.socket:
    """A TCP socket bound to ``host:port`` with SO_REUSEPORT, beside the other workers'.

    It is made with proto=TCP: Uvicorn binds with proto 0, and asyncio then leaves Nagle
    on, so each keep-alive request after the first waits ~40 ms for a delayed ACK
    (Kludex/uvicorn#3149).
    """
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM, socket.IPPROTO_TCP)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEPORT, 1)
    sock.bind((host, port))
    return sock


def app_from_environment() -> Any:
    """The app of one worker: the database and settings its parent put in the environment."""
    from civicspace.web.app import create_app
    from civicspace.web.settings import Settings

    url = settings.read("database_url")
    if not url:  # the parent always passes its database: never open ./civicspace.sqlite instead
        raise RuntimeError(f"{settings.setting('database_url').env} is not set for this worker")
    return create_app(open_database(url), Settings.from_env())


def run_worker(host: str, port: int) -> None:
    import uvicorn

    config = uvicorn.Config(
        "civicspace.web.server:app_from_environment", factory=True, log_level="warning"
    )
    uvicorn.Server(config).run(sockets=[listening_socket(host, port)])


def run_workers(host: str, port: int, workers: int, environment: dict[str, str]) -> int:
    """Start ``workers`` worker processes; when one ends (or on SIGINT/SIGTERM) stop them all.

    Returns the exit status of the first worker to end that failed, else 0.
    """
    if not hasattr(socket, "SO_REUSEPORT"):
        raise RuntimeError("several workers need SO_REUSEPORT (Linux, BSD, macOS)")
    command = [sys.executable, "-m", "civicspace.web.server", host, str(port)]
    children = [subprocess.Popen(command, env=environment) for _ in range(workers)]
    stopping = False

    def stop(_signum: int, _frame: Any) -> None:
        nonlocal stopping
        stopping = True

    previous = {sig: signal.signal(sig, stop) for sig in (signal.SIGINT, signal.SIGTERM)}
    try:
        while not stopping and all(child.poll() is None for child in children):
            time.sleep(0.2)
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)
        for child in children:
            if child.poll() is None:
                child.terminate()
        statuses = [child.wait() for child in children]
    return next((s for s in statuses if s not in (0, -signal.SIGTERM)), 0)


if __name__ == "__main__":
    run_worker(sys.argv[1], int(sys.argv[2]))
