"""The pipeline: discover → parse → narrate → speak → time → render → encode → publish.

`build()` reads as the pipeline. Pages whose inputs did not change are skipped outright; for
the others, `plan_page()` does the cheap work here (narration, speech from the cache, timing)
and names the media tasks (render + encode a segment, encode the audio) that the executor runs,
skipping any whose output is already in the cache; `finish_page()` joins and publishes.
"""

from __future__ import annotations

import json
import logging
import time
from dataclasses import asdict, dataclass, field, replace
from pathlib import Path
from typing import Any, Callable

from vidsite import __version__
from vidsite.config import SiteConfig, load_config
from vidsite.content.discover import discover
from vidsite.errors import EncodeError, VidsiteError
from vidsite.fsutil import canonical_hash, file_sha256, write_json
from vidsite.models import Page, Section, Timeline, Voiceover
from vidsite.render.theme import Theme, load_theme

log = logging.getLogger(__name__)

def page_files(page: Page) -> tuple[str, ...]:
    return ("video.mp4", "poster.jpg", f"captions.{page.language}.vtt", f"captions.{page.language}.srt", "chapters.vtt")
QUALITY = {"final": {}, "draft": {"scale": 2, "preset": "ultrafast", "crf": 28}}
MAX_PAGE_SECONDS = 3 * 3600
MANIFEST_FORMAT = 2  # bump when page manifests change shape: older ones are rebuilt, never misread


@dataclass
class BuildStats:
    pages: int = 0
    pages_built: int = 0
    built: list[str] = field(default_factory=list)  # urls of the pages whose video was made
    scenes: int = 0
    clips_synthesised: int = 0
    clips_cached: int = 0
    clips_fallback: int = 0
    engines_down: dict[str, str] = field(default_factory=dict)
    ai_written: int = 0
    ai_cached: int = 0
    ai_fallback: int = 0
    ai_problem: str = ""
    segments_encoded: int = 0
    segments_reused: int = 0
    tasks: int = 0  # render/encode tasks this build needed
    tasks_done: int = 0
    frames_encoded: int = 0
    distinct_frames: int = 0
    video_seconds: float = 0.0
    files_written: int = 0
    jobs: int = 1
    scheduler: str = ""
    quality: str = "final"
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
    _shared: Any = False

    @property
    def shared(self) -> Any:
        """The shared cache at [cache] url, or None."""
        if self._shared is False:
            from vidsite.shared_cache import shared_for

            self._shared = shared_for(self.config.cache.url, self.cache)
        return self._shared

    @property
    def cache(self) -> Path:
        return (self.root / self.config.cache.dir).resolve()

    @property
    def narrator(self) -> Any:
        if self._narrator is None:
            from vidsite.narrate import Narrator

            self._narrator = Narrator(self.config.narration, self.cache)
        return self._narrator

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

            self._speaker = Speaker(self.config.tts, ClipCache(self.cache, self.shared), self.pronunciations,
                                    self.strict)
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


@dataclass
class PagePlan:
    """A stale page, timed, with the cache files its video is joined from."""

    page: Page
    key: str
    voiceovers: list[Voiceover]
    timeline: Timeline
    segments: list[tuple[Path, int]]  # (segment file, first frame)
    segment_keys: list[str]
    audio: Path


def portable(fields: dict[str, Any]) -> dict[str, Any]:
    """Scene fields as content: an image by its file's hash, not its path (the same in any checkout)."""
    return {k: (file_sha256(Path(v)) if k == "_path" else v) for k, v in fields.items()}


def _scene_data(page: Page) -> list[dict[str, Any]]:
    return [
        {"type": s.type, "fields": portable(s.fields), "narration": s.narration, "voice": s.voice,
         "min": s.min_duration, "max": s.max_duration}
        for s in page.scenes
    ]


def voice_for(scene: Any, page: Page, config: SiteConfig) -> str | None:
    """Scene, then page, then the page's language ([languages.xx] voice); None: [tts] voice."""
    lang = config.languages.get(page.language)
    return scene.voice or page.voice or (lang.voice if lang else None)


def video_key(page: Page, ctx: Context) -> str:
    """Hash of everything that shows or sounds in the page's video."""
    return canonical_hash({
        "version": __version__, "video": ctx.config.video.model_dump(), "tts": ctx.config.tts.model_dump(),
        "theme": ctx.theme.model_dump(exclude={"font_dirs"}), "scenes": _scene_data(page),
        "voice": [voice_for(s, page, ctx.config) for s in page.scenes], "accent": page.accent, "language": page.language,
        "transition": page.transition, "hashed_names": ctx.config.hashed_names,
        "pronunciations": ctx.pronunciations, "narration": ctx.config.narration.model_dump(exclude={"timeout"}),
    })


def _up_to_date(dest: Path, key: str, only_engine: str | None = None) -> dict[str, Any] | None:
    """The page's manifest if its video is current; `only_engine` (--strict) also rejects fallback voices."""
    try:
        manifest = json.loads((dest / "manifest.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    if manifest.get("format") != MANIFEST_FORMAT or manifest.get("video_key") != key:
        return None
    if only_engine and any(s.get("engine") != only_engine for s in manifest.get("scenes", [])):
        return None
    for name, entry in manifest.get("files", {}).items():
        p = dest / name
        if not p.is_file() or p.stat().st_size != entry.get("size"):
            return None
    return manifest


def plan_page(page: Page, key: str, ctx: Context, tasks: list[Any]) -> PagePlan:
    """Narrate, speak and time one page; append the media tasks its video still needs."""
    from vidsite.encode.audio import AUDIO_RATE, frame_alignment
    from vidsite.encode.integrity import intact
    from vidsite.speech.voices import RTL_LANGUAGES, base_language
    from vidsite.tasks import AudioTask, SegmentTask
    from vidsite.timeline import build_timeline

    stats, v = ctx.stats, ctx.config.video
    t = time.perf_counter()
    texts = [ctx.narrator(s, page) for s in page.scenes]
    t = stats.timed("narrate", t)
    speaker = ctx.speaker
    voiceovers = [speaker.speak(text, voice_for(s, page, ctx.config), page.language) for s, text in zip(page.scenes, texts)]
    t = stats.timed("speak", t)
    timeline = build_timeline(page.scenes, voiceovers, v, page.transition, frame_alignment(v.fps))
    if timeline.duration > MAX_PAGE_SECONDS:
        from vidsite.errors import ContentError

        raise ContentError(f"the video would be {timeline.duration / 60:.0f} minutes long; split the page "
                           f"(limit {MAX_PAGE_SECONDS // 60} minutes)", path=page.source, line=1)

    rtl = base_language(page.language) in RTL_LANGUAGES
    encoder = ctx.encoder
    theme = ctx.theme.model_dump()
    segments, keys = [], []
    planned = {(t.path, getattr(t, "poster", "")) for t in tasks}  # each entry checked and made once
    for span, scene in zip(timeline.spans, page.scenes):
        closing = span.frames - 1 if span.index == len(timeline.spans) - 1 else None
        fade = None
        if span.fade:
            nxt = page.scenes[span.index + 1]
            fade = (span.fade, nxt.type, nxt.fields, timeline.spans[span.index + 1].stills[0].state)
        task = SegmentTask(
            "", scene.type, scene.fields, page.accent, rtl, theme, v.width, v.height, v.fps,
            tuple((s.frame, s.state) for s in span.stills), span.frames, closing, fade, encoder.codec, encoder.options,
        )
        seg_key = _segment_key(task, ctx)
        path = ctx.cache / "segments" / f"{scene.type}-{seg_key}.mp4"
        stats.distinct_frames += len(span.stills) + span.fade
        poster = str(path.with_suffix(".jpg")) if span.index == 0 else ""
        if ctx.shared and ctx.shared.fetch(path) and poster:
            ctx.shared.fetch(Path(poster))
        if (str(path), poster) in planned:
            pass
        elif intact(path) and (not poster or intact(Path(poster))):  # a damaged entry is a miss
            stats.segments_reused += 1
        else:
            source = f"content/{page.rel}:{scene.line}: scene {span.index + 1} ({scene.type})"
            tasks.append(replace(task, path=str(path), poster=poster, share=_share(ctx), source=source))
            planned.add((str(path), poster))
        segments.append((path, span.start))
        keys.append(seg_key)

    samples = timeline.frames * AUDIO_RATE // v.fps
    placements = tuple(
        (int(round(span.start * AUDIO_RATE / v.fps + at * AUDIO_RATE)), str(clip.wav))
        for span, vo in zip(timeline.spans, voiceovers) for clip, at in vo.parts
    )
    audio_key = canonical_hash({"version": __version__, "samples": samples, "rate": AUDIO_RATE,
                                "clips": [(at, Path(p).stem) for at, p in placements]})
    audio = ctx.cache / "audio" / f"{page.slug}-{audio_key}.m4a"
    if ctx.shared:
        ctx.shared.fetch(audio)
    if (str(audio), "") not in planned and not intact(audio):
        tasks.append(AudioTask(str(audio), samples, AUDIO_RATE, placements, _share(ctx), f"content/{page.rel}: audio"))
    stats.timed("time+plan", t)
    return PagePlan(page, key, voiceovers, timeline, segments, keys, audio)


def _share(ctx: Context) -> tuple[str, str] | None:
    return (ctx.config.cache.url, str(ctx.cache)) if ctx.config.cache.url else None


def _segment_key(task: Any, ctx: Context) -> str:
    """Everything the segment shows, by content: image files by their hash, not their path, and the
    theme without its search paths, so the same scene in another checkout reuses the entry."""
    data = asdict(task)
    data.pop("share")  # where results are shared, and which page asked, are not what they are
    data.pop("source")
    data["fields"] = portable(task.fields)
    if task.fade:
        data["fade"] = [task.fade[0], task.fade[1], portable(task.fade[2]), task.fade[3]]
    data["theme"] = canonical_hash(ctx.theme.model_dump(exclude={"font_dirs"}))
    return canonical_hash({"version": __version__, "task": data})


def finish_page(plan: PagePlan, ctx: Context) -> dict[str, Any]:
    """Join the page's video from cached parts and write its captions, poster and manifest."""
    from vidsite.encode.join import join
    from vidsite.site.writer import file_entry, write_if_changed
    from vidsite.timeline import captions, chapters_vtt, srt, webvtt

    page, timeline, v = plan.page, plan.timeline, ctx.config.video
    dest = ctx.out / page.url
    t = time.perf_counter()
    join(dest / "video.mp4", plan.segments, timeline.frames, v.fps, plan.audio)
    t = ctx.stats.timed("join", t)

    cues = captions(timeline, plan.voiceovers)
    titles = [_scene_title(s, i) for i, s in enumerate(page.scenes)]
    write_if_changed(dest / f"captions.{page.language}.vtt", webvtt(cues))
    write_if_changed(dest / f"captions.{page.language}.srt", srt(cues))
    write_if_changed(dest / "chapters.vtt", chapters_vtt(timeline, titles))
    write_if_changed(dest / "poster.jpg", plan.segments[0][0].with_suffix(".jpg").read_bytes())  # by its task

    encoder = ctx.encoder
    assets = _name_assets(dest, page, ctx.config.hashed_names)
    manifest = {
        "format": MANIFEST_FORMAT,
        "title": page.title, "description": page.description, "url": page.url + "/", "source": f"content/{page.rel}",
        "language": page.language, "accent": page.accent, "duration": round(timeline.duration, 3),
        "frames": timeline.frames, "fps": v.fps, "width": v.width, "height": v.height, "quality": ctx.stats.quality,
        "encoder": {"name": encoder.name, "codec": encoder.codec, "reason": encoder.reason},
        "video_key": plan.key, "audio": plan.audio.stem.rsplit("-", 1)[-1],
        "scenes": [
            {"index": i, "type": s.type, "title": titles[i], "line": s.line,
             "start": round(span.start / v.fps, 3), "end": round(_end(span, timeline) / v.fps, 3),
             "start_frame": span.start, "end_frame": _end(span, timeline),
             "narration": vo.text, "voice": vo.voice, "engine": vo.engine,
             "reveals": [round((span.start + st.frame) / v.fps, 3) for st in span.stills if st.frame],
             "transition_frames": span.fade, "segment": plan.segment_keys[i]}
            for i, (s, span, vo) in enumerate(zip(page.scenes, timeline.spans, plan.voiceovers))
        ],
        "assets": assets,
        "files": {name: file_entry(dest / name) for name in assets.values()},
    }
    write_json(dest / "manifest.json", manifest)
    ctx.stats.timed("publish", t)
    return manifest


ASSET_ROLES = ("video", "poster", "captions", "subtitles", "chapters")


def _name_assets(dest: Path, page: Page, hashed: bool) -> dict[str, str]:
    """Role → file name in the page folder. With hashed names each file carries a short hash of its
    content (video.3f2a9c1e.mp4), so a CDN may cache it forever. Assets of the page's previous build
    that are not reused go; only names its manifest lists, never other files in the folder (a
    section's pages may live there, or an author's files in a --force output)."""
    import os

    from vidsite.site.publish import remove_stale

    try:
        before = json.loads((dest / "manifest.json").read_text(encoding="utf-8")).get("files", {})
    except (OSError, ValueError, AttributeError):
        before = {}
    assets = dict(zip(ASSET_ROLES, page_files(page)))
    if hashed:
        for role, name in assets.items():
            stem, _, ext = name.rpartition(".")
            hashed_name = f"{stem}.{file_sha256(dest / name)[:10]}.{ext}"
            os.replace(dest / name, dest / hashed_name)
            assets[role] = hashed_name
    listed = {n for n in before if isinstance(n, str) and "/" not in n} if isinstance(before, dict) else set()
    remove_stale(dest, listed, set(assets.values()) | {"index.html", "manifest.json"})
    return assets


def _end(span: Any, timeline: Timeline) -> int:
    """A scene's last frame + 1; the last scene also holds the alignment padding."""
    return span.end + (timeline.padding if span.index == len(timeline.spans) - 1 else 0)


def load_pronunciations(root: Path) -> dict[str, str]:
    """pronunciations.toml: `word = "how it is said"`, applied before synthesis, never to captions."""
    import tomllib

    from vidsite.errors import ConfigError
    from vidsite.fsutil import read_text

    path = root / "pronunciations.toml"
    if not path.is_file():
        return {}
    try:
        data = tomllib.loads(read_text(path, ConfigError))
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


def _with_quality(config: SiteConfig, quality: str) -> SiteConfig:
    """--quality draft: half the frame size, the fastest preset (for the dev server)."""
    if quality == "final":
        return config
    q, v = QUALITY[quality], config.video
    video = v.model_copy(update={"width": v.width // q["scale"] // 2 * 2, "height": v.height // q["scale"] // 2 * 2,
                                 "preset": q["preset"], "crf": q["crf"]})
    return config.model_copy(update={"video": video})


def build(root: Path, **options: Any) -> BuildStats:
    """Build the site at `root` (see `_build` for options), holding the site's build lock.
    `force`: build into a non-empty folder that holds no vidsite site (checked before the lock is taken:
    a wrong -o touches nothing)."""
    from vidsite.safety import build_lock, check_output

    check_output(root, options.get("output") or root / "output", force=options.pop("force", False))
    with build_lock(root.resolve()):
        try:
            return _build(root, **options)
        except OSError as exc:  # the disk, not the content: say so, never a traceback
            raise VidsiteError(f"cannot write {exc.filename or 'a file'}: {exc.strerror or exc}; is the disk full "
                               "or the folder read-only? output/ was not changed") from None


def _build(root: Path, *, output: Path | None = None, drafts: bool = False, progress: Progress | None = None,
           strict: bool = False, jobs: int | None = None, quality: str = "final", start_method: str | None = None,
           hashed_names: bool | None = None, scheduler: str | None = None, **overrides: Any) -> BuildStats:
    """Build the site at `root` into `output` (default root/output), which `build` has checked. Raises
    VidsiteError on bad input, before anything is written."""
    from vidsite.executor import default_jobs

    started = time.perf_counter()
    root = root.resolve()
    overrides = overrides | {"hashed_names": hashed_names, "build.scheduler": scheduler}
    config = _with_quality(load_config(root, **overrides), quality)
    stats = BuildStats(jobs=jobs or config.build.jobs or default_jobs(), quality=quality,
                       scheduler=config.build.scheduler)
    theme = load_theme(config.theme, root / "layouts")
    pages, sections = discover(root, config, drafts=drafts)
    t = stats.timed("discover+parse", started)
    out = (output or root / "output").resolve()
    ctx = Context(root, out, config, theme, stats, progress or (lambda *a: None), strict, load_pronunciations(root))
    stats.pages, stats.scenes = len(pages), sum(len(p.scenes) for p in pages)

    keys = {p.url: video_key(p, ctx) for p in pages}
    current = {p.url: _up_to_date(out / p.url, keys[p.url], ctx.strict_engine) for p in pages}
    _revoice_fallbacks(ctx, current)
    stale = [p for p in pages if current[p.url] is None]
    if stale:  # online engines synthesise a whole build's new sentences concurrently
        ctx.speaker.prefetch([(ctx.narrator(s, p), voice_for(s, p, config), p.language) for p in stale for s in p.scenes])
        stats.timed("speak", t)
    tasks: list[Any] = []
    ctx.progress("plan", None, stats)
    plans = [plan_page(p, keys[p.url], ctx, tasks) for p in stale]
    run_tasks(tasks, ctx, start_method)
    _record_speech(ctx)
    publish_atomically(ctx, plans, pages, sections, current, started)
    stats.wall = round(time.perf_counter() - started, 3)
    return stats


def _revoice_fallbacks(ctx: Context, current: dict[str, Any]) -> None:
    """Pages spoken by the offline fallback are made again once the preferred engine speaks again.
    Only when such pages exist is it asked: one tiny synthesis with a 3 s deadline, at most once per
    10 minutes (the verdict is kept in the cache), so offline no-op builds stay fast no-ops."""
    from vidsite.speech.speak import CHAINS

    preferred = CHAINS[ctx.config.tts.engine][0]
    fallen = [url for url, m in current.items() if m and any(s.get("engine") != preferred for s in m["scenes"])]
    if not fallen or len(CHAINS[ctx.config.tts.engine]) < 2:
        return
    if ctx.speaker.speaks_again(preferred):
        log.info("%s speaks again: re-voicing %d page(s)", preferred, len(fallen))
        for url in fallen:
            current[url] = None


def run_tasks(tasks: list[Any], ctx: Context, start_method: str | None) -> None:
    """Render and encode what the cache lacks, on local processes or Dask."""
    if not tasks:
        return
    from vidsite.executor import executor_for, preload
    from vidsite.tasks import TaskFailed

    stats = ctx.stats
    stats.tasks = len(tasks)
    t = time.perf_counter()
    preload()
    ctx.progress("render+encode", None, stats)
    try:
        for result in executor_for(stats.jobs, ctx.config.build.scheduler or None, start_method).run(tasks):
            stats.frames_encoded += result.frames_encoded
            stats.segments_encoded += result.path.endswith(".mp4")
            stats.tasks_done += 1
            if ctx.shared:  # with Dask, the worker already published it; here it is fetched
                made = Path(result.path)
                for part in (made, made.with_suffix(".jpg")) if made.suffix == ".mp4" else (made,):
                    if ctx.shared.fetch(part) and part.exists():
                        ctx.shared.publish(part)
            ctx.progress("task", None, stats)
    except (VidsiteError, OSError):
        raise  # OSError: build() says "disk full or read-only?"
    except TaskFailed as exc:  # the worker's traceback under -v; the page, scene and line always
        log.debug("%s failed:\n%s", exc.source, exc.trace)
        raise EncodeError(f"{exc.source}: drawing or encoding failed: {exc.error}; output/ was not changed "
                          "(run with -v for the traceback, and please report it)") from None
    except Exception as exc:  # noqa: BLE001 - the executor's own failure, reported without a traceback
        log.debug("render+encode failed", exc_info=True)
        raise EncodeError(f"rendering or encoding failed: {type(exc).__name__}: {exc}; output/ was not "
                          "changed (run with -v for details)") from None
    stats.timed("render+encode", t)


def _record_speech(ctx: Context) -> None:
    stats = ctx.stats
    if ctx._narrator is not None and ctx._narrator._writer is not None:
        w = ctx._narrator._writer
        stats.ai_written, stats.ai_cached, stats.ai_fallback, stats.ai_problem = w.written, w.cached, w.fallbacks, w.problem
    if ctx._speaker is not None:
        stats.clips_synthesised, stats.clips_cached = ctx._speaker.synthesised, ctx._speaker.cached
        stats.clips_fallback, stats.engines_down = ctx._speaker.fallbacks, dict(ctx._speaker.down)


def publish_atomically(ctx: Context, plans: list[PagePlan], pages: list[Page], sections: list[Section],
                       current: dict[str, Any], started: float) -> None:
    """Join the rebuilt pages and write the site into a clone of output/, then swap it in atomically:
    a build that fails or is killed leaves output/ exactly as it was. A no-op writes nothing."""
    from vidsite.safety import Staging
    from vidsite.site.publish import publish

    stats, out = ctx.stats, ctx.out
    if not plans and not publish(ctx, [(p, current[p.url]) for p in pages], sections, dry_run=True):
        return
    staging = Staging(out)
    ctx.out = staging.path
    try:
        for plan in plans:
            current[plan.page.url] = finish_page(plan, ctx)
            stats.pages_built += 1
            stats.built.append(plan.page.url)
            stats.video_seconds += current[plan.page.url]["duration"]
            ctx.progress("page", plan.page, stats)
        t = time.perf_counter()
        stats.files_written += publish(ctx, [(p, current[p.url]) for p in pages], sections)
        stats.timed("publish", t)
        if not stats.nothing_to_do:
            stats.video_seconds = round(stats.video_seconds, 3)
            stats.wall = round(time.perf_counter() - started, 3)
            write_json(staging.path / "build.json", asdict(stats) | {"version": __version__})
    except BaseException:
        staging.discard()
        raise
    finally:
        ctx.out = out
    if stats.nothing_to_do:
        staging.discard()
    else:
        staging.commit()
