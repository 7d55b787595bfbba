"""Benchmark (not a test): cold, no-op and one-scene-edit builds of the benchmark site.

Prints wall seconds and peak memory (max RSS of the build process) for each, and the speed-up
over the reference system's figures in bench/REFERENCE.md. Run: python bench/bench_build.py
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
REFERENCE_WALL, REFERENCE_MEM_MB = 140.0, 3.0 * 1024


def timed_build(site: Path, *extra: str) -> tuple[float, float, str]:
    """(wall seconds, peak RSS in MB, output) of one `vidsite build` process."""
    start = time.perf_counter()
    proc = subprocess.Popen([sys.executable, "-m", "vidsite.cli", "build", str(site), *extra],
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    _, status, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - start
    out = proc.stdout.read() if proc.stdout else ""
    if os.waitstatus_to_exitcode(status) != 0:
        sys.exit(f"build failed:\n{out}")
    return wall, usage.ru_maxrss / 1024, out


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        site = Path(tmp) / "site"
        shutil.copytree(HERE / "site", site)
        rows = []
        cold = timed_build(site)
        rows.append(("cold build (empty cache)", *cold[:2]))
        rows.append(("no-op rebuild", *timed_build(site)[:2]))
        page = next((site / "content").glob("*.md"))
        text = page.read_text()
        page.write_text(text.replace("Building is one command.", "Building takes one command."))
        rows.append(("one scene's narration edited", *timed_build(site)[:2]))
        shutil.rmtree(site / "output")
        rows.append(("output deleted, cache kept", *timed_build(site)[:2]))
        print(f"{'build':34} {'wall s':>8} {'peak MB':>8} {'vs reference':>13}")
        for name, wall, mem in rows:
            print(f"{name:34} {wall:8.2f} {mem:8.0f} {REFERENCE_WALL / wall:12.0f}×")
        print(f"\nreference: {REFERENCE_WALL:.0f} s wall, {REFERENCE_MEM_MB:.0f} MB peak (bench/REFERENCE.md)")
        print("cold build said:\n" + "\n".join("  " + l for l in cold[2].strip().splitlines()))


if __name__ == "__main__":
    main()
