"""Scenes of words on a slide: title, quote, outro, markdown (free text)."""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Any

from vidsite.scenes.base import W, Fields, SceneFields, SceneType, first_of, sentence

if TYPE_CHECKING:
    from vidsite.scenes.canvas import Canvas

log = logging.getLogger(__name__)


class Title(SceneFields):
    title: str
    subtitle: str = ""


class Quote(SceneFields):
    quote_text: str
    attribution: str = ""


class Outro(SceneFields):
    main_text: str
    sub_text: str = ""


class Markdown(SceneFields):
    header: str = ""
    text: str


def _title_text(f: Fields) -> str:
    return sentence(f["title"], f.get("subtitle", ""))


def _draw_title(c: Canvas, f: Fields, state: dict[str, Any]) -> None:
    c.frame()
    y = c.text(f["title"], c.m, 300, W - 2 * c.m, 330, size=c.theme.title_size, font="font_bold", align="center",
               max_lines=3)
    c.draw.rectangle([c.px(W / 2 - 100), round((y + 30) * c.sy), c.px(W / 2 + 100), round((y + 40) * c.sy)],
                     fill=c.accent)
    c.text(f.get("subtitle", ""), c.m, y + 80, W - 2 * c.m, 200, size=56, fill=c.theme.muted, align="center",
           max_lines=2)


def _quote_text(f: Fields) -> str:
    by = f.get("attribution", "")
    return sentence(f"{'As ' + by + ' said' if by else 'Remember'}: {f['quote_text']}")


def _draw_quote(c: Canvas, f: Fields, state: dict[str, Any]) -> None:
    c.frame()
    c.text("“", c.m, 90, 300, 300, size=260, font="font_bold", fill=c.accent, max_lines=1)
    y = c.text(f["quote_text"], c.m + 80, 330, W - 2 * c.m - 160, 460, size=76, font="font_italic", align="center",
               max_lines=5)
    if f.get("attribution"):
        c.text(f"— {f['attribution']}", c.m, y + 40, W - 2 * c.m, 80, size=44, fill=c.theme.muted, align="center",
               max_lines=1)


def _outro_text(f: Fields) -> str:
    return sentence(f["main_text"], f.get("sub_text", ""), "Thanks for watching")


def _draw_outro(c: Canvas, f: Fields, state: dict[str, Any]) -> None:
    c.frame()
    r = 70
    c.draw.ellipse([c.px(W / 2 - r), round(200 * c.sy), c.px(W / 2 + r), round((200 + 2 * r) * c.sy)],
                   outline=c.accent, width=max(2, c.px(12)))
    y = c.text(f["main_text"], c.m, 420, W - 2 * c.m, 260, size=96, font="font_bold", align="center", max_lines=2)
    c.text(f.get("sub_text", ""), c.m, y + 40, W - 2 * c.m, 160, size=50, fill=c.theme.muted, align="center",
           max_lines=2)


def _markdown_text(f: Fields) -> str:
    return sentence(f.get("header", ""), f["text"])


def _draw_markdown(c: Canvas, f: Fields, state: dict[str, Any]) -> None:
    y = c.header(f["header"]) if f.get("header") else (c.frame() or 110)
    c.text(f["text"], c.m, y, W - 2 * c.m, 1010 - y, size=round(c.theme.body_size * 1.3), min_size=28)


TITLE = SceneType("title", Title, _title_text, _draw_title, first_of("title"),
                  example={"title": "{title}", "subtitle": "What this video covers"})
QUOTE = SceneType("quote", Quote, _quote_text, _draw_quote, first_of("quote_text"),
                  example={"quote_text": "Simple things should be simple.", "attribution": "Alan Kay"})
OUTRO = SceneType("outro", Outro, _outro_text, _draw_outro, first_of("main_text"),
                  example={"main_text": "Thanks for watching", "sub_text": "{title}"})
MARKDOWN = SceneType("markdown", Markdown, _markdown_text, _draw_markdown, first_of("header"),
                     example={"header": "Notes", "text": "A short paragraph shown on the slide."})
