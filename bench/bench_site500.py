"""Benchmark (not a test): a generated site of 500 pages (3,000 scenes): cold build, no-op rebuild
and one-scene edit in new processes (medians of RUNS, with peak memory), then `vidsite serve` on the
built site: how soon the first page request is answered, how soon that page is there, and how long
an edit takes from save to the browser's "built" event.

Run: python bench/bench_site500.py [--pages N] [--runs N] [--site DIR] [--jobs N]

A cold build of 500 pages takes minutes: `--pages` makes a smaller site, and `--site DIR` keeps the
site there (built once, then reused by later runs).
"""

from __future__ import annotations

import argparse
import http.client
import json
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from bench_site50 import generated_site
from measure import vidsite


def page_of(pages: int) -> str:
    """The page edited and asked for: page-07 (page-00 on a smaller site)."""
    return f"guide/page-{min(7, pages - 1):02d}"


def edit(site: Path, url: str, run: int) -> None:
    """A new wording of one scene's narration (a new clip, segment timing and audio track)."""
    page = site / f"content/{url}.md"
    text = page.read_text()
    start = text.index("with one command")
    end = text.index(".", start)
    page.write_text(text[:start] + f"with one command, take {run} {time.time_ns() % 1000}" + text[end:])


def median_run(label: str, runs: int, args: list[str], before: object = None) -> tuple[str, float, float]:
    walls, peaks = [], []
    for run in range(runs):
        if before:
            before(run)  # type: ignore[operator]
        wall, peak, _ = vidsite(*args)
        walls.append(wall)
        peaks.append(peak)
    print(f"  {label}: {', '.join(f'{w:.2f}' for w in walls)}", flush=True)
    return label, statistics.median(walls), max(peaks)


def _port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _get(port: int, path: str) -> tuple[int, bytes]:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    conn.request("GET", path)
    resp = conn.getresponse()
    return resp.status, resp.read()


def serve(site: Path, url: str, runs: int) -> list[tuple[str, float]]:
    """Start `vidsite serve`, ask for one page at once, then edit that page `runs` times."""
    port = _port()
    started = time.perf_counter()
    proc = subprocess.Popen([sys.executable, "-m", "vidsite.cli", "serve", "--port", str(port), str(site)],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        while True:  # the first answer to the page: the page, or its build's progress
            try:
                body = _get(port, f"/{url}/")[1]
                break
            except OSError:
                time.sleep(0.02)
        first = time.perf_counter() - started
        while b"<video" not in body:
            time.sleep(0.05)
            body = _get(port, f"/{url}/")[1]
        there = time.perf_counter() - started
        while json.loads(_get(port, "/_vidsite/status")[1])["waiting"]:  # the rest of the preview
            time.sleep(0.5)
        complete = time.perf_counter() - started
        reloads = []
        for run in range(runs):
            events = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
            events.request("GET", "/_vidsite/events")
            stream = events.getresponse()
            stream.readline()  # "event: hello"
            saved = time.perf_counter()
            edit(site, url, 100 + run)
            while True:
                line = stream.readline().decode()
                if line.startswith("data:") and url in json.loads(line[5:]).get("pages", {}):
                    break
            reloads.append(time.perf_counter() - saved)
            events.close()
        print(f"  serve, edit to reload event: {', '.join(f'{r:.2f}' for r in reloads)}", flush=True)
    finally:
        proc.send_signal(signal.SIGINT)
        proc.wait(timeout=30)
    return [("serve: first answer to a page request", first), ("serve: that page built and served", there),
            ("serve: the whole preview built", complete),
            (f"serve: one edit, save to reload event (median of {runs})", statistics.median(reloads))]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--pages", type=int, default=500)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--site", type=Path, help="keep the site here (and reuse it if it is there)")
    parser.add_argument("--jobs", type=int)
    args = parser.parse_args()
    url = page_of(args.pages)
    extra = ["--jobs", str(args.jobs)] if args.jobs else []
    with tempfile.TemporaryDirectory() as tmp:
        site = args.site or Path(tmp) / f"site{args.pages}"
        rows = []
        if not (site / "config.toml").exists():
            generated_site(site, args.pages)
        if not (site / "output/manifest.json").exists():
            wall, peak, _ = vidsite("build", str(site), *extra)
            rows.append((f"{args.pages} pages: cold build", wall, peak))
        rows.append(median_run(f"{args.pages} pages: no-op rebuild", args.runs, ["build", str(site), *extra]))
        rows.append(median_run(f"{args.pages} pages: one scene's narration edited", args.runs,
                               ["build", str(site), *extra], lambda run: edit(site, url, run)))
        served = serve(site, url, args.runs)
    print(f"\n{'':56} {'median s':>9} {'peak MB':>8}")
    for name, wall, peak in rows:
        print(f"{name:56} {wall:9.2f} {peak:8.0f}")
    for name, seconds in served:
        print(f"{name:56} {seconds:9.2f}")


if __name__ == "__main__":
    main()
