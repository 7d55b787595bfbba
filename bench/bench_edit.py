"""Benchmark (not a test): the benchmark page (bench/site) built cold, and rebuilt in a new process
after one scene's narration is edited, each RUNS times, side by side: medians, and where the edit's
time goes (interpreter, imports, then the build's own stages).

Run: python bench/bench_edit.py [--runs N] [--source] [--before TREE]. By default vidsite's modules run
from bytecode (written by a first, untimed build), as an installed vidsite runs; with --source Python
compiles them on every run instead, as where PYTHONDONTWRITEBYTECODE is set and nothing was compiled
(this project's sandbox).
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
EDITS = ("Building is one command.", "Building the whole site is one command.")

# `vidsite build --quiet` as its console script runs it, in a new process that reports when it started
# and when vidsite was imported; the build's own stage times are in the build.json it writes.
CHILD = """
import time
started = time.time()
import json, sys
import vidsite.build, vidsite.options
from vidsite.cli import main
print(json.dumps({"started": started, "imported": time.time()}), flush=True)
main(["build", "--quiet", sys.argv[1]])
"""
STAGES = ("interpreter", "imports", "discover+parse", "narrate", "speak", "time+plan", "render+encode", "join",
          "publish", "other")


def timed_build(site: Path, tree: Path | None, source: bool) -> dict[str, float]:
    """Seconds per stage of one build in a new process (`total` from launch to exit); `tree`: a source
    tree whose vidsite package runs instead of the installed one; `source`: write no bytecode."""
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    if tree:
        env["PYTHONPATH"] = str(tree)
    if source:
        env["PYTHONDONTWRITEBYTECODE"] = "1"
    launched = time.time()
    out = subprocess.run([sys.executable, "-c", CHILD, str(site)], capture_output=True, text=True, check=False,
                         env=env, cwd=site.parent)  # not the project root, which would shadow `tree`
    total = time.time() - launched
    if out.returncode:
        sys.exit(out.stderr)
    report = json.loads(out.stdout.strip().splitlines()[0])
    stages = json.loads((site / "output" / "build.json").read_text())["stages"]
    row = {"total": total, "interpreter": report["started"] - launched, "imports": report["imported"] - report["started"]}
    row |= {name: stages.get(name, 0.0) for name in STAGES[2:-1]}
    row["other"] = total - sum(row[name] for name in STAGES[:-1])  # lock, staging copy, exit
    return row


def _bytecode(tree: Path | None, source: bool) -> None:
    """Make vidsite's modules (from `tree`, else the installed ones) run from source on every run (their
    bytecode removed, none written), or from bytecode (written by a first, untimed build)."""
    import importlib.util

    package = tree / "vidsite" if tree else Path(importlib.util.find_spec("vidsite").origin).parent
    if source:
        for cache in package.rglob("__pycache__"):
            shutil.rmtree(cache)
        return
    with tempfile.TemporaryDirectory() as tmp:
        shutil.copytree(HERE / "site", Path(tmp) / "site")
        timed_build(Path(tmp) / "site", tree, source)


def medians(rows: list[dict[str, float]]) -> dict[str, float]:
    return {name: statistics.median(r[name] for r in rows) for name in rows[0]}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--before", type=Path, metavar="TREE",
                        help="also time the vidsite package of this source tree (e.g. `git archive HEAD` unpacked), "
                             "each run beside this one, under the same load")
    parser.add_argument("--source", action="store_true", help="compile vidsite's modules on every run (no bytecode)")
    args = parser.parse_args()
    trees = {"now": None} | ({"before": args.before.resolve()} if args.before else {})
    cold: dict[str, list] = {name: [] for name in trees}
    edits: dict[str, list] = {name: [] for name in trees}
    with tempfile.TemporaryDirectory() as tmp:
        for tree in trees.values():
            _bytecode(tree, args.source)
        for run in range(args.runs):  # a cold build, then an edit of it, taken in turn: all see the same load
            for name, tree in trees.items():
                site = Path(tmp) / f"{name}{run}"
                shutil.copytree(HERE / "site", site)
                cold[name].append(timed_build(site, tree, args.source))
                page = next((site / "content").glob("*.md"))
                page.write_text(page.read_text().replace(*EDITS))
                edits[name].append(timed_build(site, tree, args.source))
    code = "compiled from source every run (--source)" if args.source else "run from bytecode (.pyc)"
    print(f"benchmark page, medians of {args.runs} runs (seconds); vidsite's modules {code}")
    for name in trees:
        c, e = medians(cold[name]), medians(edits[name])
        print(f"\n{name + ':':16} {'cold':>7} {'one edit':>9}")
        for stage in (*STAGES, "total"):
            print(f"{stage:16} {c[stage]:7.3f} {e[stage]:9.3f}")
        print(f"cold: {[round(r['total'], 2) for r in cold[name]]}\nedit: {[round(r['total'], 2) for r in edits[name]]}")


if __name__ == "__main__":
    main()
