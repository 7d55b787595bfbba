"""Narration written from a scene's visual fields when the author gave none.

Each scene type carries its own template (`vidsite.scenes`); this is the one place that
decides between the author's words and the template's.
"""

from __future__ import annotations

import logging

from vidsite.messages import check_language
from vidsite.models import Scene
from vidsite.scenes import get, sentence, spoken_list

log = logging.getLogger(__name__)
__all__ = ["narrate", "sentence", "spoken_list"]


def narrate(scene: Scene, language: str | None = None) -> str:
    """The text to speak for a scene: the author's, else the type's template (for `language`
    where the type has one, else its default). Warns once for a language vidsite has no words in."""
    check_language(language)
    if scene.narration and scene.narration.strip() and scene.narration.strip().lower() != "ai":
        return scene.narration.strip()
    return get(scene.type).narrate(scene.fields, language)
