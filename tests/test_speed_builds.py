"""What makes the benchmark page's builds fast keeps the output right: storyboard tiles kept by the
segment's task (and decoded again only where missing), compiled templates kept between builds, a
slide's fully revealed layout drawn once for all its reveals, the loudness meter in single
precision, and an unreachable speech service asked once per build, never remembered past it."""

from __future__ import annotations

import json
import socket
from pathlib import Path

import numpy as np
import pytest
from conftest import ESPEAK, SMALL, manifest
from PIL import Image

from vidsite.build import build
from vidsite.cache import Cache
from vidsite.options import BuildOptions, load

PAGE = """---
title: Speed
---

# Speed

A first paragraph, said and shown.

- one thing
- another thing
- a third thing

> {quote}
"""


def _build(site: Path):
    return build(site, load(site, BuildOptions()), BuildOptions())


def _tiles(site: Path) -> list[np.ndarray]:
    """The storyboard's tiles, left to right, top to bottom."""
    from vidsite.site.storyboard import COLUMNS, GAP, TILE_W

    m = manifest(site, "p")
    sheet = np.asarray(Image.open(site / "output/p" / m["assets"]["storyboard"]).convert("RGB"), dtype=int)
    n, tile_h = len(m["scenes"]), round(TILE_W * m["height"] / m["width"])
    cols = min(COLUMNS, n)
    label = (sheet.shape[0] - GAP) // -(-n // cols) - tile_h - GAP
    return [sheet[GAP + (i // cols) * (tile_h + label + GAP):][:tile_h, GAP + (i % cols) * (TILE_W + GAP):][:, :TILE_W]
            for i in range(n)]


def _segments(site: Path) -> list[Path]:
    return [site / ".vidsite/cache/segments" / f"{s['type']}-{s['segment']}.mp4" for s in manifest(site, "p")["scenes"]]


def test_storyboard_is_pasted_from_the_tiles_each_segment_task_kept(site_factory) -> None:
    site = site_factory({"content/p.md": PAGE.format(quote="Make it work.")}, ESPEAK)
    _build(site)
    segments = _segments(site)
    first = Cache.thumbnail(segments[0])
    tile = Image.open(first)
    assert tile.size == (320, 180)  # 320×180 video: tile size already (TILE_W 320)
    before = _tiles(site)
    assert np.abs(before[0] - np.asarray(tile.convert("RGB"), dtype=int)).mean() < 2  # the sheet shows it (JPEG)

    Image.new("RGB", tile.size, (255, 0, 0)).save(first)  # the kept tile is what the sheet shows, not a decode
    (site / "content/p.md").write_text(PAGE.format(quote="Make it work, then fast."))  # the last scene changes
    stats = _build(site)
    assert stats.built == ["p"] and _segments(site)[0] == segments[0]  # the first scene's segment was reused
    red = _tiles(site)[0]
    assert red[..., 0].mean() > 200 and red[..., 1].mean() < 60


def test_a_segment_without_its_tile_is_made_again_and_an_unreadable_tile_is_decoded(site_factory) -> None:
    site = site_factory({"content/p.md": PAGE.format(quote="Make it work.")}, ESPEAK)
    _build(site)
    good = _tiles(site)
    segments = _segments(site)

    Cache.thumbnail(segments[0]).unlink()  # missing: the segment's task runs again and keeps it
    (site / "content/p.md").write_text(PAGE.format(quote="Make it right."))
    stats = _build(site)
    assert _segments(site)[0] == segments[0]
    assert Cache.thumbnail(segments[0]).is_file() and stats.tasks_done == stats.tasks == 4  # + list, quote, audio
    assert np.abs(_tiles(site)[0] - good[0]).mean() < 2

    Cache.thumbnail(segments[0]).write_bytes(b"not a picture")  # unreadable: decoded from the segment instead
    (site / "content/p.md").write_text(PAGE.format(quote="Make it fast."))
    _build(site)
    decoded = _tiles(site)
    assert np.abs(decoded[0] - good[0]).mean() < 4  # the same slide, from the video
    assert np.abs(decoded[0] - good[1]).mean() > np.abs(decoded[0] - good[0]).mean()


def test_cache_lists_the_tile_with_its_segment_and_an_orphan_tile_as_an_orphan(site_factory) -> None:
    site = site_factory({"content/p.md": PAGE.format(quote="Make it work.")}, ESPEAK)
    _build(site)
    cache = Cache(site / ".vidsite/cache")
    entry = next(e for e in cache.entries("segments") if e[0] == _segments(site)[0])
    assert Cache.thumbnail(entry[0]) in entry and Cache.shown(entry[0]) in entry
    entry[0].unlink()
    assert Cache.thumbnail(entry[0]) in cache.orphans() and Cache.shown(entry[0]) in cache.orphans()


def test_templates_are_compiled_once_and_a_layout_edit_still_shows(site_factory) -> None:
    import jinja2

    site = site_factory({"content/p.md": PAGE.format(quote="Make it work.")}, ESPEAK)
    _build(site)
    compiled = list((site / ".vidsite/cache/templates").iterdir())
    assert compiled and all(p.stat().st_size > 100 for p in compiled)

    from vidsite.site.writer import environment

    env = environment(site / "layouts", "default", site / ".vidsite/cache/templates")
    calls = []
    original = jinja2.Environment.compile
    jinja2.Environment.compile = lambda self, *a, **k: calls.append(a) or original(self, *a, **k)
    try:
        env.get_template("page.html")
    finally:
        jinja2.Environment.compile = original
    assert calls == []  # loaded from the cache, not compiled

    from vidsite.render.theme import THEMES_DIR

    layout = (THEMES_DIR / "default" / "base.html").read_text(encoding="utf-8")
    assert "</body>" in layout
    (site / "layouts").mkdir()
    (site / "layouts/base.html").write_text(layout.replace("</body>", "<p>edited layout</p></body>"))
    _build(site)
    assert "edited layout" in (site / "output/p/index.html").read_text(encoding="utf-8")


def test_unwritable_template_cache_only_means_compiling_again(site_factory) -> None:
    site = site_factory({"content/p.md": PAGE.format(quote="Make it work.")}, ESPEAK)
    (site / ".vidsite/cache").mkdir(parents=True)
    (site / ".vidsite/cache/templates").write_text("a file where the folder would go")
    stats = _build(site)
    assert stats.built == ["p"] and (site / "output/p/index.html").is_file()


def test_each_reveal_is_drawn_as_if_its_full_slide_were_drawn_for_it_alone() -> None:
    from vidsite.render import slides
    from vidsite.render.theme import load_theme

    theme = load_theme("default", None)
    short = {"header": "Points", "items": ["One", "Two"]}
    long = {"header": "Points", "items": ["One", "Two", "Three", "Four", "Five", "Six", "Seven"]}
    calls = [(short, 1), (short, 2), (long, 1), (long, 3), (short, 1), (long, 1)]
    for fields, reveal in calls:  # each after another scene's: the remembered full slide must not leak
        got = np.asarray(slides.render("list", fields, {"reveal": reveal}, theme, "blue", 480, 270))
        slides._last_full = None
        alone = np.asarray(slides.render("list", fields, {"reveal": reveal}, theme, "blue", 480, 270))
        assert (got == alone).all(), (fields["items"], reveal)
    a = np.asarray(slides.render("list", short, {"reveal": 1}, theme, "blue", 480, 270))
    b = np.asarray(slides.render("list", long, {"reveal": 1}, theme, "blue", 480, 270))
    assert (a != b).any()  # the same first item sits elsewhere: balanced by a different full slide


def test_meter_in_single_precision_reads_as_in_double() -> None:
    from vidsite.encode import loudness

    rng = np.random.default_rng(7)
    rate = 24000
    t = np.arange(rate * 3) / rate
    pcm = 0.5 * np.sin(2 * np.pi * 5995 * t + 0.3) * (1 + 0.2 * rng.standard_normal(len(t)).clip(-1, 1))
    meter = loudness.Meter(rate)
    for at in range(0, len(pcm), 1024):
        meter.add(pcm[at:at + 1024])
    lufs, peak = meter.result()
    assert round(lufs, 2) == round(loudness.integrated(pcm, rate), 2)
    assert abs(peak - loudness.true_peak(pcm)) < 0.01


def _closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_an_unreachable_service_costs_one_attempt_per_build_and_is_used_once_it_answers(site_factory,
                                                                                       monkeypatch) -> None:
    from fake_edge import FakeEdge

    from vidsite.speech.edge import EdgeEngine

    port = _closed_port()
    server = FakeEdge(port=port)
    config = SMALL + f'[tts]\nengine = "auto"\nedge_url = "{server.url}"\ntimeout = 5\n'
    site = site_factory({"content/p.md": PAGE.format(quote="Make it work.")}, config)
    asked: list[str] = []
    reachable = EdgeEngine.reachable
    monkeypatch.setattr(EdgeEngine, "reachable", lambda self, *a, **k: asked.append("") or reachable(self, *a, **k))

    cold = _build(site)
    assert cold.clips_fallback > 1 and "edge" in cold.engines_down and len(asked) == 1
    (site / "content/p.md").write_text(PAGE.format(quote="Make it right."))
    asked.clear()
    edit = _build(site)
    assert edit.built == ["p"] and len(asked) <= 1  # the re-voicing check, or the new sentence: one quick try

    server.start()  # the service answers again at the same address: the next build uses it
    try:
        _build(site)
    finally:
        server.stop()
    assert {s["engine"] for s in manifest(site, "p")["scenes"]} == {"edge"}


@pytest.fixture(autouse=True)
def _fresh_full_slide():
    """Each test starts without a remembered full slide from another."""
    from vidsite.render import slides

    slides._last_full = None
    yield


SHORT = """---
title: {name}
---

```scene title
title: {name}
narration: The {name} page says {word}.
```
"""


def _count_renders(monkeypatch) -> list[str]:
    import jinja2

    rendered: list[str] = []
    original = jinja2.Template.render

    def render(self, *args, **kwargs):
        if self.name == "page.html":
            rendered.append(kwargs["page"].url)
        return original(self, *args, **kwargs)

    monkeypatch.setattr(jinja2.Template, "render", render)
    return rendered


def test_an_edit_renders_only_its_pages_html_and_a_layout_edit_renders_all(site_factory, monkeypatch) -> None:
    import os
    import time

    site = site_factory({f"content/{n}.md": SHORT.format(name=n, word="hello") for n in ("a", "b", "c")}, ESPEAK)
    _build(site)
    rendered = _count_renders(monkeypatch)
    (site / "content/b.md").write_text(SHORT.format(name="b", word="goodbye"))
    assert _build(site).built == ["b"]
    assert rendered == ["b"]
    assert "goodbye" in (site / "output/b/index.html").read_text(encoding="utf-8")

    from vidsite.render.theme import THEMES_DIR

    (site / "layouts").mkdir()
    layout = site / "layouts/base.html"
    layout.write_text((THEMES_DIR / "default/base.html").read_text().replace("</body>", "<p>new layout</p></body>"))
    then = time.time_ns() - 10_000_000_000  # an old mtime: trusted, as on a checkout
    os.utime(layout, ns=(then, then))
    rendered.clear()
    _build(site)
    assert sorted(set(rendered)) == ["a", "b", "c"] and len(rendered) <= 4  # (the no-op check stops at one)
    assert all("new layout" in (site / f"output/{n}/index.html").read_text() for n in ("a", "b", "c"))


def test_a_page_html_changed_in_the_output_is_written_again(site_factory, monkeypatch) -> None:
    site = site_factory({f"content/{n}.md": SHORT.format(name=n, word="hello") for n in ("a", "b")}, ESPEAK)
    _build(site)
    html = site / "output/a/index.html"
    good = html.read_text(encoding="utf-8")
    html.write_text(good.replace("<", "[", 1), encoding="utf-8")  # same size, another mtime
    rendered = _count_renders(monkeypatch)
    (site / "content/b.md").write_text(SHORT.format(name="b", word="goodbye"))
    _build(site)
    assert sorted(rendered) == ["a", "b"] and html.read_text(encoding="utf-8") == good
    site_manifest = json.loads((site / "output/manifest.json").read_text(encoding="utf-8"))
    from vidsite.fsutil import file_sha256

    assert site_manifest["files"]["a/index.html"]["sha256"] == file_sha256(html)


def test_a_service_that_failed_slowly_is_not_asked_again_by_edits_for_ten_minutes(site_factory) -> None:
    from test_speech_breaker import Flaky

    server = Flaky(mode="hang").start()
    try:
        config = SMALL + f'[tts]\nengine = "auto"\nedge_url = "{server.url}"\ntimeout = 1\n'
        site = site_factory({"content/p.md": PAGE.format(quote="Make it work.")}, config)
        cold = _build(site)
        assert server.connections == 1 and cold.clips_fallback > 1  # one timeout, recorded
        record = site / ".vidsite/cache/speech/probe-edge.json"
        assert json.loads(record.read_text())["answered"] is False

        (site / "content/p.md").write_text(PAGE.format(quote="Make it right."))
        edit = _build(site)
        assert edit.built == ["p"] and server.connections == 1  # not asked: it failed a moment ago
        assert "ago" in edit.engines_down["edge"]

        data = json.loads(record.read_text())
        data["checked"] -= 601  # ten minutes on: asked again (and, hanging still, given up on again)
        record.write_text(json.dumps(data))
        (site / "content/p.md").write_text(PAGE.format(quote="Make it fast."))
        _build(site)
        assert server.connections == 2
    finally:
        server.stop()
