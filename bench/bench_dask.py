"""Benchmark (not a test): a 20-page site built by the local pool, and by 1 and 2 local Dask workers.

Run: python bench/bench_dask.py   (needs pip install 'vidsite[distributed]')
Each build starts with an empty segment cache and the same cached narration, so the figures
compare the rendering and encoding that the executor distributes.
"""

from __future__ import annotations

import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from bench_site50 import generated_site
from measure import vidsite

DASK = Path(sys.executable).parent / "dask"


def _port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def cluster(workers: int) -> tuple[str, list[subprocess.Popen]]:
    """A Dask scheduler and `workers` one-thread workers on 127.0.0.1: (address, [scheduler, *workers])."""
    port = _port()
    address = f"tcp://127.0.0.1:{port}"
    quiet = {"stdout": subprocess.DEVNULL, "stderr": subprocess.DEVNULL}
    procs = [subprocess.Popen([str(DASK), "scheduler", "--host", "127.0.0.1", "--port", str(port), "--no-dashboard"],
                              **quiet)]
    procs += [subprocess.Popen([str(DASK), "worker", address, "--nthreads", "1", "--no-dashboard"], **quiet)
              for _ in range(workers)]
    from distributed import Client

    with Client(address, timeout="30s") as client:
        client.wait_for_workers(workers, timeout=60)
    return address, procs


def stop(procs: list[subprocess.Popen]) -> None:
    for p in reversed(procs):
        p.send_signal(signal.SIGINT)
    for p in procs:
        try:
            p.wait(timeout=20)
        except subprocess.TimeoutExpired:
            p.kill()


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        site = generated_site(Path(tmp) / "site20", 20, folder="")
        vidsite("build", str(site))  # narration into the cache

        def fresh() -> None:
            shutil.rmtree(site / "output", ignore_errors=True)
            for part in ("segments", "audio"):
                shutil.rmtree(site / ".vidsite/cache" / part, ignore_errors=True)

        rows = []
        fresh()
        rows.append(("local process pool (--jobs 2)", vidsite("build", "--jobs", "2", str(site))[0]))
        for workers in (1, 2):
            address, procs = cluster(workers)
            try:
                fresh()
                start = time.perf_counter()
                vidsite("build", "--scheduler", address, str(site))
                rows.append((f"Dask, {workers} worker{'s' if workers > 1 else ''} on this machine",
                             time.perf_counter() - start))
            finally:
                stop(procs)
        print(f"{'20 pages, 120 scenes, narration cached':44} {'wall s':>7}")
        for name, wall in rows:
            print(f"{name:44} {wall:7.2f}")


if __name__ == "__main__":
    main()
