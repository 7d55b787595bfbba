"""Content-addressed clip cache: `<slug>-<hash>.wav` plus a `.json` sidecar per sentence.

The key is the hash of canonical JSON of everything that changes the sound, so a sentence is
synthesised once, ever, across pages and builds. An entry is complete only when the sidecar
exists and agrees with the wav; anything else (crash, truncation, hand edits) is a miss.
"""

from __future__ import annotations

import io
import json
import logging
import wave
from pathlib import Path
from typing import Any

from vidsite.cache import Cache, make_key
from vidsite.fsutil import atomic_write
from vidsite.models import Clip, Word
from vidsite.speech.base import Speech

log = logging.getLogger(__name__)


def clip_key(engine: str, version: str, voice: str, rate: int, pitch: int, text: str) -> str:
    """The one clip key: the speaker, its prefetch and `cache prune` all name a clip by it."""
    return make_key(
        {"engine": engine, "engine_version": version, "voice": voice, "rate": rate, "pitch": pitch, "text": text},
        length=20,
    )


class ClipCache:
    """Clips read and written whole: the sidecar is written last and checked against the wav."""

    def __init__(self, root: Path, shared: Any = None) -> None:
        self.root = root  # the cache folder (vidsite/cache.py says where clips live in it)
        self.store = Cache(root, shared)
        self.shared = shared  # a SharedCache, or None

    def _paths(self, key: str, text: str) -> tuple[Path, Path]:
        return self.store.clip(key, text)

    def get(self, key: str, text: str) -> Clip | None:
        wav_path, meta_path = self._paths(key, text)
        if self.shared and not meta_path.exists() and self.shared.fetch(meta_path):
            self.shared.fetch(wav_path)
        try:
            meta = json.loads(meta_path.read_text(encoding="utf-8"))
            with wave.open(str(wav_path), "rb") as w:
                frames, rate = w.getnframes(), w.getframerate()
            expected = (frames * 2) + 44
            if frames != meta["samples"] or rate != meta["sample_rate"] or wav_path.stat().st_size < expected:
                raise ValueError("wav does not match its sidecar")
            words = tuple(Word(**w) for w in meta["words"])
            lufs = meta.get("lufs")
            if lufs is None:  # an entry from before loudness was measured
                with wave.open(str(wav_path), "rb") as w:
                    lufs = _loudness(w.readframes(frames), rate)
        except FileNotFoundError:
            return None
        except (OSError, ValueError, KeyError, TypeError, EOFError, wave.Error) as exc:
            log.warning("cache entry %s is damaged (%s); synthesising it again", wav_path.name, exc)
            return None
        return Clip(key, wav_path, rate, frames, words, meta["engine"], meta["voice"], cached=True, lufs=float(lufs))

    def put(self, key: str, text: str, speech: Speech, engine: str, voice: str) -> Clip:
        wav_path, meta_path = self._paths(key, text)
        buf = io.BytesIO()
        with wave.open(buf, "wb") as w:
            w.setnchannels(1)
            w.setsampwidth(2)
            w.setframerate(speech.sample_rate)
            w.writeframes(speech.pcm)
        samples = len(speech.pcm) // 2
        atomic_write(wav_path, buf.getvalue())
        lufs = _loudness(speech.pcm, speech.sample_rate)
        meta = {
            "key": key, "text": text, "engine": engine, "voice": voice, "sample_rate": speech.sample_rate,
            "samples": samples, "words": [w.__dict__ for w in speech.words], "lufs": lufs,
        }
        atomic_write(meta_path, json.dumps(meta, ensure_ascii=False, sort_keys=True))
        if self.shared:
            self.shared.publish(wav_path)
            self.shared.publish(meta_path)  # the sidecar last: it marks the entry complete
        return Clip(key, wav_path, speech.sample_rate, samples, speech.words, engine, voice, cached=False, lufs=lufs)


def _loudness(pcm: bytes, rate: int) -> float:
    """The clip's integrated loudness, kept in its sidecar: the page's gain is then known from
    sidecars alone, and an edit re-measures only the clips it changed."""
    import numpy as np

    from vidsite.encode.loudness import integrated

    return round(integrated(np.frombuffer(pcm, dtype=np.int16) / 32768.0, rate), 2)
