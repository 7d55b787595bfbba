"""The pipeline: discover → parse → narrate → speak → time → render → encode → publish.

`build()` reads as the pipeline, one call per stage. Pages whose inputs did not change are
skipped outright; for the others `plan_page()` (vidsite/plan.py) does the cheap work here and
names the media tasks the executor runs; `finish_page()` (vidsite/site/page.py) joins each
video and `publish()` writes the site, all into a staging copy swapped in atomically.
"""

from __future__ import annotations

import json
import logging
import time
from dataclasses import asdict, dataclass, field, fields
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING, Any, Callable

from vidsite import __version__
from vidsite.cache import RACY_NS, Cache, PageStates
from vidsite.config import SiteConfig, load_pronunciations
from vidsite.content.discover import discover, fingerprint
from vidsite.errors import EncodeError, VidsiteError
from vidsite.fsutil import canonical_hash, write_json
from vidsite.models import Page, Section
from vidsite.options import BuildOptions
from vidsite.plan import PagePlan, plan_page, plan_pictures, site_key, up_to_date, video_key, voice_for
from vidsite.render.theme import Theme, load_theme

if TYPE_CHECKING:
    from vidsite.encode.encoders import EncoderChoice
    from vidsite.narrate import Narrator
    from vidsite.shared_cache import SharedCache
    from vidsite.speech.speak import Speaker

log = logging.getLogger(__name__)


@dataclass
class BuildStats:
    """What a build did (how it was asked to run is in BuildOptions)."""

    pages: int = 0
    pages_parsed: int = 0  # content files parsed (the others had not changed since they last were)
    pages_built: int = 0
    built: list[str] = field(default_factory=list)  # urls of the pages whose video was made
    waiting: list[str] = field(default_factory=list)  # urls of stale pages left for a later build (`limit`)
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
    takes_encoded: int = 0  # parts of pages' audio tracks (encode.audio)
    takes_reused: int = 0
    tasks: int = 0  # render/encode tasks this build needed
    tasks_done: int = 0
    frames_encoded: int = 0
    distinct_frames: int = 0
    video_seconds: float = 0.0
    files_written: int = 0
    encoder: str = ""  # the encoder that ran, and why that one
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
    """One build's inputs, and the services its stages share. Services are made on first use: a
    no-op build never imports the media stack or opens an encoder."""

    root: Path
    out: Path
    config: SiteConfig
    theme: Theme
    options: BuildOptions
    stats: BuildStats
    progress: Progress
    pronunciations: dict[str, str] = field(default_factory=dict)

    @cached_property
    def cache(self) -> Path:
        return (self.root / self.config.cache.dir).resolve()

    @cached_property
    def site_key(self) -> str:
        """What every page's video key shares (vidsite/plan.py::site_key)."""
        return site_key(self)

    @cached_property
    def theme_fields(self) -> dict[str, Any]:
        """The theme as a task carries it."""
        return self.theme.model_dump()

    @cached_property
    def theme_key(self) -> str:
        """The theme without its search paths, for segment keys: the same scene in another checkout
        reuses the entry."""
        return canonical_hash(self.theme.model_dump(exclude={"font_dirs"}))

    @cached_property
    def store(self) -> Cache:
        """Where each kind of cache entry lives (vidsite/cache.py)."""
        return Cache(self.cache, None)

    @cached_property
    def shared(self) -> SharedCache | None:
        """The shared cache at [cache] url, or None."""
        from vidsite.shared_cache import shared_for

        return shared_for(self.config.cache.url, self.cache)

    @cached_property
    def narrator(self) -> Narrator:
        from vidsite.narrate import Narrator

        return Narrator(self.config.narration, self.cache)

    @cached_property
    def speaker(self) -> Speaker:
        from vidsite.speech.cache import ClipCache
        from vidsite.speech.speak import Speaker

        return Speaker(self.config.tts, ClipCache(self.cache, self.shared), self.pronunciations, self.options.strict)

    @cached_property
    def encoder(self) -> EncoderChoice:
        from vidsite.encode.encoders import choose_encoder

        v = self.config.video
        encoder = choose_encoder(v.encoder, v.crf, v.preset)
        self.stats.encoder, self.stats.encoder_reason = encoder.name, encoder.reason
        log.debug("encoder: %s (%s)", encoder.codec, encoder.reason)
        return encoder

    @property
    def strict_engine(self) -> str | None:
        """Under --strict, the one engine whose voices may be published."""
        if not self.options.strict:
            return None
        from vidsite.speech.speak import CHAINS

        return CHAINS[self.config.tts.engine][0]

    def made(self, name: str) -> bool:
        """Whether a service was used (and so has statistics to report)."""
        return name in self.__dict__


def build(root: Path, config: SiteConfig, options: BuildOptions = BuildOptions(),
          progress: Progress | None = None) -> BuildStats:
    """Build the site at `root`, whose loaded config is `config` (see `vidsite.options.load`), holding
    the site's build lock. The output folder is checked before anything is touched."""
    from vidsite.safety import build_lock, check_output

    root = root.resolve()
    check_output(root, options.output_for(root), force=options.force, content=config.content_dir)
    with build_lock(root):
        try:
            return _build(root, config, options, progress or (lambda *a: None))
        except OSError as exc:  # the disk, not the content: say so, never a traceback
            raise VidsiteError(f"cannot write {exc.filename or 'a file'}: {exc.strerror or exc}; is the disk full "
                               "or the folder read-only? output/ was not changed") from None


def _build(root: Path, config: SiteConfig, options: BuildOptions, progress: Progress) -> BuildStats:
    started = time.perf_counter()
    stats = BuildStats()
    theme = load_theme(config.theme, root / "layouts")
    ctx = Context(root, options.output_for(root), config, theme, options, stats, progress, load_pronunciations(root))
    states = PageStates(ctx.cache / "state", fingerprint(root, config))
    pages, sections = discover(root, config, drafts=options.drafts, strict=options.strict, states=states)
    stats.pages_parsed = states.parsed
    stats.timed("discover+parse", started)
    stats.pages, stats.scenes = len(pages), sum(len(p.scenes) for p in pages)

    keys = {p.url: video_key(p, ctx) for p in pages}
    current = {p.url: up_to_date(ctx.out / p.url, keys[p.url], ctx.strict_engine) for p in pages}
    _revoice_fallbacks(ctx, current)
    stale = [p for p in pages if current[p.url] is None]
    if options.limit is not None:
        stale, pages = _defer(ctx, stale, pages, current)
    if not stale and _as_last_published(ctx, pages, sections, current):
        stats.wall = round(time.perf_counter() - started, 3)
        return stats
    # The pictures the stale pages will most likely need are drawn from now on, while their narration is
    # spoken and timed; then what the timing needs besides (the audio, a picture it changed) follows.
    tasks: list[Any] = []
    planned: set[tuple[str, str]] = set()
    for page in stale:
        plan_pictures(page, ctx, tasks, planned)
    plans: list[PagePlan] = []

    def plan_sound() -> list[Any]:
        progress("plan", None, stats)
        if stale:  # online engines synthesise a whole build's new sentences concurrently
            t = time.perf_counter()
            ctx.speaker.prefetch([(ctx.narrator(s, p), voice_for(s, p, config), p.language)
                                  for p in stale for s in p.scenes])
            stats.timed("speak", t)
        more: list[Any] = []
        plans.extend(plan_page(p, keys[p.url], ctx, more, planned) for p in stale)
        return more

    run_tasks(tasks, ctx, plan_sound)
    _record_speech(ctx)
    publish_atomically(ctx, plans, pages, sections, current, started)
    _remember_published(ctx, _publish_inputs(ctx, pages, sections, current))
    stats.wall = round(time.perf_counter() - started, 3)
    return stats


def _defer(ctx: Context, stale: list[Page], pages: list[Page], current: dict[str, Any]) -> tuple[list[Page], list[Page]]:
    """The dev server's build of `limit` stale pages, those a browser asked for first: (the pages to build
    now, the pages to publish). The others wait for a later build, their last output, if any, shown."""
    stale = sorted(stale, key=lambda p: p.url not in ctx.options.first)
    now, later = stale[:ctx.options.limit], stale[ctx.options.limit:]
    ctx.stats.waiting = [p.url for p in later]
    for p in later:
        current[p.url] = up_to_date(ctx.out / p.url, None)
    building = {p.url for p in now}
    return now, [p for p in pages if current[p.url] or p.url in building]


def _as_last_published(ctx: Context, pages: list[Page], sections: list[Section], current: dict[str, Any]) -> bool:
    """Whether the site is as the last build left it, from what publish() would read: then a no-op
    decides so without rendering every page (or importing what renders them)."""
    inputs = _publish_inputs(ctx, pages, sections, current)
    return inputs is not None and inputs == _published(ctx)


def _publish_inputs(ctx: Context, pages: list[Page], sections: list[Section], current: dict[str, Any]) -> str | None:
    """A hash of everything publish() reads: the pages, their manifests, the config, theme, options, and
    the files of layouts/ and static/ by size and mtime. None if one of those files is too recently
    modified for its mtime to be trusted: then publish() is asked, as it always may be."""
    now, files = time.time_ns(), []
    for folder in (ctx.root / "layouts", ctx.root / "static"):
        for path in sorted(folder.rglob("*")) if folder.is_dir() else ():
            try:
                st = path.stat()
            except OSError:  # a dangling link: publish() warns of it every time
                return None
            if st.st_mtime_ns >= now - RACY_NS:
                return None
            files.append((str(path), st.st_size, st.st_mtime_ns))
    how = {k: v for k, v in asdict(ctx.options).items()  # how many workers, and which pages went first,
           if k not in ("jobs", "start_method", "limit", "first")}  # change no file
    return canonical_hash({
        "version": __version__, "options": how, "config": ctx.config.model_dump(mode="json"),
        "theme": ctx.theme.model_dump(mode="json"), "files": files, "sections": [asdict(s) for s in sections],
        "pages": [([getattr(p, f) for f in _LISTED], current[p.url]) for p in pages],
    })


_LISTED = [f.name for f in fields(Page) if f.name != "scenes"]  # what publish() reads of a page (its
# scenes reach the site through the page's manifest)


def _output_files(out: Path) -> str | None:
    """Size and mtime of every file the site manifest lists (and of the manifest): what the last build
    left, unless someone has changed it since."""
    manifest = out / "manifest.json"
    try:
        listed = json.loads(manifest.read_text(encoding="utf-8")).get("files", {})
        stats = [(name, (out / name).stat()) for name in sorted(listed)] + [("", manifest.stat())]
    except (OSError, ValueError, AttributeError):
        return None
    return canonical_hash([(name, st.st_size, st.st_mtime_ns) for name, st in stats])


def _published(ctx: Context) -> str | None:
    """The publish inputs of the last build into this output folder, if its files are still as it left them."""
    try:
        state = json.loads(ctx.store.site_state(ctx.out).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    output = _output_files(ctx.out)
    return state.get("inputs") if isinstance(state, dict) and output and state.get("output") == output else None


def _remember_published(ctx: Context, inputs: str | None) -> None:
    output = _output_files(ctx.out)
    path = ctx.store.site_state(ctx.out)
    if inputs and output:
        write_json(path, {"inputs": inputs, "output": output})
    else:
        path.unlink(missing_ok=True)


def _revoice_fallbacks(ctx: Context, current: dict[str, Any]) -> None:
    """Pages spoken by the offline fallback are made again once the preferred engine speaks again.
    Only when such pages exist is it asked: one tiny synthesis with a 3 s deadline, at most once per
    10 minutes (the verdict is kept in the cache), so offline no-op builds stay fast no-ops."""
    if {s.get("engine") for m in current.values() if m for s in m["scenes"]} <= {ctx.config.tts.engine}:
        return  # every page spoken by the one engine asked for: none fell back (and no import)
    from vidsite.speech.speak import CHAINS

    preferred = CHAINS[ctx.config.tts.engine][0]
    fallen = [url for url, m in current.items() if m and any(s.get("engine") != preferred for s in m["scenes"])]
    if not fallen or len(CHAINS[ctx.config.tts.engine]) < 2:
        return
    if ctx.speaker.speaks_again(preferred):
        log.info("%s speaks again: re-voicing %d page(s)", preferred, len(fallen))
        for url in fallen:
            current[url] = None


class _PlanningFailed(Exception):
    """What planning, run while workers render (`run_tasks`' `then`), raised: raised again as it was."""

    def __init__(self, error: BaseException) -> None:
        super().__init__(error)
        self.error = error


def run_tasks(tasks: list[Any], ctx: Context, then: Callable[[], list[Any]] | None = None) -> None:
    """Render and encode what the cache lacks, on local processes or Dask. `then`, if given, runs in
    this process once `tasks` are under way, and returns the tasks to run after them."""
    from vidsite.executor import executor_for, jobs_for
    from vidsite.tasks import SegmentTask, TaskFailed

    stats = ctx.stats
    stats.tasks = len(tasks)
    posters = {t.path for t in tasks if isinstance(t, SegmentTask) and t.poster}
    planning = 0.0  # seconds of `then`, left out of render+encode

    def more() -> list[Any]:
        nonlocal planning
        started = time.perf_counter()
        try:
            extra = then() if then else []
        except Exception as exc:  # noqa: BLE001 - raised again as it was, past the executor's handling
            raise _PlanningFailed(exc) from None
        planning += time.perf_counter() - started
        stats.tasks += len(extra)
        posters.update(t.path for t in extra if isinstance(t, SegmentTask) and t.poster)
        return extra

    t = time.perf_counter()
    executor = executor_for(jobs_for(ctx.options, ctx.config), ctx.config.build.scheduler or None,
                            ctx.options.start_method)
    if not tasks:  # nothing to draw meanwhile: plan, then run what that asks for (if anything)
        tasks, then = _planned(more), None
        t, planning = time.perf_counter(), 0.0
        if not tasks:
            return
    ctx.progress("render+encode", None, stats)
    try:
        told: set[str] = set()
        for result in executor.run(tasks, more if then else None):
            for warning in set(result.warnings) - told:
                log.warning("%s", warning)
                told.add(warning)
            stats.frames_encoded += result.frames_encoded
            stats.segments_encoded += result.path.endswith(".mp4")
            stats.takes_encoded += result.path.endswith(".m4a")
            stats.tasks_done += 1
            if ctx.shared:  # with Dask, the worker already published it; here it is fetched
                made = Path(result.path)
                for part in ctx.store.parts(made, result.path in posters):
                    if ctx.shared.fetch(part) and part.exists():
                        ctx.shared.publish(part)
            ctx.progress("task", None, stats)
    except _PlanningFailed as planning_failed:
        raise planning_failed.error from None
    except (VidsiteError, OSError):
        raise  # OSError: build() says "disk full or read-only?"
    except TaskFailed as exc:  # the worker's traceback under -v; the page, scene and line always
        log.debug("%s failed:\n%s", exc.source, exc.trace)
        raise EncodeError(f"{exc.source}: drawing or encoding failed: {exc.error}; output/ was not changed "
                          "(run with -v for the traceback, and please report it)") from None
    except Exception as exc:
        log.debug("render+encode failed", exc_info=True)
        raise EncodeError(f"rendering or encoding failed: {type(exc).__name__}: {exc}; output/ was not "
                          "changed (run with -v for details)") from None
    stats.timed("render+encode", t + planning)  # planning done meanwhile is its own stages' time


def _planned(more: Callable[[], list[Any]]) -> list[Any]:
    try:
        return more()
    except _PlanningFailed as planning_failed:
        raise planning_failed.error from None


def _record_speech(ctx: Context) -> None:
    stats = ctx.stats
    if ctx.made("narrator"):
        ai = ctx.narrator.ai_stats()
        stats.ai_written, stats.ai_cached, stats.ai_fallback, stats.ai_problem = ai
    if ctx.made("speaker"):
        speaker = ctx.speaker
        stats.clips_synthesised, stats.clips_cached = speaker.synthesised, speaker.cached
        stats.clips_fallback, stats.engines_down = speaker.fallbacks, dict(speaker.down)


def publish_atomically(ctx: Context, plans: list[PagePlan], pages: list[Page], sections: list[Section],
                       current: dict[str, Any], started: float) -> None:
    """Join the rebuilt pages and write the site into a clone of output/, then swap it in atomically:
    a build that fails or is killed leaves output/ exactly as it was. A no-op writes nothing."""
    from vidsite.executor import jobs_for
    from vidsite.safety import InPlace, Staging
    from vidsite.site.page import finish_page
    from vidsite.site.publish import publish

    stats = ctx.stats
    site = (ctx.root, ctx.config, ctx.theme)
    memo = ctx.store.published(ctx.out)
    if not plans and not publish(*site, ctx.out, [(p, current[p.url]) for p in pages], sections, dry_run=True,
                                 memo=memo):
        return
    staging = (InPlace if ctx.options.in_place else Staging)(ctx.out)
    try:
        for plan in plans:
            current[plan.page.url] = finish_page(plan, ctx, staging.path)
            stats.pages_built += 1
            stats.built.append(plan.page.url)
            stats.video_seconds += current[plan.page.url]["duration"]
            ctx.progress("page", plan.page, stats)
        t = time.perf_counter()
        stats.files_written += publish(*site, staging.path, [(p, current[p.url]) for p in pages], sections, memo=memo)
        stats.timed("publish", t)
        if not stats.nothing_to_do:
            stats.video_seconds = round(stats.video_seconds, 3)
            stats.wall = round(time.perf_counter() - started, 3)
            how = {"version": __version__, "quality": ctx.options.quality,
                   "jobs": jobs_for(ctx.options, ctx.config), "scheduler": ctx.config.build.scheduler}
            write_json(staging.path / "build.json", asdict(stats) | how)
    except BaseException:
        staging.discard()
        raise
    if stats.nothing_to_do:
        staging.discard()
    else:
        staging.commit()
