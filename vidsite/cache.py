"""The content-addressed cache: the one place that knows its layout, names and keys.

```
.vidsite/cache/
  clips/<text-slug>-<key>.wav + .json     a sentence, spoken (the .json sidecar marks it whole)
  segments/<scene type>-<key>.mp4 (+ .jpg poster, + .sha256 sidecar)   a scene, drawn and encoded
  audio/<page slug>-<key>.m4a (+ .sha256)  a page's narration track
  ai/<scene type>-<key>.json               Claude's narration for a scene
  translations/<language>-<key>.json       Claude's translation of a page's strings
  pages/<video key>.json                   which entries a built page used (what `prune` keeps)
  speech/probe-<engine>.json               when an online engine last failed or answered
```

Every entry is `name-key`: the key, `make_key` of what the entry depends on (a hash of canonical
JSON, `fsutil.canonical_hash`), is the part after the last `-`. Readers treat a damaged entry as a miss; `prune` keeps what the current
pages use, found from their keys, whatever output folder they were built into.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from vidsite.encode.integrity import sidecar
from vidsite.fsutil import atomic_write, canonical_hash, slugify

log = logging.getLogger(__name__)

KINDS = ("clips", "segments", "audio", "ai", "translations")
USES = ("clips", "segments", "audio", "ai")  # what a page record lists


def key_of(path: Path) -> str:
    """The key in an entry's name (`name-key.ext`)."""
    return path.name.split(".", 1)[0].rsplit("-", 1)[-1]


def make_key(data: Any, length: int = 16) -> str:
    """The one way an entry's key is made: equal content, equal key, in any process or checkout."""
    return canonical_hash(data, length=length)


class Cache:
    """Paths of every kind of entry under one cache root. A shared cache (`shared`) mirrors the same
    layout under its URL; vidsite/shared_cache.py maps a local path to its shared twin."""

    def __init__(self, root: Path, shared: Any = None) -> None:
        self.root = root
        self.shared = shared  # a SharedCache or None: where the build fetches misses and publishes entries

    def clip(self, key: str, text: str) -> tuple[Path, Path]:
        """A clip's wav and its sidecar."""
        stem = f"{slugify(text, 24)}-{key}"
        return self.root / "clips" / f"{stem}.wav", self.root / "clips" / f"{stem}.json"

    def segment(self, scene_type: str, key: str) -> Path:
        """A scene's encoded video; its poster and `.sha256` sidecar sit beside it."""
        return self.root / "segments" / f"{scene_type}-{key}.mp4"

    @staticmethod
    def poster(segment: Path) -> Path:
        """The first scene's poster, made by the same task as its segment."""
        return segment.with_suffix(".jpg")

    def audio(self, slug: str, key: str) -> Path:
        """A page's narration track (the slug only makes the folder readable; the key decides)."""
        return self.root / "audio" / f"{slug}-{key}.m4a"

    def ai(self, scene_type: str, key: str) -> Path:
        return self.root / "ai" / f"{scene_type}-{key}.json"

    def translation(self, language: str, key: str) -> Path:
        return self.root / "translations" / f"{language}-{key}.json"

    def speech(self, engine: str) -> Path:
        return self.root / "speech" / f"probe-{engine}.json"

    # --- what pages use -----------------------------------------------------------------------

    def record_page(self, video_key: str, uses: dict[str, Iterable[str]]) -> None:
        """Remember which entries the page with this video key was made from (for `prune`)."""
        data = {kind: sorted(set(uses.get(kind, ()))) for kind in USES}
        path = self.root / "pages" / f"{video_key}.json"
        try:
            if path.is_file() and json.loads(path.read_text(encoding="utf-8")) == data:
                return
        except (OSError, ValueError):
            pass
        atomic_write(path, json.dumps(data, sort_keys=True))

    def page_uses(self, video_key: str) -> dict[str, list[str]] | None:
        """The keys a page with this video key was last built from; None if it never was (or unreadable)."""
        try:
            data = json.loads((self.root / "pages" / f"{video_key}.json").read_text(encoding="utf-8"))
            return {kind: [str(k) for k in data.get(kind, [])] for kind in USES}
        except (OSError, ValueError, AttributeError, TypeError):
            return None

    # --- listing, for `cache stats` and `cache prune` -------------------------------------------

    def entries(self, kind: str) -> list[list[Path]]:
        """Each entry of `kind` as the files that make it up (the first one names it)."""
        folder = self.root / kind
        if not folder.is_dir():
            return []
        if kind == "clips":
            return [[m, m.with_suffix(".wav")] for m in sorted(folder.glob("*.json"))]
        if kind == "segments":
            return [[s, self.poster(s), sidecar(s), sidecar(self.poster(s))] for s in sorted(folder.glob("*.mp4"))]
        if kind == "audio":
            return [[a, sidecar(a)] for a in sorted(folder.glob("*.m4a"))]
        return [[e] for e in sorted(folder.glob("*.json"))]

    def orphans(self) -> list[Path]:
        """Files no entry owns: temp files of interrupted writes, a wav without its sidecar, and
        sidecars whose entry is gone. (Page records are kept or dropped by `prune`, by video key.)"""
        out = [p for p in self.root.rglob(".*") if p.is_file()]
        clips = self.root / "clips"
        if clips.is_dir():
            out += [w for w in clips.glob("*.wav") if not w.with_suffix(".json").exists()]
        for kind in ("segments", "audio"):
            folder = self.root / kind
            if folder.is_dir():
                out += [s for s in folder.glob("*.sha256") if not s.with_name(s.name[: -len(".sha256")]).exists()]
        return out
