"""Code slides: never below a legible size (long blocks page over slides, wide lines wrap), each
slide with its share of the narration and time to read it, highlighted lines standing out, and
code drawn character for character (tags and entities included)."""

from __future__ import annotations

import json

import numpy as np
import pytest
from conftest import decode, manifest, run
from PIL import Image

from vidsite.config import VideoConfig
from vidsite.models import Scene
from vidsite.render.slides import render
from vidsite.render.theme import load_theme
from vidsite.scenes.canvas import Canvas
from vidsite.scenes.code import (
    LINE_HEIGHT,
    MIN_CODE_SIZE,
    PAD,
    PANEL_BOTTOM,
    expand,
    fence_info,
    mix,
    panel_top,
    split_code,
    wrap_spans,
)
from vidsite.timeline import scene_seconds

THEME = load_theme("default", None)
HTML = """<template>
  <div v-if="type === 'A'">
    A &amp; B &lt;b&gt;
  </div>
</template>"""


def forty_lines() -> str:
    """A 40-line module: imports, a long function, a blank line, a class, an entry point."""
    lines = ["import os", "import sys", "", "def main(argv):"]
    lines += [f"    value_{i} = compute(argv, {i})  # step {i}" for i in range(20)]
    lines += ["    return 0", "", "class Thing:"]
    lines += [f"    def m{i}(self): return {i}" for i in range(10)]
    lines += ["", 'if __name__ == "__main__":', "    main(sys.argv)"]
    assert len(lines) == 40
    return "\n".join(lines)


def fits(fields: dict, kind: str = "code") -> None:
    """The slide's real layout holds every row of its code at MIN_CODE_SIZE: header measured by
    drawing it, columns by the theme's monospace face."""
    c = Canvas(1920, 1080, THEME, "blue")
    part = f"{fields['part']}/{fields['parts']}" if fields.get("parts") else ""
    note = fields.get("description" if kind == "command" else "caption", "")
    top = c.header(fields.get("header") or "Code", " · ".join(p for p in (part, note) if p))
    face = c.face("font_mono", MIN_CODE_SIZE)
    cols = int(c.px(1920 - 2 * c.m - 2 * PAD) // face.primary.getlength("0"))
    text = "\n".join(fields["commands"]) if kind == "command" else fields["code"]
    rows = sum(len(wrap_spans(line, cols)) for line in text.split("\n"))
    assert rows <= (PANEL_BOTTOM - top - 2 * PAD) // (MIN_CODE_SIZE * LINE_HEIGHT), fields


def test_a_forty_line_block_pages_over_slides_at_a_legible_size() -> None:
    code = forty_lines()
    pages = split_code({"header": "File layout", "code": code, "language": "python", "caption": ""},
                       "The module starts with its imports. Then comes main. Last, the class and the entry point.")
    assert len(pages.fields) >= 2 and not pages.problems
    shown = [line for f in pages.fields for line in f["code"].split("\n")]
    assert [ln for ln in shown if ln.strip()] == [ln for ln in code.split("\n") if ln.strip()]  # every line, in order
    for n, f in enumerate(pages.fields, 1):
        assert (f["part"], f["parts"]) == (n, len(pages.fields))
        fits(f)
    # the narration is shared out whole, the introduction first
    assert pages.narration[0].startswith("The module starts with its imports.")
    assert " ".join(n for n in pages.narration if n) == \
        "The module starts with its imports. Then comes main. Last, the class and the entry point."
    # a cut prefers a blank line: no slide but the last ends in the middle of `class Thing`
    assert all(not f["code"].split("\n")[-1].startswith("    def m") for f in pages.fields[:-1])


def test_code_never_shrinks_below_the_floor_and_wide_lines_wrap_whole() -> None:
    c = Canvas(1920, 1080, THEME, "blue")
    wide = ["x = call(" + ", ".join(f"argument_{i}" for i in range(20)) + ")"] * 3
    assert c.mono_size(wide, 1920 - 2 * c.m, 700) >= MIN_CODE_SIZE  # the old panel shrank this to ~20 px
    spans = wrap_spans(wide[0], 94)
    assert len(spans) > 1 and "".join(wide[0][a:b] for a, b in spans) == wide[0]  # nothing cut with "…"
    pages = split_code({"header": "Wide", "code": "\n".join(wide), "language": "python", "caption": ""})
    assert pages.fields[0]["code"] == "\n".join(wide) and not pages.problems


def test_a_line_no_slide_can_hold_is_named_for_a_warning() -> None:
    heard: list[tuple[int, str]] = []
    scene = Scene("code", {"header": "Minified", "code": "a = 1\n" + "x" * 5000 + "\nb = 2", "language": "js",
                           "caption": ""}, 12)
    out = expand(scene, lambda line, message: heard.append((line, message)))
    assert heard and heard[0][0] == 12 and "line 2" in heard[0][1] and "not shown" in heard[0][1]
    assert any("b = 2" in s.fields["code"] for s in out) and any(s.fields["code"].endswith("…") or "…\n" in
                                                                  s.fields["code"] for s in out)
    assert expand(Scene("code", {"header": "", "code": "ok", "language": "text", "caption": ""}, 3)) == \
        [Scene("code", {"header": "", "code": "ok", "language": "text", "caption": ""}, 3)]


def test_long_command_lists_page_the_same_way() -> None:
    commands = [f"$ pip install package-{i}" for i in range(40)]
    out = expand(Scene("command", {"header": "Install", "description": "", "commands": commands}, 4))
    assert len(out) >= 3
    assert [c for s in out for c in s.fields["commands"]] == commands
    for s in out:
        fits(s.fields, "command")
    assert out[0].narration is None and out[1].fields["part"] == 2


def test_the_header_estimate_never_promises_more_rows_than_the_slide_draws() -> None:
    for header in ("Code", "Install the command-line tool and the server in one go, then start both",
                   "安装命令行工具和服务器然后一起启动它们以及所有依赖项目和配置文件还有更多内容", ""):
        for description in ("", "2/3 · main.py"):
            c = Canvas(1920, 1080, THEME, "blue")
            assert panel_top(header, bool(description)) >= c.header(header or "Code", description) - 1e-6, header


def test_a_code_slide_stays_up_long_enough_to_read() -> None:
    video = VideoConfig()
    ten = Scene("code", {"header": "", "code": "\n".join(f"line_{i}()" for i in range(10)), "language": "python",
                         "caption": ""}, 1)
    assert scene_seconds(ten, 1.5, video) >= 6.0
    assert scene_seconds(ten, 1.5, VideoConfig(code_seconds_per_line=0)) < 3
    assert scene_seconds(Scene("markdown", {"text": "a\n" * 10}, 1), 1.5, video) < 3  # prose is not code


@pytest.mark.parametrize(("info", "language", "lines"), [
    ('python hl_lines="1 3-5"', "python", [1, 3, 4, 5]),
    ('{ .python hl_lines="4" }', "python", [4]),
    ("js{1,3-5}", "js", [1, 3, 4, 5]),
    ('jsx title="/src/App x.js" {2}', "jsx", [2]),
    ("rust,ignore", "rust", []),
    ("{2}", "text", [2]),
    ("ts:line-numbers {1}", "ts", [1]),
    ("", "text", []),
])
def test_fence_info_reads_each_docs_tools_highlight_syntax(info: str, language: str, lines: list[int]) -> None:
    assert fence_info(info) == (language, lines)


def _rows(img: Image.Image, colour: str) -> np.ndarray:
    """Rows of the image where at least a fifth of the pixels are `colour`."""
    rgb = np.asarray(img, dtype=int)
    want = np.array([int(colour[i:i + 2], 16) for i in (1, 3, 5)])
    return np.flatnonzero((np.abs(rgb - want).max(axis=2) <= 2).mean(axis=1) > 0.2)


def test_highlighted_lines_sit_on_a_band_and_the_rest_is_dimmed() -> None:
    fields = {"header": "Vue", "code": HTML, "language": "vue-html", "caption": ""}
    plain = render("code", fields, {}, THEME, "blue", 1920, 1080)
    marked = render("code", {**fields, "highlight": [2, 3, 4]}, {}, THEME, "blue", 1920, 1080)
    band = mix(THEME.accent("blue"), THEME.surface, 0.7)
    assert _rows(plain, band).size == 0
    rows = _rows(marked, band)
    c = Canvas(1920, 1080, THEME, "blue")
    lh = c.mono_size(HTML.split("\n"), 1920 - 2 * c.m, PANEL_BOTTOM - 260) * LINE_HEIGHT
    assert abs(rows.size - 3 * lh) <= 2 and rows.max() - rows.min() + 1 == rows.size  # three rows, one band
    assert np.abs(np.asarray(plain, dtype=int) - np.asarray(marked, dtype=int)).max(axis=2)[:rows.min() - 10].max() > 40


def test_tags_and_entities_are_drawn_verbatim() -> None:
    from vidsite.render.slides import _highlight

    runs = _highlight(HTML, "vue-html", THEME)
    assert ["".join(t for t, _ in line) for line in runs] == HTML.split("\n")
    img = np.asarray(render("code", {"header": "Vue", "code": HTML, "language": "vue-html", "caption": ""}, {},
                            THEME, "blue", 1920, 1080), dtype=int)
    surface = np.array([int(THEME.surface[i:i + 2], 16) for i in (1, 3, 5)])
    ink = (np.abs(img - surface).max(axis=2) > 60) & (np.abs(img - surface).max(axis=2) < 400)
    panel = np.abs(img - surface).max(axis=2) <= 2
    top = np.flatnonzero(panel.mean(axis=1) > 0.3)[0]
    c = Canvas(1920, 1080, THEME, "blue")
    size = c.mono_size(HTML.split("\n"), 1920 - 2 * c.m, PANEL_BOTTOM - 260)
    advance = c.face("font_mono", size).primary.getlength("0")
    for k, line in enumerate(HTML.split("\n")):  # each row's ink spans exactly its characters, tags included
        y0 = round(top + (PAD + k * size * LINE_HEIGHT))
        cols = np.flatnonzero(ink[y0:y0 + round(size * 1.2), c.m + PAD: 1920 - c.m].any(axis=0))
        width = (cols.max() - cols.min() + 1) / advance
        assert abs(width - len(line.strip())) < 1, (line, width)


def test_a_paged_block_builds_with_its_text_on_every_slide(site_factory) -> None:
    code = forty_lines()
    pages = split_code({"header": "File layout", "code": code, "language": "python", "caption": ""},
                       "Here is the whole module. It ends with the entry point.")
    blocks = "\n".join(f"```scene code\n{json.dumps({**f, 'narration': n} if n else f)}\n```\n"
                       for f, n in zip(pages.fields, pages.narration))
    config = 'title = "T"\n[video]\nwidth = 960\nheight = 540\n[tts]\nengine = "espeak"\n'
    site = site_factory({"content/code.md": "---\ntitle: Code\n---\n" + blocks}, config)
    result = run("build", str(site))
    assert result.exit_code == 0, result.output
    m = manifest(site, "code")
    d = decode(site / "output/code/video.mp4")
    scenes = [s for s in m["scenes"] if s["type"] == "code"]
    assert len(scenes) == len(pages.fields) >= 2
    surface = np.array([int(THEME.surface[i:i + 2], 16) for i in (1, 3, 5)])
    for s, f in zip(scenes, pages.fields):
        lines = [ln for ln in f["code"].split("\n") if ln.strip()]
        assert s["end"] - s["start"] >= 0.6 * len(lines) - 1e-6  # time to read every line
        frame = d.frame_at(s["start"] + 0.1).astype(int)  # complete at its start; its end fades out
        panel = np.abs(frame - surface).max(axis=2) <= 12
        inside = np.flatnonzero(panel.mean(axis=1) > 0.5)
        ink = ~panel[inside.min():inside.max(), 90:870]
        inked = ink.mean(axis=1) > 0.005
        bands = int(np.count_nonzero(inked[1:] & ~inked[:-1]) + inked[0])
        assert bands >= len(lines), (s["narration"], bands, len(lines))  # a row of ink for every line


def test_a_long_solution_pages_and_so_does_a_long_comparison() -> None:
    code = forty_lines()
    out = expand(Scene("solution", {"title": "One way", "solution_code": code, "explanation": "Why.",
                                    "language": "python"}, 7), lambda line, message: pytest.fail(message))
    assert len(out) >= 3 and out[1].fields["part"] == 2
    assert "\n".join(s.fields["solution_code"] for s in out).split() == code.split()
    comparison = Scene("code_comparison", {"header": "", "before_code": code, "after_code": "x += 1"}, 9)
    pages = expand(comparison, lambda line, message: pytest.fail(message))
    assert len(pages) >= 2 and [p.fields["part"] for p in pages] == list(range(1, len(pages) + 1))
    assert "\n".join(p.fields["before_code"] for p in pages).split() == code.split()
    assert [p.fields["after_code"] for p in pages if p.fields["after_code"]] == ["x += 1"]
