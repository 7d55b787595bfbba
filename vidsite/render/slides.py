"""A scene's still at one moment: the type's draw function on a fresh canvas.

The drawing itself lives with each scene type (`vidsite.scenes`); the primitives in
`vidsite.scenes.canvas`. Importing this module loads all of them, which is what a worker
pool's preload wants before it forks.
"""

from __future__ import annotations

import logging
from functools import lru_cache
from typing import Any

from PIL import Image

from vidsite.render.theme import Theme
from vidsite.scenes import get
from vidsite.scenes.canvas import Canvas, H, W, _highlight, drawable

log = logging.getLogger(__name__)
__all__ = ["Canvas", "H", "W", "_highlight", "render"]


def render(scene_type: str, fields: dict[str, Any], state: dict[str, Any], theme: Theme, accent: str,
           width: int, height: int, rtl: bool = False) -> Image.Image:
    """The slide of a `scene_type` scene; `state` says which items are revealed and whether a
    quiz shows its answer."""
    fields = drawable(fields)
    kind = get(scene_type)
    canvas = Canvas(width, height, theme, accent, rtl)
    kind.draw(canvas, fields, state)
    measured = None
    if "reveal" in state and state["reveal"] < 10**6:  # balance by the full slide, so items stay put
        measured = Canvas(width, height, theme, accent, rtl)
        kind.draw(measured, fields, {**state, "reveal": 10**6})
    canvas.balance(measured)
    if canvas.missing:
        _warn_missing(scene_type, "".join(sorted(canvas.missing)))
    return canvas.img


@lru_cache(maxsize=256)
def _warn_missing(scene_type: str, chars: str) -> None:
    """Once per distinct set: which characters would still be boxes, and how to get them drawn."""
    named = ", ".join(f"{ch!r} U+{ord(ch):04X}" for ch in chars[:12])
    log.warning("%s slide: no font has glyphs for %s; put a font that has them in layouts/ and list it "
                "under `fallback` in layouts/theme.toml", scene_type, named)
