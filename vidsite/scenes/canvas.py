"""The drawing primitives every scene type draws with: a Pillow image plus the theme, in
design units (1920×1080) scaled to the real frame.

A scene may show several stills (progressive reveal); the `state` a draw function gets says
how many items are visible (`reveal`) and whether a quiz shows its answer (`answer`).
"""

from __future__ import annotations

import logging
import re
from functools import lru_cache
from typing import Any, Callable

from PIL import Image, ImageDraw

from vidsite.render import text as T
from vidsite.render.theme import Theme
from vidsite.scenes.base import H, W

log = logging.getLogger(__name__)
__all__ = ["Canvas", "H", "W", "drawable"]
Image.MAX_IMAGE_PIXELS = 40_000_000  # Pillow's decompression-bomb guard, at our own bound (parse checks first)
_CJK = re.compile(r"[\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\uff00-\uffef\u3000-\u303f]")


class Canvas:
    """Pillow image plus the theme, in design units (1920-wide) scaled to the real frame."""

    def __init__(self, width: int, height: int, theme: Theme, accent: str, rtl: bool = False) -> None:
        self.s = width / W
        self.sy = height / H
        self.theme = theme
        self.accent = theme.accent(accent)
        self.rtl = rtl
        self.img = Image.new("RGB", (width, height), theme.background)
        self.draw = ImageDraw.Draw(self.img)
        self.m = theme.margin

    def px(self, v: float) -> int:
        return round(v * self.s)

    def mx(self, x: float, w: float = 0) -> float:
        """Mirror a box's x for right-to-left slides."""
        return W - x - w if self.rtl else x

    def font_for(self, s: str, font: str) -> str:
        """The theme's font, or its CJK font when the text needs one (DejaVu has no CJK glyphs)."""
        if _CJK.search(s):
            return self.theme.asset_path(self.theme.font_cjk)
        return self.theme.asset_path(getattr(self.theme, font))

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
        path = self.font_for(s, font)
        x = self.mx(x, w)
        block = T.fit(s, path, self.px(w), round(h * self.sy), self.px(size), self.px(min_size) if min_size else 0,
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
        return max(y + 70, 260)

    def pill(self, label: str, x: float, y: float, fill: str) -> float:
        """A rounded label (problem number, difficulty); returns the x where the next one goes."""
        path = self.theme.asset_path(self.theme.font_bold)
        w = T.width(label, T.font(path, self.px(34))) / self.s + 56
        self.box(x, y, w, 64, fill, radius=32)
        self.text(label, x + 28, y + 10, w, 50, size=34, font="font_bold", fill=self.theme.background, max_lines=1)
        return x + w + 20

    def bullets(self, items: list[str], y: float, shown: int, marker: Callable[[int], str] | None = None,
                x: float | None = None, w: float | None = None, bottom: float = 1010, size: int = 0) -> float:
        x = self.m if x is None else x
        w = W - 2 * self.m if w is None else w
        size = size or self.theme.body_size
        n = max(1, len(items))
        step = min((bottom - y) / n, size * 3.2)
        for i, item in enumerate(items[:shown]):
            cy = y + i * step
            label = marker(i) if marker else None
            if label:
                self.text(label, x, cy, 80, step, size=size, font="font_bold", fill=self.accent, max_lines=1)
            else:
                r = size * 0.22
                bx = self.mx(x + 10, 2 * r)
                self.draw.ellipse([self.px(bx), round((cy + size * 0.45) * self.sy), self.px(bx + 2 * r),
                                   round((cy + size * 0.45 + 2 * r) * self.sy)], fill=self.accent)
            self.text(item, x + 80, cy, w - 80, step - 8, size=size, max_lines=2, min_size=int(size * 0.6))
        return y + n * step

    def mono(self, lines: list[str], x: float, y: float, w: float, h: float, *, prompt: bool = False,
             highlight: str | None = None) -> None:
        """A code/terminal panel sized to its content. Text grows to fill it (up to 1.5× code_size) and
        shrinks down to 0.55×; past that, long lines end in … and extra lines in a `⋯ N more lines` marker."""
        lines = [part.replace("\t", "    ") for line in lines for part in line.split("\n")]  # a command may hold several
        pad = 36
        base = self.theme.code_size
        longest = max((len(line) for line in lines), default=1) or 1
        size = min(base * 1.5, (w - 2 * pad) / (0.61 * longest), (h - 2 * pad) / (1.35 * max(1, len(lines))))
        size = max(size, base * 0.55)
        lh = size * 1.35
        rows = max(1, int((h - 2 * pad) // lh))
        cut = len(lines) > rows
        shown = lines[: rows - 1] if cut else lines
        h = min(h, 2 * pad + lh * (len(shown) + cut))
        self.box(x, y, w, h, self.theme.surface)
        x = self.mx(x, w)
        f = T.font(self.theme.asset_path(self.theme.font_mono), int(size * self.s))  # floor: never wider than measured
        colours = _highlight("\n".join(shown), highlight, self.theme) if highlight else None
        lx, maxw = self.px(x + pad), self.px(w - 2 * pad)
        for i, line in enumerate(shown):
            ly = round((y + pad + i * lh) * self.sy)
            if colours:
                cx = lx
                for tok, colour in colours[i]:
                    room = lx + maxw - cx
                    if T.width(tok, f) > room:
                        self.draw.text((cx, ly), T.clip_line(tok, f, room), font=f, fill=colour)
                        break
                    self.draw.text((cx, ly), tok, font=f, fill=colour)
                    cx += T.width(tok, f)
            elif prompt and line.lstrip().startswith("$"):
                self.draw.text((lx, ly), "$", font=f, fill=self.accent)
                self.draw.text((lx + T.width("$ ", f), ly), T.clip_line(line.lstrip()[1:].lstrip(), f, maxw), font=f,
                               fill=self.theme.text)
            else:
                fill = self.theme.muted if prompt and line.lstrip().startswith(("#", "→", "✓")) else self.theme.text
                self.draw.text((lx, ly), T.clip_line(line, f, maxw), font=f, fill=fill)
        if cut:
            ly = round((y + pad + len(shown) * lh) * self.sy)
            self.draw.text((lx, ly), f"⋯ {len(lines) - len(shown)} more lines", font=f, fill=self.accent)


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
