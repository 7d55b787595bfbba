"""`vidsite check`: parse and narrate everything, estimate durations; no speech, no video."""

from __future__ import annotations

import re
from pathlib import Path

from vidsite.config import TTSConfig, load_config
from vidsite.content.discover import discover
from vidsite.content.includes import Note
from vidsite.models import Page, Scene
from vidsite.narrate.templates import narrate
from vidsite.render.theme import load_theme
from vidsite.speech.speak import units
from vidsite.timeline import scene_seconds


def estimate(text: str, tts: TTSConfig) -> float:
    """Seconds of speech: words at [tts] rate, plus the pauses the build adds between sentences."""
    seconds = 0.0
    for unit in units(text, tts.sentence_pause, tts.paragraph_pause):
        if isinstance(unit, float):
            seconds += unit
        else:
            seconds += len(re.findall(r"\w+", unit)) * 60 / tts.rate + 0.1
    return seconds


def check_site(root: Path, drafts: bool = False, notes: list[Note] | None = None,
               strict: bool = False) -> list[tuple[Page, list[tuple[Scene, str, float]]]]:
    """Every page (drafts with `drafts`), each scene with its narration and estimated length, which
    the timeline's rule bounds: at least the scene's or site's minimum, at most its maximum unless the
    narration is longer (narration is never cut). `notes` collects every construct a page holds that
    its video cannot carry (include not found, unknown shortcode, HTML dropped); `strict`: an error."""
    config = load_config(root)
    load_theme(config.theme, root / "layouts")
    pages, _ = discover(root, config, drafts=drafts, strict=strict, notes=notes)
    v = config.video
    out = []
    for page in pages:
        rows = []
        for scene in page.scenes:
            text = narrate(scene, page.language)  # as the build narrates it
            speech = estimate(text, config.tts)
            rows.append((scene, text, scene_seconds(scene, speech, v)))
        out.append((page, rows))
    return out
