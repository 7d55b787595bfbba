"""`vidsite review BASE [HEAD]`: a change's effect on the videos, scene by scene, in a real git repo."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from conftest import ESPEAK, make_site, ms, run


def _page(name: str) -> str:
    return f"""
---
title: Page {name}
---
```scene title
title: Page {name}
narration: This is page {name}.
```

```scene list
header: Things on {name}
items: [One, Two, Three]
narration: Page {name} lists three things.
```

```scene list
header: More on {name}
items: [Four, Five]
narration: And two more things. They matter.
```
"""


def _git(repo: Path, *args: str) -> str:
    return subprocess.run(["git", "-C", str(repo), "-c", "user.email=t@example.com", "-c", "user.name=T", *args],
                          check=True, capture_output=True, text=True).stdout


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    site = make_site(tmp_path / "repo", {f"content/{n}.md": _page(n) for n in "abc"} | {".gitignore": "output/\n.vidsite/\n"},
                     ESPEAK)
    _git(site, "init", "-q")
    _git(site, "add", "-A")
    _git(site, "commit", "-qm", "three pages")
    return site


def _edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new), encoding="utf-8")


def _cache_files(site: Path) -> set[str]:
    cache = site / ".vidsite/cache"
    return {p.relative_to(cache).as_posix() for p in cache.rglob("*") if p.is_file() and p.parts[-2] != "speech"}


def test_review_reports_exactly_the_changed_scenes_and_builds_only_them(repo: Path, browser) -> None:
    assert run("build", str(repo)).exit_code == 0  # the cache holds BASE, as on a developer's machine
    warm = _cache_files(repo)
    _edit(repo / "content/b.md", "items: [One, Two, Three]", "items: [One, Two, Tres]")
    _edit(repo / "content/b.md", "They matter.", "They really matter.")

    result = run("review", "HEAD", "--site", str(repo))
    assert result.exit_code == 0, result.output  # changes are findings, not errors
    folder = repo / ".vidsite/review"
    report = json.loads((folder / "review.json").read_text())
    assert [(p["kind"], p["url"]) for p in report["pages"]] == [("changed", "b/")]
    assert report["unchanged"] == ["a/", "c/"]
    scenes = report["pages"][0]["scenes"]
    assert [(s["kind"], s["index"]) for s in scenes] == [("changed", 1), ("changed", 2)]
    assert scenes[0]["fields"] == ["items"] and all(op == "=" for op, _ in scenes[0]["narration_diff"])
    assert scenes[1]["narration_diff"] == [["=", "And two more things. They"], ["+", "really"], ["=", "matter."]]
    assert scenes[1]["old"]["start"] == scenes[1]["new"]["start"] and scenes[1]["old"]["end"] <= scenes[1]["new"]["end"]

    # HEAD's build made page b only, and spoke only the edited sentence; BASE's came from the cache
    head, base = report["head_build"], report["base_build"]
    assert head["built"] == ["b"] and head["clips_synthesised"] == 1
    assert base["clips_synthesised"] == 0 and base["segments_encoded"] == 0
    new = _cache_files(repo) - warm
    b_segments = {s["segment"] for s in json.loads((folder / "head/b/manifest.json").read_text())["scenes"]}
    assert [n for n in new if n.startswith("pages/")] and len([n for n in new if n.startswith("pages/")]) == 1
    assert {n.split("-")[-1].split(".")[0] for n in new if n.startswith("segments/")} <= b_segments
    assert len([n for n in new if n.startswith("audio/") and n.endswith(".m4a")]) == 1
    assert len([n for n in new if n.startswith("clips/") and n.endswith(".wav")]) == 1
    assert not (repo / "output/review.md").exists() and not list((repo / "output").glob("*/review*"))

    # the stills are the slides as decoded from both videos: the list changed, the narration-only scene did not
    from PIL import Image

    def pixels(name: str) -> np.ndarray:
        return np.asarray(Image.open(folder / name).convert("RGB"), dtype=np.int16)

    before, after = pixels(scenes[0]["before"]), pixels(scenes[0]["after"])
    assert before.shape == (180, 320, 3) and np.abs(before - after).max() > 100
    assert np.abs(pixels(scenes[1]["before"]) - pixels(scenes[1]["after"])).max() <= 24

    md = (folder / "review.md").read_text()
    assert "`b/`" in md and "**really**" in md and "Unchanged (2)" in md and "![" not in md
    assert "(frames/" in md and "`a/`" in md.split("Unchanged")[1]
    _browser_shows(folder / "index.html", browser)


def _browser_shows(index: Path, browser: Any) -> None:
    """The HTML loads in Chromium and its before/after images decode."""
    page = browser.new_page()
    page.goto(index.as_uri())
    page.wait_for_function("[...document.images].length === 4 && [...document.images].every("
                           "i => i.complete && i.naturalWidth === 320)", timeout=ms(10))
    assert page.locator("section.page").count() == 1
    assert page.locator("section.page").get_attribute("data-url") == "b/"
    assert page.locator("article.scene ins").first.inner_text() == "really"
    href = page.locator("a.clip.after").last.get_attribute("href")
    assert href.startswith("head/b/video.mp4#t=")


def test_a_rename_is_a_rename_and_a_scene_that_only_moved_is_no_change(repo: Path) -> None:
    _git(repo, "mv", "content/c.md", "content/d.md")
    _edit(repo / "content/a.md", "This is page a.",
          "This is page a, whose opening sentence is now a good deal longer than it was before.")
    _git(repo, "commit", "-qam", "rename c, lengthen a")

    result = run("review", "HEAD~1", "HEAD", "--site", str(repo))  # two refs: the working tree is not used
    assert result.exit_code == 0, result.output
    report = json.loads((repo / ".vidsite/review/review.json").read_text())
    pages = {p["url"]: p for p in report["pages"]}
    assert set(pages) == {"a/", "d/"} and report["unchanged"] == ["b/"]
    assert pages["d/"]["kind"] == "renamed" and pages["d/"]["old_url"] == "c/" and pages["d/"]["scenes"] == []
    a = pages["a/"]
    assert [s["index"] for s in a["scenes"]] == [0]  # scenes 2 and 3 start later but did not change
    assert a["duration"][1] > a["duration"][0]
    assert "renamed" in (repo / ".vidsite/review/review.md").read_text()


def test_an_unknown_ref_is_an_error_and_no_change_is_not(repo: Path) -> None:
    bad = run("review", "no-such-branch", "--site", str(repo))
    assert bad.exit_code == 1 and "no-such-branch" in bad.output and "Traceback" not in bad.output
    same = run("review", "HEAD", "--site", str(repo))
    assert same.exit_code == 0, same.output
    assert "No video changed." in (repo / ".vidsite/review/review.md").read_text()
    # a construct the video drops, new in HEAD, is a warning; it changes no video
    (repo / "content/c.md").write_text((repo / "content/c.md").read_text() + "\n{{< nosuchshortcode >}}\n")
    warned = run("review", "HEAD", "--site", str(repo))
    assert warned.exit_code == 0, warned.output
    report = json.loads((repo / ".vidsite/review/review.json").read_text())
    assert [w for w in report["warnings"] if w.startswith("content/c.md:") and "nosuchshortcode" in w]
    assert "New fidelity warnings in working tree" in (repo / ".vidsite/review/review.md").read_text()


def test_reviewing_again_starts_from_the_last_review_and_still_sees_only_the_change(repo: Path) -> None:
    """The review folder is kept between reviews (HEAD's build starts from the previous HEAD): a later
    review of another change reports that change only, and what the earlier one saw is gone."""
    assert run("review", "HEAD", "--site", str(repo)).exit_code == 0
    _edit(repo / "content/b.md", "They matter.", "They really matter.")
    first = run("review", "HEAD", "--site", str(repo))
    assert first.exit_code == 0, first.output
    report = json.loads((repo / ".vidsite/review/review.json").read_text())
    assert [p["url"] for p in report["pages"]] == ["b/"] and report["head_build"]["built"] == ["b"]
    assert report["base_build"]["pages_built"] == 0  # BASE is the same commit: its build is up to date
    _git(repo, "checkout", "content/b.md")
    (repo / "content/c.md").unlink()
    second = run("review", "HEAD", "--site", str(repo))
    assert second.exit_code == 0, second.output
    report = json.loads((repo / ".vidsite/review/review.json").read_text())
    assert [(p["kind"], p["url"]) for p in report["pages"]] == [("removed", "c/")]
    assert report["unchanged"] == ["a/", "b/"] and report["head_build"]["segments_encoded"] == 0
    assert not (repo / ".vidsite/review/head/c").exists()
