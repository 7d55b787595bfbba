"""`vidsite check`: parse and narrate everything, estimate durations; no speech, no video."""

from __future__ import annotations

import re
from pathlib import Path

from vidsite.config import load_config
from vidsite.content.discover import discover
from vidsite.models import Page, Scene
from vidsite.narrate.templates import narrate
from vidsite.render.theme import load_theme
from vidsite.speech.speak import units


def estimate(text: str, rate_wpm: int) -> float:
    """Seconds of speech: words at the speaking rate, plus pauses and a beat per sentence."""
    seconds = 0.0
    for unit in units(text):
        if isinstance(unit, float):
            seconds += unit
        else:
            seconds += len(re.findall(r"\w+", unit)) * 60 / rate_wpm + 0.3
    return seconds


def check_site(root: Path) -> list[tuple[Page, list[tuple[Scene, str, float]]]]:
    config = load_config(root)
    load_theme(config.theme, root / "layouts")
    pages, _ = discover(root, config, drafts=True)
    v = config.video
    out = []
    for page in pages:
        rows = []
        for scene in page.scenes:
            text = narrate(scene)
            speech = estimate(text, config.tts.rate)
            lo = scene.min_duration if scene.min_duration is not None else v.min_duration
            rows.append((scene, text, max(lo, speech + v.pad)))
        out.append((page, rows))
    return out
