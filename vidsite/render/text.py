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
    return f.getlength(text)


def wrap(text: str, f: ImageFont.FreeTypeFont, max_width: float) -> list[str]:
    """Greedy word wrap; words longer than a line are broken by character."""
    lines: list[str] = []
    for para in text.split("\n"):
        words = para.split()
        if not words:
            lines.append("")
            continue
        line = ""
        for word in words:
            trial = f"{line} {word}" if line else word
            if width(trial, f) <= max_width:
                line = trial
                continue
            if line:
                lines.append(line)
            while width(word, f) > max_width and len(word) > 1:
                cut = len(word)
                while cut > 1 and width(word[:cut], f) > max_width:
                    cut -= 1
                lines.append(word[:cut])
                word = word[cut:]
            line = word
        lines.append(line)
    return lines


def clip_line(text: str, f: ImageFont.FreeTypeFont, max_width: float) -> str:
    """One line, cut with an ellipsis if it would run past max_width."""
    if width(text, f) <= max_width:
        return text
    while text and width(text + ELLIPSIS, f) > max_width:
        text = text[:-1]
    return text + ELLIPSIS


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
        lines = wrap(text, f, box_w)
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
