"""The callout scene: a note, tip, warning or danger box, as docs sites draw admonitions.

Docs lean on admonitions for what a reader must not miss; a slide that drew them as prose (or
dropped their indented body) lost exactly that. Each kind has its own colour and mark, so a
warning looks like a warning, and the narration says which it is ("Warning: …").
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Any

from pydantic import Field

from vidsite.messages import N_, _
from vidsite.scenes.base import BODY_MIN, Fields, SceneFields, SceneType, W, sentence
from vidsite.scenes.paging import continued, part_label

if TYPE_CHECKING:
    from vidsite.scenes.canvas import Canvas

log = logging.getLogger(__name__)

# kind -> (spoken and drawn label, translated where it is used; colour; mark)
STYLES: dict[str, tuple[str, str, str]] = {
    "note": (N_("Note"), "#448aff", "i"),
    "abstract": (N_("Summary"), "#00b0ff", "≡"),
    "info": (N_("Info"), "#00b8d4", "i"),
    "tip": (N_("Tip"), "#00bfa5", "★"),
    "success": (N_("Success"), "#00c853", "✓"),
    "question": (N_("Question"), "#64dd17", "?"),
    "warning": (N_("Warning"), "#ff9100", "!"),
    "danger": (N_("Danger"), "#ff1744", "!!"),
    "bug": (N_("Bug"), "#f50057", "✗"),
    "example": (N_("Example"), "#7c4dff", "▶"),
    "quote": (N_("Quote"), "#9e9e9e", "“"),
    "important": (N_("Important"), "#aa00ff", "!"),
    "details": (N_("Details"), "#78909c", "▸"),
}


class Callout(SceneFields):
    kind: str = "note"
    title: str = ""
    text: str = ""
    part: int = Field(0, ge=0, description="This slide's place among the slides a long scene continues on.")
    parts: int = Field(0, ge=0, description="How many slides the scene continues on (0: one).")


def style(kind: str) -> tuple[str, str, str]:
    return STYLES.get(kind, STYLES["note"])


def _callout_text(f: Fields) -> str:
    label = _(style(f.get("kind", "note"))[0])
    if continued(f):
        return sentence(f.get("text", ""))
    title, body = (f.get("title") or "").strip(), f.get("text", "")
    if title and title.lower() != label.lower():
        return sentence(f"{label}: {title}" if label else title, body)
    return sentence(f"{label}: {body}" if label else body) if body else sentence(label)


def _draw_callout(c: Canvas, f: Fields, state: dict[str, Any]) -> None:
    label, colour, mark = style(f.get("kind", "note"))
    label = _(label)
    c.frame()
    x, y, w = c.m, 140, W - 2 * c.m
    r = 56
    cx, cy = x + 90, y + 50
    size, room = round(c.theme.body_size * 1.15), 820 - 270
    body = c.block(f.get("text", ""), w - 160, room, size=size, min_size=min(size, BODY_MIN)) if f.get("text") else None
    h = 820 if body is None else min(820, 270 + body.height / c.sy + 40)  # the box as tall as its text
    c.box(x, y, w, h, c.theme.background, radius=24, outline=colour)
    c.box(x, y, 36, h, colour, radius=18)  # the kind's colour band down the left of the box
    c.box(cx, cy, 2 * r, 2 * r, colour, radius=r)
    c.text(mark, cx, cy + 18, 2 * r, 2 * r - 20, size=64, font="font_bold", fill=c.theme.background, align="center",
           max_lines=1)
    head = f.get("title") or label
    kind = " · ".join(p for p in (label.upper(), part_label(f)) if p)
    c.text(kind, cx + 2 * r + 40, cy - 4, w - 320, 50, size=36, font="font_bold", fill=colour, max_lines=1)
    c.text(head, cx + 2 * r + 40, cy + 44, w - 320, 110, size=60, font="font_bold", max_lines=2)
    c.text(f.get("text", ""), x + 90, cy + 190, w - 160, room, size=size, body=True)


CALLOUT = SceneType("callout", Callout, _callout_text, _draw_callout,
                    lambda f: f.get("title") or _(style(f.get("kind", "note"))[0]),
                    kept_fields=frozenset({"kind", "part", "parts"}),
                    example={"kind": "warning", "title": "Back up first", "text": "This deletes the old cache."})
