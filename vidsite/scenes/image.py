"""The image scene: a picture from static/ scaled to the slide, with a caption.

Pillow is imported when a slide is drawn, not when the type is registered, so validating a
site (`vidsite check`) never loads it.
"""

from __future__ import annotations

import logging
from pathlib import Path
from typing import TYPE_CHECKING, Any

from vidsite.messages import _
from vidsite.scenes.base import W, Fields, SceneFields, SceneType, first_of, sentence

if TYPE_CHECKING:
    from vidsite.scenes.canvas import Canvas

log = logging.getLogger(__name__)


class Image(SceneFields):
    src: str
    caption: str = ""
    alt: str = ""


def _image_text(f: Fields) -> str:
    return sentence(f.get("caption", "") or f.get("alt", "") or _("Take a look at this image"))


def _draw_image(c: Canvas, f: Fields, state: dict[str, Any]) -> None:
    from PIL import Image as PILImage

    c.frame()
    bottom = 930 if f.get("caption") else 1010
    path = f.get("_path")  # the resolved file under static/, set by the parser
    if path and Path(path).is_file():
        with PILImage.open(path) as im:
            im.draft("RGB", (c.img.width, c.img.height))
            im = im.convert("RGB")
            box_w, box_h = c.px(W - 2 * c.m), round((bottom - 70) * c.sy)
            im.thumbnail((box_w, box_h), PILImage.Resampling.LANCZOS)
            if im.width < box_w and im.height < box_h:  # small images grow to the box too
                k = min(box_w / im.width, box_h / im.height)
                im = im.resize((max(1, int(im.width * k)), max(1, int(im.height * k))), PILImage.Resampling.LANCZOS)
            c.img.paste(im, ((c.img.width - im.width) // 2, round(70 * c.sy) + (box_h - im.height) // 2))
    else:
        c.box(c.m, 70, W - 2 * c.m, bottom - 70, c.theme.surface)
        c.text(f.get("alt") or f.get("src", ""), c.m, 480, W - 2 * c.m, 100, size=48, fill=c.theme.muted,
               align="center", max_lines=1)
    c.text(f.get("caption", ""), c.m, 950, W - 2 * c.m, 60, size=40, fill=c.theme.muted, align="center", max_lines=1)


IMAGE = SceneType("image", Image, _image_text, _draw_image, first_of("caption", "src"),
                  code_fields=frozenset({"src"}),
                  example={"src": "diagram.png", "caption": "Put diagram.png in static/"})
