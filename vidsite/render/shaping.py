"""Shaping one run of text (Arabic joining, Devanagari conjuncts, right-to-left order), on any machine.

Pillow shapes with its raqm layout only where the system has libfribidi; a virtualenv on a bare
machine has Pillow's basic layout, which draws Arabic as unjoined letters in the wrong order.
There the run is shaped by HarfBuzz from the uharfbuzz wheel and its glyphs rasterised by
HarfBuzz's own rasteriser, so slides look the same with or without the system library.
`ENGINE` says which ran: "raqm", "harfbuzz", or "basic" (neither: unshaped, with a warning).
"""

from __future__ import annotations

import logging
from functools import lru_cache
from typing import Any

from PIL import Image, ImageDraw, ImageFont, features

log = logging.getLogger(__name__)


def _engine() -> str:
    if features.check("raqm"):
        return "raqm"
    try:
        import uharfbuzz  # noqa: F401
    except ImportError:
        log.warning("no text shaper: Pillow has no raqm layout (libfribidi missing) and uharfbuzz is not "
                    "installed; Arabic and Hebrew are drawn unjoined. pip install uharfbuzz, or install "
                    "libfribidi (apt-get install libfribidi0)")
        return "basic"
    log.info("Pillow has no raqm layout (libfribidi missing): shaping text with uharfbuzz")
    return "harfbuzz"


ENGINE = _engine()


@lru_cache(maxsize=64)
def _hb_font(path: str, size: int) -> Any:
    """A HarfBuzz font at `size` pixels per em, positions in 26.6 fixed point (1/64 px)."""
    import uharfbuzz as hb

    f = hb.Font(_hb_face(path))
    f.scale = (size * 64, size * 64)
    return f


@lru_cache(maxsize=32)
def _hb_face(path: str) -> Any:
    import uharfbuzz as hb

    return hb.Face(hb.Blob.from_file_path(path))


@lru_cache(maxsize=4096)
def shaped(segment: str, path: str, size: int, rtl: bool) -> tuple[tuple[tuple[int, float, float], ...], float]:
    """HarfBuzz's glyphs for the run in drawing order, left to right: (glyph id, x, y) in pixels
    from the pen's start on the baseline (y up), and the run's advance."""
    import uharfbuzz as hb

    buf = hb.Buffer()
    buf.add_str(segment)
    buf.direction = "rtl" if rtl else "ltr"
    buf.guess_segment_properties()
    hb.shape(_hb_font(path, size), buf, {})
    glyphs, x = [], 0
    for info, pos in zip(buf.glyph_infos, buf.glyph_positions):
        glyphs.append((info.codepoint, (x + pos.x_offset) / 64, pos.y_offset / 64))
        x += pos.x_advance
    return tuple(glyphs), x / 64


def length(segment: str, f: ImageFont.FreeTypeFont, rtl: bool = False) -> float:
    """The run's advance width in pixels, as it will be drawn."""
    if ENGINE == "harfbuzz":
        return shaped(segment, str(f.path), int(f.size), rtl)[1]
    return f.getlength(segment)


def draw(draw_: ImageDraw.ImageDraw, x: float, baseline: float, segment: str, f: ImageFont.FreeTypeFont, fill: str,
         rtl: bool) -> float:
    """Draw one run (one font, one direction) with its pen starting at x on the baseline; returns
    the x after it."""
    if ENGINE == "raqm":
        draw_.text((x, baseline), segment, font=f, fill=fill, anchor="ls", direction="rtl" if rtl else "ltr")
    elif ENGINE == "harfbuzz":
        mask, left, top = _raster(segment, str(f.path), int(f.size), rtl, round(x % 1 * 4) / 4)
        if mask is not None:
            draw_.bitmap((int(x) + left, round(baseline) - top), mask, fill=fill)
    else:
        draw_.text((x, baseline), segment[::-1] if rtl else segment, font=f, fill=fill, anchor="ls")
    return x + length(segment, f, rtl)


@lru_cache(maxsize=2048)
def _raster(segment: str, path: str, size: int, rtl: bool, frac: float) -> tuple[Image.Image | None, int, int]:
    """The run's coverage mask, rasterised by HarfBuzz with the pen at `frac` of a pixel, and where
    its top-left corner sits: pixels right of the pen's whole pixel, and above the baseline. The
    pen's fraction comes in quarter pixels: close enough to the line, and few cache entries."""
    import uharfbuzz as hb

    raster = hb.RasterDraw()
    hb_font = _hb_font(path, size)
    glyphs, _ = shaped(segment, path, size, rtl)
    for gid, gx, gy in glyphs:
        raster.transform = (1 / 64, 0, 0, 1 / 64, gx + frac, gy)
        raster.draw_glyph(hb_font, gid)
    image = raster.render()
    e = image.extents if image is not None else None
    if e is None or not e.width or not e.height:
        return None, 0, 0
    mask = Image.frombuffer("L", (e.width, e.height), image.buffer, "raw", "L", e.stride, -1)  # rows bottom-up
    return mask.copy(), e.x_origin, e.y_origin + e.height
