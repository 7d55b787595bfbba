"""Reference-system videos and sets → pages and a section (the scenes themselves: video_gen.py).

A set (`set_config.yaml` beside one file per video) becomes a section: `_index.md` from the set's
name and description, its defaults (accent, voice, scene durations) and per-video overrides applied
to each page, its videos weighted in the set's order. Paths inside the inputs (`output.base_dir`
and the like) are never used as paths; a video's `file` is only ever a name inside the set folder.
"""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

from vidsite.content.video_gen import (
    Context,
    Imported,
    Report,
    accent_of,
    as_text,
    check_fidelity,
    convert_scene,
    line_of,
    load,
    scene_nodes,
)
from vidsite.errors import ContentError
from vidsite.fsutil import slugify

log = logging.getLogger(__name__)

SET_FILE = "set_config.yaml"
SET_DEFAULTS = {"accent_color": "the accent", "voice": "the voice", "min_scene_duration": "`min_duration` of the scenes",
                "max_scene_duration": "`max_duration` of the scenes"}
NO_CONTENT = {  # header keys that configure the reference system itself
    "version": "the reference system's schema version",
    "target_duration": "vidsite times each scene by its narration; there is no target length to set",
}


def import_video(path: Path, *, defaults: dict[str, Any] | None = None, overrides: dict[str, Any] | None = None,
                 rel: str | None = None, weight: int | None = None) -> Imported:
    """One video file (`video:` header + `scenes:`); set `defaults` lose to the file, `overrides` win."""
    data, root = load(path)
    report = Report(path)
    if not isinstance(data, dict) or not isinstance(data.get("scenes"), list) or not data["scenes"]:
        raise ContentError("expected a `scenes:` list (the video_gen format)", path=path, line=1)
    video = data.get("video") if isinstance(data.get("video"), dict) else {}
    header: dict[str, Any] = {**video, **(overrides or {})}
    at = (lambda key: line_of(video, key))
    meta: dict[str, Any] = {"title": header.get("title") or path.stem.replace("_", " ").title(),
                            "description": header.get("description")}
    notes: list[str] = []
    ctx = Context(report)
    for key, value in header.items():
        if key in ("title", "description"):
            report.mapped[key] += 1
        elif key == "id":
            meta["video_gen_id"] = str(value)
            report.adapt(at(key), "video.id", "frontmatter `video_gen_id` (the page is named after its file)")
        elif key == "accent_color":
            meta["accent"] = accent_of(value, report, at(key))
            report.mapped["accent_color"] += 1
        elif key == "voice":
            meta["voice"] = str(value)
            report.mapped["voice"] += 1
        elif key == "voices" and isinstance(value, list) and value:
            ctx.voices = [str(v) for v in value]
            meta.setdefault("voice", ctx.voices[0])
            report.adapt(at(key), "video.voices", "each scene's `voice`, in rotation, where the scene names none")
        elif key == "use_ai_narration":
            ctx.ai = bool(value)
            report.adapt(at(key), "video.use_ai_narration", "`narration: ai` on scenes without their own narration")
        elif key in ("target_language", "language"):
            meta["language"] = str(value)
            report.mapped["language"] += 1
        elif key in ("min_scene_duration", "max_scene_duration"):
            setattr(ctx, key.replace("_scene", ""), float(value))
            report.adapt(at(key), f"{key}", f"each scene's `{key.replace('_scene', '')}` where it sets none")
        else:
            why = NO_CONTENT.get(key, "not a video setting vidsite has")
            notes.append(report.drop(at(key), f"video.{key} `{as_text(value)}`", why, content=key not in NO_CONTENT
                                     and bool(as_text(value).strip())))
    for key, value in (defaults or {}).items():  # the set's report already says what became of them
        if key in header:
            continue
        if key == "accent_color":
            meta["accent"] = accent_of(value, Report(path), 1)
        elif key == "voice":
            meta["voice"] = str(value)
        elif key in ("min_scene_duration", "max_scene_duration"):
            setattr(ctx, key.replace("_scene", ""), float(value))
    if weight is not None:
        meta["weight"] = weight
    meta["_notes"] = notes
    scenes: list[tuple[str, dict[str, Any]]] = []
    nodes = scene_nodes(root)
    for n, raw in enumerate(data["scenes"], 1):
        made = convert_scene(raw, n, ctx, nodes[n - 1] if n <= len(nodes) else None)
        check_fidelity(nodes[n - 1] if n <= len(nodes) else None, made, f"scene {n}", report)
        scenes += made
    return Imported(rel or f"{slugify(path.stem, 60)}.md", meta, scenes, report)


def _set_files(folder: Path, config: dict[str, Any], report: Report) -> list[tuple[Path, dict[str, Any]]]:
    """(file, overrides) in the set's order: its `videos:` list, else the files' numbering."""
    listed = config.get("videos")
    if not isinstance(listed, list) or not listed:
        files = sorted(p for p in folder.iterdir() if p.suffix in (".yaml", ".yml") and p.name != SET_FILE)
        return [(p, {}) for p in files]
    out = []
    for entry in sorted(listed, key=lambda e: e.get("priority", 0) if isinstance(e, dict) else 0):
        name = entry.get("file") if isinstance(entry, dict) else entry
        line = getattr(entry, "line", line_of(config, "videos"))
        if not isinstance(name, str) or Path(name).name != name or name.startswith("."):
            raise ContentError(f"videos: `{name}` must be a file name in the set's folder", path=report.source,
                               line=line)
        if not (folder / name).is_file():
            raise ContentError(f"videos: `{name}` is not in {folder}", path=report.source, line=line)
        overrides = entry.get("overrides") if isinstance(entry, dict) else None
        for key in (entry if isinstance(entry, dict) else {}):
            if key not in ("file", "priority", "overrides"):
                report.drop(line_of(entry, key), f"videos[{name}].{key}", "not a set setting vidsite has")
        out.append((folder / name, dict(overrides or {})))
    return out


def import_set(path: Path) -> list[Imported]:
    """A set folder (or its set_config.yaml) → `_index.md` plus one page per video, in order."""
    config_path = path / SET_FILE if path.is_dir() else path
    folder = config_path.parent
    data, _ = load(config_path)
    report = Report(config_path)
    config = data.get("set") if isinstance(data, dict) and isinstance(data.get("set"), dict) else data
    if not isinstance(config, dict):
        raise ContentError("expected a `set:` mapping (the video_gen set format)", path=config_path, line=1)
    section = slugify(str(config.get("id") or folder.name), 60)
    index: dict[str, Any] = {"title": config.get("name") or folder.name.replace("_", " ").title(),
                             "description": config.get("description")}
    notes: list[str] = []
    defaults: dict[str, Any] = {}
    naming: dict[str, Any] = {}
    for key, value in config.items():
        line = line_of(config, key)
        if key in ("name", "description"):
            report.mapped[key] += 1
        elif key == "id":
            report.adapt(line, "set.id", f"the section folder `{section}/`")
        elif key == "defaults" and isinstance(value, dict):
            defaults = {k: v for k, v in value.items() if k in SET_DEFAULTS}
            for k, v in value.items():
                if k in SET_DEFAULTS:
                    report.adapt(line_of(value, k), f"set.defaults.{k}", f"{SET_DEFAULTS[k]} of each video that sets none")
                else:
                    notes.append(report.drop(line_of(value, k), f"set.defaults.{k} `{as_text(v)}`",
                                             NO_CONTENT.get(k, "not a set default vidsite has"),
                                             content=k not in NO_CONTENT))
        elif key == "naming" and isinstance(value, dict):
            naming = value
            report.adapt(line, "set.naming", "the pages' file names")
        elif key == "metadata" and isinstance(value, dict):
            index |= {k: v for k, v in value.items() if k not in index}
            report.adapt(line, "set.metadata", "_index.md frontmatter (kept for other tools; vidsite shows none)")
        elif key == "videos":
            report.mapped["videos"] += 1
        elif key == "output":
            notes.append(report.drop(line, f"set.output `{as_text(value)}`", "the reference system's output paths; never used as paths "
                                     "(vidsite writes to the site's output folder)", content=False))
        elif key in ("processing", "version"):
            notes.append(report.drop(line, f"set.{key} `{as_text(value)}`", "a setting of the reference system; vidsite's own are in "
                                     "config.toml", content=False))
        else:
            notes.append(report.drop(line, f"set.{key} `{as_text(value)}`", "not a set setting vidsite has",
                                     content=bool(as_text(value).strip())))
    index["_notes"] = notes
    pages = [Imported(f"{section}/_index.md", index, [], report)]
    for n, (file, overrides) in enumerate(_set_files(folder, config, report), 1):
        pages.append(import_video(file, defaults=defaults, overrides=overrides, weight=n,
                                  rel=f"{section}/{_page_name(file, naming, n)}.md"))
    return pages


def _page_name(file: Path, naming: dict[str, Any], n: int) -> str:
    """`tutorial-01-introduction` from the set's naming (prefix, use_numbers, separator), else the file's name."""
    if not naming:
        return slugify(file.stem, 60)
    sep = str(naming.get("separator") or "-")
    stem = file.stem.split("_", 1)[1] if naming.get("use_numbers") and "_" in file.stem and \
        file.stem.split("_", 1)[0].isdigit() else file.stem
    parts = [str(naming["prefix"])] if naming.get("prefix") else []
    parts += [f"{n:02d}"] if naming.get("use_numbers") else []
    return slugify(sep.join(parts + [stem]), 60)


def import_path(path: Path) -> list[Imported]:
    """A video file, a set folder, or a set's set_config.yaml."""
    if path.is_dir() or path.name == SET_FILE:
        return import_set(path)
    return [import_video(path)]
