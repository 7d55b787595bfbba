"""Benchmark (not a test): the benchmark page (10 scenes, ~46 s of narration), the content used to
time the reference system. Run: python bench/bench_build.py [--jobs N]

Prints wall time and peak memory (build + workers) for: a cold build (empty cache), the video
stage alone (narration cached, as the reference was timed), a no-op rebuild, and a rebuild after
one scene's narration is edited; then frames encoded per second of video.
"""

from __future__ import annotations

import json
import shutil
import sys
import tempfile
from pathlib import Path

from measure import REFERENCE_MEM_MB, REFERENCE_WALL, table, vidsite

HERE = Path(__file__).resolve().parent


WARM = """
import sys, time
from pathlib import Path
from vidsite.build import build
from vidsite.executor import preload
from vidsite.options import BuildOptions, load
site = Path(sys.argv[1])
build(site, load(site, BuildOptions()))
preload()  # a running dev server has built with the media stack already
page = next((site / "content").glob("*.md"))
page.write_text(page.read_text().replace("Point it at your docs folder", "Point it at the docs folder"))
start = time.perf_counter()
build(site, load(site, BuildOptions()))
print(time.perf_counter() - start)
"""


def _warm_edit(site: Path) -> tuple[float]:
    import subprocess

    out = subprocess.run([sys.executable, "-c", WARM, str(site)], capture_output=True, text=True, check=True)
    return (float(out.stdout.strip().splitlines()[-1]),)


def main() -> None:
    extra = sys.argv[1:]
    with tempfile.TemporaryDirectory() as tmp:
        site = Path(tmp) / "site"
        shutil.copytree(HERE / "site", site)
        rows = []
        cold = vidsite("build", str(site), *extra)
        rows.append(("cold build (empty cache)", *cold[:2]))
        stats = json.loads((site / "output/build.json").read_text())
        for part in ("segments", "audio"):
            shutil.rmtree(site / ".vidsite/cache" / part)
        shutil.rmtree(site / "output")
        rows.append(("video stage (narration cached, like the ref.)", *vidsite("build", str(site), *extra)[:2]))
        rows.append(("no-op rebuild", *vidsite("build", str(site), *extra)[:2]))
        page = next((site / "content").glob("*.md"))
        page.write_text(page.read_text().replace("Building is one command.", "Building the whole site is one command."))
        edit = vidsite("build", str(site), *extra)
        rows.append(("one scene's narration edited", *edit[:2]))
        rows.append(("the same edit, in a warm process (vidsite serve)", *_warm_edit(site), 0.0))
        table([r[:3] for r in rows])
        edit_stats = json.loads((site / "output/build.json").read_text())
        print(f"\nreference: {REFERENCE_WALL:.0f} s wall, {REFERENCE_MEM_MB:.0f} MB peak (bench/REFERENCE.md)")
        print(f"cold: {stats['frames_encoded']} frames encoded for {stats['video_seconds']:.1f} s of video "
              f"({stats['frames_encoded'] / stats['video_seconds']:.2f} per second; {stats['distinct_frames']} distinct "
              f"pictures; a constant 30 fps stream would encode {round(stats['video_seconds'] * 30)}), "
              f"encoder {stats['encoder']}, {stats['jobs']} jobs")
        print(f"edit: {edit_stats['clips_synthesised']} clip synthesised, {edit_stats['segments_encoded']} segment "
              f"encoded, {edit_stats['segments_reused']} reused; {edit[0] / cold[0]:.0%} of the cold build")
        print("stages of the cold build (s):", stats["stages"])


if __name__ == "__main__":
    main()
