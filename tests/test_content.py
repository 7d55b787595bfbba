"""Parsing and automatic scenes, including real documentation pages."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest

from conftest import BENCH_SITE, FIXTURES, decode, manifest, run
from vidsite.content.parse import parse_page
from vidsite.narrate.templates import narrate

CORPUS = sorted(p for p in (FIXTURES / "corpus").glob("*.md") if p.name != "SOURCES.md")
MARKDOWN_SYNTAX = re.compile(r"```|\*\*|__|\]\(|^#+\s|^\s*[-*+]\s|!\[|<[a-zA-Z/][^>]*>|https?://|www\.|\{[*!]|^///|^!!!", re.M)


def test_scene_blocks_and_frontmatter(tmp_path: Path) -> None:
    p = tmp_path / "guide.md"
    p.write_text("---\ntitle: Guide\nvoice: female\naccent: pink\nweight: 3\ntags: [x]\n---\n\nIntro text.\n\n"
                 "```scene list\nheader: H\nitems:\n  - {title: A, description: first}\n  - [B, second]\n  - C\n"
                 "min_duration: 4\n```\n\n```python\nprint('not a scene')\n```\n")
    page = parse_page(p, "docs/guide.md")
    assert (page.title, page.voice, page.accent, page.weight, page.section, page.slug) == (
        "Guide", "female", "pink", 3, "docs", "guide")
    assert len(page.scenes) == 1
    scene = page.scenes[0]
    assert scene.line == 11 and scene.min_duration == 4
    assert scene.fields["items"] == ["A — first", "B — second", "C"]
    assert narrate(scene) == "H. A — first. B — second. C."


@pytest.mark.parametrize("path", CORPUS, ids=lambda p: p.stem)
def test_corpus_pages_make_clean_scenes(path: Path) -> None:
    page = parse_page(path, path.name)
    assert len(page.scenes) >= 4
    for scene in page.scenes:
        text = narrate(scene)
        assert text.strip() or scene.fields.get("part", 1) > 1, scene  # a continued code slide is read, not said
        assert not MARKDOWN_SYNTAX.search(text), (scene.type, text)


@pytest.mark.parametrize("path", CORPUS, ids=lambda p: p.stem)
def test_corpus_page_builds_to_video(path: Path, tmp_path: Path) -> None:
    """A real docs page, copied into content/ unchanged, builds into a video of at least 4 scenes."""
    site = tmp_path / "site"
    (site / "content").mkdir(parents=True)
    (site / "config.toml").write_text("title = 'x'\n[video]\nwidth = 192\nheight = 108\ntransition = 0\n")
    shutil.copy(path, site / "content")
    result = run("build", str(site))
    assert result.exit_code == 0, result.output
    m = manifest(site, path.stem)
    assert len(m["scenes"]) >= 4
    for scene in m["scenes"]:
        assert not MARKDOWN_SYNTAX.search(scene["narration"]), scene["narration"]
    d = decode(site / f"output/{path.stem}/video.mp4")
    assert abs(d.video_end - d.audio_end) <= 1 / 30 and abs(d.video_end - m["duration"]) < 1e-3


def test_check_lists_scenes_and_estimates_without_synthesising(tmp_path: Path) -> None:
    site = tmp_path / "site"
    shutil.copytree(BENCH_SITE, site)
    result = run("check", str(site))
    assert result.exit_code == 0, result.output
    assert "narrated-static-sites.md  →  narrated-static-sites/  (10 scenes" in result.output
    rows = re.findall(r"^\s+(\d+)\s+(\w+)\s+~\s*([\d.]+)s", result.output, re.M)
    assert [r[1] for r in rows][:3] == ["title", "list", "command"] and len(rows) == 10
    estimate = float(re.search(r"~(\d+)s of video", result.output).group(1))
    assert 35 <= estimate <= 65  # the real build makes 46 s
    assert not (site / ".vidsite").exists() and not (site / "output").exists()
    (site / "content/narrated-static-sites.md").write_text("```scene nope\n```\n")
    bad = run("check", str(site))
    assert bad.exit_code == 1 and "narrated-static-sites.md:1: unknown scene type `nope`" in bad.output
