"""Text that fits: wrap to a width, shrink until it fits a box, cut with a visible marker."""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

from PIL import ImageDraw, ImageFont

ELLIPSIS = "…"


@lru_cache(maxsize=256)
def font(path: str, size: int) -> ImageFont.FreeTypeFont:
    return ImageFont.truetype(path, max(6, size))


def width(text: str, f: ImageFont.FreeTypeFont) -> float:
    """Advance width of the widest line (text layout rejects a newline inside one measurement)."""
    if "\n" in text:
        return max(f.getlength(line) for line in text.split("\n"))
    return f.getlength(text)


def wrap(text: str, f: ImageFont.FreeTypeFont, max_width: float, max_lines: int = 0) -> list[str]:
    """Greedy word wrap; words longer than a line are broken by character. With `max_lines`, stops
    once there are more lines than that (the caller only needs to know it does not fit)."""
    lines: list[str] = []
    for para in text.split("\n"):
        words = para.split()
        if not words:
            lines.append("")
            continue
        line = ""
        for word in words:
            if max_lines and len(lines) > max_lines:
                return lines
            trial = f"{line} {word}" if line else word
            if width(trial, f) <= max_width:
                line = trial
                continue
            if line:
                lines.append(line)
            while len(word) > 1 and width(word, f) > max_width:
                cut = _longest_prefix(word, f, max_width)
                lines.append(word[:cut])
                word = word[cut:]
                if max_lines and len(lines) > max_lines:
                    return lines
            line = word
        lines.append(line)
    return lines


def _longest_prefix(word: str, f: ImageFont.FreeTypeFont, max_width: float, suffix: str = "") -> int:
    """Most characters of `word` that fit in max_width followed by `suffix` (at least 1 without a
    suffix, else at least 0): galloping, then bisection, so a 10,000-character token costs a few
    measurements per line, not one per character."""
    def fits(n: int) -> bool:
        return width(word[:n] + suffix, f) <= max_width

    lo = 0 if suffix else 1
    hi = 2
    while hi < len(word) and fits(hi):
        lo, hi = hi, hi * 2
    hi = min(hi, len(word))
    while lo < hi:  # word[:lo] fits (or is the floor); find the last prefix that does
        mid = (lo + hi + 1) // 2
        if fits(mid):
            lo = mid
        else:
            hi = mid - 1
    return lo


def clip_line(text: str, f: ImageFont.FreeTypeFont, max_width: float) -> str:
    """One line, cut with an ellipsis if it would run past max_width."""
    if width(text, f) <= max_width:
        return text
    return text[:_longest_prefix(text, f, max_width, ELLIPSIS)] + ELLIPSIS


@dataclass(frozen=True)
class Block:
    lines: list[str]
    font: ImageFont.FreeTypeFont
    line_height: int

    @property
    def height(self) -> int:
        return self.line_height * len(self.lines)


def fit(text: str, path: str, box_w: float, box_h: float, max_size: int, min_size: int = 0,
        max_lines: int = 0, spacing: float = 1.25) -> Block:
    """Largest size (≤ max_size) at which `text` wraps into the box; at the floor, cut with …"""
    min_size = min_size or max(12, max_size // 2)
    size = max_size
    while True:
        f = font(path, size)
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
            lx = x + (box_w - width(line, block.font)) / 2
        elif align == "right":
            lx = x + box_w - width(line, block.font)
        draw.text((lx, y), line, font=block.font, fill=fill)
        y += block.line_height
    return y
