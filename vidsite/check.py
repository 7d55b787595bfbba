"""`vidsite check`: parse and narrate everything, estimate durations; no speech, no video."""

from __future__ import annotations

import re
from pathlib import Path

from vidsite.config import load_config
from vidsite.content.discover import discover
from vidsite.content.includes import Note
from vidsite.models import Page, Scene
from vidsite.narrate.templates import narrate
from vidsite.render.theme import load_theme
from vidsite.speech.speak import units
from vidsite.timeline import scene_seconds


def estimate(text: str, rate_wpm: int, sentence_pause: float = 0.4, paragraph_pause: float = 0.7) -> float:
    """Seconds of speech: words at the speaking rate, plus the pauses the build adds between sentences."""
    seconds = 0.0
    for unit in units(text, sentence_pause, paragraph_pause):
        if isinstance(unit, float):
            seconds += unit
        else:
            seconds += len(re.findall(r"\w+", unit)) * 60 / rate_wpm + 0.1
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
            text = narrate(scene)
            speech = estimate(text, config.tts.rate, config.tts.sentence_pause, config.tts.paragraph_pause)
            rows.append((scene, text, scene_seconds(scene, speech, v)))
        out.append((page, rows))
    return out
