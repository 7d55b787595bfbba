"""Run one `vidsite` command; measure its wall time and the peak memory of its whole process tree
(the build and its worker processes together, as proportional set size), sampled from /proc every 25 ms."""

from __future__ import annotations

import subprocess
import sys
import threading
import time
from pathlib import Path

REFERENCE_WALL, REFERENCE_MEM_MB = 140.0, 3.0 * 1024  # bench/REFERENCE.md


def _tree_rss(pid: int) -> int:
    """Proportional set size (bytes) of pid and all its descendants: pages a forked worker shares with
    its parent count once, split between them, so the sum is the memory the build really holds."""
    total, todo = 0, [pid]
    while todo:
        p = todo.pop()
        try:
            rollup = Path(f"/proc/{p}/smaps_rollup").read_text()
            total += int(next(l for l in rollup.splitlines() if l.startswith("Pss:")).split()[1]) * 1024
            for task in Path(f"/proc/{p}/task").iterdir():
                todo += [int(c) for c in (task / "children").read_text().split()]
        except (OSError, ValueError):
            continue
    return total


def vidsite(*args: str) -> tuple[float, float, str]:
    """(wall seconds, peak tree RSS in MB, output) of `python -m vidsite.cli ARGS`."""
    start = time.perf_counter()
    proc = subprocess.Popen([sys.executable, "-m", "vidsite.cli", *args], stdout=subprocess.PIPE,
                            stderr=subprocess.STDOUT, text=True)
    peak = 0
    done = threading.Event()

    def sample() -> None:
        nonlocal peak
        while not done.is_set():
            peak = max(peak, _tree_rss(proc.pid))
            time.sleep(0.025)  # reading smaps costs CPU: sample gently on a 2-core machine

    sampler = threading.Thread(target=sample)
    sampler.start()
    out, _ = proc.communicate()
    wall = time.perf_counter() - start
    done.set()
    sampler.join()
    if proc.returncode != 0:
        sys.exit(f"vidsite {' '.join(args)} failed:\n{out}")
    return wall, peak / 2**20, out


def table(rows: list[tuple[str, float, float]]) -> None:
    print(f"{'build':48} {'wall s':>7} {'peak MB':>8} {'vs 140 s':>9}")
    for name, wall, mem in rows:
        print(f"{name:48} {wall:7.2f} {mem or float('nan'):8.0f} {REFERENCE_WALL / wall:8.0f}×")
