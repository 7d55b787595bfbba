"""Text in every script: each run of characters drawn in the first face of a fallback chain
that has its glyphs, lines broken where a reader expects, shrunk to fit a box, cut with a
visible marker.

No single font covers Latin, Arabic, Devanagari, Chinese and Korean, and a whole line set in
one face draws boxes ("tofu") for what it lacks. So a `Face` is a chain of font files; every
character goes to the first file whose character map holds it, and a line is drawn run by run
on one baseline. Runs are ordered right-to-left where the text is (a run-level bidi pass); the
shaping inside a run (Arabic joining, Devanagari conjuncts) is `vidsite.render.shaping`'s: Pillow's
raqm layout, or HarfBuzz from a wheel where the system lacks fribidi.
"""

from __future__ import annotations

import logging
import re
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass
from functools import cache, lru_cache

from PIL import Image, ImageDraw, ImageFont

from vidsite.render import shaping

log = logging.getLogger(__name__)
ELLIPSIS = "…"
# Han, kana, CJK punctuation and full-width forms: a line may break between any two of them
_CJK = re.compile(r"[\u2e80-\u2fdf\u3000-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\uff00-\uffef]")
_NO_START = set("。、，．・：；？！）」』】〕〉》〙〗｝］’”ー…‥ァィゥェォッャュョヮヵヶぁぃぅぇぉっゃゅょゎゕゖ々〻)]}.,:;!?%")
_NO_END = set("（「『【〔〈《〘〖｛［‘“([{")
_INHERIT = {"Mn", "Me", "Cf", "Zs"}  # marks, joiners and spaces stay in the run they follow


@cache
def coverage(path: str) -> frozenset[int]:
    """Code points the font has glyphs for (its best character map)."""
    from fontTools.ttLib import TTFont

    face = TTFont(path, lazy=True, fontNumber=0)
    face.setGlyphOrder([f"g{i}" for i in range(face["maxp"].numGlyphs)])  # names unused: skip parsing `post`
    return frozenset(face.getBestCmap())


@lru_cache(maxsize=256)
def font(path: str, size: int) -> ImageFont.FreeTypeFont:
    return ImageFont.truetype(path, max(6, size))


@dataclass(frozen=True)
class Face:
    """A fallback chain of font files at one size; the first is the design face."""

    paths: tuple[str, ...]
    size: int

    def at(self, size: int) -> Face:
        return Face(self.paths, max(6, size))

    @property
    def primary(self) -> ImageFont.FreeTypeFont:
        return font(self.paths[0], self.size)

    @property
    def line_height(self) -> int:
        return round(self.size * 1.25)


def base_direction(text: str) -> bool | None:
    """A paragraph's direction: its first strong letter's (right-to-left for Hebrew and Arabic), None
    without one. A line cut from a paragraph keeps the paragraph's, not its own first word's: an
    Arabic sentence whose second line starts with `pip` still reads right to left."""
    return next((k in ("R", "AL") for k in map(unicodedata.bidirectional, text) if k in ("L", "R", "AL")), None)


def directions(text: str, base: bool | None = None) -> list[bool]:
    """Right-to-left or not, per character: strong letters say; digits count as left-to-right
    (a number reads left to right inside Arabic too); a neutral between two of one direction
    takes it, else the paragraph's direction (`base`; by default the text's first strong character's)."""
    kinds = [unicodedata.bidirectional(ch) for ch in text]
    strong: list[bool | None] = [True if k in ("R", "AL") else False if k in ("L", "EN", "AN") else None
                                 for k in kinds]
    if base is None:
        base = next((d for d in strong if d is not None), False)
    out: list[bool] = []
    i = 0
    while i < len(text):
        if strong[i] is not None:
            out.append(bool(strong[i]))
            i += 1
            continue
        j = i
        while j < len(text) and strong[j] is None:
            j += 1
        before = out[-1] if out else base
        after = strong[j] if j < len(text) else base
        out.extend([before if before == after else base] * (j - i))
        i = j
    return out


@lru_cache(maxsize=4096)
def runs(text: str, paths: tuple[str, ...], base: bool | None = None) -> tuple[tuple[str, str, bool], ...]:
    """(segment, font path, right-to-left) runs: each character in the first font of the chain
    that has it; a run also ends where the direction changes."""
    out: list[list] = []
    for ch, rtl in zip(text, directions(text, base)):
        cp = ord(ch)
        if out and out[-1][2] == rtl and unicodedata.category(ch) in _INHERIT and (
                cp == 0x20 or cp in coverage(out[-1][1])):
            out[-1][0] += ch
            continue
        path = next((p for p in paths if cp in coverage(p)), None)
        if path is None:
            path = out[-1][1] if out else paths[0]
        if out and out[-1][1] == path and out[-1][2] == rtl:
            out[-1][0] += ch
        else:
            out.append([ch, path, rtl])
    return tuple((s, p, d) for s, p, d in out)


def missing(text: str, paths: tuple[str, ...]) -> str:
    """Characters no font of the chain has (drawn as boxes): for the warning that names them."""
    found = []
    for ch in dict.fromkeys(text):
        if ch.isspace() or unicodedata.category(ch) in ("Cf", "Cc"):
            continue
        if not any(ord(ch) in coverage(p) for p in paths):
            found.append(ch)
    return "".join(found)


def visual(text: str, paths: tuple[str, ...], base: bool | None = None) -> list[tuple[str, str, bool]]:
    """Runs in drawing order, left to right. Level-one bidi: in a right-to-left line (`base`, by
    default the line's own first strong letter's) the runs go right to left, and a stretch of
    left-to-right runs inside it keeps its own order."""
    items = list(runs(text, paths, base))
    if base is None:
        base = bool(base_direction(text))
    groups: list[list[tuple[str, str, bool]]] = []
    for item in items:
        if groups and groups[-1][0][2] == item[2]:
            groups[-1].append(item)
        else:
            groups.append([item])
    if base:
        groups.reverse()
    return [item for g in groups for item in (reversed(g) if g[0][2] else g)]


def width(text: str, face: Face) -> float:
    """Advance width of the widest line."""
    if "\n" in text:
        return max(width(line, face) for line in text.split("\n"))
    return sum(shaping.length(s, font(p, face.size), rtl) for s, p, rtl in runs(text, face.paths))


def draw_line(draw: ImageDraw.ImageDraw, x: float, y: float, text: str, face: Face, fill: str,
              baseline: float | None = None, base: bool | None = None) -> float:
    """Draw one line with its top at y, run by run on the design face's baseline (or on
    `baseline`, when runs of several faces share a line), in the paragraph direction `base`;
    returns the x after it."""
    baseline = y + face.primary.getmetrics()[0] if baseline is None else baseline
    for segment, path, rtl in visual(text, face.paths, base):
        x = shaping.draw(draw, x, baseline, segment, font(path, face.size), fill, rtl)
    return x


def tokens(para: str) -> list[list[str]]:
    """The paragraph as tokens, each cut at every place a line may end inside it. A word is one
    piece (with the spaces after it); a path or URL is cut after `/ - _` and before `.`, but only
    where the whole of it does not fit on a line (`@app.get("/")` moves to the next line whole);
    CJK text breaks between characters, except before closing and after opening punctuation (no
    line starts with 。、）), so each of its chunks is a token of its own."""
    out: list[list[str]] = []
    for token in re.findall(r"\s+|\S+\s*", para):
        if _CJK.search(token):
            parts: list[str] = []
            for chunk in re.findall(r"[\u2e80-\u2fdf\u3000-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\uff00-\uffef]"
                                    r"\s*|[^\u2e80-\u2fdf\u3000-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\uff00-\uffef]+",
                                    token):
                if parts and (chunk[0] in _NO_START or parts[-1].rstrip()[-1:] in _NO_END):
                    parts[-1] += chunk
                else:
                    parts.append(chunk)
            out.extend([p] for p in parts)
        elif "/" in token or "\\" in token:
            out.append([p for p in re.split(r"(?<=[/\\\-_?&=#])|(?<=[^.\s])(?=\.)", token) if p])
        else:
            out.append([token])
    return out


def pieces(para: str) -> list[str]:
    """The paragraph cut at every place a line may end (`tokens`, flattened)."""
    return [piece for token in tokens(para) for piece in token]


@dataclass(frozen=True)
class Look:
    """How a run of text is drawn: the font chain of its style and its marks. `tint` and
    `outline` are alphas (0-255) of a box in the text's own colour behind the run (code spans,
    keys), so it shows on any background; `pad` is the room inside that box, in ems."""

    paths: tuple[str, ...]
    fill: str | None = None  # None: the block's colour
    tint: int = 0
    outline: int = 0
    pad: float = 0.0
    underline: bool = False
    strike: bool = False


Rich = tuple[tuple[str, Look], ...]  # a text as runs of one look each


def rich(text: str | Rich, face: Face) -> Rich:
    """A plain string is one run in the face's own look."""
    return ((text, Look(face.paths)),) if isinstance(text, str) else text


def chars(line: Rich) -> str:
    """The characters of the runs, as one string."""
    return "".join(s for s, _ in line)


def _add(line: Rich, s: str, look: Look | None = None) -> Rich:
    """`line` followed by `s` (in the look of line's last run unless given), merged into that run
    when the looks agree: a run is measured and drawn as one string, with its kerning."""
    look = look or (line[-1][1] if line else None)
    if not s or look is None:
        return line
    if line and line[-1][1] == look:
        return (*line[:-1], (line[-1][0] + s, look))
    return (*line, (s, look))


def _cut(line: Rich, i: int, j: int) -> Rich:
    """The runs of characters i to j."""
    out: Rich = ()
    at = 0
    for s, look in line:
        a, b = max(i, at), min(j, at + len(s))
        if a < b:
            out = _add(out, s[a - at:b - at], look)
        at += len(s)
    return out


def rich_width(line: Rich, size: int) -> float:
    """Advance width of one line of runs at `size`, their boxes' padding included."""
    return sum(width(s, Face(look.paths, size)) + 2 * look.pad * size for s, look in line)


def wrap(text: str | Rich, face: Face, max_width: float, max_lines: int = 0) -> list[str] | list[Rich]:
    """Greedy wrap at the break points of `pieces`; a piece longer than a line is broken by
    character. With `max_lines`, stops once there are more lines than that (the caller only
    needs to know it does not fit). Lines come back as the text came: strings, or runs."""
    if isinstance(text, str):
        return [text[i:j] for i, j in _breaks(text, lambda i, j: width(text[i:j], face), max_width, max_lines)]
    s = chars(text)
    return [_cut(text, i, j) for i, j in
            _breaks(s, lambda i, j: rich_width(_cut(text, i, j), face.size), max_width, max_lines)]


def _breaks(text: str, measure: Callable[[int, int], float], max_width: float, max_lines: int) -> list[tuple[int, int]]:
    """Where `wrap` cuts `text`: (start, end) of each line, trailing spaces left out;
    `measure(i, j)` is the width of text[i:j] as drawn."""
    def trim(i: int, j: int) -> int:
        return i + len(text[i:j].rstrip())

    lines: list[tuple[int, int]] = []
    at = 0
    for para in text.split("\n"):
        start = pos = at  # the line being filled is text[start:pos]
        for token in tokens(para):
            whole = pos + sum(map(len, token))
            if len(token) > 1 and measure(pos, trim(pos, whole)) <= max_width:  # a path that fits a line
                token = ["".join(token)]
            for piece in token:
                if max_lines and len(lines) > max_lines:
                    return lines
                start, pos = _place(text, piece, start, pos, lines, measure, max_width, max_lines)
                if max_lines and len(lines) > max_lines:
                    return lines
        lines.append((start, trim(start, pos)))
        at += len(para) + 1
    return lines


def _place(text: str, piece: str, start: int, pos: int, lines: list[tuple[int, int]],
           measure: Callable[[int, int], float], max_width: float, max_lines: int) -> tuple[int, int]:
    """`_breaks`' step: the piece at `pos` goes on the line `text[start:pos]` if it fits, else
    starts the next line (broken by character where it is wider than a line); the new (start, pos)."""
    def trim(i: int, j: int) -> int:
        return i + len(text[i:j].rstrip())

    end = pos + len(piece)
    if measure(start, trim(start, end)) <= max_width:
        return start, end
    if text[start:pos].strip():
        lines.append((start, trim(start, pos)))
    while trim(pos, end) - pos > 1 and measure(pos, trim(pos, end)) > max_width:
        cut = longest(end - pos, lambda n, p=pos: measure(p, p + n) <= max_width, 1)
        lines.append((pos, pos + cut))
        pos += cut
        if max_lines and len(lines) > max_lines:
            break
    return pos, end


def longest(n: int, fits: Callable[[int], bool], lo: int) -> int:
    """The largest k ≤ n with fits(k), at least `lo`: galloping, then bisection, so a
    10,000-character token costs a few measurements per line, not one per character."""
    hi = 2
    while hi < n and fits(hi):
        lo, hi = hi, hi * 2
    hi = min(hi, n)
    while lo < hi:
        mid = (lo + hi + 1) // 2
        if fits(mid):
            lo = mid
        else:
            hi = mid - 1
    return lo


def clip_line(text: str, face: Face, max_width: float) -> str:
    """One line, cut with an ellipsis if it would run past max_width."""
    if width(text, face) <= max_width:
        return text
    return text[:longest(len(text), lambda n: width(text[:n] + ELLIPSIS, face) <= max_width, 0)] + ELLIPSIS


def _clip(line: Rich, size: int, max_width: float) -> Rich:
    """`clip_line` for runs: the ellipsis takes the look of the run it follows."""
    if rich_width(line, size) <= max_width:
        return line
    n = longest(len(chars(line)), lambda n: rich_width(_add(_cut(line, 0, n) or line[:1], ELLIPSIS), size)
                 <= max_width, 0)
    head = _cut(line, 0, n)
    return _add(head, ELLIPSIS, None if head else line[0][1])


@dataclass(frozen=True)
class Block:
    lines: list[Rich]
    face: Face
    line_height: int
    shown: str = ""  # the text the lines show, as one string: all of it, or what precedes the cut
    bases: tuple[bool | None, ...] = ()  # each line's paragraph direction (right-to-left or not)

    @property
    def height(self) -> int:
        return self.line_height * len(self.lines)


def fit(text: str | Rich, face: Face, box_w: float, box_h: float, min_size: int = 0, max_lines: int = 0,
        spacing: float = 1.25) -> Block:
    """Largest size (≤ face.size) at which `text` wraps into the box; at the floor, cut with …"""
    runs_ = rich(text, face)
    s = chars(runs_)
    max_size = face.size
    min_size = min(max_size, min_size or max(12, max_size // 2))
    size = max_size
    while True:
        f = face.at(size)
        lh = round(size * spacing)
        limit = max(1, int(box_h // lh))
        if max_lines:
            limit = min(limit, max_lines)
        spans = _breaks(s, lambda i, j, n=f.size: rich_width(_cut(runs_, i, j), n), box_w, limit)
        if len(spans) * lh <= box_h and (not max_lines or len(spans) <= max_lines) or size <= min_size:
            break
        size = max(min_size, int(size * 0.92))
    lines = [_cut(runs_, i, j) for i, j in spans]
    bases = tuple(base_direction(s[s.rfind("\n", 0, i) + 1:(s.find("\n", i) + 1 or len(s) + 1) - 1]) for i, _ in spans)
    shown = s
    if len(spans) > limit:
        spans, lines = spans[:limit], lines[:limit]
        shown = s[:spans[-1][1]]
        if not chars(lines[-1]).endswith(ELLIPSIS):
            lines[-1] = _clip(_add(lines[-1], ELLIPSIS, None if lines[-1] else runs_[0][1]), f.size, box_w)
            shown = s[:spans[-1][0] + len(chars(lines[-1])) - 1]
    return Block(lines, f, lh, shown, bases)


def draw_block(image: Image.Image, block: Block, x: float, y: float, fill: str,
               align: str = "left", box_w: float = 0) -> float:
    """Draw lines from (x, y); returns the y below the block."""
    draw = ImageDraw.Draw(image)
    for k, line in enumerate(block.lines):
        lx = x
        if align in ("center", "right"):
            room = box_w - rich_width(line, block.face.size)
            lx = x + (room / 2 if align == "center" else room)
        draw_runs(image, draw, lx, y, line, block.face, fill, block.bases[k] if k < len(block.bases) else None)
        y += block.line_height
    return y


def draw_runs(image: Image.Image, draw: ImageDraw.ImageDraw, x: float, y: float, line: Rich, face: Face,
              fill: str, base: bool | None = None) -> float:
    """One line of runs on the face's baseline, each in its look, in the paragraph direction `base`
    (None: the line's own); returns the x after it."""
    size = face.size
    baseline = y + face.primary.getmetrics()[0]
    if base is None:
        base = bool(base_direction(chars(line)))
    for s, look in _order(line, base):
        f = Face(look.paths, size)
        pad = look.pad * size
        w = width(s, f) + 2 * pad
        ink = look.fill or fill
        if look.tint or look.outline:
            _box(image, (round(x), round(baseline - 0.9 * size), round(x + w), round(baseline + 0.28 * size)), size,
                 ink, look)
        draw_line(draw, x + pad, y, s, f, ink, baseline, base)
        stroke = max(1, round(size / 16))
        for on, dy in ((look.underline, 0.12), (look.strike, -0.3)):
            if on:
                ly = round(baseline + dy * size)
                draw.rectangle([round(x + pad), ly, round(x + w - pad) - 1, ly + stroke - 1], fill=ink)
        x += w
    return x


def _box(image: Image.Image, box: tuple[int, int, int, int], size: int, ink: str, look: Look) -> None:
    """A rounded box in the text's colour at the look's alphas, blended onto what is under it.
    Drawn on a layer of its own: Pillow's rounded rectangle blends its overlapping parts twice."""
    x0, y0, x1, y1 = box
    layer = Image.new("RGBA", (max(1, x1 - x0), max(1, y1 - y0)))
    rgb = tuple(int(ink[i:i + 2], 16) for i in (1, 3, 5))
    ImageDraw.Draw(layer).rounded_rectangle(
        [0, 0, layer.width - 1, layer.height - 1], radius=round(0.2 * size), fill=(*rgb, look.tint),
        outline=(*rgb, look.outline) if look.outline else None, width=max(1, round(size / 18)))
    image.paste(layer, (x0, y0), layer)


def _order(line: Rich, base: bool) -> list[tuple[str, Look]]:
    """Runs in drawing order, left to right: `visual`'s level-one bidi, one level up. In a
    right-to-left paragraph the runs go right to left; each run orders its own characters when drawn."""
    text = chars(line)
    dirs = directions(text, base)
    if len(line) == 1 or not any(dirs):
        return list(line)
    groups: list[tuple[bool, list[tuple[str, Look]]]] = []
    at = 0
    for s, look in line:
        rtl = next((d for ch, d in zip(s, dirs[at:]) if unicodedata.bidirectional(ch) in ("L", "R", "AL")), dirs[at])
        at += len(s)
        if groups and groups[-1][0] == rtl:
            groups[-1][1].append((s, look))
        else:
            groups.append((rtl, [(s, look)]))
    if base:
        groups.reverse()
    return [run for rtl, runs_ in groups for run in (reversed(runs_) if rtl else runs_)]
