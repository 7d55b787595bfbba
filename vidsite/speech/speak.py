"""Narration text → Voiceover: split into sentences and pauses, each sentence a cached clip."""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass, field

from vidsite.config import TTSConfig
from vidsite.models import Clip, Voiceover, Word
from vidsite.speech.base import Engine, get_engine
from vidsite.speech.cache import ClipCache, clip_key

log = logging.getLogger(__name__)

_PAUSE = re.compile(r"\[pause\s+(\d+(?:\.\d+)?)\s*(ms|s)?\s*\]", re.I)
_SENTENCE = re.compile(r"(?<=[.!?…。！？])\s+")
MAX_PAUSE = 10.0


def units(text: str) -> list[str | float]:
    """Sentences (str) and pauses (float seconds), in order."""
    out: list[str | float] = []
    pos = 0
    for m in _PAUSE.finditer(text):
        out.extend(s for s in _SENTENCE.split(text[pos : m.start()].strip()) if s.strip())
        value = float(m.group(1)) / (1000 if (m.group(2) or "ms").lower() == "ms" else 1)
        out.append(min(value, MAX_PAUSE))
        pos = m.end()
    out.extend(s for s in _SENTENCE.split(text[pos:].strip()) if s.strip())
    return out


@dataclass
class Speaker:
    """Speaks narrations through one engine and the clip cache; counts what it did."""

    tts: TTSConfig
    cache: ClipCache
    engine_name: str = "espeak"
    synthesised: int = 0
    cached: int = 0
    _engine: Engine | None = field(default=None, repr=False)

    @property
    def engine(self) -> Engine:
        if self._engine is None:
            self._engine = get_engine(self.engine_name)
        return self._engine

    def clip(self, sentence: str, voice_id: str) -> Clip:
        engine = self.engine
        key = clip_key(engine.name, engine.version, voice_id, self.tts.rate, self.tts.pitch, sentence)
        hit = self.cache.get(key, sentence)
        if hit is not None:
            self.cached += 1
            return hit
        speech = engine.synthesize(sentence, voice_id, self.tts.rate, self.tts.pitch)
        self.synthesised += 1
        return self.cache.put(key, sentence, speech, engine.name, voice_id)

    def speak(self, narration: str, voice: str | None, language: str) -> Voiceover:
        voice_id = self.engine.voice_id(voice or self.tts.voice, language)
        parts: list[tuple[Clip, float]] = []
        words: list[Word] = []
        shown: list[str] = []
        t = 0.0
        offset = 0
        for unit in units(narration):
            if isinstance(unit, float):
                t += unit
                continue
            clip = self.clip(unit, voice_id)
            parts.append((clip, t))
            words.extend(Word(w.text, t + w.start, t + w.end, offset + w.char) for w in clip.words)
            shown.append(unit)
            offset += len(unit) + 1
            t += clip.duration
        return Voiceover(" ".join(shown), tuple(parts), t, tuple(words), self.engine.name, voice_id)
