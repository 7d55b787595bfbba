"""Benchmark (not a test): a generated site of 50 pages (6 scenes each), and memory against video length.

Run: python bench/bench_site50.py [--jobs N]
"""

from __future__ import annotations

import json
import sys
import tempfile
from pathlib import Path

from measure import table, vidsite

SCENES = """---
title: Page {n}
accent: {accent}
---

```scene title
title: Page {n}
subtitle: A generated page
```

```scene list
header: Topics of page {n}
items: [Installing, Configuring, Building, Publishing]
```

```scene command
header: Commands
commands: ["$ vidsite build", "$ vidsite serve"]
narration: Build page {n} with one command, then serve it.
```

```scene quote
quote_text: Page {n} says hello.
attribution: the generator
```

```scene code
language: python
code: |
  def page_{n}():
      return {n}
narration: A tiny function that returns {n}.
```

```scene outro
main_text: End of page {n}
```
"""
ACCENTS = ("blue", "orange", "purple", "green", "pink", "cyan")


def long_page(scenes: int) -> str:
    return "\n".join(
        f"```scene list\nheader: Part {i}\nitems: [First point {i}, Second point {i}]\n"
        f"narration: Part {i}. The first point, then the second point, said slowly and clearly.\n```\n"
        for i in range(scenes)
    )


def generated_site(site: Path, pages: int, folder: str = "guide") -> Path:
    """A site of `pages` generated pages of six scenes each."""
    content = site / "content" / folder
    content.mkdir(parents=True)
    (site / "config.toml").write_text(f'title = "{pages} pages"\n')
    for n in range(pages):
        (content / f"page-{n:02d}.md").write_text(SCENES.format(n=n, accent=ACCENTS[n % 6]))
    return site


def main() -> None:
    extra = sys.argv[1:]
    with tempfile.TemporaryDirectory() as tmp:
        site = generated_site(Path(tmp) / "site50", 50)
        rows = [("50 pages: cold build (empty cache)", *vidsite("build", str(site), *extra)[:2])]
        cold = json.loads((site / "output/build.json").read_text())
        rows.append(("50 pages: no-op rebuild (with interpreter)", *vidsite("build", str(site), *extra)[:2]))
        page = site / "content/guide/page-07.md"
        page.write_text(page.read_text().replace("then serve it.", "then serve it on your laptop."))
        rows.append(("50 pages: one scene's narration edited", *vidsite("build", str(site), *extra)[:2]))

        for scenes in (6, 60):
            one = Path(tmp) / f"long{scenes}"
            (one / "content").mkdir(parents=True)
            (one / "config.toml").write_text('title = "long"\n')
            (one / "content/long.md").write_text(long_page(scenes))
            wall, mem, _ = vidsite("build", str(one), *extra)
            seconds = json.loads((one / "output/build.json").read_text())["video_seconds"]
            rows.append((f"one page, {scenes} scenes ({seconds:.0f} s of video)", wall, mem))
        table(rows)
        print(f"\n50-page cold build: {cold['video_seconds']:.0f} s of video, {cold['frames_encoded']} frames encoded "
              f"({cold['frames_encoded'] / cold['video_seconds']:.2f} per second of video), {cold['jobs']} jobs, "
              f"encoder {cold['encoder']}")


if __name__ == "__main__":
    main()
