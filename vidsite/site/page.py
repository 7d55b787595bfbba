"""A page's folder: its video joined from cached parts, captions, chapters, poster and manifest."""

from __future__ import annotations

import json
import os
import time
from pathlib import Path
from typing import TYPE_CHECKING, Any

from vidsite.cache import Cache
from vidsite.fsutil import file_sha256, write_json
from vidsite.models import Page, Scene, Timeline
from vidsite.plan import MANIFEST_FORMAT, PagePlan
from vidsite.scenes import chapter_title

if TYPE_CHECKING:
    from PIL import Image

    from vidsite.build import Context

ASSET_ROLES = ("video", "poster", "captions", "subtitles", "chapters", "storyboard")


def page_files(page: Page) -> tuple[str, ...]:
    return ("video.mp4", "poster.jpg", f"captions.{page.language}.vtt", f"captions.{page.language}.srt", "chapters.vtt",
            "storyboard.jpg")


def finish_page(plan: PagePlan, ctx: Context, out: Path) -> dict[str, Any]:
    """Join the page's video from cached parts and write its captions, poster and manifest under `out`
    (the staging copy of the output folder)."""
    from vidsite.encode.audio import takes_loudness
    from vidsite.encode.join import join
    from vidsite.render import shaping
    from vidsite.site.storyboard import storyboard
    from vidsite.site.writer import clock, file_entry, write_if_changed
    from vidsite.timeline import captions, chapters_vtt, srt, webvtt

    page, timeline, v = plan.page, plan.timeline, ctx.config.video
    dest = out / page.url
    t = time.perf_counter()
    join(dest / "video.mp4", plan.segments, timeline.frames, v.fps, plan.audio, plan.samples)
    t = ctx.stats.timed("join", t)

    cues = captions(timeline, plan.voiceovers, page.site_path(ctx.config.content_dir))
    titles = [chapter_title(s, i, page.language) for i, s in enumerate(page.scenes)]
    write_if_changed(dest / f"captions.{page.language}.vtt", webvtt(cues))
    write_if_changed(dest / f"captions.{page.language}.srt", srt(cues))
    write_if_changed(dest / "chapters.vtt", chapters_vtt(timeline, titles))
    write_if_changed(dest / "poster.jpg", plan.segments[0][0].with_suffix(".jpg").read_bytes())  # by its task
    finals = [_final(path, len(span.stills)) for (path, _, _), span in zip(plan.segments, timeline.spans)]
    write_if_changed(dest / "storyboard.jpg", storyboard(finals,
                                                         [clock(span.start / v.fps) for span in timeline.spans],
                                                         ctx.theme, page.accent))

    encoder = ctx.encoder
    assets = _name_assets(dest, page, ctx.config.hashed_names)
    manifest = {
        "format": MANIFEST_FORMAT,
        "title": page.title, "description": page.description, "url": page.url + "/",
        "source": page.site_path(ctx.config.content_dir),
        "language": page.language, "accent": page.accent, "duration": round(timeline.duration, 3),
        "frames": timeline.frames, "fps": v.fps, "width": v.width, "height": v.height, "quality": ctx.options.quality,
        "encoder": {"name": encoder.name, "codec": encoder.codec, "reason": encoder.reason},
        "text_shaper": shaping.ENGINE,  # raqm, or harfbuzz where the system has no fribidi
        "video_key": plan.key, "audio": [path.stem.rsplit("-", 1)[-1] for path, _ in plan.audio],
        "loudness": takes_loudness(plan.audio, plan.samples),  # integrated LUFS and dBTP of the decoded track
        "scenes": [
            {"index": i, "type": s.type, "title": titles[i], "line": s.line,
             "start": round(span.start / v.fps, 3), "end": round(_end(span, timeline) / v.fps, 3),
             "start_frame": span.start, "end_frame": _end(span, timeline),
             "narration_start": round(span.start / v.fps + span.voice, 4),
             "narration": vo.text, "voice": vo.voice, "engine": vo.engine, "fields": shown_fields(s, plan.segments[i][0]),
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


def shown_fields(scene: Scene, segment: Path | None = None) -> dict[str, Any]:
    """What the scene's final slide shows, as its draw code recorded it beside the `segment` (text
    drawn legibly, markup removed; see render.slides.shown), for tests, search, review and coverage
    tools. Without that record (a segment fetched from an older shared cache), the fields the draw
    code was given. Private keys (`_path`: a file on this machine) stay out."""
    if segment is not None:
        try:
            recorded = json.loads(Cache.shown(segment).read_text(encoding="utf-8"))
            if isinstance(recorded, dict):
                return recorded
        except (OSError, ValueError):
            pass
    return {k: v for k, v in scene.fields.items() if not k.startswith("_")}


def _final(segment: Path, stills: int) -> Image.Image:
    """The scene's final slide at storyboard size, as its task kept it; decoded from the segment where
    that is missing or unreadable (a segment fetched from an older shared cache)."""
    from PIL import Image, UnidentifiedImageError

    from vidsite.site.storyboard import final_frame

    try:
        with Image.open(Cache.thumbnail(segment)) as tile:
            return tile.convert("RGB")
    except (OSError, UnidentifiedImageError, ValueError):
        return final_frame(segment, stills)


def _name_assets(dest: Path, page: Page, hashed: bool) -> dict[str, str]:
    """Role → file name in the page folder. With hashed names each file carries a short hash of its
    content (video.3f2a9c1e.mp4), so a CDN may cache it forever. Assets of the page's previous build
    that are not reused go; only names its manifest lists, never other files in the folder (a
    section's pages may live there, or an author's files in a --force output)."""
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
