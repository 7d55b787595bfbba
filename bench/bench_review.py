"""Benchmark (not a test): what `vidsite review` costs on a large-ish site with one changed page, against
the budget of issue 22: at most 15% over a no-op build plus that page's own build.

Run: python bench/bench_review.py [--pages 60] [--size 640x360] [-j N]

A generated site (six scenes a page) is committed to a temporary git repository and built once, so the
cache holds main, as CI restores it. One page then gets a scene's narration and a list item changed.
Each measurement starts from that same cache (restored from a copy), so none profits from another's
synthesis or encoding:

- no-op build: `vidsite build` with nothing changed;
- build from the cache: `vidsite build` with the cache restored and no output/ (a fresh CI checkout's
  no-op: every page is assembled from cached entries, nothing synthesised or encoded);
- the page's own build: a site holding only the changed page, through the same cache;
- review (author): `vidsite review HEAD` after an earlier review (before the edit) left `.vidsite/review/`;
  its budget is the no-op build plus the page's own build;
- review (CI): the same with no `.vidsite/review/` (a fresh checkout, cache restored); its budget is the
  build from the cache plus the page's own build.
"""

from __future__ import annotations

import argparse
import json
import shutil
import subprocess
import tempfile
from pathlib import Path

from bench_site50 import generated_site
from measure import vidsite

CONFIG = 'title = "Review bench"\nbase_url = "https://docs.example.com/"\ncache.dir = "{cache}"\n' \
         '[video]\nwidth = {width}\nheight = {height}\n[tts]\nengine = "espeak"\n'
BUDGET = 1.15


def _git(repo: Path, *args: str) -> None:
    subprocess.run(["git", "-C", str(repo), "-c", "user.email=bench@example.com", "-c", "user.name=bench", *args],
                   check=True, capture_output=True)


def _edit(page: Path) -> None:
    """One scene's narration and one list item: two changed scenes, as in issue 22."""
    text = page.read_text()
    for old, new in (("then serve it.", "then serve it on your laptop."), ("Publishing]", "Deploying]")):
        assert old in text, old
        text = text.replace(old, new)
    page.write_text(text)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--pages", type=int, default=60)
    parser.add_argument("--size", default="640x360", help="frame size WxH (final builds use config's)")
    parser.add_argument("-j", "--jobs", default=None)
    args = parser.parse_args()
    width, height = args.size.split("x")
    jobs = ["-j", args.jobs] if args.jobs else []
    with tempfile.TemporaryDirectory() as tmp:
        site = generated_site(Path(tmp) / "site", args.pages)
        cache = site / ".vidsite/cache"
        (site / "config.toml").write_text(CONFIG.format(cache=cache, width=width, height=height))
        (site / ".gitignore").write_text("/output/\n/.vidsite/\n")
        _git(site, "init", "-q")
        _git(site, "add", "-A")
        _git(site, "commit", "-qm", "main")
        cold, _, _ = vidsite("build", str(site), *jobs)
        video = json.loads((site / "output/build.json").read_text())["video_seconds"]
        snapshots = {"main": Path(tmp) / "cache-main", "author": Path(tmp) / "cache-author"}
        shutil.copytree(cache, snapshots["main"])

        def fresh_cache(which: str = "main") -> None:
            shutil.rmtree(cache)
            shutil.copytree(snapshots[which], cache)

        noop, noop_mb, _ = vidsite("build", str(site), *jobs)
        shutil.rmtree(site / "output")
        fresh_cache()
        restored, restored_mb, _ = vidsite("build", str(site), *jobs)
        vidsite("review", "HEAD", "--site", str(site), *jobs)  # the author's earlier review, before the edit
        shutil.copytree(cache, snapshots["author"])  # it kept BASE's page parses, as an author's cache does
        changed = site / "content/guide/page-07.md"
        _edit(changed)
        alone = Path(tmp) / "alone"
        (alone / "content/guide").mkdir(parents=True)
        (alone / "config.toml").write_text((site / "config.toml").read_text())
        shutil.copy(changed, alone / "content/guide")
        fresh_cache()
        page, page_mb, _ = vidsite("build", str(alone), *jobs)
        rows = []
        for name, which, budget in (("review (author: earlier review kept)", "author", noop + page),
                                    ("review (CI: cache restored, no review folder)", "main", restored + page)):
            fresh_cache(which)
            wall, mb, _ = vidsite("review", "HEAD", "--site", str(site), *jobs)
            report = json.loads((site / ".vidsite/review/review.json").read_text())
            rows.append((name, budget, wall, mb, report))
            shutil.rmtree(site / ".vidsite/review")
        print(f"{args.pages} pages of 6 scenes, {video:.0f} s of video at {width}x{height}; cold build {cold:.1f} s\n")
        print(f"{'measurement':52} {'wall s':>7} {'peak MB':>8}")
        print(f"{'no-op build':52} {noop:7.2f} {noop_mb:8.0f}")
        print(f"{'build from the cache (no output/)':52} {restored:7.2f} {restored_mb:8.0f}")
        print(f"{'the changed page built alone':52} {page:7.2f} {page_mb:8.0f}")
        for name, budget, wall, mb, report in rows:
            head, base = report["head_build"], report["base_build"]
            scenes = sum(len(p["scenes"]) for p in report["pages"])
            print(f"{name:52} {wall:7.2f} {mb:8.0f}   {wall / budget:5.2f}× of {budget:5.2f} s "
                  f"({'within' if wall <= budget * BUDGET else 'OVER'} 1.15); base built {base['pages_built']} "
                  f"pages, head {head['pages_built']} ({head['segments_encoded']} segments encoded); "
                  f"{len(report['pages'])} page(s), {scenes} scene(s) in the review")


if __name__ == "__main__":
    main()
