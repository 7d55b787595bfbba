"""Slides: golden frames per scene type, themes and overrides, text that fits, scripts and direction."""

from __future__ import annotations

import shutil
from pathlib import Path

import numpy as np
import pytest
from PIL import Image, ImageFont

from conftest import FIXTURES, decode, manifest, run
from golden import GOLDEN, render_all
from vidsite.render.slides import render
from vidsite.render.theme import load_theme

THEME = load_theme("default", None)


def _diff(a: Image.Image, b: Image.Image) -> np.ndarray:
    return np.abs(np.asarray(a, dtype=int) - np.asarray(b, dtype=int))


def test_golden_frame_per_scene_type() -> None:
    """Regenerate with `python tests/golden.py` after an intended visual change."""
    frames = render_all()
    assert len(frames) == 15
    for name, image in frames.items():
        golden = Image.open(GOLDEN / f"{name}.png").convert("RGB")
        d = _diff(image, golden)
        assert d.mean() < 1.0 and (d.max(axis=2) > 48).mean() < 0.005, f"{name} differs from tests/golden/{name}.png"


def test_every_scene_type_builds(tmp_path: Path) -> None:
    site = tmp_path / "all"
    shutil.copytree(FIXTURES / "all-scenes", site)
    result = run("build", str(site))
    assert result.exit_code == 0, result.output
    m = manifest(site, "every-type")
    assert len({s["type"] for s in m["scenes"]}) == 15
    quiz = next(s for s in m["scenes"] if s["type"] == "quiz")
    assert len(quiz["reveals"]) == 4, "three options, then the answer after a pause"
    assert quiz["reveals"][-1] - quiz["reveals"][-2] > 1.0
    d = decode(site / "output/every-type/video.mp4")
    assert abs(d.video_end - d.audio_end) <= 1 / 30


def _frame_at_scene(site: Path, page: str, k: int) -> np.ndarray:
    m = manifest(site, page)
    d = decode(site / f"output/{page}/video.mp4")
    return d.frame_at(m["scenes"][k]["start"] + 0.05)


PAGE = {"content/p.md": "```scene title\ntitle: Theme test\nnarration: Hi.\n```\n"}


def test_layouts_theme_toml_changes_pixels_and_page_html_changes_html(site_factory) -> None:
    plain = site_factory(PAGE, name="plain")
    themed = site_factory({**PAGE, "layouts/theme.toml": 'background = "#7F1D1D"\n[accents]\nblue = "#FACC15"\n',
                           "layouts/page.html": '{% extends "base.html" %}{% block main %}<p id="custom">'
                                                '{{ page.title }}</p><video src="{{ files.video }}"></video>{% endblock %}'},
                          name="themed")
    for site in (plain, themed):
        assert run("build", str(site)).exit_code == 0
    a, b = _frame_at_scene(plain, "p", 0), _frame_at_scene(themed, "p", 0)
    assert np.abs(a[90, 160].astype(int) - [0x0F, 0x17, 0x2A]).max() < 16  # default background
    assert np.abs(b[90, 160].astype(int) - [0x7F, 0x1D, 0x1D]).max() < 16  # overridden background
    assert np.abs(b[90, 1].astype(int) - [0xFA, 0xCC, 0x15]).max() < 24  # overridden accent
    html = (themed / "output/p/index.html").read_text()
    assert '<p id="custom">Theme test</p>' in html and "Transcript" not in html
    assert "Transcript" in (plain / "output/p/index.html").read_text()


def test_theme_logo_is_drawn(tmp_path: Path) -> None:
    Image.new("RGB", (100, 50), "#FF00FF").save(tmp_path / "logo.png")
    (tmp_path / "theme.toml").write_text('logo = "logo.png"\n')
    img = np.asarray(render("list", {"header": "H", "description": "", "items": ["a"]}, {},
                            load_theme("default", tmp_path), "blue", 960, 540), dtype=int)
    magenta = (np.abs(img - [255, 0, 255]).max(axis=2) < 10)
    ys, xs = np.nonzero(magenta)
    assert magenta.sum() > 1000 and xs.min() > 480 and ys.max() < 100, "logo not at the top right"


def test_light_theme_is_selectable(site_factory) -> None:
    site = site_factory(PAGE, config='title = "x"\ntheme = "light"\n[video]\nwidth = 320\nheight = 180\n')
    assert run("build", str(site)).exit_code == 0
    pixel = _frame_at_scene(site, "p", 0)[90, 160].astype(int)
    assert pixel.min() > 220, pixel


def test_unknown_theme_key_is_an_error(site_factory) -> None:
    site = site_factory({**PAGE, "layouts/theme.toml": 'backgroud = "#000000"\n'})
    result = run("build", str(site))
    assert result.exit_code == 1 and "layouts/theme.toml" in result.output and "backgroud" in result.output


def _blank(theme=THEME, w: int = 960, h: int = 540) -> Image.Image:
    return render("markdown", {"header": "", "text": " "}, {}, theme, "blue", w, h)


def test_long_text_and_code_stay_on_the_slide() -> None:
    code = "\n".join(f"line_{i} = {'x' * 300}" for i in range(200))
    img = render("code", {"header": "Huge", "code": code, "language": "python", "caption": ""}, {}, THEME, "blue", 960, 540)
    a = np.asarray(img, dtype=int)
    bg = np.array([0x0F, 0x17, 0x2A])
    margin = round(120 * 960 / 1920)
    assert np.abs(a[:, -margin + 2:] - bg).max() < 8, "code drawn into the right margin"
    assert np.abs(a[-20:, 20:] - bg).max() < 8, "code drawn below the slide's bottom margin"
    # the `⋯ N more lines` marker is drawn in the accent colour inside the panel
    accent = np.array([0x3B, 0x82, 0xF6])
    assert (np.abs(a[300:520, margin:] - accent).max(axis=2) < 40).sum() > 20
    title = render("title", {"title": "word " * 200, "subtitle": "sub " * 100}, {}, THEME, "blue", 960, 540)
    t = np.asarray(title, dtype=int)
    assert np.abs(t[-10:, 20:] - bg).max() < 8 and np.abs(t[:, -margin + 2:] - bg).max() < 8


def _tofu(font_path: str, text: str) -> list[str]:
    """Characters the font draws as its missing-glyph box."""
    font = ImageFont.truetype(font_path, 40)
    notdef = font.getmask("\ue000").getbbox(), bytes(font.getmask("\ue000"))
    return [ch for ch in text if not ch.isspace() and (font.getmask(ch).getbbox(), bytes(font.getmask(ch))) == notdef]


@pytest.mark.parametrize("text", ["日本語のスライド", "中文字幕", "مرحبا بالعالم", "שלום עולם"])
def test_non_latin_text_has_real_glyphs(text: str) -> None:
    from vidsite.render.slides import Canvas

    canvas = Canvas(960, 540, THEME, "blue")
    assert _tofu(canvas.font_for(text, "font"), text) == []
    img = render("title", {"title": text, "subtitle": ""}, {}, THEME, "blue", 960, 540)
    assert _diff(img, render("title", {"title": " ", "subtitle": ""}, {}, THEME, "blue", 960, 540)).sum() > 10_000


def test_rtl_slides_are_mirrored() -> None:
    fields = {"header": "قائمة", "description": "", "items": ["واحد", "اثنان"]}
    ltr = np.asarray(render("list", fields, {}, THEME, "blue", 960, 540), dtype=int)
    rtl = np.asarray(render("list", fields, {}, THEME, "blue", 960, 540, rtl=True), dtype=int)
    accent = np.array([0x3B, 0x82, 0xF6])
    assert np.abs(ltr[270, 2] - accent).max() < 8 and np.abs(rtl[270, -3] - accent).max() < 8
    # text mass moves to the right half
    ink = lambda a: (np.abs(a - a[5, 480]).max(axis=2) > 60)  # noqa: E731
    assert ink(ltr)[:, :480].sum() > ink(ltr)[:, 480:].sum() and ink(rtl)[:, 480:].sum() > ink(rtl)[:, :480].sum()
