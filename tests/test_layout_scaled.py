"""Every output size shows the words 1080p shows, on the same lines: a draft, a `vidsite serve`
preview and a 720p build lose nothing the final video has (lines are broken on the 1080p grid
and drawn scaled, never fitted anew at a small pixel size)."""

from __future__ import annotations

from pathlib import Path

import pytest
from conftest import ESPEAK, docs_repo

from vidsite.render.slides import draw_slide
from vidsite.render.theme import load_theme

REPOS = {"rust-book": "src", "fastapi": "docs/en/docs"}


def _scenes(name: str, content: str, tmp_path: Path) -> list:
    from vidsite.config import load_config
    from vidsite.content.discover import discover

    site = docs_repo(name, tmp_path)
    (site / "config.toml").write_text(ESPEAK.replace('title = "Test site"', f'title = "{name}"\ncontent_dir = "{content}"'))
    pages, _ = discover(site, load_config(site), notes=[])
    return [s for p in pages for s in p.scenes if s.type != "image"]


@pytest.mark.parametrize("name", sorted(REPOS))
def test_smaller_frames_show_what_1080p_shows(name: str, tmp_path: Path) -> None:
    theme = load_theme("default", None)
    scenes = _scenes(name, REPOS[name], tmp_path)
    assert len(scenes) > 20
    for scene in scenes:
        full = draw_slide(scene.type, scene.fields, {}, theme, "blue", 1920, 1080)
        for width, height in ((960, 540), (640, 360)):
            small = draw_slide(scene.type, scene.fields, {}, theme, "blue", width, height)
            assert small.drawn == full.drawn, (scene.type, scene.line, width)
            assert small.overflow == full.overflow, (scene.type, scene.line, width)
