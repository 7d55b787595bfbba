"""Benchmark (not a test): the benchmark page (bench/site) built cold, and rebuilt in a new process
after one scene's narration is edited, each RUNS times, side by side: medians, and where the edit's
time goes (interpreter, imports, then the build's own stages).

Run: python bench/bench_edit.py [--runs N]
"""

from __future__ import annotations

import argparse
import json
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
EDITS = ("Building is one command.", "Building the whole site is one command.")

# The build as `vidsite build` runs it, in a new process that reports when it started, when vidsite
# was imported, and the build's own stage times.
CHILD = """
import time
started = time.time()
import json, sys
from pathlib import Path
from vidsite.build import build
from vidsite.options import BuildOptions, load
imported = time.time()
site = Path(sys.argv[1])
stats = build(site, load(site, BuildOptions()), BuildOptions())
print(json.dumps({"started": started, "imported": imported, "ended": time.time(), "stages": stats.stages,
                  "built": stats.pages_built, "parsed": stats.pages_parsed}))
"""
STAGES = ("interpreter", "imports", "discover+parse", "narrate", "speak", "time+plan", "render+encode", "join",
          "publish", "other")


def timed_build(site: Path) -> dict[str, float]:
    """Seconds per stage of one build in a new process (`total` from launch to exit)."""
    launched = time.time()
    out = subprocess.run([sys.executable, "-c", CHILD, str(site)], capture_output=True, text=True, check=False)
    total = time.time() - launched
    if out.returncode:
        sys.exit(out.stderr)
    report = json.loads(out.stdout.strip().splitlines()[-1])
    row = {"total": total, "interpreter": report["started"] - launched, "imports": report["imported"] - report["started"]}
    row |= {name: report["stages"].get(name, 0.0) for name in STAGES[2:-1]}
    row["other"] = total - sum(row[name] for name in STAGES[:-1])  # lock, staging copy, exit
    return row


def medians(rows: list[dict[str, float]]) -> dict[str, float]:
    return {name: statistics.median(r[name] for r in rows) for name in rows[0]}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    cold, edits = [], []
    with tempfile.TemporaryDirectory() as tmp:
        for run in range(args.runs):  # a cold build, then an edit of it, taken in turn: both see the same load
            site = Path(tmp) / f"site{run}"
            shutil.copytree(HERE / "site", site)
            cold.append(timed_build(site))
            page = next((site / "content").glob("*.md"))
            page.write_text(page.read_text().replace(*EDITS))
            edits.append(timed_build(site))
    c, e = medians(cold), medians(edits)
    print(f"benchmark page, medians of {args.runs} runs (seconds)")
    print(f"{'stage':16} {'cold':>7} {'one edit':>9}")
    for name in (*STAGES, "total"):
        print(f"{name:16} {c[name]:7.3f} {e[name]:9.3f}")
    print(f"\ncold: {[round(r['total'], 2) for r in cold]}\nedit: {[round(r['total'], 2) for r in edits]}")


if __name__ == "__main__":
    main()
