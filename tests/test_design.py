"""Slides that look designed in every script: per-run font fallback, balanced layouts, one
type scale per slide, sensible line breaks, BT.709 colour, themes whose pairs pass WCAG AA."""

from __future__ import annotations

import json
import unicodedata
from itertools import pairwise
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from vidsite.render import text as T
from vidsite.render.slides import render
from vidsite.render.theme import contrast, load_theme
from vidsite.scenes.canvas import Canvas

DARK = load_theme("default", None)
LIGHT = load_theme("light", None)
MIXED = [
    "main：main.py 文件",                      # Chinese with Latin words (was drawn as boxes)
    "日本語の getConfig() と loadData 関数",    # Japanese with code names
    "الحكمة ضالة المؤمن — a quote",            # Arabic (italic face has none of its own)
    "# 中文注释: print('你好')",                # CJK comments in code
    "רשימה עברית with words",                  # Hebrew
    "Привет, мир — Ελληνικά",                  # Cyrillic, Greek
    "한국어 텍스트와 English",                   # Korean (Droid Sans Fallback has no Hangul)
    "हिन्दी पाठ and Latin",                      # Devanagari
]


@pytest.mark.parametrize("style", ["font", "font_bold", "font_italic", "font_mono"])
@pytest.mark.parametrize("text", MIXED)
def test_every_character_is_drawn_by_a_face_that_has_it(style: str, text: str) -> None:
    chain = DARK.chain(style)
    for segment, path, _ in T.runs(text, chain):
        for ch in segment:
            if ch.isspace():
                continue
            assert ord(ch) in T.coverage(path), f"{ch!r} drawn with {Path(path).name}, which lacks it"
            if unicodedata.category(ch)[0] in "LN":  # a letter in this face leaves ink, not an empty glyph
                assert T.font(path, 40).getmask(ch).getbbox(), f"{ch!r} is blank in {Path(path).name}"
    assert T.missing(text, chain) == ""


def test_mixed_line_draws_latin_and_cjk_in_different_faces() -> None:
    paths = {Path(p).name for _, p, _ in T.runs("main：main.py 文件", DARK.chain("font"))}
    assert "DejaVuSans.ttf" in paths and "DroidSansFallbackFull.ttf" in paths


def test_a_missing_glyph_is_named_in_a_warning(caplog: pytest.LogCaptureFixture) -> None:
    from vidsite.render import slides

    slides._warn_missing.cache_clear()  # said once per set: another test may have drawn this slide first
    render("title", {"title": "Linear B \U00010000", "subtitle": ""}, {}, DARK, "blue", 320, 180)
    assert "U+10000" in caplog.text and "fallback" in caplog.text


def test_right_to_left_runs_are_ordered_right_to_left() -> None:
    chain = DARK.chain("font")
    order = [seg.strip() for seg, _, _ in T.visual("שלום abc עולם", chain) if seg.strip()]
    assert order == ["עולם", "abc", "שלום"]
    order = [seg.strip() for seg, _, _ in T.visual("see עולם now", chain) if seg.strip()]
    assert order == ["see", "עולם", "now"]


def test_urls_and_paths_break_at_separators() -> None:
    face = T.Face(DARK.chain("font"), 40)
    url = "https://github.com/someone/project/blob/main/docs/getting_started-guide.md"
    lines = T.wrap(f"Read {url} first", face, 500)
    assert len(lines) > 2 and "".join(lines).replace(" ", "") == f"Read{url}first"
    for a, b in pairwise(lines):
        assert a.endswith(("/", "-", "_", " ", "Read")) or b.startswith((".", "first")), (a, b)


def test_cjk_breaks_between_characters_but_never_before_closing_punctuation() -> None:
    face = T.Face(DARK.chain("font"), 40)
    text = "这是一个很长的中文句子，它需要换行。（括号）里的内容、还有更多的文字。" * 2
    lines = T.wrap(text, face, 300)
    assert len(lines) > 4 and "".join(lines) == text
    assert not any(line[0] in "。、，）」" for line in lines)
    assert not any(line[-1] in "（「" for line in lines)


def _sizes(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    sizes: list[int] = []
    fit = T.fit

    def spy(*args, **kwargs):  # type: ignore[no-untyped-def]
        block = fit(*args, **kwargs)
        sizes.append(block.face.size)
        return block

    monkeypatch.setattr(T, "fit", spy)
    return sizes


def test_all_items_of_a_list_are_one_size(monkeypatch: pytest.MonkeyPatch) -> None:
    items = ["Short", "A much longer item that goes on and on about the many things it wants to say " * 2, "Tiny"]
    sizes = _sizes(monkeypatch)
    canvas = Canvas(1920, 1080, DARK, "blue")
    y = canvas.header("Header")
    del sizes[:]
    canvas.bullets(items, y, 3)
    assert len(sizes) == 3 and len(set(sizes)) == 1


def test_both_panels_of_a_comparison_share_one_scale(monkeypatch: pytest.MonkeyPatch) -> None:
    used: set[int] = set()
    font = T.font
    mono = DARK.asset_path(DARK.font_mono)

    def spy(path: str, size: int):  # type: ignore[no-untyped-def]
        if path == mono:
            used.add(size)
        return font(path, size)

    monkeypatch.setattr(T, "font", spy)
    fields = {"header": "H", "before_code": "x = x + 1\n", "before_label": "Before", "after_label": "After",
              "after_code": "def add(a, b):\n    return a + b  # a considerably longer line of code\n",
              "language": "python"}
    render("code_comparison", fields, {}, DARK, "blue", 1920, 1080)
    used.discard(100)  # the advance of "0" is measured once at 100 px; the rest are drawing sizes
    assert len(used) == 1


def _content_centre(img: Image.Image, top: float) -> float:
    a = np.asarray(img, dtype=int)
    bg = np.array(Image.new("RGB", (1, 1), DARK.background).getpixel((0, 0)))
    bar = 20
    rows = np.flatnonzero((np.abs(a[round(top):, bar:] - bg).max(axis=2) > 8).any(axis=1)) + round(top)
    return (rows[0] + rows[-1]) / 2


@pytest.mark.parametrize("scene_type,fields,header", [
    ("list", {"header": "Three things", "description": "", "items": ["One", "Two", "Three"]}, True),
    ("code", {"header": "Code", "code": "print('hello')\n", "language": "python", "caption": ""}, True),
    ("quote", {"quote_text": "Simple things should be simple.", "attribution": "Alan Kay"}, False),
])
def test_content_is_balanced_in_the_title_safe_area(scene_type: str, fields: dict, header: bool) -> None:
    w, h = 1280, 720
    img = render(scene_type, fields, {}, DARK, "blue", w, h)
    safe_top, safe_bottom = 0.05 * h, 0.95 * h
    top = 260 / 1080 * h if header else safe_top
    centre = _content_centre(img, top)
    assert abs(centre - (top + safe_bottom) / 2) <= 0.1 * (safe_bottom - safe_top), (centre, top)


def test_revealed_items_stay_where_they_end_up() -> None:
    fields = {"header": "Three things", "description": "", "items": ["One", "Two", "Three"]}
    first = np.asarray(render("list", fields, {"reveal": 1}, DARK, "blue", 640, 360), dtype=int)
    full = np.asarray(render("list", fields, {"reveal": 3}, DARK, "blue", 640, 360), dtype=int)
    drawn = np.abs(first - np.array([0x0F, 0x17, 0x2A])).max(axis=2) > 8
    assert drawn.sum() > 100 and np.abs(first - full)[drawn].max() < 8


@pytest.mark.parametrize("accent", sorted(DARK.accents))
@pytest.mark.parametrize("theme", [DARK, LIGHT], ids=["dark", "light"])
def test_every_text_and_background_pair_passes_wcag_aa(theme, accent: str) -> None:  # type: ignore[no-untyped-def]
    """Both themes × six accents: body and muted text on the page and on panels (the current chapter
    and transcript line are text on a panel), the accent on the page (links, chapter buttons, list
    numbers), the accent as slides use it on a code panel, and black or white on the accent."""
    colour = theme.accent(accent)
    assert colour == theme.accents[accent]
    canvas = Canvas(64, 36, theme, accent)
    pairs = [(fg, bg) for fg in (theme.text, theme.muted) for bg in (theme.background, theme.surface)]
    pairs += [(colour, theme.background), (canvas.legible(colour, theme.surface), theme.surface),
              (Canvas.ink_on(colour), colour)]
    for fg, bg in pairs:
        assert contrast(fg, bg) >= 4.5, (fg, bg, round(contrast(fg, bg), 2))


def test_light_theme_draws_light_slides() -> None:
    img = np.asarray(render("list", {"header": "H", "description": "", "items": ["a"]}, {}, LIGHT, "blue", 320, 180))
    assert img[90, 160].min() > 240 and LIGHT.scheme == "light" and DARK.scheme == "dark"


def test_frames_are_converted_and_tagged_bt709(tmp_path: Path) -> None:
    import av
    from av.video.reformatter import ColorRange, Colorspace

    from vidsite.encode.encoders import EncoderChoice
    from vidsite.encode.segments import encode_segment

    colours = [(16, 185, 130), (59, 130, 246), (249, 115, 22), (236, 72, 153)]
    for colour in colours:
        path = tmp_path / "seg.mp4"
        still = Image.new("RGB", (320, 180), colour)
        encode_segment(path, [(0, still)], fps=30, width=320, height=180,
                       encoder=EncoderChoice("libx264", (("preset", "veryfast"),), "test"), closing_frame=30)
        with av.open(str(path)) as c:
            ctx = c.streams.video[0].codec_context
            assert (ctx.colorspace, ctx.color_primaries, ctx.color_trc, ctx.color_range) == (1, 1, 1, 1)
            frame = next(c.decode(video=0))
            rgb = frame.reformat(format="rgb24", src_colorspace=Colorspace.ITU709, src_color_range=ColorRange.MPEG,
                                 dst_color_range=ColorRange.JPEG).to_ndarray()
        assert np.abs(rgb[90, 160].astype(int) - colour).max() <= 3, (colour, rgb[90, 160])


def test_page_css_takes_the_theme_colours(tmp_path: Path) -> None:
    from vidsite.site.writer import environment

    env = environment(tmp_path / "layouts", "light")
    html = env.get_template("base.html").render(lang="ar", dir="rtl", site_title="S", translations=[],
                                                root="", accent=LIGHT.accent("blue"), theme=LIGHT)
    assert '<html lang="ar" dir="rtl">' in html
    assert f"--bg: {LIGHT.background}" in html and "color-scheme: light" in html
    assert "border-left" not in html and "padding-left" not in html  # logical properties only
    assert json.dumps(LIGHT.accent("blue"))[1:-1] in html


ACCENT_PROBE = """async () => {
  const v = document.querySelector('video'); v.muted = true;
  await v.play();
  await new Promise((ok, fail) => { const t = setTimeout(() => fail('no playback'), 10000);
    const f = () => v.currentTime > 0.3 ? (clearTimeout(t), ok()) : requestAnimationFrame(f); f(); });
  v.pause();
  const c = document.createElement('canvas'); c.width = v.videoWidth; c.height = v.videoHeight;
  const g = c.getContext('2d'); g.drawImage(v, 0, 0);
  const rtl = document.documentElement.dir === 'rtl';
  const px = g.getImageData(rtl ? c.width - 2 : 1, c.height >> 1, 1, 1).data;
  const css = getComputedStyle(document.documentElement);
  return {pixel: [px[0], px[1], px[2]], accent: css.getPropertyValue('--accent').trim(),
          bg: getComputedStyle(document.body).backgroundColor, dir: document.documentElement.dir,
          lang: document.documentElement.lang};
}"""


def test_light_arabic_pages_in_chromium_match_their_video(tmp_path: Path, request) -> None:
    """In the playing video, the accent bar matches the page's CSS accent (±3) for all six accents;
    the light theme's page is light; an Arabic page is dir=rtl."""
    import threading
    import time

    from conftest import make_site, run

    import uvicorn
    from starlette.applications import Starlette
    from starlette.staticfiles import StaticFiles

    accents = list(LIGHT.accents)
    pages = {f"content/{a}.md": f"---\ntitle: صفحة {a}\naccent: {a}\n---\n\n# عنوان\n\nنص قصير.\n" for a in accents}
    site = make_site(tmp_path / "site", pages, 'title = "موقع"\nlanguage = "ar"\ntheme = "light"\n'
                     '[video]\nwidth = 640\nheight = 360\nfps = 30\n')
    assert run("build", str(site)).exit_code == 0
    browser = request.getfixturevalue("browser")  # after the build: playwright runs an event loop in this thread
    app = Starlette()
    app.mount("/", StaticFiles(directory=site / "output", html=True))  # answers Range requests
    from conftest import free_port

    port = free_port()
    server = uvicorn.Server(uvicorn.Config(app, port=port, log_level="error"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 10
    while not server.started:
        assert time.monotonic() < deadline, "server did not start"
        time.sleep(0.02)
    try:
        page = browser.new_page()
        for accent in accents:
            page.goto(f"http://127.0.0.1:{port}/{accent}/index.html")
            info = page.evaluate(ACCENT_PROBE)
            assert info["dir"] == "rtl" and info["lang"] == "ar"
            assert info["bg"] == "rgb(248, 250, 252)"  # the light theme's background
            css = [int(info["accent"][i:i + 2], 16) for i in (1, 3, 5)]
            assert css == [int(LIGHT.accents[accent][i:i + 2], 16) for i in (1, 3, 5)]
            r, g, b = (c / 255 for c in css)
            cb = 224 * (b - (0.2126 * r + 0.7152 * g + 0.0722 * b)) / 1.8556
            # Chromium's software YUV->RGB (libyuv) caps the BT.709 Cb->B factor 2.112 at 2.0:
            # a solid #2563EB still reads B=227. That much is the player's, not ours.
            room = [3, 3, 3 + 0.112 * abs(cb)]
            assert all(abs(a - c) <= t for a, c, t in zip(info["pixel"], css, room)), (accent, info)
        # transcript lines seek; the chapter and line being played are marked
        page.goto(f"http://127.0.0.1:{port}/{accents[0]}/index.html")
        lines = page.locator(".transcript button.seek")
        assert lines.count() >= 2 and page.locator("ol.chapters button").count() == lines.count()
        page.evaluate("document.getElementById('player').muted = true")
        lines.nth(1).click()
        start = float(lines.nth(1).get_attribute("data-t"))
        page.wait_for_function(f"document.getElementById('player').currentTime >= {start}", timeout=10_000)
        page.wait_for_function("document.querySelectorAll('ol.chapters button')[1]"
                               ".getAttribute('aria-current') === 'true'", timeout=10_000)
        assert lines.nth(1).get_attribute("aria-current") == "true"
        assert lines.nth(0).get_attribute("aria-current") is None
        assert page.locator('meta[name="description"]').get_attribute("content")
        # the current chapter stays readable: its text on its highlight at WCAG AA
        ink, ground = page.evaluate("""() => { const s = getComputedStyle(
            document.querySelector('ol.chapters button[aria-current="true"]')); return [s.color, s.backgroundColor]; }""")
        hexes = ["#" + "".join(f"{int(c):02X}" for c in v[v.index("(") + 1:-1].split(",")[:3]) for v in (ink, ground)]
        assert contrast(*hexes) >= 4.5, hexes
        # a favicon in the page's accent (no request for /favicon.ico), the storyboard linked, og:image the poster
        icon = page.locator('link[rel="icon"]').get_attribute("href")
        assert icon.startswith("data:image/svg+xml") and LIGHT.accents[accents[0]].replace("#", "%23") in icon
        page.locator("a.storyboard img").scroll_into_view_if_needed()
        page.wait_for_function("document.querySelector('a.storyboard img').naturalWidth > 0", timeout=10_000)
        assert page.locator('meta[property="og:image"]').get_attribute("content").endswith("poster.jpg")
    finally:
        server.should_exit = True
        thread.join(timeout=10)


def test_content_is_balanced_on_the_decoded_frames_of_a_built_page(tmp_path: Path) -> None:
    """The same measure on what a viewer gets: each scene's last frame, decoded from the video."""
    from conftest import ESPEAK, decode, make_site, manifest, run

    page = ("---\ntitle: Balance\n---\n\n```scene list\nheader: Three things\nitems: [One, Two, Three]\n```\n\n"
            "```scene code\nheader: Code\ncode: |\n  print('hello')\nlanguage: python\n```\n\n"
            "```scene quote\nquote_text: Simple things should be simple.\nattribution: Alan Kay\n```\n")
    config = ESPEAK.replace("width = 320", "width = 640").replace("height = 180", "height = 360")
    site = make_site(tmp_path / "site", {"content/p.md": page}, config.replace("fps = 30", "fps = 30\ntransition = 0"))
    assert run("build", str(site)).exit_code == 0
    video = decode(site / "output/p/video.mp4")
    h = video.height
    safe_top, safe_bottom = 0.05 * h, 0.95 * h
    for scene, header in zip(manifest(site, "p")["scenes"], (True, True, False)):
        last = max(i for i, t in enumerate(video.frame_times) if t < scene["end"] - 0.05)
        top = 260 / 1080 * h if header else safe_top
        a = video.frames[last].astype(int)
        bg = np.median(a[:, a.shape[1] // 2], axis=0)  # the background, as decoded
        rows = np.flatnonzero((np.abs(a[round(top):, 20:] - bg).max(axis=2) > 24).any(axis=1)) + round(top)
        centre = (rows[0] + rows[-1]) / 2
        assert abs(centre - (top + safe_bottom) / 2) <= 0.1 * (safe_bottom - safe_top), (scene["type"], centre, top)
