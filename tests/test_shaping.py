"""Arabic and Hebrew slides render joined and in order on a machine without the system's fribidi:
Pillow then has no raqm layout, and vidsite shapes with HarfBuzz from the uharfbuzz wheel.

The machine's fribidi is hidden in a child process the way Pillow sees a machine without it
(`PIL._imagingft.HAVE_RAQM` false: every font falls back to the basic layout)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from fontTools.ttLib import TTFont
from PIL import Image, features

from vidsite.render import shaping
from vidsite.render.slides import render
from vidsite.render.theme import FONTS_DIR, load_theme

SLIDES = {  # name: (type, fields, whether an unshaped render would differ: Hebrew needs order only)
    "arabic-quote": ("quote", {"quote_text": "الحكمة ضالة المؤمن، فحيث وجدها فهو أحق بها", "attribution": "حديث"}, True),
    "hebrew-list": ("list", {"header": "רשימה עברית", "description": "",
                             "items": ["שלום עולם", "ספר אחד ועוד ספר", "קוד בשם main.py כאן"]}, False),
    "hindi-title": ("title", {"title": "हिन्दी पाठ क्षत्रिय", "subtitle": ""}, True),
}
# Renders the slides in a process where Pillow has no raqm layout; with `nohb`, no uharfbuzz either.
CHILD = """
import json, sys
import PIL._imagingft as ft
ft.HAVE_RAQM = False
if sys.argv[2] == "nohb":
    sys.modules["uharfbuzz"] = None
from vidsite.render import shaping
from vidsite.render.slides import render
from vidsite.render.theme import load_theme
theme = load_theme("default", None)
for name, (kind, fields, _) in json.loads(sys.argv[3]).items():
    render(kind, fields, {}, theme, "blue", 640, 360).save(f"{sys.argv[1]}/{name}.png")
print(shaping.ENGINE)
"""


def _render_hidden(out: Path, mode: str) -> str:
    out.mkdir()
    done = subprocess.run([sys.executable, "-c", CHILD, str(out), mode, json.dumps(SLIDES)],
                          check=False, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    return done.stdout.strip().splitlines()[-1]


def _ink(img: Image.Image) -> np.ndarray:
    a = np.asarray(img.convert("L"), dtype=int)
    return np.abs(a - a[5, 320]) > 60  # away from the background (sampled beside the accent bar)


def _overlap(a: Image.Image, b: Image.Image) -> float:
    """Intersection over union of the two slides' ink."""
    x, y = _ink(a), _ink(b)
    return (x & y).sum() / max(1, (x | y).sum())


def _names(text: str, font: str, rtl: bool) -> tuple[list[str], list[str]]:
    """The glyphs HarfBuzz draws, left to right, and the characters' own (unshaped) glyphs."""
    path = str(FONTS_DIR / font)
    tt = TTFont(path)
    order, cmap = tt.getGlyphOrder(), tt.getBestCmap()
    glyphs, _ = shaping.shaped(text, path, 40, rtl)
    return [order[g] for g, _, _ in glyphs], [cmap[ord(ch)] for ch in text]


def test_harfbuzz_joins_arabic_and_orders_right_to_left() -> None:
    drawn, nominal = _names("سلام", "NotoSansArabic-Regular.ttf", True)
    # seen takes its initial form, lam + alef their ligature, and the word is drawn from its end
    assert drawn == ["uni0645", "uniFEFC", "uniFEB3"], drawn
    assert nominal == ["uni0633", "uni0644", "uni0627", "uni0645"]
    drawn, nominal = _names("שלום", "NotoSansHebrew-Regular.ttf", True)
    assert drawn == nominal[::-1]
    drawn, nominal = _names("क्षत्रिय", "NotoSansDevanagari-Regular.ttf", False)
    assert "kassadeva" in drawn and len(drawn) < len(nominal)  # the conjunct is one glyph


def test_slides_without_fribidi_match_the_shaped_reference(tmp_path: Path) -> None:
    if not features.check("raqm"):
        pytest.skip("this machine has no raqm layout to render the reference with")
    assert _render_hidden(tmp_path / "hb", "hb") == "harfbuzz"
    assert _render_hidden(tmp_path / "basic", "nohb") == "basic"
    theme = load_theme("default", None)
    for name, (kind, fields, joined) in SLIDES.items():
        reference = render(kind, fields, {}, theme, "blue", 640, 360)
        shaped = Image.open(tmp_path / "hb" / f"{name}.png").convert("RGB")
        unshaped = Image.open(tmp_path / "basic" / f"{name}.png").convert("RGB")
        good, bad = _overlap(shaped, reference), _overlap(unshaped, reference)
        assert good > 0.85, (name, good)  # the same glyphs in the same places, rasterised by HarfBuzz
        if joined:  # unjoined letters, or Devanagari without its conjuncts, would not pass
            assert bad < good - 0.2, (name, good, bad)
