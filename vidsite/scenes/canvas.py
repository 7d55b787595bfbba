"""The drawing primitives every scene type draws with: a Pillow image plus the theme, in
design units (1920×1080) scaled to the real frame.

A scene may show several stills (progressive reveal); the `state` a draw function gets says
how many items are visible (`reveal`) and whether a quiz shows its answer (`answer`).
"""

from __future__ import annotations

import logging
import re
from dataclasses import replace
from functools import lru_cache
from typing import Any, Callable

from PIL import Image, ImageChops, ImageDraw

from vidsite.content.auto import cells
from vidsite.messages import n_
from vidsite.render import text as T
from vidsite.render.inline import Marks, spans
from vidsite.render.theme import Theme, contrast
from vidsite.scenes.base import BODY_MIN, LEGIBLE, H, W
from vidsite.scenes.code import (
    ADVANCE,
    LINE_HEIGHT,
    MIN_CODE_SIZE,
    PAD,
    continuation,
    mix,
    wrap_spans,
)

log = logging.getLogger(__name__)
__all__ = ["Canvas", "H", "W", "drawable"]
Image.MAX_IMAGE_PIXELS = 40_000_000  # Pillow's decompression-bomb guard, at our own bound (parse checks first)
_SAFE_TOP, _SAFE_BOTTOM = 54, 1026  # the title-safe area (5% in from each edge), design units


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
        self.drawn: list[str] = []  # the text drawn at LEGIBLE size or larger, markup removed: what a viewer can read
        self.overflow = False  # body text did not fit at BODY_MIN and was cut: the scene needs another slide
        self._chains: dict[str, tuple[str, ...]] = {}
        self._ink: dict[tuple[int, int, int, int], tuple[int, int, int, int] | None] = {}  # see `balance`

    def px(self, v: float) -> int:
        return round(v * self.s)

    def mx(self, x: float, w: float = 0) -> float:
        """Mirror a box's x for right-to-left slides."""
        return W - x - w if self.rtl else x

    def chain(self, style: str) -> tuple[str, ...]:
        """The theme's fallback chain of font files for a style."""
        if style not in self._chains:
            self._chains[style] = self.theme.chain(style)
        return self._chains[style]

    def face(self, style: str, size: float) -> T.Face:
        """The theme's fallback chain for a style at a design size."""
        return T.Face(self.chain(style), max(6, int(size * self.s)))

    def rich(self, s: str, font: str = "font") -> str | T.Rich:
        """`s` with its inline markup as runs in their looks; a plain string where it has none,
        so plain text is drawn exactly as it always was."""
        parts = spans(s)
        if all(not marks for _, marks in parts):
            return "".join(t for t, _ in parts)
        return tuple((t, self._look(marks, font)) for t, marks in parts)

    def _look(self, marks: Marks, font: str) -> T.Look:
        """Code and keys in the monospace face on a tint (keys outlined), bold and italic in theirs
        (a bold header stays bold), links in the accent colour, underlined."""
        code, key = "code" in marks, "kbd" in marks
        if code or key:
            style = "font_mono"
        elif "bold" in marks:
            style = "font_bold"
        elif "italic" in marks and font != "font_bold":
            style = "font_italic"
        else:
            style = font
        return T.Look(self.chain(style), fill=self.accent if "link" in marks else None,
                      tint=40 if code else 24 if key else 0, outline=110 if key else 0,
                      pad=0.25 if key else 0.18 if code else 0.0, underline="link" in marks, strike="strike" in marks)

    @property
    def on_grid(self) -> bool:
        """Text is laid out on the 1080p design grid and drawn scaled (a frame smaller than 1080p
        of the same shape): every output size breaks lines where 1080p does (see `block`)."""
        return self.s < 1 and abs(self.s - self.sy) < 1e-9

    def _measure(self, font: str, size: float) -> tuple[T.Face, float]:
        """The face text is measured in at a design size, and the factor from its pixels to design units."""
        if self.on_grid:
            return T.Face(self.chain(font), max(6, int(size))), 1.0
        return self.face(font, size), self.s

    def lines(self, s: str, w: float, size: float, font: str = "font", max_lines: int = 0) -> int:
        """How many lines `s` takes wrapped to width w (design units) at `size`."""
        face, _ = self._measure(font, size)
        return len(T.wrap(self.rich(s, font), face, w if self.on_grid else self.px(w), max_lines))

    def width(self, s: str, size: float, font: str = "font") -> float:
        """Width of `s` unwrapped (its widest line), in design units."""
        face, scale = self._measure(font, size)
        lines = T.wrap(T.rich(self.rich(s, font), face), face, float("inf"))
        return max((T.rich_width(line, face.size) for line in lines), default=0.0) / scale

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

    def block(self, s: str, w: float, h: float, *, size: int, font: str = "font", max_lines: int = 0,
              min_size: int = 0) -> T.Block:
        """`s` laid out in a box w×h (design units): the largest size down to `min_size` at which it fits.
        A frame smaller than 1080p breaks its lines on the 1080p grid and draws them scaled down, so a
        draft, a preview and the final video show the same words on the same lines (fitting at a
        small pixel size anew loses a line here and there to rounding)."""
        content = self.rich(s, font)
        if self.on_grid:
            grid = T.fit(content, T.Face(self.chain(font), max(6, int(size))), w, h, min_size, max_lines=max_lines)
            return replace(grid, face=grid.face.at(int(grid.face.size * self.s)),
                           line_height=max(1, round(grid.line_height * self.s)))
        return T.fit(content, self.face(font, size), self.px(w), round(h * self.sy),
                     self.px(min_size) if min_size else 0, max_lines=max_lines)

    def text(self, s: str, x: float, y: float, w: float, h: float, *, size: int, font: str = "font",
             fill: str | None = None, align: str = "left", max_lines: int = 0, min_size: int = 0,
             body: bool = False) -> float:
        """Fit `s` (its inline markup drawn as styles) into the box; returns the design-y below what was drawn.
        `body` text shrinks no further than BODY_MIN, and where it is cut the canvas notes `overflow`."""
        content = self.rich(s, font) if s else ""
        if not content:
            return y
        if body:
            min_size = max(min_size, min(size, BODY_MIN))
        face = self.face(font, size)
        self._note_missing(content if isinstance(content, str) else T.chars(content), face)
        x = self.mx(x, w)
        block = self.block(s, w, h, size=size, font=font, max_lines=max_lines, min_size=min_size)
        if body and len(block.shown) < len(content if isinstance(content, str) else T.chars(content)):
            self.overflow = True
        if block.face.size >= self.face(font, LEGIBLE).size and block.shown.strip():
            self.drawn.append(block.shown)
        if self.rtl and align == "left":
            align = "right"
        end = T.draw_block(self.img, block, self.px(x), round(y * self.sy), fill or self.theme.text, align, self.px(w))
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
            y = self.text(description, self.m, y + 8, W - 2 * self.m, 150, size=40, fill=self.theme.muted, max_lines=3)
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
        area = (x0, top, x1, bottom)
        if area not in ref._ink:  # measured once per fully revealed slide, however many reveal states it has
            region = ref.img.crop(area)  # ink: a channel more than 8 levels off the background
            ink = ImageChops.difference(region, Image.new("RGB", region.size, self.theme.background))
            ref._ink[area] = ink.point(lambda v: 255 if v > 8 else 0).getbbox()  # in C: 2 ms a 1080p slide
        box = ref._ink[area]
        if box is None:
            return
        first, last = top + box[1], top + box[3]
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

    def legible(self, colour: str, background: str) -> str:
        """`colour` moved toward the theme's text colour as little as it takes to read at WCAG AA
        (4.5:1) on `background`: an accent that reads on the slide may be too faint on a panel."""
        for step in range(11):
            found = mix(colour, self.theme.text, step / 10)
            if contrast(found, background) >= 4.5:
                return found
        return self.theme.text

    def pill(self, label: str, x: float, y: float, fill: str) -> float:
        """A rounded label (problem number, difficulty); returns the x where the next one goes.
        An empty label (a word the page's language has no reviewed translation for) draws nothing."""
        if not label:
            return x
        w = T.width(label, self.face("font_bold", 34)) / self.s + 56
        self.box(x, y, w, 64, fill, radius=32)
        self.text(label, x + 28, y + 10, w, 50, size=34, font="font_bold", fill=self.ink_on(fill), max_lines=1)
        return x + w + 20

    def bullets(self, items: list[str], y: float, shown: int, marker: Callable[[int], str] | None = None,
                x: float | None = None, w: float | None = None, bottom: float = 1010, size: int = 0) -> float:
        """Items one under another, all at one size: the largest, down to BODY_MIN, at which every
        item fits in two lines and the list fits above `bottom`; at BODY_MIN an item may take four.
        Items that still do not fit are left off (the canvas notes `overflow`: the list continues on
        another slide, see `vidsite.scenes.paging`), never drawn smaller."""
        x = self.m if x is None else x
        w = W - 2 * self.m if w is None else w
        size = size or self.theme.body_size
        floor = min(size, BODY_MIN)
        indent = 80
        s = float(size)
        while True:
            counts = [self.lines(item, w - indent, s, max_lines=4) for item in items]
            heights = [min(4, n) * s * 1.25 + s * 0.7 for n in counts]
            if (all(n <= 2 for n in counts) and sum(heights) <= bottom - y) or s <= floor:
                break
            s = max(floor, s * 0.92)
        cy = y
        for i, item in enumerate(items):
            if cy + heights[i] - s * 0.7 > bottom + 1:
                self.overflow = True
                break
            if i < shown:
                self.marker(marker(i) if marker else "", x, cy, indent, s)
                self.text(item, x + indent, cy, w - indent, s * 1.25 * min(4, counts[i]) + 2, size=round(s),
                          max_lines=4, min_size=round(s), body=True)
            cy += heights[i]
        return cy

    def corner(self, label: str) -> None:
        """A small label in the top corner opposite the accent bar (a continued slide's "2/3")."""
        if label:
            self.text(label, W - self.m - 300, 30, 300, 50, size=32, fill=self.theme.muted, align="right", max_lines=1)
            self.content_top = max(self.content_top, 90)  # `balance` leaves it where it is

    def marker(self, label: str, x: float, y: float, w: float, s: float) -> None:
        """A list item's marker at the start of a line of size s: its label ("1.") in the accent
        colour, or a dot."""
        if label:
            self.text(label, x, y, w, s * 1.3, size=round(s), font="font_bold", fill=self.accent, max_lines=1,
                      min_size=round(s))
            return
        r = s * 0.22
        bx = self.mx(x + 10, 2 * r)
        self.draw.ellipse([self.px(bx), round((y + s * 0.45) * self.sy), self.px(bx + 2 * r),
                           round((y + s * 0.45 + 2 * r) * self.sy)], fill=self.accent)

    def mono_size(self, lines: list[str], w: float, h: float) -> float:
        """The code size a panel of these lines gets: grows to fill (up to 1.5× code_size), shrinks
        as far as MIN_CODE_SIZE and no further (a longer block is paged by `split_code`, a wider line
        wraps); two panels shown side by side take the smaller of their sizes."""
        lines = [part.replace("\t", "    ") for line in lines for part in line.split("\n")]
        base = self.theme.code_size
        longest = max((cells(line) for line in lines), default=1) or 1
        size = min(base * 1.5, (w - 2 * PAD) / (ADVANCE * longest),
                   (h - 2 * PAD) / (LINE_HEIGHT * max(1, len(lines))))
        return max(size, MIN_CODE_SIZE)

    def mono(self, lines: list[str], x: float, y: float, w: float, h: float, *, prompt: bool = False,
             language: str | None = None, size: float | None = None, marked: frozenset[int] = frozenset()) -> None:
        """A code/terminal panel sized to its content, at `mono_size` unless a size is given, every
        character as written (tags and entities too). A line wider than the panel wraps, each further
        row after a ↪ mark; `marked` lines (0-based) sit on a tinted band and the others are dimmed.
        Rows past the panel (a block no one paged with `split_code`) give way to `⋯ N more lines`."""
        lines = [part.replace("\t", "    ") for line in lines for part in line.split("\n")]  # a command may hold several
        size = size or self.mono_size(lines, w, h)
        lh = size * LINE_HEIGHT
        f = self.face("font_mono", size)
        em = T.font(f.paths[0], 100).getlength("0") / 100  # in design units, so every output size wraps alike
        cols = max(8, int((w - 2 * PAD) // (size * em)))
        cell = T.font(f.paths[0], f.size).getlength("0")  # a cell in pixels, as the face advances at this size
        if language:
            coloured = _highlight("\n".join(lines), language, self.theme)
        else:
            coloured = []
            for line in lines:
                if prompt and line.lstrip().startswith("$"):
                    coloured.append([("$ ", self.legible(self.accent, self.theme.surface)),
                                     (line.lstrip()[1:].lstrip(), self.theme.text)])
                else:
                    quiet = prompt and line.lstrip().startswith(("#", "→", "✓"))
                    coloured.append([(line, self.theme.muted if quiet else self.theme.text)])
        shown_lines = ["".join(t for t, _ in runs) for runs in coloured]
        rows = [(i, a, b) for i, line in enumerate(shown_lines) for a, b in wrap_spans(line, cols)]
        room = max(1, int((h - 2 * PAD) / lh + 1e-6))  # `mono_size` fits n rows exactly: floor must not lose one
        shown = rows if len(rows) <= room else rows[: room - 1]
        cut = len(rows) - len(shown)
        if size >= LEGIBLE:
            drawn: dict[int, str] = {}
            for i, a, b in shown:
                drawn[i] = drawn.get(i, "") + shown_lines[i][a:b]
            self.drawn.append("\n".join(drawn.values()))
        h = min(h, 2 * PAD + lh * (len(shown) + bool(cut)))
        self.box(x, y, w, h, self.theme.surface)
        x = self.mx(x, w)
        self._note_missing("".join(shown_lines), f)
        lx = self.px(x + PAD)
        band = mix(self.accent, self.theme.surface, 0.7)
        for r, (i, a, b) in enumerate(shown):
            top = y + PAD + r * lh
            if i in marked:  # the band spans the row's whole height, so marked rows join up
                self.draw.rectangle([self.px(x + 8), round((top - (lh - size) / 2) * self.sy), self.px(x + w - 8),
                                     round((top + (lh + size) / 2) * self.sy) - 1], fill=band)
                self.draw.rectangle([self.px(x + 8), round((top - (lh - size) / 2) * self.sy), self.px(x + 14),
                                     round((top + (lh + size) / 2) * self.sy) - 1], fill=self.accent)
            ly, col, at = round(top * self.sy), 0, 0
            if a:
                col = self._cells(lx, ly, continuation(shown_lines[i], cols), f, cell, self.theme.muted)
            for text, colour in coloured[i]:
                piece = text[max(a - at, 0): max(b - at, 0)]
                at += len(text)
                if piece:
                    dim = marked and i not in marked
                    col += self._cells(lx + col * cell, ly, piece, f, cell,
                                       mix(colour, self.theme.surface, 0.45) if dim else colour)
        if cut:
            more = len({i for i, _, _ in rows[len(shown):]})
            ly = round((y + PAD + len(shown) * lh) * self.sy)
            T.draw_line(self.draw, lx, ly, "⋯ " + n_("{count} more line", "{count} more lines", more), f,
                        self.legible(self.accent, self.theme.surface))


    def _cells(self, x: float, y: int, text: str, f: T.Face, cell: float, fill: str) -> int:
        """Draw `text` on the monospace grid from pixel x, as a terminal does: a narrow character in
        one cell, a wide one (East Asian Width W/F: CJK, most emoji) centred in two whatever its
        font's own advance, so box-drawing borders line up; returns the cells used."""
        col, covered = 0, T.coverage(f.paths[0])
        for run in _grid_runs(text, covered):
            if all(ord(c) in covered for c in run) and cells(run) == len(run):  # the face's advance: a cell
                T.draw_line(self.draw, x + col * cell, y, run, f, fill)
                col += len(run)
            else:
                glyph = T.width(run, f)
                T.draw_line(self.draw, x + col * cell + max(0.0, (cells(run) * cell - glyph) / 2), y, run, f, fill)
                col += cells(run)
        return col


def _grid_runs(text: str, covered: frozenset[int] | set[int]) -> list[str]:
    """`text` as runs the mono face draws a cell a character (narrow characters it has), and single
    characters to centre on the grid (wide ones, and narrow ones a fallback font draws at its own
    advance); a variation selector or joiner stays with the character before it."""
    out: list[str] = []
    for ch in text:
        joins = ch in "\ufe0e\ufe0f\u200d" or cells(ch) == 1 and ord(ch) in covered and all(
            ord(c) in covered for c in out[-1]) if out else False
        if joins:
            out[-1] += ch
        else:
            out.append(ch)
    return out


def _highlight(code: str, language: str, theme: Theme) -> list[list[tuple[str, str]]]:
    """Per line of `code`, (text, colour) runs from Pygments. Colours are placed by character offset
    in the code as given (`get_tokens_unprocessed`), because a lexer's own preprocessing may drop
    or add blank lines: the runs of line i always spell exactly line i."""
    from pygments.lexers import TextLexer, get_lexer_by_name
    from pygments.styles import get_style_by_name
    from pygments.util import ClassNotFound

    lexer = TextLexer()
    for name in dict.fromkeys((language or "text", (language or "text").split("-")[0])):  # vue-html → vue
        try:
            lexer = get_lexer_by_name(name)
            break
        except ClassNotFound:
            continue
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
    except Exception:  # a lexer bug costs the colours, never the slide
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
_SEPARATOR = re.compile("[\u2028\u2029]")  # LINE and PARAGRAPH SEPARATOR: raqm fails on them inside a line


def drawable(value: Any) -> Any:
    """Field text without what no font can draw and text layout rejects (control characters make
    raqm fail), Unicode's line and paragraph separators drawn as the line breaks they are; everything
    else is drawn as written."""
    if isinstance(value, str):
        return _UNDRAWABLE.sub("", _SEPARATOR.sub("\n", value))
    if isinstance(value, list):
        return [drawable(v) for v in value]
    if isinstance(value, dict):
        return {k: drawable(v) for k, v in value.items()}
    return value
