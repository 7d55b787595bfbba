"""The review as files a person reads: index.html (side-by-side stills, word diff, links into both
videos), review.md (short enough for a pull-request comment) and review.json (for tools).

Stills are the final frame of each changed scene, decoded from the page videos the two builds
wrote, so the review shows exactly what a viewer sees, not a re-render that could differ.
"""

from __future__ import annotations

import json
import logging
import shutil
from pathlib import Path
from typing import Any

from vidsite.fsutil import atomic_write
from vidsite.review.compare import PageChange, SceneChange

log = logging.getLogger(__name__)

COMMENT_LIMIT = 60_000  # GitHub refuses comments over 65,536 characters


def extract_stills(changes: list[PageChange], review: Path) -> None:
    """Write each changed scene's final frame, before and after, as PNG under review/frames/."""
    frames = review / "frames"
    shutil.rmtree(frames, ignore_errors=True)
    frames.mkdir(parents=True)
    for n, page in enumerate(changes):
        for side, manifest in (("base", page.old), ("head", page.new)):
            if manifest is None:
                continue
            wanted: dict[int, str] = {}
            for s in page.scenes:
                scene = s.old if side == "base" else s.new
                if scene is None:
                    continue
                last = scene["end_frame"] - scene.get("transition_frames", 0) - 1  # before the crossfade starts
                name = f"frames/p{n}-s{scene['index']}-{side}.png"
                wanted[max(last, scene["start_frame"])] = name
                if side == "base":
                    s.before = name
                else:
                    s.after = name
            if wanted:
                _save_frames(review / side / manifest["url"] / manifest["assets"]["video"], manifest["fps"],
                             wanted, review)


def _save_frames(video: Path, fps: int, wanted: dict[int, str], review: Path) -> None:
    """Save the picture shown at each wanted frame number (a VFR video holds few frames: decode all)."""
    import av

    targets = sorted(wanted)
    shown: dict[int, Any] = {}
    with av.open(str(video)) as container:
        for frame in container.decode(video=0):
            index = round(float(frame.time) * fps)
            for t in targets:
                if index <= t:
                    shown[t] = frame
    for t in targets:
        if t in shown:
            shown[t].to_image().save(review / wanted[t])
        else:
            log.warning("review: no frame %d in %s", t, video)


def to_json(changes: list[PageChange], unchanged: list[str], extra: dict[str, Any]) -> dict[str, Any]:
    def scene(s: SceneChange) -> dict[str, Any]:
        return {"kind": s.kind, "index": s.index, "title": s.title, "fields": s.fields,
                "narration_diff": [list(w) for w in s.words], "before": s.before or None, "after": s.after or None,
                "old": s.old, "new": s.new}

    return {"pages": [{"kind": p.kind, "url": p.url, "old_url": p.old_url or None,
                       "duration": list(p.durations), "scenes": [scene(s) for s in p.scenes]} for p in changes],
            "unchanged": unchanged} | extra


def _clock(seconds: float | None) -> str:
    if seconds is None:
        return "—"
    return f"{int(seconds // 60)}:{seconds % 60:04.1f}"


def _md(text: str) -> str:
    """Text safe inside a Markdown paragraph or table cell (no markup, no HTML, no mentions)."""
    out = text.replace("\\", "\\\\")
    for ch in "`*_~[]<>|#@":
        out = out.replace(ch, "\\" + ch)
    return out.replace("\n", " ")


def markdown(changes: list[PageChange], unchanged: list[str], warnings: list[str], refs: tuple[str, str]) -> str:
    """review.md: a pull-request comment. Stills are linked, never inlined (the comment stays small)."""
    lines = [f"## Video review: {_md(refs[0])} → {_md(refs[1])}", ""]
    if not changes:
        lines.append("No video changed.")
    for p in changes:
        a, b = p.durations
        name = f"`{p.old_url}` → `{p.url}`" if p.kind == "renamed" else f"`{p.url}`"
        lines.append(f"### {name} ({p.kind}, {_clock(a)} → {_clock(b)})")
        for s in p.scenes:
            old, new = s.old or {}, s.new or {}
            timing = (f"{_clock(old.get('start'))}–{_clock(old.get('end'))} → "
                      f"{_clock(new.get('start'))}–{_clock(new.get('end'))}")
            lines.append(f"- scene {s.index + 1} ({_md(s.title)}, {s.kind}): {timing}"
                         + (f"; fields: {', '.join(s.fields)}" if s.fields else ""))
            diff = " ".join(f"~~{_md(t)}~~" if op == "-" else f"**{_md(t)}**" if op == "+" else _md(t)
                            for op, t in s.words)
            if any(op != "=" for op, _ in s.words):
                lines.append(f"  - narration: {diff}")
            links = " · ".join(f"[{label}]({path})" for label, path in (("before", s.before), ("after", s.after)) if path)
            if links:
                lines.append(f"  - slide: {links}")
        lines.append("")
    if warnings:
        lines.append(f"**New fidelity warnings in {_md(refs[1])}:**")
        lines += [f"- {_md(w)}" for w in warnings]
        lines.append("")
    if unchanged:
        lines.append(f"Unchanged ({len(unchanged)}): " + ", ".join(f"`{u}`" for u in unchanged))
    text = "\n".join(lines).rstrip() + "\n"
    if len(text) > COMMENT_LIMIT:
        text = text[:COMMENT_LIMIT].rsplit("\n", 1)[0] + "\n\n… (cut to fit a comment; see index.html)\n"
    return text


def write_report(review: Path, changes: list[PageChange], unchanged: list[str], warnings: list[str],
                 refs: tuple[str, str], extra: dict[str, Any]) -> None:
    from vidsite.render.theme import THEMES_DIR
    from vidsite.site.writer import environment

    env = environment(THEMES_DIR / "default", "default")
    html = env.get_template("review.html").render(changes=changes, unchanged=unchanged, warnings=warnings,
                                                  refs=refs, clock=_clock)
    atomic_write(review / "index.html", html)
    atomic_write(review / "review.md", markdown(changes, unchanged, warnings, refs))
    atomic_write(review / "review.json", json.dumps(to_json(changes, unchanged, extra), indent=2, ensure_ascii=False))
