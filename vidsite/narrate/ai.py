"""AI narration: Claude writes what is said from the scene's visual content and the page context.

Results are cached by content hash like audio, so a build without a key or network reuses what
was written before; anything else falls back to the template, with one warning per build.
The API key comes from ANTHROPIC_API_KEY only and never reaches logs, manifests or output.
"""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from vidsite.cache import Cache, make_key
from vidsite.config import NarrationConfig
from vidsite.fsutil import atomic_write
from vidsite.models import Page, Scene
from vidsite.narrate.claude import client, describe, reply_text

log = logging.getLogger(__name__)
PROMPT_VERSION = 1
SYSTEM = (
    "You write the voice-over for one slide of a narrated documentation video. Write natural spoken "
    "sentences a narrator reads aloud while the slide is shown. No markdown, no lists, no URLs, no code "
    "read character by character, no stage directions, no quotation marks around the answer. "
    "Answer with the narration only."
)


def ai_key(scene: Scene, page: Page, cfg: NarrationConfig) -> str:
    visual = {k: v for k, v in scene.fields.items() if not k.startswith("_")}
    return make_key({"v": PROMPT_VERSION, "model": cfg.model, "max_words": cfg.max_words, "type": scene.type,
                     "fields": visual, "page": page.title, "language": page.language}, length=20)


def wants_ai(scene: Scene, cfg: NarrationConfig) -> bool:
    text = (scene.narration or "").strip().lower()
    return text == "ai" or (cfg.ai and not text)


@dataclass
class Writer:
    cfg: NarrationConfig
    cache_dir: Path
    written: int = 0
    cached: int = 0
    fallbacks: int = 0
    problem: str = ""
    _client: Any = field(default=None, repr=False)
    _answers: dict[str, str | None] = field(default_factory=dict, repr=False)

    def _path(self, key: str, scene: Scene) -> Path:
        return Cache(self.cache_dir).ai(scene.type, key)  # vidsite/cache.py owns the layout

    def text(self, scene: Scene, page: Page) -> str | None:
        """Claude's narration for the scene, or None (the caller uses the template). Asked once per build."""
        key = ai_key(scene, page, self.cfg)
        if key not in self._answers:
            self._answers[key] = self._text(key, scene, page)
        return self._answers[key]

    def _text(self, key: str, scene: Scene, page: Page) -> str | None:
        path = self._path(key, scene)
        try:
            text = json.loads(path.read_text(encoding="utf-8"))["text"]
            self.cached += 1
            return text
        except (OSError, ValueError, KeyError, TypeError):
            pass
        if self.problem:  # one failure stops asking for the rest of the build
            self.fallbacks += 1
            return None
        try:
            text = self._ask(scene, page)
        except Exception as exc:  # noqa: BLE001 - any API failure falls back to the template, reported once
            self.problem = describe(exc)
            self.fallbacks += 1
            return None
        atomic_write(path, json.dumps({"key": key, "model": self.cfg.model, "text": text}, ensure_ascii=False))
        self.written += 1
        return text

    def _ask(self, scene: Scene, page: Page) -> str:
        if self._client is None:
            self._client = client(self.cfg)
        visual = {k: v for k, v in scene.fields.items() if not k.startswith("_")}
        prompt = (
            f"Video title: {page.title}\nLanguage: {page.language}\nSlide type: {scene.type}\n"
            f"Slide content (JSON): {json.dumps(visual, ensure_ascii=False)}\n\n"
            f"Write at most {self.cfg.max_words} words of narration for this slide, in the video's language."
        )
        reply = self._client.messages.create(
            model=self.cfg.model, max_tokens=self.cfg.max_words * 4, system=SYSTEM,
            messages=[{"role": "user", "content": prompt}],
        )
        text = reply_text(reply)
        if not text:
            raise RuntimeError("the model returned no text")
        from vidsite.content.auto import clean

        return clean(text)
