"""Unchanged pages are not parsed again, and the skip never hides a change: an edit to a page, an
include, the config, a theme file or an image a page names is rebuilt, even one that keeps the
file's size and mtime."""

from __future__ import annotations

import json
import os
import time
from pathlib import Path

from conftest import ESPEAK, manifest

from vidsite.build import BuildStats, build
from vidsite.options import BuildOptions, load

PAGE = """---
title: {name}
---

```scene list
header: {name}
items: [Alpha, Beta]
narration: The {name} page says {word}.
```
"""
WITH_INCLUDE = """# Included

Before the snippet.

--8<-- "snippets/part.md"
"""
WITH_IMAGE = """# Pictures

Some words about the picture.

![A square](square.png)
"""


def _build(site: Path) -> BuildStats:
    return build(site, load(site, BuildOptions()), BuildOptions())


def _narration(site: Path, url: str) -> str:
    return " ".join(s["narration"] for s in manifest(site, url)["scenes"])


def _age(site: Path, seconds: int = 60) -> None:
    """Files written a while ago: their states trust size and mtime (no hash), as on a real checkout."""
    then = time.time_ns() - seconds * 1_000_000_000
    for path in site.rglob("*"):
        os.utime(path, ns=(then, then))


def _site(site_factory) -> Path:
    site = site_factory({
        "content/a.md": PAGE.format(name="a", word="apples"),
        "content/b.md": PAGE.format(name="b", word="bread"),
        "content/inc.md": WITH_INCLUDE,
        "snippets/part.md": "The snippet talks about kiwis.\n",
    }, ESPEAK)
    _age(site)
    return site


def test_each_kind_of_edit_is_rebuilt_and_a_no_op_parses_nothing(site_factory) -> None:
    site = _site(site_factory)
    cold = _build(site)
    assert cold.pages_parsed == 3 and sorted(cold.built) == ["a", "b", "inc"]

    noop = _build(site)
    assert noop.pages_parsed == 0 and noop.nothing_to_do and noop.files_written == 0

    page = site / "content/a.md"  # the page itself
    page.write_text(PAGE.format(name="a", word="pears"))
    edit = _build(site)
    assert edit.pages_parsed == 1 and edit.built == ["a"]
    assert "pears" in _narration(site, "a")

    (site / "snippets/part.md").write_text("The snippet talks about mangoes.\n")  # an include
    edit = _build(site)
    assert edit.pages_parsed == 1 and edit.built == ["inc"]
    assert "mangoes" in _narration(site, "inc") and "kiwis" not in _narration(site, "inc")

    config = site / "config.toml"  # the config: a voice setting rebuilds every page (parsing gives the same)
    config.write_text(config.read_text() + "rate = 190\n")
    edit = _build(site)
    assert edit.pages_parsed == 0 and sorted(edit.built) == ["a", "b", "inc"]
    config.write_text('language = "de"\n' + config.read_text())  # one that parsing reads: parsed again
    edit = _build(site)
    assert edit.pages_parsed == 3 and sorted(edit.built) == ["a", "b", "inc"]
    assert manifest(site, "a")["language"] == "de"

    theme = site / "layouts/theme.toml"  # a theme file: the slides change colour
    theme.parent.mkdir()
    theme.write_text('background = "#102030"\n')
    edit = _build(site)
    assert sorted(edit.built) == ["a", "b", "inc"] and edit.segments_encoded >= 3

    _age(site / "layouts")
    assert _build(site).nothing_to_do
    template = site / "layouts/base.html"  # a template: nothing to parse or encode, but the pages are written again
    template.write_text((Path(__file__).parents[1] / "vidsite/themes/default/base.html").read_text()
                        .replace("</body>", "<p>custom footer</p></body>"))
    _age(site / "layouts", 30)  # not recent either: found by its mtime alone
    edit = _build(site)
    assert edit.files_written >= 3 and edit.segments_encoded == 0
    assert "custom footer" in (site / "output/a/index.html").read_text()
    assert _build(site).nothing_to_do


def test_an_edit_that_keeps_size_and_mtime_is_still_rebuilt(site_factory) -> None:
    """An mtime too recent to trust (the file was written just before the build read it) is backed
    by the file's hash, as git does for racily clean index entries."""
    site = site_factory({"content/b.md": PAGE.format(name="b", word="bread")}, ESPEAK)
    _build(site)
    page = site / "content/b.md"
    before = page.stat()
    page.write_text(PAGE.format(name="b", word="toast"))  # same length as "bread"
    os.utime(page, ns=(before.st_atime_ns, before.st_mtime_ns))
    assert page.stat().st_size == before.st_size
    edit = _build(site)
    assert edit.built == ["b"] and "toast" in _narration(site, "b")


def test_an_image_that_shadows_another_is_picked_up(site_factory) -> None:
    """A page's image found in static/ is looked for first beside the page: a file put there later is
    the page's image from then on, so the page is parsed and built again."""
    from PIL import Image

    site = site_factory({"content/pic.md": WITH_IMAGE}, ESPEAK)
    (site / "static").mkdir()
    Image.new("RGB", (64, 64), "red").save(site / "static/square.png")
    _age(site)
    _build(site)
    assert "image" in [s["type"] for s in manifest(site, "pic")["scenes"]]
    assert _build(site).pages_parsed == 0
    Image.new("RGB", (64, 64), "blue").save(site / "content/square.png")
    edit = _build(site)
    assert edit.pages_parsed == 1 and edit.built == ["pic"]


def test_a_damaged_or_missing_state_means_parse_again(site_factory) -> None:
    site = _site(site_factory)
    _build(site)
    states = sorted(p for p in (site / ".vidsite/cache/state").glob("*.json") if not p.name.startswith("site-"))
    assert len(states) == 3
    states[0].write_text("{not json")
    json_state = json.loads(states[1].read_text())
    json_state["files"][0][1] += 1  # a size that no longer matches
    states[1].write_text(json.dumps(json_state))
    states[2].unlink()
    again = _build(site)
    assert again.pages_parsed == 3 and again.nothing_to_do
    assert _build(site).pages_parsed == 0


def test_pages_with_warnings_are_parsed_every_time(site_factory, caplog) -> None:
    """What a page cannot carry is said on every build, not only on the one that parsed it."""
    site = site_factory({"content/p.md": '# P\n\nText.\n\n--8<-- "missing.md"\n'}, ESPEAK)
    _build(site)
    caplog.clear()
    again = _build(site)
    assert again.pages_parsed == 1 and "missing.md" in caplog.text
