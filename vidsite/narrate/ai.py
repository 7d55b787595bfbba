"""AI narration: Claude writes what is said from the scene's visual content and the page context.

Results are cached by content hash like audio, so a build without a key or network reuses what
was written before; anything else falls back to the template, with one warning per build.
The API key comes from ANTHROPIC_API_KEY only and never reaches logs, manifests or output.
"""

from __future__ import annotations

import json
import logging
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from vidsite.config import NarrationConfig
from vidsite.fsutil import atomic_write, canonical_hash
from vidsite.models import Page, Scene

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
    return canonical_hash({"v": PROMPT_VERSION, "model": cfg.model, "max_words": cfg.max_words, "type": scene.type,
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
        return self.cache_dir / "ai" / f"{scene.type}-{key}.json"

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
            self.problem = _describe(exc)
            self.fallbacks += 1
            return None
        atomic_write(path, json.dumps({"key": key, "model": self.cfg.model, "text": text}, ensure_ascii=False))
        self.written += 1
        return text

    def _ask(self, scene: Scene, page: Page) -> str:
        if not os.environ.get("ANTHROPIC_API_KEY"):
            raise RuntimeError("ANTHROPIC_API_KEY is not set")
        if self._client is None:
            try:
                import anthropic
            except ImportError:
                raise RuntimeError("the anthropic package is missing: pip install 'vidsite[ai]'") from None
            self._client = anthropic.Anthropic(base_url=self.cfg.base_url or None, timeout=self.cfg.timeout,
                                               max_retries=2)
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
        text = " ".join(block.text for block in reply.content if getattr(block, "type", "") == "text").strip()
        if not text:
            raise RuntimeError("the model returned no text")
        from vidsite.content.auto import clean

        return clean(text)


def _describe(exc: Exception) -> str:
    """A one-line reason that never includes request headers (where the key lives)."""
    status = getattr(exc, "status_code", None)
    name = type(exc).__name__
    if status:
        return f"{name} (HTTP {status})"
    msg = str(exc).splitlines()[0][:160] if str(exc) else ""
    return f"{name}: {msg}" if msg else name
