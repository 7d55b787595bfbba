"""Scenes of words on a slide: title, quote, outro, markdown (free text)."""

from __future__ import annotations

import logging
import re
from itertools import pairwise
from typing import TYPE_CHECKING, Any

from pydantic import Field

from vidsite.messages import _
from vidsite.scenes.base import BODY_MIN, Fields, SceneFields, SceneType, W, first_of, sentence
from vidsite.scenes.paging import continued, paged_title, part_label

if TYPE_CHECKING:
    from vidsite.scenes.canvas import Canvas


log = logging.getLogger(__name__)


class Title(SceneFields):
    title: str
    subtitle: str = ""
    key_message: str = Field("", description="The one thing to remember, drawn under the subtitle.")


class Quote(SceneFields):
    quote_text: str
    attribution: str = ""
    context: str = Field("", description="What the quote is about, drawn above it and said first.")
    part: int = Field(0, ge=0, description="This slide's place among the slides a long scene continues on.")
    parts: int = Field(0, ge=0, description="How many slides the scene continues on (0: one).")


class Outro(SceneFields):
    main_text: str
    sub_text: str = ""
    key_message: str = Field("", description="The one thing to remember, drawn under the rest.")


class Markdown(SceneFields):
    header: str = ""
    text: str
    part: int = Field(0, ge=0, description="This slide's place among the slides a long scene continues on.")
    parts: int = Field(0, ge=0, description="How many slides the scene continues on (0: one).")


def _title_text(f: Fields) -> str:
    return sentence(f["title"], f.get("subtitle", ""), f.get("key_message", ""))


def _draw_title(c: Canvas, f: Fields, state: dict[str, Any]) -> None:
    c.frame()
    y = c.text(f["title"], c.m, 300, W - 2 * c.m, 330, size=c.theme.title_size, font="font_bold", align="center",
               max_lines=3)
    c.draw.rectangle([c.px(W / 2 - 100), round((y + 30) * c.sy), c.px(W / 2 + 100), round((y + 40) * c.sy)],
                     fill=c.accent)
    y = c.text(f.get("subtitle", ""), c.m, y + 80, W - 2 * c.m, 200, size=56, fill=c.theme.muted, align="center",
               max_lines=2)
    _key_message(c, f, y + 40)


def _key_message(c: Canvas, f: Fields, y: float) -> None:
    """The one thing to remember, under the rest: body text, never below BODY_MIN (up to three lines)."""
    c.text(f.get("key_message", ""), c.m, y, W - 2 * c.m, min(3 * 60 + 2, 1010 - y), size=48, font="font_italic",
           align="center", max_lines=3, min_size=BODY_MIN, body=True)


def _quote_text(f: Fields) -> str:
    by = f.get("attribution", "")
    quote = f["quote_text"]
    if continued(f):
        return sentence(quote)
    said = _("As {name} said: {quote}", name=by, quote=quote) if by else _("Remember: {quote}", quote=quote)
    return sentence(f.get("context", ""), said)


def _draw_quote(c: Canvas, f: Fields, state: dict[str, Any]) -> None:
    c.frame()
    c.corner(part_label(f))
    c.text("“", c.m, 90, 300, 300, size=260, font="font_bold", fill=c.accent, max_lines=1)
    c.text(f.get("context", ""), c.m + 220, 170, W - 2 * c.m - 220, 120, size=44, fill=c.theme.muted, max_lines=2)
    y = c.text(f["quote_text"], c.m + 80, 330, W - 2 * c.m - 160, 560, size=76, font="font_italic", align="center",
               body=True)
    if f.get("attribution"):
        c.text(f"— {f['attribution']}", c.m, y + 30, W - 2 * c.m, 80, size=44, fill=c.theme.muted, align="center",
               max_lines=1)


def _outro_text(f: Fields) -> str:
    thanks = _("Thanks for watching")
    return sentence(f["main_text"], f.get("sub_text", ""), f.get("key_message", ""),
                    thanks if thanks != f.get("sub_text") else "")


def _draw_outro(c: Canvas, f: Fields, state: dict[str, Any]) -> None:
    c.frame()
    r = 70
    c.draw.ellipse([c.px(W / 2 - r), round(200 * c.sy), c.px(W / 2 + r), round((200 + 2 * r) * c.sy)],
                   outline=c.accent, width=max(2, c.px(12)))
    y = c.text(f["main_text"], c.m, 420, W - 2 * c.m, 260, size=96, font="font_bold", align="center", max_lines=2)
    y = c.text(f.get("sub_text", ""), c.m, y + 40, W - 2 * c.m, 160, size=50, fill=c.theme.muted, align="center",
               max_lines=2)
    _key_message(c, f, y + 40)


def _markdown_text(f: Fields) -> str:
    return sentence("" if continued(f) else f.get("header", ""), *(t for _, t in blocks(f["text"])))


_ITEM = re.compile(r"^\s{0,3}([-*+]|\d{1,3}[.)])\s+(.*)$")


def blocks(text: str) -> list[tuple[str, str]]:
    """The text's paragraphs and list items as (marker, text): "" for a paragraph, "-" for a
    bullet, "3." for a numbered item. Paragraphs are separated by blank lines; an item's
    indented next line continues it; inside a paragraph the text's own lines are kept."""
    out: list[tuple[str, str]] = []
    for para in re.split(r"\n[ \t]*\n", text.strip()):
        lines: list[str] = []
        for line in para.split("\n"):
            m = _ITEM.match(line)
            if m:
                if lines:
                    out.append(("", "\n".join(lines)))
                    lines = []
                out.append(("-" if m.group(1) in "-*+" else m.group(1), m.group(2).strip()))
            elif out and out[-1][0] and not lines and line[:1].isspace():
                out[-1] = (out[-1][0], f"{out[-1][1]} {line.strip()}")
            elif line.strip():
                lines.append(line)
        if lines:
            out.append(("", "\n".join(lines)))
    return out


def _draw_markdown(c: Canvas, f: Fields, state: dict[str, Any]) -> None:
    if f.get("header"):
        y = c.header(f["header"], part_label(f))
    else:
        c.frame()
        c.corner(part_label(f))
        y = 110
    parts = blocks(f["text"])
    w, size = W - 2 * c.m, round(c.theme.body_size * 1.3)
    if len(parts) <= 1 and not (parts and parts[0][0]):  # one paragraph: sized to fill the box
        c.text(f["text"], c.m, y, w, 1010 - y, size=size, body=True)
        return
    s = size  # one size for every paragraph and item, the largest (down to BODY_MIN) at which all fit
    floor = min(size, BODY_MIN)
    while True:
        indent = 1.7 * s
        heights = [c.lines(t, w - (indent if mark else 0), s) * 1.25 * s for mark, t in parts]
        gaps = [0.0] + [(0.35 if a[0] and b[0] else 0.6) * s for a, b in pairwise(parts)]
        if sum(heights) + sum(gaps) <= 1010 - y or s <= floor:
            break
        s = max(floor, round(s * 0.92))
    for (mark, t), h, gap in zip(parts, heights, gaps):
        y += gap
        if y + 1.25 * s > 1012:  # not even a line of it fits: the rest continues on the next slide
            c.overflow = True
            break
        x = c.m + (indent if mark else 0)
        if mark:
            c.marker("" if mark == "-" else mark, c.m, y, indent, s)
        c.text(t, x, y, W - c.m - x, min(h + 2, 1012 - y), size=s, min_size=s, body=True)
        y += h


TITLE = SceneType("title", Title, _title_text, _draw_title, first_of("title"),
                  example={"title": "{title}", "subtitle": "What this video covers"})
QUOTE = SceneType("quote", Quote, _quote_text, _draw_quote, first_of("quote_text"), kept_fields=frozenset({"part", "parts"}),
                  example={"quote_text": "Simple things should be simple.", "attribution": "Alan Kay"})
OUTRO = SceneType("outro", Outro, _outro_text, _draw_outro, first_of("main_text"),
                  example={"main_text": "Thanks for watching", "sub_text": "{title}"})
MARKDOWN = SceneType("markdown", Markdown, _markdown_text, _draw_markdown, paged_title("header"),
                     kept_fields=frozenset({"part", "parts"}),
                     example={"header": "Notes", "text": "A short paragraph shown on the slide."})
