"""Plan: which pages are stale, and for each, its narration, speech, timeline and the media tasks
its video still needs (render + encode a segment, encode the audio), skipping what the cache has.

Everything here is cheap and runs in the build's own process; the tasks it names run on the
executor. Keys are hashes of content (image files by their hash, the theme without its search
paths), so the same page in another checkout reuses the same entries.
"""

from __future__ import annotations

import json
import time
from dataclasses import asdict, dataclass, replace
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING, Any

from vidsite import __version__
from vidsite.config import SiteConfig
from vidsite.errors import ContentError, SpeechError
from vidsite.fsutil import canonical_hash, file_sha256
from vidsite.models import Page, Scene, Timeline, Voiceover

if TYPE_CHECKING:
    from vidsite.build import Context

MAX_PAGE_SECONDS = 3 * 3600
MANIFEST_FORMAT = 4  # bump when page manifests change shape: older ones are rebuilt, never misread


@dataclass
class PagePlan:
    """A stale page, timed, with the cache files its video is joined from."""

    page: Page
    key: str
    voiceovers: list[Voiceover]
    timeline: Timeline
    segments: list[tuple[Path, int, tuple[int, ...]]]  # (segment file, first frame, frame_times)
    segment_keys: list[str]
    audio: list[tuple[Path, int]]  # the track's takes: (cache file, first sample)
    samples: int  # the track's length


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


def site_key(ctx: Context) -> str:
    """Hash of what every page's video depends on besides the page (made once a build, not per page)."""
    return canonical_hash({
        "version": __version__, "video": ctx.config.video.model_dump(), "tts": ctx.config.tts.model_dump(),
        "theme": ctx.theme.model_dump(exclude={"font_dirs"}), "hashed_names": ctx.config.hashed_names,
        "pronunciations": ctx.pronunciations, "narration": ctx.config.narration.model_dump(exclude={"timeout"}),
    })


def video_key(page: Page, ctx: Context) -> str:
    """Hash of everything that shows or sounds in the page's video."""
    return canonical_hash({
        "site": ctx.site_key, "scenes": _scene_data(page), "voice": [voice_for(s, page, ctx.config) for s in page.scenes],
        "accent": page.accent, "language": page.language, "transition": page.transition,
    })


def up_to_date(dest: Path, key: str | None, only_engine: str | None = None) -> dict[str, Any] | None:
    """The page's manifest if its video is current (key None: whatever it shows, if its files are whole);
    `only_engine` (--strict) also rejects fallback voices."""
    try:
        manifest = json.loads((dest / "manifest.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    if manifest.get("format") != MANIFEST_FORMAT or key is not None and manifest.get("video_key") != key:
        return None
    if only_engine and any(s.get("engine") != only_engine for s in manifest.get("scenes", [])):
        return None
    for name, entry in manifest.get("files", {}).items():
        p = dest / name
        if not p.is_file() or p.stat().st_size != entry.get("size"):
            return None
    return manifest


def plan_pictures(page: Page, ctx: Context, tasks: list[Any], planned: set[tuple[str, str]]) -> None:
    """Append the segment tasks of the page's pictures the cache lacks: they are known before its
    narration is spoken (each scene's still states in order, `timeline.still_states`, then its whole
    crossfade into the next), so the build draws them while it speaks. `plan_page`, after timing,
    finds them planned (and would add any the timeline needed besides)."""
    from vidsite.timeline import fade_frames, still_states

    fade, last = fade_frames(ctx.config.video, page.transition), len(page.scenes) - 1
    for index, scene in enumerate(page.scenes):
        crossfade = None
        if index < last and fade:
            nxt = page.scenes[index + 1]
            crossfade = (fade, nxt.type, nxt.fields, still_states(nxt)[0])
        _segment(page, index, tuple(still_states(scene)), crossfade, index == last, ctx, tasks, planned, likely=True)


def plan_page(page: Page, key: str, ctx: Context, tasks: list[Any], planned: set[tuple[str, str]]) -> PagePlan:
    """Narrate, speak and time one page; append the media tasks its video still needs that are not in
    `planned` (entries made or being made: (path, poster)) to `tasks`."""
    from vidsite.encode.audio import frame_alignment, voice_delay
    from vidsite.timeline import build_timeline

    stats, v = ctx.stats, ctx.config.video
    t = time.perf_counter()
    texts = [ctx.narrator(s, page) for s in page.scenes]
    t = stats.timed("narrate", t)
    speaker = ctx.speaker
    voiceovers = [_spoken(speaker, text, s, page, ctx) for s, text in zip(page.scenes, texts)]
    t = stats.timed("speak", t)
    timeline = build_timeline(page.scenes, voiceovers, v, page.transition, frame_alignment(v.fps),
                              partial(voice_delay, fps=v.fps))
    if timeline.duration > MAX_PAGE_SECONDS:
        raise ContentError(f"the video would be {timeline.duration / 60:.0f} minutes long; split the page "
                           f"(limit {MAX_PAGE_SECONDS // 60} minutes)", path=page.source, line=1)

    segments, keys = [], []
    for span, scene in zip(timeline.spans, page.scenes):
        fade = None
        if span.fade:
            nxt = page.scenes[span.index + 1]
            fade = (span.fade, nxt.type, nxt.fields, timeline.spans[span.index + 1].stills[0].state)
        last = span.index == len(timeline.spans) - 1
        path, seg_key = _segment(page, span.index, tuple(s.state for s in span.stills), fade, last, ctx, tasks,
                                 planned)
        stats.distinct_frames += len(span.stills) + span.fade
        segments.append((path, span.start, frame_times(span, last)))
        keys.append(seg_key)

    audio, audio_keys, samples = _plan_audio(page, timeline, voiceovers, ctx, tasks, planned)
    ctx.store.record_page(key, {"segments": keys, "audio": audio_keys, "ai": ai_keys(page, ctx),
                                "clips": [clip.key for vo in voiceovers for clip, _ in vo.parts]})
    stats.timed("time+plan", t)
    return PagePlan(page, key, voiceovers, timeline, segments, keys, audio, samples)


def _segment(page: Page, index: int, stills: tuple[dict[str, Any], ...], fade: Any, closing: bool, ctx: Context,
             tasks: list[Any], planned: set[tuple[str, str]], likely: bool = False) -> tuple[Path, str]:
    """The cache file and key of the segment of scene `index` showing `stills`, then `fade`; its task is
    appended to `tasks` where the cache lacks it (`likely`: only where it has no such file at all, and
    nothing is counted: plan_page checks the entries it uses)."""
    from vidsite.encode.integrity import intact
    from vidsite.speech.voices import RTL_LANGUAGES, base_language
    from vidsite.tasks import SegmentTask

    v, scene, encoder = ctx.config.video, page.scenes[index], ctx.encoder
    task = SegmentTask("", scene.type, scene.fields, page.accent, base_language(page.language) in RTL_LANGUAGES,
                       ctx.theme_fields, v.width, v.height, v.fps, stills, closing, fade, encoder.codec, encoder.options,
                       language=page.language)
    key = _segment_key(task, ctx)
    path = ctx.store.segment(scene.type, key)
    poster = str(ctx.store.poster(path)) if index == 0 else ""
    parts = ctx.store.segment_parts(path, bool(poster))
    if (str(path), poster) in planned:
        return path, key
    _fetch(parts, ctx)
    if likely:
        if path.exists():
            return path, key
    elif intact(path) and all(p.exists() for p in parts) and (not poster or intact(Path(poster))):  # damaged: a miss
        ctx.stats.segments_reused += 1
        return path, key
    source = f"{page.site_path(ctx.config.content_dir)}:{scene.line}: scene {index + 1} ({scene.type})"
    tasks.append(replace(task, path=str(path), poster=poster, share=_share(ctx), source=source))
    planned.add((str(path), poster))
    return path, key


def _plan_audio(page: Page, timeline: Timeline, voiceovers: list[Voiceover], ctx: Context, tasks: list[Any],
                planned: set[tuple[str, str]]) -> tuple[list[tuple[Path, int]], list[str], int]:
    """The page's track as takes (encode.audio): (cache file, first sample) of each, their keys, and the
    track's length; appends the takes the cache lacks to `tasks`."""
    from vidsite.encode.audio import AUDIO_RATE, ENERGY, WARM, lay_takes, resampled_length, voice_start
    from vidsite.encode.integrity import intact
    from vidsite.encode.loudness import CEILING, gain_db
    from vidsite.tasks import AudioTask

    fps, stats = ctx.config.video.fps, ctx.stats
    samples = timeline.frames * AUDIO_RATE // fps
    loudness = ctx.config.tts.loudness
    takes = lay_takes([
        (voice_start(span.start, fps), [(round(at * AUDIO_RATE), str(clip.wav), gain_db(clip.lufs, loudness),
                                         resampled_length(clip.samples, clip.sample_rate)) for clip, at in vo.parts])
        for span, vo in zip(timeline.spans, voiceovers)
    ])
    audio, audio_keys = [], []
    for take in takes:
        take_key = canonical_hash({"version": __version__, "samples": take.length, "rate": AUDIO_RATE, "warm": WARM,
                                   "meter": ENERGY, "limit": CEILING,
                                   "clips": [(at, Path(p).stem, gain) for at, p, gain in take.placements]})
        path = ctx.store.audio(take_key)
        if (str(path), "") not in planned:
            _fetch(ctx.store.audio_parts(path), ctx)
            if intact(path):
                stats.takes_reused += 1
            else:
                tasks.append(AudioTask(str(path), take.length, AUDIO_RATE, take.placements, _share(ctx),
                                       f"{page.site_path(ctx.config.content_dir)}: audio"))
                planned.add((str(path), ""))
        audio.append((path, take.first))
        audio_keys.append(take_key)
    return audio, audio_keys, samples


def _fetch(parts: list[Path], ctx: Context) -> None:
    """Fetch a cache entry (`parts`: its files, the entry last) from the shared cache, if there is one and
    it has the entry: the entry first, then what was made with it."""
    if ctx.shared and ctx.shared.fetch(parts[-1]):
        for part in parts[:-1]:
            ctx.shared.fetch(part)


def frame_times(span: Any, last: bool) -> tuple[int, ...]:
    """Where each picture of a scene's segment shows, in frames from the scene's start: its stills, its
    crossfade into the next scene, and, closing the page, its last still once more on the final frame
    (the timeline leaves that frame after the last still)."""
    times = [still.frame for still in span.stills] + list(range(span.frames - span.fade, span.frames))
    return tuple(times + [span.frames - 1] if last else times)


def _spoken(speaker: Any, text: str, scene: Scene, page: Page, ctx: Any) -> Any:
    """A scene's voice-over; a failure to speak it names the page and line it comes from."""
    try:
        return speaker.speak(text, voice_for(scene, page, ctx.config), page.language)
    except SpeechError as exc:
        if exc.path is not None:
            raise
        raise SpeechError(exc.message, path=page.source, line=scene.line) from None

def ai_keys(page: Page, ctx: Context) -> list[str]:
    """Keys of the AI narration this page asks for (cached whether or not Claude answered)."""
    from vidsite.narrate.ai import ai_key, wants_ai

    cfg = ctx.config.narration
    return [ai_key(s, page, cfg) for s in page.scenes if wants_ai(s, cfg)]


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
    data["theme"] = ctx.theme_key
    return canonical_hash({"version": __version__, "task": data})
