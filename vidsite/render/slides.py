"""A scene's still at one moment: the type's draw function on a fresh canvas.

The drawing itself lives with each scene type (`vidsite.scenes`); the primitives in
`vidsite.scenes.canvas`. Importing this module loads all of them, which is what a worker
pool's preload wants before it forks.
"""

from __future__ import annotations

import logging
from typing import Any

from PIL import Image

from vidsite.render.theme import Theme
from vidsite.scenes import get
from vidsite.scenes.canvas import H, W, Canvas, _highlight, drawable

log = logging.getLogger(__name__)
__all__ = ["H", "W", "Canvas", "_highlight", "render"]


def render(scene_type: str, fields: dict[str, Any], state: dict[str, Any], theme: Theme, accent: str,
           width: int, height: int, rtl: bool = False) -> Image.Image:
    """The slide of a `scene_type` scene; `state` says which items are revealed and whether a
    quiz shows its answer."""
    canvas = Canvas(width, height, theme, accent, rtl)
    get(scene_type).draw(canvas, drawable(fields), state)
    return canvas.img
