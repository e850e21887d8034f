"""Benchmark the command line's start-up: whole processes, as a user types them.

Times ``civicspace --help``, ``civicspace --db DEMO search Мамай`` and
``civicspace --db DEMO list incidents`` (median of several runs, each a fresh
``python -m civicspace`` process) and counts the modules each one loads. The demo
database is made once in a temporary folder with ``civicspace demo``.

    python bench/cli.py                 # 7 runs of each command
    python bench/cli.py --runs 15
    PYTHONPATH=/tmp/cli-before/src python bench/cli.py   # an older tree, for comparison
"""

from __future__ import annotations

import argparse
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

# Runs the command line in-process and prints how many modules were loaded on the way out,
# whether the command returns or exits.
COUNT_MODULES = (
    "import atexit, sys\n"
    "atexit.register(lambda: print('modules', len(sys.modules), file=sys.stderr))\n"
    "sys.argv = ['civicspace', *sys.argv[1:]]\n"
    "from civicspace.cli import main\n"
    "main()\n"
)


def _commands(db: Path) -> dict[str, list[str]]:
    return {
        "civicspace --help": ["--help"],
        "civicspace --db DEMO search Мамай": ["--db", str(db), "search", "Мамай"],
        "civicspace --db DEMO list incidents": ["--db", str(db), "list", "incidents"],
    }


def _run(args: list[str]) -> tuple[float, float]:
    """Seconds one ``python -m civicspace ARGS`` process takes, start to exit, and its CPU time.

    The CPU time (user + system) is steadier than the wall time on a busy machine.
    """
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    subprocess.run(
        [sys.executable, "-m", "civicspace", *args],
        check=True,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return wall, (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)


def _modules(args: list[str]) -> int:
    """How many modules the command has in ``sys.modules`` when it ends."""
    done = subprocess.run(
        [sys.executable, "-c", COUNT_MODULES, *args],
        check=True,
        capture_output=True,
        text=True,
    )
    line = [ln for ln in done.stderr.splitlines() if ln.startswith("modules ")][-1]
    return int(line.split()[1])


def _bare_python() -> float:
    """A process that only starts Python: the floor under every figure."""
    start = time.perf_counter()
    subprocess.run([sys.executable, "-c", "pass"], check=True)
    return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=7, help="runs of each command (median)")
    options = parser.parse_args()
    source = os.environ.get("PYTHONPATH") or "the installed civicspace"
    print(f"civicspace from {source}; {options.runs} runs each: median wall time (min), median CPU")
    with tempfile.TemporaryDirectory() as folder:
        db = Path(folder) / "demo.sqlite"
        subprocess.run(
            [sys.executable, "-m", "civicspace", "--db", str(db), "demo"],
            check=True,
            stdout=subprocess.DEVNULL,
        )
        floor = statistics.median(_bare_python() for _ in range(options.runs))
        print(f"{'python -c pass':40} {floor * 1000:7.0f} ms")
        for label, args in _commands(db).items():
            _run(args)  # warm the file cache and byte-code
            runs = [_run(args) for _ in range(options.runs)]
            wall, cpu = [t for t, _ in runs], [c for _, c in runs]
            print(
                f"{label:40} {statistics.median(wall) * 1000:7.0f} ms"
                f"  (min {min(wall) * 1000:.0f} ms)  CPU {statistics.median(cpu) * 1000:5.0f} ms"
                f"  {_modules(args):5d} modules"
            )


if __name__ == "__main__":
    main()
