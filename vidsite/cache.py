"""The content-addressed cache: the one place that knows its layout, names and keys.

```
.vidsite/cache/
  clips/<text-slug>-<key>.wav + .json     a sentence, spoken (the .json sidecar marks it whole)
  clips/<text-slug>-<key>.<key>.pcm       that clip levelled to a gain (int16), for page tracks
  segments/<scene type>-<key>.mp4 (+ .sha256 sidecar)   a scene's pictures, drawn and encoded (the join
      shows them at the page's times), and beside it what the same task made: .shown.json (the fields
      its final slide shows), .thumb.png (that slide, storyboard sized) and, for a page's first scene,
      .jpg (the poster, + .sha256)
  audio/take-<key>.m4a (+ .sha256, .energy)  a take of pages' narration tracks (a
      scene's narration, encode.audio), with its meter readings
  ai/<scene type>-<key>.json               Claude's narration for a scene
  translations/<language>-<key>.json       Claude's translation of a page's strings
  pages/<video key>.json                   which entries a built page used (what `prune` keeps)
  speech/probe-<engine>.json               when an online engine last failed or answered
  state/<file name>-<key>.json             what parsing a content file gave, and the files it read
  state/site-<key>.json (+ .rendered.json)  per output folder: what the last build published there (and
                                           what its publish rendered and hashed)
  templates/                               the site's Jinja templates, compiled (Jinja's own bytecode cache)
```

Every entry is `name-key`: the key, `make_key` of what the entry depends on (a hash of canonical
JSON, `fsutil.canonical_hash`), is the part after the last `-`. Readers treat a damaged entry as a miss; `prune` keeps what the current
pages use, found from their keys, whatever output folder they were built into.
"""

from __future__ import annotations

import json
import logging
import os
import time
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from vidsite.encode.integrity import sidecar
from vidsite.fsutil import atomic_write, canonical_hash, file_sha256, slugify

log = logging.getLogger(__name__)

KINDS = ("clips", "segments", "audio", "ai", "translations")
USES = ("clips", "segments", "audio", "ai")  # what a page record lists
AUDIO_MADE = (".energy",)  # kept beside a take: its meter readings (encode.audio.energy_file)


def key_of(path: Path) -> str:
    """The key in an entry's name (`name-key.ext`)."""
    return path.name.split(".", 1)[0].rsplit("-", 1)[-1]


def make_key(data: Any, length: int = 16) -> str:
    """The one way an entry's key is made: equal content, equal key, in any process or checkout."""
    return canonical_hash(data, length=length)


def levelled_clip(wav: Path, how: Any) -> Path:
    """A clip levelled as `how` says (gain, rate, limiter settings), kept beside the clip: it goes with it."""
    return wav.with_name(f"{wav.stem}.{make_key(how)}.pcm")


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

    @staticmethod
    def shown(segment: Path) -> Path:
        """The scene's fields as its final slide shows them (render.slides.shown), made with the segment."""
        return segment.with_suffix(".shown.json")

    @staticmethod
    def thumbnail(segment: Path) -> Path:
        """The scene's final slide at storyboard size (site/storyboard.py), made with the segment: a
        page's storyboard is pasted from these, not decoded from the videos."""
        return segment.with_suffix(".thumb.png")

    @classmethod
    def segment_parts(cls, segment: Path, poster: bool = False) -> list[Path]:
        """Every file a segment's task writes, the segment last: the shared cache publishes them in this
        order, so a reader that finds the segment there finds the rest."""
        return [cls.shown(segment), cls.thumbnail(segment), *([cls.poster(segment)] if poster else []), segment]

    @staticmethod
    def audio_parts(take: Path) -> list[Path]:
        """Every file a take's task writes, the take last (as `segment_parts`)."""
        return [take.with_name(take.name + made) for made in AUDIO_MADE] + [take]

    @classmethod
    def parts(cls, made: Path, poster: bool = False) -> list[Path]:
        """Every file the task that made `made` (a segment or a take) writes, it last."""
        return cls.segment_parts(made, poster) if made.suffix == ".mp4" else cls.audio_parts(made)

    def audio(self, key: str) -> Path:
        """A take of a page's narration track (encode.audio), shared by every page that has it."""
        return self.root / "audio" / f"take-{key}.m4a"

    def ai(self, scene_type: str, key: str) -> Path:
        return self.root / "ai" / f"{scene_type}-{key}.json"

    def translation(self, language: str, key: str) -> Path:
        return self.root / "translations" / f"{language}-{key}.json"

    def speech(self, engine: str) -> Path:
        return self.root / "speech" / f"probe-{engine}.json"

    def templates(self) -> Path:
        """Jinja's compiled templates (each file names its template and holds its source's checksum)."""
        return self.root / "templates"

    def published(self, out: Path) -> Path:
        """What the last publish into the output folder `out` rendered and hashed (site/publish.py::Memo)."""
        return self.site_state(out).with_suffix(".rendered.json")

    def site_state(self, out: Path) -> Path:
        """What the last build into the output folder `out` published, and the files it left there."""
        return self.root / "state" / f"site-{make_key(str(out))}.json"

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
            levelled: dict[str, list[Path]] = {}
            for p in folder.glob("*.pcm"):
                levelled.setdefault(p.name.split(".", 1)[0], []).append(p)
            return [[m, m.with_suffix(".wav"), *sorted(levelled.get(m.stem, []))] for m in sorted(folder.glob("*.json"))]
        if kind == "segments":
            return [[s, self.poster(s), sidecar(s), sidecar(self.poster(s)), self.shown(s), self.thumbnail(s)]
                    for s in sorted(folder.glob("*.mp4"))]
        if kind == "audio":
            return [[a, sidecar(a), *(a.with_name(a.name + made) for made in AUDIO_MADE)] for a in sorted(folder.glob("*.m4a"))]
        return [[e] for e in sorted(folder.glob("*.json"))]

    def orphans(self) -> list[Path]:
        """Files no entry owns: temp files of interrupted writes, a wav without its sidecar, and
        sidecars whose entry is gone. (Page records are kept or dropped by `prune`, by video key.)"""
        out = [p for p in self.root.rglob(".*") if p.is_file()]
        clips = self.root / "clips"
        if clips.is_dir():
            out += [w for w in clips.glob("*.wav") if not w.with_suffix(".json").exists()]
            out += [p for p in clips.glob("*.pcm") if not (clips / f"{p.name.split('.', 1)[0]}.json").exists()]
        for kind in ("segments", "audio"):
            folder = self.root / kind
            if folder.is_dir():
                out += [s for s in folder.glob("*.sha256") if not s.with_name(s.name[: -len(".sha256")]).exists()]
        segments, audio = self.root / "segments", self.root / "audio"
        for made in (".shown.json", ".thumb.png"):
            out += [s for s in segments.glob("*" + made) if not s.with_name(s.name[: -len(made)] + ".mp4").exists()]
        for made in AUDIO_MADE:
            out += [s for s in audio.glob("*" + made) if not s.with_name(s.name[: -len(made)]).exists()]
        return out


# --- what parsing each content file gave ---------------------------------------------------------

STATE_FORMAT = 1  # bump when a state's shape or meaning changes: older ones are misses
RACY_NS = 2_000_000_000  # a file modified this close to its reading is checked by content (coarse mtimes)


class PageStates:
    """Per content file, what parsing it gave and the size and mtime of every file it read, so that
    an unchanged page is not parsed again. A state holds only while the `fingerprint` (vidsite's
    version, the config, the site folder) is the same, every file it lists has the size and mtime it
    had, and every path it lists as absent is still absent; a file modified less than RACY_NS before
    it was read also has its hash checked, as git does for racily clean entries. A missing or damaged
    state is a miss: the file is parsed."""

    def __init__(self, folder: Path, fingerprint: str) -> None:
        self.folder, self.fingerprint = folder, fingerprint
        self.parsed = 0  # content files parsed in this build (the others were unchanged)

    def _path(self, source: Path) -> Path:
        return self.folder / f"{slugify(source.name, 40)}-{make_key(str(source))}.json"

    def recall(self, source: Path) -> Any:
        """The value kept for `source`, or None when anything it was made from may have changed."""
        try:
            state = json.loads(self._path(source).read_text(encoding="utf-8"))
            if state["format"] != STATE_FORMAT or state["fingerprint"] != self.fingerprint:
                return None
            if not all(_unchanged(Path(p), size, mtime, digest) for p, size, mtime, digest in state["files"]):
                return None
            if any(os.path.lexists(p) for p in state["absent"]):
                return None
            return state["value"]
        except (OSError, ValueError, KeyError, TypeError, AttributeError):
            return None

    def parse(self, source: Path, parse: Any) -> Any:
        """`parse()` → (value, files it read, paths whose absence it relied on, whether to keep it);
        the value is kept unless a file it read changed while it was read. A file is given as its
        `signature()` taken before it was read, or as a path, whose signature is taken now: a hash taken
        after the parse could describe newer content than was parsed, so such a file, if recently
        modified, means the state is not kept."""
        self.parsed += 1
        started = time.time_ns()
        signatures = [signature(source)]  # before reading: what is kept is never newer than what was parsed
        value, files, absent, keep = parse()
        for file in files:
            if isinstance(file, Path):
                file = signature(file, started)
                keep = keep and file is not None and file[3] is None
            keep = keep and file is not None
            signatures.append(file)
        if not keep or signatures[0] is None:
            return value
        state = {"format": STATE_FORMAT, "fingerprint": self.fingerprint, "value": value, "files": signatures,
                 "absent": sorted({str(p) for p in absent})}
        atomic_write(self._path(source), json.dumps(state, ensure_ascii=False))
        return value


def signature(path: Path, now: int | None = None) -> list[Any] | None:
    """[path, size, mtime, hash or None] of a file about to be read (None if it cannot be): the hash
    only where the mtime is too recent (against `now`) to be trusted."""
    try:
        st = os.stat(path)
        racy = st.st_mtime_ns >= (now or time.time_ns()) - RACY_NS
        return [str(path), st.st_size, st.st_mtime_ns, file_sha256(path) if racy else None]
    except OSError:
        return None


def _unchanged(path: Path, size: int, mtime: int, digest: str | None) -> bool:
    try:
        st = os.stat(path)
    except OSError:
        return False
    return st.st_size == size and st.st_mtime_ns == mtime and (digest is None or file_sha256(path) == digest)
