"""Benchmark (not a test): `vidsite serve` under a bounded loopback load, with a rebuild halfway.

Run: python bench/bench_serve.py  — prints requests/s, p50/p99 latency, 5xx count, server memory.
"""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from pathlib import Path

from loadgen import load, plan, summary

PAGE = "```scene title\ntitle: Page {n}\nnarration: Page {n} says {word}.\n```\n\n```scene list\nheader: Points\n" \
       "items: [One, Two, Three]\nnarration: One, two and three.\n```\n"


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        site = Path(tmp) / "site"
        (site / "content").mkdir(parents=True)
        (site / "config.toml").write_text('title = "load"\n[tts]\nengine = "espeak"\n')
        for n in range(4):
            (site / f"content/p{n}.md").write_text(PAGE.format(n=n, word="hello"))
        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            port = s.getsockname()[1]
        proc = subprocess.Popen([sys.executable, "-m", "vidsite.cli", "serve", "--port", str(port), str(site)],
                                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        try:
            while True:
                try:
                    with urllib.request.urlopen(f"http://127.0.0.1:{port}/_vidsite/status") as r:
                        if json.load(r)["builds"] >= 1:
                            break
                except OSError:
                    time.sleep(0.2)
            out = site / "output"
            files = {f: (out / f).stat().st_size for f in
                     ("p0/video.mp4", "p1/video.mp4", "p0/captions.en.vtt", "p1/index.html", "index.html")}
            rss = lambda: int(Path(f"/proc/{proc.pid}/statm").read_text().split()[1]) * os.sysconf("SC_PAGE_SIZE")  # noqa: E731
            before = rss()
            threading.Timer(1.0, lambda: (site / "content/p0.md").write_text(PAGE.format(n=0, word="edited"))).start()
            hits, wall = load(f"http://127.0.0.1:{port}/", plan(files, 6000), concurrency=32)
            print("vidsite serve, 32 concurrent clients, Range requests on videos + pages, one rebuild during the run")
            print(summary(hits, wall))
            print(f"server memory: {before / 2**20:.0f} MB before, {rss() / 2**20:.0f} MB after")
        finally:
            proc.send_signal(signal.SIGINT)
            proc.wait(timeout=20)


if __name__ == "__main__":
    main()
