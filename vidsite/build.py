"""The pipeline: discover → parse → narrate → speak → time → render → encode → publish.

`build()` reads as the pipeline; `build_page()` is one page's video, skipped when the hash of
everything it shows and says is what the last build recorded.
"""

from __future__ import annotations

import json
import logging
import shutil
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any, Callable

from vidsite import __version__
from vidsite.config import SiteConfig, load_config
from vidsite.content.discover import discover
from vidsite.fsutil import canonical_hash, file_sha256
from vidsite.models import Page, Section
from vidsite.render.theme import Theme, load_theme

log = logging.getLogger(__name__)

PAGE_FILES = ("video.mp4", "poster.jpg", "captions.vtt", "captions.srt", "chapters.vtt")


@dataclass
class BuildStats:
    pages: int = 0
    pages_built: int = 0
    scenes: int = 0
    clips_synthesised: int = 0
    clips_cached: int = 0
    clips_fallback: int = 0
    ai_written: int = 0
    ai_cached: int = 0
    ai_fallback: int = 0
    ai_problem: str = ""
    engines_down: dict[str, str] = field(default_factory=dict)
    segments_encoded: int = 0
    segments_reused: int = 0
    frames_encoded: int = 0
    distinct_frames: int = 0
    video_seconds: float = 0.0
    files_written: int = 0
    encoder: str = ""
    encoder_reason: str = ""
    stages: dict[str, float] = field(default_factory=dict)
    wall: float = 0.0

    def timed(self, stage: str, since: float) -> float:
        now = time.perf_counter()
        self.stages[stage] = round(self.stages.get(stage, 0.0) + now - since, 4)
        return now

    @property
    def nothing_to_do(self) -> bool:
        return self.pages_built == 0 and self.files_written == 0


Progress = Callable[[str, Page | None, BuildStats], None]


@dataclass
class Context:
    root: Path
    out: Path
    config: SiteConfig
    theme: Theme
    stats: BuildStats
    progress: Progress
    strict: bool = False
    pronunciations: dict[str, str] = field(default_factory=dict)
    _speaker: Any = None
    _encoder: Any = None
    _narrator: Any = None

    @property
    def narrator(self) -> Any:
        if self._narrator is None:
            from vidsite.narrate import Narrator

            self._narrator = Narrator(self.config.narration, self.cache)
        return self._narrator

    @property
    def cache(self) -> Path:
        return (self.root / self.config.cache.dir).resolve()

    @property
    def strict_engine(self) -> str | None:
        """Under --strict, the one engine whose voices may be published."""
        from vidsite.speech.speak import CHAINS

        return CHAINS[self.config.tts.engine][0] if self.strict else None

    @property
    def speaker(self) -> Any:
        if self._speaker is None:
            from vidsite.speech.cache import ClipCache
            from vidsite.speech.speak import Speaker

            self._speaker = Speaker(self.config.tts, ClipCache(self.cache), self.pronunciations, self.strict)
        return self._speaker

    @property
    def encoder(self) -> Any:
        if self._encoder is None:
            from vidsite.encode.encoders import choose_encoder

            v = self.config.video
            self._encoder = choose_encoder(v.encoder, v.crf, v.preset)
            self.stats.encoder, self.stats.encoder_reason = self._encoder.name, self._encoder.reason
            log.debug("encoder: %s (%s)", self._encoder.codec, self._encoder.reason)
        return self._encoder


def _scene_data(page: Page) -> list[dict[str, Any]]:
    return [
        {"type": s.type, "fields": s.fields, "narration": s.narration, "voice": s.voice,
         "min": s.min_duration, "max": s.max_duration}
        for s in page.scenes
    ]


def video_key(page: Page, ctx: Context) -> str:
    """Hash of everything that shows or sounds in the page's video."""
    images = {s.fields["_path"]: file_sha256(Path(s.fields["_path"])) for s in page.scenes if s.fields.get("_path")}
    return canonical_hash({
        "version": __version__, "video": ctx.config.video.model_dump(), "tts": ctx.config.tts.model_dump(),
        "theme": ctx.theme.model_dump(exclude={"font_dirs"}), "scenes": _scene_data(page), "images": images,
        "voice": page.voice, "accent": page.accent, "language": page.language, "transition": page.transition,
        "pronunciations": ctx.pronunciations, "narration": ctx.config.narration.model_dump(exclude={"timeout"}),
    })


def _up_to_date(dest: Path, key: str, only_engine: str | None = None) -> dict[str, Any] | None:
    """The page's manifest if its video is current; `only_engine` (--strict) also rejects fallback voices."""
    try:
        manifest = json.loads((dest / "manifest.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    if manifest.get("video_key") != key:
        return None
    if only_engine and any(s.get("engine") != only_engine for s in manifest.get("scenes", [])):
        return None
    for name, entry in manifest.get("files", {}).items():
        p = dest / name
        if not p.is_file() or p.stat().st_size != entry.get("size"):
            return None
    return manifest


def build_page(page: Page, ctx: Context) -> tuple[dict[str, Any], bool]:
    """The page's video, captions, poster and manifest. Returns (manifest, rebuilt)."""
    dest = ctx.out / page.url
    key = video_key(page, ctx)
    current = _up_to_date(dest, key, ctx.strict_engine)
    if current is not None:
        return current, False

    from vidsite.encode.join import frame_alignment, join, mix_audio
    from vidsite.encode.segments import crossfade, encode_segment
    from vidsite.render.slides import render
    from vidsite.site.writer import file_entry, write_if_changed
    from vidsite.speech.voices import RTL_LANGUAGES, base_language
    from vidsite.timeline import build_timeline, captions, chapters_vtt, srt, webvtt

    stats, cfg = ctx.stats, ctx.config
    v = cfg.video
    t = time.perf_counter()
    texts = [ctx.narrator(s, page) for s in page.scenes]
    t = stats.timed("narrate", t)

    speaker = ctx.speaker
    before = (speaker.synthesised, speaker.cached)
    voiceovers = [speaker.speak(text, s.voice or page.voice, page.language) for s, text in zip(page.scenes, texts)]
    stats.clips_synthesised += speaker.synthesised - before[0]
    stats.clips_cached += speaker.cached - before[1]
    t = stats.timed("speak", t)

    timeline = build_timeline(page.scenes, voiceovers, v, page.transition, frame_alignment(v.fps))
    t = stats.timed("time", t)

    rtl = base_language(page.language) in RTL_LANGUAGES
    encoder = ctx.encoder
    seg_dir = ctx.cache / "segments"
    segments: list[tuple[Path, int]] = []
    seg_keys: list[str] = []
    theme_data = ctx.theme.model_dump(exclude={"font_dirs"})

    def draw(k: int, state: dict[str, Any]) -> Any:
        scene = page.scenes[k]
        return render(scene.type, scene.fields, state, ctx.theme, page.accent, v.width, v.height, rtl)

    def pictures(span: Any) -> Any:
        """The scene's stills, then its crossfade frames into the next scene."""
        image = None
        for still in span.stills:
            image = draw(span.index, still.state)
            yield still.frame, image
        if span.fade:
            nxt = draw(span.index + 1, timeline.spans[span.index + 1].stills[0].state)
            first = span.frames - span.fade
            for i, picture in enumerate(crossfade(image, nxt, span.fade)):
                yield first + i, picture

    for span, scene in zip(timeline.spans, page.scenes):
        last = span.index == len(timeline.spans) - 1
        closing = span.frames - 1 if last else None
        nxt = page.scenes[span.index + 1] if span.fade else None
        seg_key = canonical_hash({
            "version": __version__, "type": scene.type, "fields": scene.fields, "accent": page.accent, "rtl": rtl,
            "theme": theme_data, "size": [v.width, v.height, v.fps],
            "stills": [[s.frame, s.state] for s in span.stills], "closing": closing, "frames": span.frames,
            "fade": [span.fade, nxt.type, nxt.fields, timeline.spans[span.index + 1].stills[0].state] if nxt else None,
            "image": file_sha256(Path(scene.fields["_path"])) if scene.fields.get("_path") else "",
            "encoder": [encoder.codec, list(encoder.options)],
        })
        path = seg_dir / f"{scene.type}-{seg_key}.mp4"
        stats.distinct_frames += len(span.stills) + span.fade
        if path.is_file() and path.stat().st_size > 0:
            stats.segments_reused += 1
        else:
            stats.frames_encoded += encode_segment(path, pictures(span), fps=v.fps, width=v.width, height=v.height,
                                                   encoder=encoder, closing_frame=closing)
            stats.segments_encoded += 1
        segments.append((path, span.start))
        seg_keys.append(seg_key)
        ctx.progress("scene", page, stats)
    t = stats.timed("render+encode", t)

    audio = mix_audio(timeline, voiceovers)
    join(dest / "video.mp4", segments, timeline.frames, v.fps, audio)
    t = stats.timed("join", t)

    cues = captions(timeline, voiceovers)
    titles = [_scene_title(s, i) for i, s in enumerate(page.scenes)]
    write_if_changed(dest / "captions.vtt", webvtt(cues))
    write_if_changed(dest / "captions.srt", srt(cues))
    write_if_changed(dest / "chapters.vtt", chapters_vtt(timeline, titles))
    poster = draw(0, timeline.spans[0].stills[-1].state)
    import io

    buf = io.BytesIO()
    poster.save(buf, "JPEG", quality=85)
    write_if_changed(dest / "poster.jpg", buf.getvalue())

    manifest = {
        "title": page.title, "description": page.description, "url": page.url + "/", "source": f"content/{page.rel}",
        "language": page.language, "accent": page.accent, "duration": round(timeline.duration, 3),
        "frames": timeline.frames, "fps": v.fps, "width": v.width, "height": v.height,
        "encoder": {"name": encoder.name, "codec": encoder.codec, "reason": encoder.reason},
        "video_key": key,
        "scenes": [
            {"index": i, "type": s.type, "title": titles[i], "line": s.line,
             "start": round(span.start / v.fps, 3), "end": round(span.end / v.fps, 3),
             "start_frame": span.start, "end_frame": span.end,
             "narration": vo.text, "voice": vo.voice, "engine": vo.engine,
             "reveals": [round((span.start + st.frame) / v.fps, 3) for st in span.stills if st.frame],
             "transition_frames": span.fade,
             "segment": seg_keys[i]}
            for i, (s, span, vo) in enumerate(zip(page.scenes, timeline.spans, voiceovers))
        ],
        "files": {name: file_entry(dest / name) for name in PAGE_FILES},
    }
    from vidsite.fsutil import write_json

    write_json(dest / "manifest.json", manifest)
    stats.timed("publish", t)
    return manifest, True


def load_pronunciations(root: Path) -> dict[str, str]:
    """pronunciations.toml: `word = "how it is said"`, applied before synthesis, never to captions."""
    import tomllib

    from vidsite.errors import ConfigError

    path = root / "pronunciations.toml"
    if not path.is_file():
        return {}
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"not valid TOML: {exc}", path=path) from None
    bad = [k for k, v in data.items() if not isinstance(v, str)]
    if bad:
        raise ConfigError(f"`{bad[0]}` must be a string: {bad[0]} = \"how it is said\"", path=path)
    return data


def _scene_title(scene: Any, index: int) -> str:
    f = scene.fields
    for key in ("title", "header", "lesson_title", "question", "main_text", "quote_text", "caption", "src"):
        if f.get(key):
            text = str(f[key])
            return text if len(text) <= 60 else text[:57] + "…"
    return f"Scene {index + 1}"


def build(root: Path, *, output: Path | None = None, drafts: bool = False, progress: Progress | None = None,
          strict: bool = False, **overrides: Any) -> BuildStats:
    """Build the site at `root` into `output` (default root/output). Raises VidsiteError on bad input,
    before anything is written."""
    started = time.perf_counter()
    stats = BuildStats()
    root = root.resolve()
    config = load_config(root, **overrides)
    theme = load_theme(config.theme, root / "layouts")
    pages, sections = discover(root, config, drafts=drafts)
    t = stats.timed("discover+parse", started)
    out = (output or root / "output").resolve()
    ctx = Context(root, out, config, theme, stats, progress or (lambda *a: None), strict, load_pronunciations(root))
    stats.pages = len(pages)
    stats.scenes = sum(len(p.scenes) for p in pages)
    stale = [p for p in pages if _up_to_date(out / p.url, video_key(p, ctx), ctx.strict_engine) is None]
    if stale:  # online engines synthesise a whole build's new sentences concurrently
        ctx.speaker.prefetch([(ctx.narrator(s, p), s.voice or p.voice, p.language) for p in stale for s in p.scenes])
        stats.timed("speak", t)
    manifests = []
    for page in pages:
        manifest, rebuilt = build_page(page, ctx)
        stats.pages_built += rebuilt
        stats.video_seconds += manifest["duration"] if rebuilt else 0.0
        manifests.append((page, manifest))
        ctx.progress("page", page, stats)
    t = time.perf_counter()
    from vidsite.site.publish import publish

    stats.files_written += publish(ctx, manifests, sections)
    stats.timed("publish", t)
    if ctx._narrator is not None and ctx._narrator._writer is not None:
        w = ctx._narrator._writer
        stats.ai_written, stats.ai_cached, stats.ai_fallback, stats.ai_problem = w.written, w.cached, w.fallbacks, w.problem
    if ctx._speaker is not None:
        stats.clips_fallback = ctx._speaker.fallbacks
        stats.engines_down = dict(ctx._speaker.down)
    stats.wall = round(time.perf_counter() - started, 3)
    stats.video_seconds = round(stats.video_seconds, 3)
    if not stats.nothing_to_do:
        from vidsite.fsutil import write_json

        write_json(out / "build.json", asdict(stats) | {"version": __version__})
    return stats
