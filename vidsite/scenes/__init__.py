"""Scene types, each declared once: fields, narration template, reveal rule, drawing, chapter
title, code fields and a scaffold example, in one `SceneType` per type.

A plugin package declares its own types with these names and registers them under the
`vidsite.scenes` entry point group::

    [project.entry-points."vidsite.scenes"]
    banner = "vidsite_banner:BANNER"

Draw functions get a `vidsite.scenes.canvas.Canvas`; import it only for type checking, so
loading the registry (as `vidsite check` does) never loads Pillow.
"""

from __future__ import annotations

from vidsite.scenes.base import (COMMON, MAX_ITEMS, AnswerHold, H, SceneFields, SceneType, W, first_of, sentence,
                                 spoken_list, to_items)
from vidsite.scenes.registry import GROUP, TYPES, chapter_title, code_fields, get, untouched_fields

__all__ = [
    "COMMON", "GROUP", "MAX_ITEMS", "TYPES", "AnswerHold", "H", "SceneFields", "SceneType", "W", "chapter_title",
    "code_fields", "first_of", "get", "sentence", "spoken_list", "to_items", "untouched_fields",
]
