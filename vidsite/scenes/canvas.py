"""The drawing primitives every scene type draws with: a Pillow image plus the theme, in
design units (1920×1080) scaled to the real frame.

A scene may show several stills (progressive reveal); the `state` a draw function gets says
how many items are visible (`reveal`) and whether a quiz shows its answer (`answer`).
"""

from __future__ import annotations

import logging
import re
import unicodedata
from functools import lru_cache
from typing import Any, Callable

import numpy as np
from PIL import Image, ImageDraw

from vidsite.render import text as T
from vidsite.render.theme import Theme, contrast
from vidsite.scenes.base import H, W

log = logging.getLogger(__name__)
__all__ = ["Canvas", "H", "W", "drawable"]
Image.MAX_IMAGE_PIXELS = 40_000_000  # Pillow's decompression-bomb guard, at our own bound (parse checks first)
_SAFE_TOP, _SAFE_BOTTOM = 54, 1026  # the title-safe area (5% in from each edge), design units


def _cells(line: str) -> int:
    """Monospace columns a line takes: wide (CJK) characters take two."""
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in line)


class Canvas:
    """Pillow image plus the theme, in design units (1920-wide) scaled to the real frame.

    Draw functions place content from the top; `balance` then moves what sits below the header
    so it is centred in the title-safe area, instead of leaving the bottom half empty."""

    def __init__(self, width: int, height: int, theme: Theme, accent: str, rtl: bool = False) -> None:
        self.s = width / W
        self.sy = height / H
        self.theme = theme
        self.accent = theme.accent(accent)
        self.rtl = rtl
        self.img = Image.new("RGB", (width, height), theme.background)
        self.draw = ImageDraw.Draw(self.img)
        self.m = theme.margin
        self.content_top: float = _SAFE_TOP + (80 if theme.logo else 0)  # design y where balanced content starts
        self.missing: set[str] = set()
        self._chains: dict[str, tuple[str, ...]] = {}

    def px(self, v: float) -> int:
        return round(v * self.s)

    def mx(self, x: float, w: float = 0) -> float:
        """Mirror a box's x for right-to-left slides."""
        return W - x - w if self.rtl else x

    def face(self, style: str, size: float) -> T.Face:
        """The theme's fallback chain for a style at a design size."""
        if style not in self._chains:
            self._chains[style] = self.theme.chain(style)
        return T.Face(self._chains[style], max(6, int(size * self.s)))

    def font_for(self, s: str, font: str) -> str:
        """The file of the chain that has the most of `s`'s glyphs (text is drawn run by run, each
        run in the first file that has it; this answers for a single-script string)."""
        chain = self.face(font, 10).paths
        return max(chain, key=lambda p: (sum(ord(ch) in T.coverage(p) for ch in s), -chain.index(p)))

    def _note_missing(self, s: str, face: T.Face) -> None:
        gone = T.missing(s, face.paths)
        if gone:
            self.missing.update(gone)

    def box(self, x: float, y: float, w: float, h: float, fill: str, radius: float = 18, outline: str | None = None) -> None:
        x = self.mx(x, w)
        self.draw.rounded_rectangle(
            [self.px(x), round(y * self.sy), self.px(x + w), round((y + h) * self.sy)],
            radius=self.px(radius), fill=fill, outline=outline, width=max(1, self.px(4)) if outline else 0,
        )

    def text(self, s: str, x: float, y: float, w: float, h: float, *, size: int, font: str = "font",
             fill: str | None = None, align: str = "left", max_lines: int = 0, min_size: int = 0) -> float:
        """Fit `s` into the box; returns the design-y below what was drawn."""
        if not s:
            return y
        face = self.face(font, size)
        self._note_missing(s, face)
        x = self.mx(x, w)
        block = T.fit(s, face, self.px(w), round(h * self.sy), self.px(min_size) if min_size else 0,
                      max_lines=max_lines)
        if self.rtl and align == "left":
            align = "right"
        end = T.draw_block(self.draw, block, self.px(x), round(y * self.sy), fill or self.theme.text, align, self.px(w))
        return end / self.sy

    def frame(self) -> None:
        """Accent bar down the left edge (right edge for RTL), and the theme's logo top-right."""
        if self.theme.accent_bar:
            bar = self.px(self.theme.accent_bar)
            x0 = self.img.width - bar if self.rtl else 0
            self.draw.rectangle([x0, 0, x0 + bar - 1, self.img.height], fill=self.accent)
        if self.theme.logo:
            logo = _logo(self.theme.asset_path(self.theme.logo), round(72 * self.sy))
            x = self.mx(W - self.m, 0) if self.rtl else W - self.m
            left = self.px(x) if self.rtl else self.px(x) - logo.width
            self.img.paste(logo, (left, round(40 * self.sy)), logo)

    def header(self, title: str, description: str = "") -> float:
        self.frame()
        y = self.text(title, self.m, 80, W - 2 * self.m, 180, size=self.theme.header_size, font="font_bold", max_lines=2)
        if description:
            y = self.text(description, self.m, y + 8, W - 2 * self.m, 70, size=40, fill=self.theme.muted, max_lines=1)
        x = self.mx(self.m, 160)
        self.draw.rectangle([self.px(x), round((y + 24) * self.sy), self.px(x + 160),
                             round((y + 32) * self.sy)], fill=self.accent)
        top = max(y + 70, 260)
        self.content_top = top - 10
        return top

    def balance(self, measured: Canvas | None = None) -> None:
        """Centre the content below `content_top` vertically in the title-safe area. The offset
        comes from `measured` (the same slide fully revealed) so items do not move as they appear."""
        ref = measured or self
        top, bottom = round(ref.content_top * self.sy), round(_SAFE_BOTTOM * self.sy)
        bar = self.px(self.theme.accent_bar) + 1 if self.theme.accent_bar else 0
        x0, x1 = (0, self.img.width - bar) if self.rtl else (bar, self.img.width)
        if bottom - top < 4:
            return
        region = np.asarray(ref.img.crop((x0, top, x1, bottom)), dtype=np.int16)
        bg = np.array(Image.new("RGB", (1, 1), self.theme.background).getpixel((0, 0)), dtype=np.int16)
        rows = np.flatnonzero((np.abs(region - bg).max(axis=2) > 8).any(axis=1))
        if rows.size == 0:
            return
        first, last = top + int(rows[0]), top + int(rows[-1]) + 1
        shift = round((top + bottom) / 2 - (first + last) / 2)
        shift = max(top - first, min(bottom - last, shift))
        if shift <= 0:  # content already fills the area, or sits low: leave it where it was drawn
            return
        strip = self.img.crop((x0, first, x1, last))
        self.draw.rectangle([x0, first, x1 - 1, last - 1], fill=self.theme.background)
        self.img.paste(strip, (x0, first + shift))

    @staticmethod
    def ink_on(fill: str) -> str:
        """Black or white, whichever contrasts more with `fill` (at least 4.58:1 for any colour)."""
        return "#000000" if contrast("#000000", fill) >= contrast("#FFFFFF", fill) else "#FFFFFF"

    def pill(self, label: str, x: float, y: float, fill: str) -> float:
        """A rounded label (problem number, difficulty); returns the x where the next one goes."""
        w = T.width(label, self.face("font_bold", 34)) / self.s + 56
        self.box(x, y, w, 64, fill, radius=32)
        self.text(label, x + 28, y + 10, w, 50, size=34, font="font_bold", fill=self.ink_on(fill), max_lines=1)
        return x + w + 20

    def bullets(self, items: list[str], y: float, shown: int, marker: Callable[[int], str] | None = None,
                x: float | None = None, w: float | None = None, bottom: float = 1010, size: int = 0) -> float:
        """Items one under another, all at one size: the largest (down to 0.6× body size) at which
        every item fits in two lines and the list fits above `bottom`."""
        x = self.m if x is None else x
        w = W - 2 * self.m if w is None else w
        size = size or self.theme.body_size
        indent = 80
        s = float(size)
        while True:
            face = self.face("font", s)
            counts = [len(T.wrap(item, face, self.px(w - indent), 2)) for item in items]
            heights = [min(2, n) * s * 1.25 + s * 0.7 for n in counts]
            if (all(n <= 2 for n in counts) and sum(heights) <= bottom - y) or s <= size * 0.6:
                break
            s = max(size * 0.6, s * 0.92)
        cy = y
        for i, item in enumerate(items):
            if i < shown:
                label = marker(i) if marker else None
                if label:
                    self.text(label, x, cy, indent, s * 1.3, size=round(s), font="font_bold", fill=self.accent,
                              max_lines=1, min_size=round(s))
                else:
                    r = s * 0.22
                    bx = self.mx(x + 10, 2 * r)
                    self.draw.ellipse([self.px(bx), round((cy + s * 0.45) * self.sy), self.px(bx + 2 * r),
                                       round((cy + s * 0.45 + 2 * r) * self.sy)], fill=self.accent)
                self.text(item, x + indent, cy, w - indent, s * 1.25 * 2 + 2, size=round(s), max_lines=2,
                          min_size=round(s))
            cy += heights[i]
        return cy

    def mono_size(self, lines: list[str], w: float, h: float) -> float:
        """The code size a panel of these lines gets: grows to fill (up to 1.5× code_size), shrinks
        down to 0.55×; two panels shown side by side take the smaller of their sizes."""
        lines = [part.replace("\t", "    ") for line in lines for part in line.split("\n")]
        pad, base = 36, self.theme.code_size
        longest = max((_cells(line) for line in lines), default=1) or 1
        size = min(base * 1.5, (w - 2 * pad) / (0.61 * longest), (h - 2 * pad) / (1.35 * max(1, len(lines))))
        return max(size, base * 0.55)

    def mono(self, lines: list[str], x: float, y: float, w: float, h: float, *, prompt: bool = False,
             highlight: str | None = None, size: float | None = None) -> None:
        """A code/terminal panel sized to its content, at `mono_size` unless a size is given; past
        the floor, long lines end in … and extra lines in a `⋯ N more lines` marker."""
        lines = [part.replace("\t", "    ") for line in lines for part in line.split("\n")]  # a command may hold several
        pad = 36
        size = size or self.mono_size(lines, w, h)
        lh = size * 1.35
        rows = max(1, int((h - 2 * pad) // lh))
        cut = len(lines) > rows
        shown = lines[: rows - 1] if cut else lines
        h = min(h, 2 * pad + lh * (len(shown) + cut))
        self.box(x, y, w, h, self.theme.surface)
        x = self.mx(x, w)
        f = self.face("font_mono", size)
        self._note_missing("".join(shown), f)
        colours = _highlight("\n".join(shown), highlight, self.theme) if highlight else None
        lx, maxw = self.px(x + pad), self.px(w - 2 * pad)
        for i, line in enumerate(shown):
            ly = round((y + pad + i * lh) * self.sy)
            if colours:
                cx = lx
                for tok, colour in colours[i]:
                    room = lx + maxw - cx
                    if T.width(tok, f) > room:
                        T.draw_line(self.draw, cx, ly, T.clip_line(tok, f, room), f, colour)
                        break
                    cx = T.draw_line(self.draw, cx, ly, tok, f, colour)
            elif prompt and line.lstrip().startswith("$"):
                cx = T.draw_line(self.draw, lx, ly, "$ ", f, self.accent)
                T.draw_line(self.draw, cx, ly, T.clip_line(line.lstrip()[1:].lstrip(), f, maxw - (cx - lx)), f,
                            self.theme.text)
            else:
                fill = self.theme.muted if prompt and line.lstrip().startswith(("#", "→", "✓")) else self.theme.text
                T.draw_line(self.draw, lx, ly, T.clip_line(line, f, maxw), f, fill)
        if cut:
            ly = round((y + pad + len(shown) * lh) * self.sy)
            T.draw_line(self.draw, lx, ly, f"⋯ {len(lines) - len(shown)} more lines", f, self.accent)


def _highlight(code: str, language: str, theme: Theme) -> list[list[tuple[str, str]]]:
    """Per line of `code`, (text, colour) runs from Pygments. Colours are placed by character offset
    in the code as given (`get_tokens_unprocessed`), because a lexer's own preprocessing may drop
    or add blank lines: the runs of line i always spell exactly line i."""
    from pygments.lexers import TextLexer, get_lexer_by_name
    from pygments.styles import get_style_by_name
    from pygments.util import ClassNotFound

    try:
        lexer = get_lexer_by_name(language or "text")
    except ClassNotFound:
        lexer = TextLexer()
    try:
        style = get_style_by_name(theme.code_style)
    except ClassNotFound:
        style = get_style_by_name("monokai")
    colour = [theme.text] * len(code)
    try:
        for index, ttype, value in lexer.get_tokens_unprocessed(code):
            found = _token_colour(style, ttype)
            if found and 0 <= index < len(code):
                colour[index:index + len(value)] = [f"#{found}"] * min(len(value), len(code) - index)
    except Exception:  # noqa: BLE001 - a lexer bug costs the colours, never the slide
        log.debug("highlighting %s failed; drawing plain text", language, exc_info=True)
        colour = [theme.text] * len(code)
    lines: list[list[tuple[str, str]]] = []
    at = 0
    for line in code.split("\n"):
        runs: list[tuple[str, str]] = []
        for i, ch in enumerate(line):
            c = colour[at + i]
            if runs and runs[-1][1] == c:
                runs[-1] = (runs[-1][0] + ch, c)
            else:
                runs.append((ch, c))
        lines.append(runs)
        at += len(line) + 1
    return lines


@lru_cache(maxsize=8)
def _logo(path: str, height: int) -> Image.Image:
    with Image.open(path) as im:
        im = im.convert("RGBA")
        return im.resize((max(1, round(im.width * height / im.height)), height), Image.Resampling.LANCZOS)


def _token_colour(style: Any, ttype: Any) -> str | None:
    """The style's colour for a token type; lexers may invent types a style lacks, so walk up."""
    while True:
        try:
            return style.style_for_token(ttype).get("color")
        except KeyError:
            if ttype.parent is None:
                return None
            ttype = ttype.parent


_UNDRAWABLE = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\ud800-\udfff]")  # controls (not \t \n), lone surrogates


def drawable(value: Any) -> Any:
    """Field text without what no font can draw and text layout rejects (control characters make
    raqm fail); everything else is drawn as written."""
    if isinstance(value, str):
        return _UNDRAWABLE.sub("", value)
    if isinstance(value, list):
        return [drawable(v) for v in value]
    if isinstance(value, dict):
        return {k: drawable(v) for k, v in value.items()}
    return value
