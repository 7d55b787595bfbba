"""A scene's still at one moment: the type's draw function on a fresh canvas.

The drawing itself lives with each scene type (`vidsite.scenes`); the primitives in
`vidsite.scenes.canvas`. Importing this module loads all of them, which is what a worker
pool's preload wants before it forks.
"""

from __future__ import annotations

import logging
import re
from functools import lru_cache
from typing import Any

from PIL import Image

from vidsite.messages import speaking
from vidsite.render.theme import Theme
from vidsite.scenes import get
from vidsite.scenes.canvas import Canvas, H, W, _highlight, drawable

log = logging.getLogger(__name__)
__all__ = ["Canvas", "H", "W", "_highlight", "draw_slide", "render", "shown"]


def render(scene_type: str, fields: dict[str, Any], state: dict[str, Any], theme: Theme, accent: str,
           width: int, height: int, rtl: bool = False, language: str | None = None, source: str = "") -> Image.Image:
    """The slide of a `scene_type` scene; `state` says which items are revealed and whether a
    quiz shows its answer. Default headers and labels are in `language` (None: English)."""
    return draw_slide(scene_type, fields, state, theme, accent, width, height, rtl, language, source).img


def draw_slide(scene_type: str, fields: dict[str, Any], state: dict[str, Any], theme: Theme, accent: str,
               width: int, height: int, rtl: bool = False, language: str | None = None, source: str = "") -> Canvas:
    """The drawn canvas: its image, and the text it drew legibly (`drawn`). `source` names the page
    and scene in warnings ("content/p.md:12: scene 3 (code)")."""
    fields = drawable(fields)
    kind = get(scene_type)
    canvas = Canvas(width, height, theme, accent, rtl)
    with speaking(language):
        kind.draw(canvas, fields, state)
        measured = None
        if "reveal" in state and state["reveal"] < 10**6:  # balance by the full slide, so items stay put
            measured = Canvas(width, height, theme, accent, rtl)
            kind.draw(measured, fields, {**state, "reveal": 10**6})
    canvas.balance(measured)
    if canvas.missing:
        _warn_missing(source or f"{scene_type} slide", "".join(sorted(canvas.missing)))
    return canvas


def shown(scene_type: str, fields: dict[str, Any], drawn: list[str]) -> dict[str, Any]:
    """A scene's fields as its final slide shows them, from the text the draw code drew legibly: each
    text field as drawn (markup removed, up to where the slide cut it), left out where nothing of it
    was drawn; settings (the type's kept fields, a code language, numbers) as written. This is what
    the page manifest records, so what it says is on screen is on screen."""
    from vidsite.render.inline import plain

    kind = get(scene_type)
    seen = re.sub(r"\s+", "", "".join(drawn))
    kept = kind.kept_fields | {"language"}

    def visible(value: Any, code: bool) -> Any:
        if isinstance(value, list):
            found = [visible(v, code) for v in value]
            return [v for v in found if v not in (None, "", [])]
        if not isinstance(value, str):
            return value
        text = value if code else plain(value)
        units = text.split("\n") if code else text.split(" ")
        lo, hi = 0, len(units)  # the longest run of leading lines (code) or words drawn
        while lo < hi:
            mid = (lo + hi + 1) // 2
            if re.sub(r"\s+", "", "".join(units[:mid])) in seen:
                lo = mid
            else:
                hi = mid - 1
        return ("\n" if code else " ").join(units[:lo]).strip()

    out: dict[str, Any] = {}
    for key, value in fields.items():
        if key.startswith("_"):
            continue
        if key in kept:
            out[key] = value
        elif (found := visible(value, key in kind.code_fields)) not in (None, "", []):
            out[key] = found
    return out


@lru_cache(maxsize=256)
def _warn_missing(where: str, chars: str) -> None:
    """Once per distinct set: which characters would still be boxes, and how to get them drawn."""
    named = ", ".join(f"{ch!r} U+{ord(ch):04X}" for ch in chars[:12])
    log.warning("%s: no font has glyphs for %s; put a font that has them in layouts/ and list it "
                "under `fallback` in layouts/theme.toml", where, named)
