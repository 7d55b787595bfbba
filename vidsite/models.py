"""The small, immutable types passed between pipeline stages."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any


@dataclass(frozen=True)
class Scene:
    """One slide (or slide sequence) and what is said over it."""

    type: str
    fields: dict[str, Any]
    line: int  # 1-based line of the scene's opening fence (or source element)
    narration: str | None = None  # None: written by the type's template
    voice: str | None = None
    min_duration: float | None = None
    max_duration: float | None = None


@dataclass(frozen=True)
class Page:
    """One Markdown file: one video."""

    source: Path
    rel: str  # path under content/, posix
    section: str  # "" for the root section
    slug: str
    title: str
    scenes: tuple[Scene, ...]
    description: str = ""
    voice: str | None = None
    accent: str = "blue"
    draft: bool = False
    weight: int = 0
    language: str = "en"
    theme: str | None = None
    transition: float | None = None  # None: the site's [video] transition
    lang_prefix: str = ""  # "es" for /es/... ; "" for the default language at the root
    translation_key: str = ""  # the same for a page and its translations (section/stem)
    fallback_from: str | None = None  # language of the page shown here untranslated
    edition: str = ""  # the language edition of the site that lists it ("" = its own language)
    date: str | None = None  # YYYY-MM-DD

    def site_path(self, content_dir: str) -> str:
        """The page's path as its author knows it: under the site's content_dir (`docs/…` in a docs
        repository, `p.md` where content_dir is "."), for warnings and the manifest."""
        return Path(content_dir, self.rel).as_posix()

    @property
    def listed_in(self) -> str:
        return self.edition or self.language

    @property
    def url(self) -> str:
        """Output folder under output/, posix, no leading slash."""
        return "/".join(p for p in (self.lang_prefix, self.section, self.slug) if p)


@dataclass(frozen=True)
class Section:
    path: str
    title: str
    description: str = ""
    language: str = ""


@dataclass(frozen=True)
class Word:
    """A spoken word: its place in the written text and its time in the clip."""

    text: str
    start: float  # seconds from the clip start
    end: float
    char: int = 0  # 0-based character offset in the spoken text


@dataclass(frozen=True)
class Clip:
    """A synthesised narration: mono int16 PCM on disk plus its word timings."""

    key: str
    wav: Path
    sample_rate: int
    samples: int
    words: tuple[Word, ...]
    engine: str
    voice: str
    cached: bool = False
    lufs: float | None = None  # integrated loudness (BS.1770), measured once when synthesised

    @property
    def duration(self) -> float:
        return self.samples / self.sample_rate


@dataclass(frozen=True)
class Still:
    """A distinct picture inside a scene: shown from `frame` (scene-relative) on."""

    frame: int
    state: dict[str, Any] = field(default_factory=dict)  # e.g. {"reveal": 2}


@dataclass(frozen=True)
class Span:
    """Where a scene sits in the page video, in whole frames."""

    index: int
    start: int
    end: int
    stills: tuple[Still, ...]
    fade: int = 0  # last frames that crossfade into the next scene's first still
    voice: float = 0.0  # seconds from the first frame to the narration's start (see timeline.build_timeline)

    @property
    def frames(self) -> int:
        return self.end - self.start


@dataclass(frozen=True)
class Timeline:
    fps: int
    spans: tuple[Span, ...]
    padding: int = 0  # frames the last picture is held past the last span (audio alignment)

    @property
    def frames(self) -> int:
        return self.spans[-1].end + self.padding if self.spans else 0

    @property
    def duration(self) -> float:
        return self.frames / self.fps


@dataclass(frozen=True)
class Voiceover:
    """A scene's narration as heard: sentence clips placed in time, words timed on the written text."""

    text: str  # what captions show (markup removed)
    parts: tuple[tuple[Clip, float], ...]  # (clip, start second)
    duration: float
    words: tuple[Word, ...]  # char offsets index `text`
    engine: str
    voice: str
