"""Text in every script: each run of characters drawn in the first face of a fallback chain
that has its glyphs, lines broken where a reader expects, shrunk to fit a box, cut with a
visible marker.

No single font covers Latin, Arabic, Devanagari, Chinese and Korean, and a whole line set in
one face draws boxes ("tofu") for what it lacks. So a `Face` is a chain of font files; every
character goes to the first file whose character map holds it, and a line is drawn run by run
on one baseline. Runs are ordered right-to-left where the text is (a run-level bidi pass); the
shaping inside a run (Arabic joining, Devanagari conjuncts) is Pillow's raqm layout.
"""

from __future__ import annotations

import logging
import re
import unicodedata
from dataclasses import dataclass
from functools import cache, lru_cache

from PIL import ImageDraw, ImageFont, features

log = logging.getLogger(__name__)
ELLIPSIS = "…"
RAQM = features.check("raqm")
if not RAQM:
    log.warning("Pillow has no raqm layout (libfribidi missing): Arabic and Hebrew are drawn unjoined; "
                "install libfribidi (apt-get install libfribidi0) for shaped right-to-left text")
# Han, kana, CJK punctuation and full-width forms: a line may break between any two of them
_CJK = re.compile(r"[\u2e80-\u2fdf\u3000-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\uff00-\uffef]")
_NO_START = set("。、，．・：；？！）」』】〕〉》〙〗｝］’”ー…‥ァィゥェォッャュョヮヵヶぁぃぅぇぉっゃゅょゎゕゖ々〻)]}.,:;!?%")
_NO_END = set("（「『【〔〈《〘〖｛［‘“([{")
_INHERIT = {"Mn", "Me", "Cf", "Zs"}  # marks, joiners and spaces stay in the run they follow


@cache
def coverage(path: str) -> frozenset[int]:
    """Code points the font has glyphs for (its best character map)."""
    from fontTools.ttLib import TTFont

    return frozenset(TTFont(path, lazy=True, fontNumber=0).getBestCmap())


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


def directions(text: str) -> list[bool]:
    """Right-to-left or not, per character: strong letters say; digits count as left-to-right
    (a number reads left to right inside Arabic too); a neutral between two of one direction
    takes it, else the line's direction (its first strong character's)."""
    kinds = [unicodedata.bidirectional(ch) for ch in text]
    strong: list[bool | None] = [True if k in ("R", "AL") else False if k in ("L", "EN", "AN") else None
                                 for k in kinds]
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
def runs(text: str, paths: tuple[str, ...]) -> tuple[tuple[str, str, bool], ...]:
    """(segment, font path, right-to-left) runs: each character in the first font of the chain
    that has it; a run also ends where the direction changes."""
    out: list[list] = []
    for ch, rtl in zip(text, directions(text)):
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


def visual(text: str, paths: tuple[str, ...]) -> list[tuple[str, str, bool]]:
    """Runs in drawing order, left to right. Level-one bidi: in a right-to-left line the runs go
    right to left, and a stretch of left-to-right runs inside it keeps its own order."""
    items = list(runs(text, paths))
    base = next((d for ch, d in zip(text, directions(text)) if unicodedata.bidirectional(ch) in ("L", "R", "AL")),
                False)
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
    return sum(font(p, face.size).getlength(s) for s, p, _ in runs(text, face.paths))


def draw_line(draw: ImageDraw.ImageDraw, x: float, y: float, text: str, face: Face, fill: str) -> float:
    """Draw one line with its top at y, run by run on the design face's baseline; returns the x
    after it."""
    baseline = y + face.primary.getmetrics()[0]
    for segment, path, rtl in visual(text, face.paths):
        f = font(path, face.size)
        if RAQM:
            draw.text((x, baseline), segment, font=f, fill=fill, anchor="ls", direction="rtl" if rtl else "ltr")
        else:
            draw.text((x, baseline), segment[::-1] if rtl else segment, font=f, fill=fill, anchor="ls")
        x += f.getlength(segment)
    return x


def pieces(para: str) -> list[str]:
    """The paragraph cut at every place a line may end: after spaces; inside paths and URLs after
    `/ - _` and before `.`; between CJK characters, except before closing and after opening
    punctuation (no line starts with 。、）)."""
    out: list[str] = []
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
            out.extend(parts)
        elif "/" in token or "\\" in token:
            out.extend(p for p in re.split(r"(?<=[/\\\-_?&=#])|(?<=[^.\s])(?=\.)", token) if p)
        else:
            out.append(token)
    return out


def wrap(text: str, face: Face, max_width: float, max_lines: int = 0) -> list[str]:
    """Greedy wrap at the break points of `pieces`; a piece longer than a line is broken by
    character. With `max_lines`, stops once there are more lines than that (the caller only
    needs to know it does not fit)."""
    lines: list[str] = []
    for para in text.split("\n"):
        line = ""
        for piece in pieces(para):
            if max_lines and len(lines) > max_lines:
                return lines
            if width((line + piece).rstrip(), face) <= max_width:
                line += piece
                continue
            if line.strip():
                lines.append(line.rstrip())
            while len(piece.rstrip()) > 1 and width(piece.rstrip(), face) > max_width:
                cut = _longest_prefix(piece, face, max_width)
                lines.append(piece[:cut])
                piece = piece[cut:]
                if max_lines and len(lines) > max_lines:
                    return lines
            line = piece
        lines.append(line.rstrip())
    return lines


def _longest_prefix(word: str, face: Face, max_width: float, suffix: str = "") -> int:
    """Most characters of `word` that fit in max_width followed by `suffix` (at least 1 without a
    suffix, else at least 0): galloping, then bisection, so a 10,000-character token costs a few
    measurements per line, not one per character."""
    def fits(n: int) -> bool:
        return width(word[:n] + suffix, face) <= max_width

    lo = 0 if suffix else 1
    hi = 2
    while hi < len(word) and fits(hi):
        lo, hi = hi, hi * 2
    hi = min(hi, len(word))
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
    return text[:_longest_prefix(text, face, max_width, ELLIPSIS)] + ELLIPSIS


@dataclass(frozen=True)
class Block:
    lines: list[str]
    face: Face
    line_height: int

    @property
    def height(self) -> int:
        return self.line_height * len(self.lines)


def fit(text: str, face: Face, box_w: float, box_h: float, min_size: int = 0, max_lines: int = 0,
        spacing: float = 1.25) -> Block:
    """Largest size (≤ face.size) at which `text` wraps into the box; at the floor, cut with …"""
    max_size = face.size
    min_size = min(max_size, min_size or max(12, max_size // 2))
    size = max_size
    while True:
        f = face.at(size)
        lh = round(size * spacing)
        limit = max(1, int(box_h // lh))
        lines = wrap(text, f, box_w, min(limit, max_lines) if max_lines else limit)
        fits = len(lines) * lh <= box_h and (not max_lines or len(lines) <= max_lines)
        if fits or size <= min_size:
            break
        size = max(min_size, int(size * 0.92))
    limit = max(1, int(box_h // lh))
    if max_lines:
        limit = min(limit, max_lines)
    if len(lines) > limit:
        lines = lines[:limit]
        lines[-1] = clip_line(lines[-1] + ELLIPSIS, f, box_w) if not lines[-1].endswith(ELLIPSIS) else lines[-1]
    return Block(lines, f, lh)


def draw_block(draw: ImageDraw.ImageDraw, block: Block, x: float, y: float, fill: str,
               align: str = "left", box_w: float = 0) -> float:
    """Draw lines from (x, y); returns the y below the block."""
    for line in block.lines:
        lx = x
        if align == "center":
            lx = x + (box_w - width(line, block.face)) / 2
        elif align == "right":
            lx = x + box_w - width(line, block.face)
        draw_line(draw, lx, y, line, block.face, fill)
        y += block.line_height
    return y
