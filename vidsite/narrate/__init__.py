"""Narration: the author's text, the type's template, or Claude's (cached)."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from vidsite.config import NarrationConfig
from vidsite.models import Page, Scene
from vidsite.narrate.templates import narrate as template


@dataclass
class Narrator:
    cfg: NarrationConfig
    cache_dir: Path
    _writer: Any = field(default=None, repr=False)

    @property
    def writer(self) -> Any:
        if self._writer is None:
            from vidsite.narrate.ai import Writer

            self._writer = Writer(self.cfg, self.cache_dir)
        return self._writer

    def ai_stats(self) -> tuple[int, int, int, str]:
        """AI narration written, taken from the cache, fallen back to the template; the last problem."""
        w = self._writer
        return (w.written, w.cached, w.fallbacks, w.problem) if w is not None else (0, 0, 0, "")

    def __call__(self, scene: Scene, page: Page) -> str:
        from vidsite.narrate.ai import wants_ai

        if wants_ai(scene, self.cfg):
            text = self.writer.text(scene, page)
            if text:
                return text
            scene = Scene(scene.type, scene.fields, scene.line)  # template from the visual fields
        return template(scene, page.language)
