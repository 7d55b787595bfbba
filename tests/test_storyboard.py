"""A page's storyboard.jpg (each scene's final frame with its start time), listed in the manifest and
linked from the page; the page's favicon drawn in its accent."""

from __future__ import annotations

from pathlib import Path

import numpy as np
from conftest import ESPEAK, decode, make_site, manifest, run
from PIL import Image

from vidsite.site.storyboard import GAP, TILE_W

PAGE = """---
title: Storyboard
accent: green
---

# Storyboard

A short paragraph of prose, said and shown.

- one thing
- another thing
- a third thing

```python
print("hello")
```

> A quote to close with.
"""


def test_storyboard_tiles_are_each_scenes_final_frame(tmp_path: Path) -> None:
    site = make_site(tmp_path / "site", {"content/p.md": PAGE}, ESPEAK)
    result = run("build", str(site))
    assert result.exit_code == 0, result.output
    m = manifest(site, "p")
    name = m["assets"]["storyboard"]
    assert name in m["files"]
    scenes = m["scenes"]
    assert len(scenes) >= 3
    sheet = np.asarray(Image.open(site / "output/p" / name).convert("RGB"), dtype=int)
    cols = min(4, len(scenes))
    tile_h = round(TILE_W * m["height"] / m["width"])
    assert sheet.shape[1] == GAP + cols * (TILE_W + GAP)
    video = decode(site / "output/p" / m["assets"]["video"])
    finals = [np.asarray(Image.fromarray(video.frame_at((s["end_frame"] - s["transition_frames"] - 0.5) / m["fps"])).resize((TILE_W, tile_h)),
                         dtype=int) for s in scenes]
    label = (sheet.shape[0] - GAP) // -(-len(scenes) // cols) - tile_h - GAP
    for i in range(len(scenes)):
        x, y = GAP + (i % cols) * (TILE_W + GAP), GAP + (i // cols) * (tile_h + label + GAP)
        tile = sheet[y:y + tile_h, x:x + TILE_W]
        errors = [np.abs(tile - f).mean() for f in finals]
        assert errors[i] < 4 and errors[i] == min(errors), (i, errors)  # this scene's final frame (before its fade), no other's
        under = sheet[y + tile_h + 3:y + tile_h + label, x:x + TILE_W]
        assert (np.abs(under - sheet[2, 2]).max(axis=2) > 80).sum() > 50, i  # its start time is written under it


def test_page_links_its_storyboard_and_has_an_accent_favicon(tmp_path: Path) -> None:
    site = make_site(tmp_path / "site", {"content/p.md": PAGE}, ESPEAK)
    assert run("build", str(site)).exit_code == 0
    html = (site / "output/p/index.html").read_text(encoding="utf-8")
    m = manifest(site, "p")
    assert f'<a class="storyboard" href="{m["assets"]["storyboard"]}">' in html
    from vidsite.render.theme import load_theme

    accent = load_theme("default", None).accent("green")
    icon = next(line for line in html.splitlines() if 'rel="icon"' in line)
    assert "data:image/svg+xml" in icon and accent.replace("#", "%23") in icon
