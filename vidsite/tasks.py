"""The coarse units of media work, as plain data: render + encode a segment, mix + encode audio.

A task carries everything it needs (no open files, no config objects), so it runs the same in
this process, a local worker pool, or on a Dask worker; its output is a cache file named by
its key, written atomically, so racing workers both end with a valid entry.
"""

from __future__ import annotations

import io
import json
import logging
from dataclasses import dataclass
from pathlib import Path
from typing import Any

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class SegmentTask:
    path: str  # cache file to write
    scene_type: str
    fields: dict[str, Any]
    accent: str
    rtl: bool
    theme: dict[str, Any]
    width: int
    height: int
    fps: int
    stills: tuple[dict[str, Any], ...]  # the reveal states, in order
    closing: bool  # the last picture once more, so the page's video ends on a frame of its own
    fade: tuple[int, str, dict[str, Any], dict[str, Any]] | None  # (frames, next type, next fields, next state)
    codec: str
    options: tuple[tuple[str, str], ...]
    poster: str = ""  # also write the last still here as JPEG (a page's first scene)
    share: tuple[str, str] | None = None  # (shared cache URL, local cache root): publish the result there
    source: str = ""  # "content/p.md:12: scene 3 (code)", for error messages; not part of the key
    language: str = "en"  # the page's: default headers and labels are drawn in it


@dataclass(frozen=True)
class AudioTask:
    path: str
    samples: int  # total length, at `rate`
    rate: int
    placements: tuple[tuple[int, str, float], ...]  # (first sample, clip wav, gain in dB)
    share: tuple[str, str] | None = None
    source: str = ""


class TaskFailed(Exception):
    """A task's failure, named by where it comes from, with the worker's traceback as text (it crosses
    process and machine boundaries, so it carries strings only)."""

    def __init__(self, source: str, error: str, trace: str) -> None:
        super().__init__(source, error, trace)
        self.source, self.error, self.trace = source, error, trace

    def __str__(self) -> str:
        return f"{self.source}: {self.error}"


@dataclass(frozen=True)
class Result:
    path: str
    frames_encoded: int = 0
    seconds: float = 0.0
    warnings: tuple[str, ...] = ()  # what the task warned of, for the build to tell (workers have no terminal)


class _Collect(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.WARNING)
        self.messages: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.messages.append(record.getMessage())


def run(task: SegmentTask | AudioTask) -> Result:
    """Run one task (in whichever process it landed); a failure is a TaskFailed naming its source.
    Its warnings travel back in the Result, as a worker's own log reaches no one."""
    root = logging.getLogger("vidsite")
    collect, propagate = _Collect(), root.propagate
    root.addHandler(collect)
    root.propagate = False
    try:
        from dataclasses import replace

        return replace(_run(task), warnings=tuple(collect.messages))
    except OSError:
        raise  # the disk, not the content: the build says so
    except Exception as exc:  # noqa: BLE001 - re-raised with the page and scene it belongs to
        import traceback

        raise TaskFailed(task.source or Path(task.path).name, f"{type(exc).__name__}: {exc}",
                         traceback.format_exc()) from None
    finally:
        root.removeHandler(collect)
        root.propagate = propagate


def _run(task: SegmentTask | AudioTask) -> Result:
    import time

    started = time.perf_counter()
    if isinstance(task, AudioTask):
        from vidsite.encode.audio import encode_audio

        encode_audio(Path(task.path), task.placements, task.samples, task.rate)
        frames = 0
    else:
        frames = _segment(task)
    if task.share:  # a worker elsewhere hands its result over through the shared cache
        from vidsite.cache import Cache
        from vidsite.shared_cache import SharedCache

        shared = SharedCache(task.share[0], Path(task.share[1]))
        made = Path(task.path)
        for part in Cache.parts(made, bool(getattr(task, "poster", ""))):
            shared.publish(part)
    return Result(task.path, frames, time.perf_counter() - started)


def _warn_cut(task: SegmentTask, visible: dict[str, Any]) -> None:
    """A text field the slide could not show whole at a legible size is spoken whole but shown cut: say so."""
    from vidsite.render.inline import plain
    from vidsite.scenes import get

    code = get(task.scene_type).code_fields
    for key, value in task.fields.items():
        if isinstance(value, str) and not key.startswith("_") and key in visible and isinstance(visible[key], str):
            whole, seen = (value.splitlines(), visible[key].splitlines()) if key in code else (
                plain(value).split(), visible[key].split())
            if len(seen) < len(whole):
                log.warning("%s: `%s` does not fit on the slide at a legible size; its last %d %s are not shown "
                            "(shorten it, or split it across scenes)", task.source, key, len(whole) - len(seen),
                            "lines" if key in code else "words")


def _segment(task: SegmentTask) -> int:
    from vidsite.cache import Cache
    from vidsite.encode.encoders import EncoderChoice
    from vidsite.encode.segments import crossfade, encode_segment, yuv420
    from vidsite.fsutil import atomic_write
    from vidsite.render.slides import draw_slide, shown
    from vidsite.render.theme import Theme
    from vidsite.site.storyboard import thumbnail

    theme = Theme.model_validate(task.theme)

    def draw(kind: str, fields: dict[str, Any], state: dict[str, Any], source: str = "", quiet: bool = False) -> Any:
        return draw_slide(kind, fields, state, theme, task.accent, task.width, task.height, task.rtl, task.language,
                          source, quiet)

    def pictures() -> Any:
        picture = image = None
        for k, state in enumerate(task.stills):
            canvas = draw(task.scene_type, task.fields, state, task.source)
            image = canvas.img
            picture = yuv420(image)  # converted once: encoded, and the start of the crossfade
            yield k * task.fps, picture
        if image is not None:  # what the final slide shows legibly, for the page manifest, and its storyboard tile
            visible = shown(task.scene_type, task.fields, canvas.drawn)
            _warn_cut(task, visible)
            atomic_write(Cache.shown(Path(task.path)), json.dumps(visible, ensure_ascii=False).encode())
            atomic_write(Cache.thumbnail(Path(task.path)), thumbnail(image))
        if task.poster and image is not None:
            buf = io.BytesIO()
            image.save(buf, "JPEG", quality=85)
            atomic_write(Path(task.poster), buf.getvalue())
        if task.fade:
            n, kind, fields, state = task.fade
            for i, blend in enumerate(crossfade(picture, yuv420(draw(kind, fields, state, quiet=True).img), n)):
                yield held + i, blend

    # Pictures, not times: the join shows the segment's k-th picture where the page's timeline puts it, so
    # a narration edit or a new voice rate moves pictures without encoding any. Each still is encoded as
    # if held a second, the crossfade frame by frame: x264 spends more on a picture that shows longer,
    # up to a second's worth, so stills look as they would encoded at their real times (or better).
    held = len(task.stills) * task.fps
    encoder = EncoderChoice(task.codec, task.options, "")
    return encode_segment(Path(task.path), pictures(), fps=task.fps, width=task.width, height=task.height,
                          encoder=encoder, closing_frame=held + (task.fade[0] if task.fade else 0) if task.closing else None)
