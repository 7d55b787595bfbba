"""Benchmark (not a test): publishing a site of N pages (the benchmark page's video N times), as a
rebuild after a one-page edit does: every page's HTML, the indexes, feeds and site manifest. Medians
of RUNS, with and without the record of what the last publish rendered (vidsite/site/publish.py::Memo),
in this process, so no page or video is built: the cost that grows with the site, isolated.

Run: python bench/bench_publish.py [--pages N] [--runs N]   (builds bench/site once, in a temporary folder)
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import shutil
import statistics
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--pages", type=int, default=500)
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()

    from vidsite.build import build
    from vidsite.cache import PageStates
    from vidsite.content.discover import discover, fingerprint
    from vidsite.options import BuildOptions, load
    from vidsite.render.theme import load_theme
    from vidsite.site.publish import publish

    with tempfile.TemporaryDirectory() as tmp:
        site = Path(tmp) / "site"
        shutil.copytree(HERE / "site", site)
        config = load(site, BuildOptions())
        build(site, config, BuildOptions())
        pages, sections = discover(site, config, drafts=False, strict=False,
                                   states=PageStates(Path(tmp) / "states", fingerprint(site, config)))
        page = pages[0]
        manifest = json.loads((site / "output" / page.url / "manifest.json").read_text(encoding="utf-8"))
        out = Path(tmp) / "out"
        many = []
        for n in range(args.pages):
            copy = dataclasses.replace(page, section="guide", slug=f"page-{n:03d}", rel=f"guide/page-{n:03d}.md",
                                       translation_key=f"guide/page-{n:03d}", title=f"Page {n}")
            (out / copy.url).mkdir(parents=True)
            for name in (*manifest["files"], "manifest.json"):
                (out / copy.url / name).hardlink_to(site / "output" / page.url / name)
            many.append((copy, manifest))
        theme = load_theme(config.theme, site / "layouts")
        memo = Path(tmp) / "rendered.json"
        print(f"publishing {args.pages} pages, one of them edited each time, medians of {args.runs} (seconds)")
        for label, record in (("every page rendered", None), ("only the edited page rendered", memo)):
            publish(site, config, theme, out, many, sections, memo=record)  # the previous build's publish
            walls = []
            for run in range(args.runs):
                edited = (dataclasses.replace(many[7][0], title=f"Page 7, take {label[:4]} {run}"), manifest)
                pages_now = many[:7] + [edited] + many[8:]
                started = time.perf_counter()
                publish(site, config, theme, out, pages_now, sections, memo=record)
                walls.append(time.perf_counter() - started)
            print(f"  {label:32} {statistics.median(walls):6.3f}   {', '.join(f'{w:.3f}' for w in walls)}")


if __name__ == "__main__":
    main()
