"""A scene's still at one moment: the type's draw function on a fresh canvas.

The drawing itself lives with each scene type (`vidsite.scenes`); the primitives in
`vidsite.scenes.canvas`. Importing this module loads all of them, which is what a worker
pool's preload wants before it forks.
"""

from __future__ import annotations

import json
import logging
import os
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
               width: int, height: int, rtl: bool = False, language: str | None = None, source: str = "",
               quiet: bool = False) -> Canvas:
    """The drawn canvas: its image, and the text it drew legibly (`drawn`). `source` names the page
    and scene in warnings ("content/p.md:12: scene 3 (code)"); `quiet` draws without them (a
    crossfade into the next scene, which warns with its own source when it is drawn)."""
    kind = get(scene_type)
    canvas = Canvas(width, height, theme, accent, rtl)
    with speaking(language):
        kind.draw(canvas, drawable(fields), state)
        measured = None
        if "reveal" in state and state["reveal"] < FULL:  # balance by the full slide, so items stay put
            measured = _fully_revealed(scene_type, fields, state, theme, accent, width, height, rtl, language)
    canvas.balance(measured)
    if canvas.missing and not quiet:
        _warn_missing(source or f"{scene_type} slide", "".join(sorted(canvas.missing)))
    return canvas


FULL = 10**6  # a `reveal` that shows every item
_last_full: tuple[str, Canvas] | None = None  # (what was drawn, the canvas)


def _fully_revealed(scene_type: str, fields: dict[str, Any], state: dict[str, Any], theme: Theme, accent: str,
                    width: int, height: int, rtl: bool, language: str | None) -> Canvas:
    """The slide with every item revealed, which each of its partial reveals is balanced by: drawn
    once for all of them (a scene's stills are drawn one after another), not once per still."""
    global _last_full
    image = fields.get("_path")  # a picture the slide shows: by its file's state too (the dev server redraws)
    st = os.stat(image) if isinstance(image, str) and os.path.exists(image) else None
    seen = (st.st_size, st.st_mtime_ns) if st else None
    key = json.dumps([scene_type, fields, seen, {**state, "reveal": FULL}, theme.model_dump(mode="json"), accent,
                      width, height, rtl, language], sort_keys=True, default=repr)
    if _last_full is None or _last_full[0] != key:
        full = Canvas(width, height, theme, accent, rtl)
        get(scene_type).draw(full, drawable(fields), {**state, "reveal": FULL})
        _last_full = (key, full)
    return _last_full[1]


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
    log.warning("%s: no font has glyphs for %s; put a font that has them in layouts/ and name it under "
                "`extra_fallback` in layouts/theme.toml (extra_fallback = [\"MyFont.ttf\"])", where, named)
