"""Markdown + frontmatter → Page. Every error names the file and line and what to do."""

from __future__ import annotations

import datetime
import logging
import re
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path
from typing import Any

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from vidsite.config import ACCENTS, LimitsConfig
from vidsite.content.includes import Includer, Note, Source
from vidsite.content.scenes import SCENE_TYPES, SceneFields
from vidsite.errors import ContentError
from vidsite.scenes import code_fields
from vidsite.fsutil import read_text, slugify
from vidsite.models import Page, Scene

log = logging.getLogger(__name__)
MAX_IMAGE_PIXELS = 40_000_000
DEFAULT_LIMITS = LimitsConfig()


class FrontMatter(BaseModel):
    """Page settings. Keys other tools use (tags, date, ...) are allowed and ignored."""

    model_config = ConfigDict(extra="ignore", coerce_numbers_to_str=True)
    title: str | None = Field(None, description="Page title (default: first heading or file name).")
    description: str = Field("", description="One line shown on the index and in metadata.")
    voice: str | None = Field(None, description="Voice for the page's scenes.")
    accent: str = Field("blue", description=f"Accent colour: one of {', '.join(ACCENTS)} or #rrggbb.")
    draft: bool = Field(False, description="Drafts are built only with --drafts.")
    weight: int = Field(0, description="Order on the index page (lower first).")
    language: str | None = Field(None, description="Language of the page (default: the site's).")
    theme: str | None = Field(None, description="Theme for this page's slides.")
    transition: float | None = Field(None, ge=0, le=2, description="Crossfade between this page's scenes, in seconds.")
    date: datetime.date | str | None = Field(None, description="Publication date (YYYY-MM-DD), shown in the page's language.")


_YAML_LOADER = yaml.CSafeLoader if yaml.__with_libyaml__ else yaml.SafeLoader  # libyaml parses ~10× faster


def _compose_yaml(text: str) -> tuple[Any, Any]:
    """The document's node tree (which holds each key's line) and its value, constructed from that
    tree: one parse, where loading and composing separately parsed every block twice. Invalid YAML
    is parsed again by the pure-Python parser, whose messages name the character or alias at fault."""
    try:
        node = yaml.compose(text, Loader=_YAML_LOADER)
    except yaml.YAMLError:
        node = yaml.compose(text, Loader=yaml.SafeLoader)
    return node, None if node is None else yaml.constructor.SafeConstructor().construct_document(node)


def _yaml_error(exc: yaml.YAMLError, path: Path, first_line: int, what: str, lines: int = 0) -> ContentError:
    mark = getattr(exc, "problem_mark", None) or getattr(exc, "context_mark", None)
    if "stream end" in str(getattr(exc, "problem", "")) and getattr(exc, "context_mark", None):
        mark = exc.context_mark  # YAML gave up at the end: point at what was left open
    line = first_line + mark.line if mark is not None else first_line
    if lines:
        line = min(line, first_line + lines - 1)  # never past the block (the end is the closing fence)
    problem = getattr(exc, "problem", None) or str(exc)
    return ContentError(f"{what} is not valid YAML: {problem}", path=path, line=line)


def _load_mapping(text: str, path: Path, first_line: int, what: str) -> tuple[dict[str, Any], dict[str, int]]:
    """YAML mapping (safe loader) plus the line of each top-level key, from one parse."""
    try:
        node, data = _compose_yaml(text)
    except yaml.YAMLError as exc:
        raise _yaml_error(exc, path, first_line, what, len(text.rstrip("\n").split("\n"))) from None
    if data is None:
        return {}, {}
    if not isinstance(data, dict) or not isinstance(node, yaml.MappingNode):
        raise ContentError(f"{what} must be a mapping of `key: value` lines", path=path, line=first_line)
    lines = {str(k.value): first_line + k.start_mark.line for k, _ in node.value if isinstance(k, yaml.ScalarNode)}
    return {str(k): v for k, v in data.items()}, lines


def split_frontmatter(text: str, path: Path) -> tuple[dict[str, Any], dict[str, int], str]:
    """Frontmatter mapping, key lines, and the body with frontmatter lines blanked (lines keep their numbers)."""
    lines = text.split("\n")
    if lines and lines[0].strip() == "+++":
        return _toml_frontmatter(lines, path)
    if not lines or lines[0].strip() != "---":
        return {}, {}, text
    for end in range(1, len(lines)):
        if lines[end].strip() in ("---", "..."):
            meta, key_lines = _load_mapping("\n".join(lines[1:end]), path, 2, "frontmatter")
            return meta, key_lines, "\n" * (end + 1) + "\n".join(lines[end + 1 :])
    raise ContentError("frontmatter starts with --- but never ends; close it with a --- line", path=path, line=1)


def _toml_frontmatter(lines: list[str], path: Path) -> tuple[dict[str, Any], dict[str, int], str]:
    """Hugo's `+++` TOML frontmatter."""
    import tomllib

    from vidsite.config import key_line

    for end in range(1, len(lines)):
        if lines[end].strip() == "+++":
            block = "\n".join(lines[1:end])
            try:
                meta = tomllib.loads(block)
            except tomllib.TOMLDecodeError as exc:
                found = re.search(r"line (\d+)", str(exc))
                raise ContentError(f"frontmatter is not valid TOML: {exc}", path=path,
                                   line=1 + int(found.group(1)) if found else 1) from None
            key_lines = {k: 1 + (key_line(block, (k,)) or 0) for k in meta}
            return meta, key_lines, "\n" * (end + 1) + "\n".join(lines[end + 1:])
    raise ContentError("frontmatter starts with +++ but never ends; close it with a +++ line", path=path, line=1)


def _validation_error(exc: ValidationError, path: Path, line: int, key_lines: dict[str, int], what: str) -> ContentError:
    first = exc.errors()[0]
    key = str(first["loc"][0]) if first["loc"] else ""
    dotted = ".".join(str(p) for p in first["loc"])
    if first["type"] == "extra_forbidden":
        msg = f"{what}: unknown field `{key}`"
    elif first["type"] == "missing":
        msg = f"{what}: missing field `{key}`"
    else:
        msg = f"{what}: field `{dotted}`: {first['msg']}"
    return ContentError(msg, path=path, line=key_lines.get(key, line))


def parse_scene(kind: str, body: str, path: Path, line: int, limits: LimitsConfig = DEFAULT_LIMITS) -> Scene:
    """One ```scene <kind>``` block; `line` is the fence's line."""
    _scene_model(kind, path, line)
    data, key_lines = _load_mapping(body, path, line + 1, f"scene `{kind}`")
    return scene_from_mapping(kind, data, key_lines, path, line, limits)


def check_narration(text: str, limits: LimitsConfig, path: Path, line: int) -> None:
    if len(text) > limits.scene_narration:
        raise ContentError(f"narration is {len(text)} characters, over [limits] scene_narration = "
                           f"{limits.scene_narration}; split the scene or raise the limit", path=path, line=line)


def _scene_model(kind: str, path: Path, line: int) -> type[SceneFields]:
    model = SCENE_TYPES.get(kind)
    if model is None:
        known = ", ".join(sorted(SCENE_TYPES))
        raise ContentError(f"unknown scene type `{kind}`; use one of: {known}", path=path, line=line)
    return model


def scene_from_mapping(kind: str, data: dict[str, Any], key_lines: dict[str, int], path: Path, line: int,
                       limits: LimitsConfig = DEFAULT_LIMITS) -> Scene:
    model = _scene_model(kind, path, line)
    try:
        fields: SceneFields = model.model_validate(data)
    except ValidationError as exc:
        raise _validation_error(exc, path, line, key_lines, f"scene `{kind}`") from None
    check_narration(fields.narration or "", limits, path, key_lines.get("narration", line))
    visual = fields.model_dump(exclude={"narration", "voice", "min_duration", "max_duration"})
    for key in sorted(code_fields(kind)):
        value = visual.get(key)
        lines = len(value) if isinstance(value, list) else str(value or "").count("\n") + 1
        if value and lines > limits.code_lines:
            raise ContentError(f"`{key}` has {lines} lines, over [limits] code_lines = {limits.code_lines}; show an "
                               "excerpt or raise the limit", path=path, line=key_lines.get(key, line))
    return Scene(
        type=kind, fields=visual, line=line, narration=fields.narration, voice=fields.voice,
        min_duration=fields.min_duration, max_duration=fields.max_duration,
    )


def parse_page(path: Path, rel: str, *, default_language: str = "en", site_root: Path | None = None,
               language: str | None = None, includer: Includer | None = None,
               notes: list[Note] | None = None, limits: LimitsConfig = DEFAULT_LIMITS) -> Page:
    """`language`: from the file name (`install.es.md`); frontmatter `language:` wins over it."""
    """Read one content file into a Page; pages without scene blocks get automatic scenes."""
    text = read_text(path, ContentError)
    if path.suffix in (".yaml", ".yml"):
        try:
            loaded = yaml.safe_load(text)
        except yaml.YAMLError as exc:
            raise _yaml_error(exc, path, 1, "page") from None
        meta = {k: v for k, v in loaded.items() if k != "scenes"} if isinstance(loaded, dict) else {}
        key_lines, body = {}, ""
    else:
        meta, key_lines, body = split_frontmatter(text, path)
        if "weight" not in meta:  # Docusaurus' and Just the Docs' names for the same order
            order = meta.get("sidebar_position", meta.get("nav_order"))
            if isinstance(order, (int, float)) and not isinstance(order, bool):
                meta = {**meta, "weight": int(order)}
    try:
        front = FrontMatter.model_validate(meta)
    except ValidationError as exc:
        raise _validation_error(exc, path, 1, key_lines, "frontmatter") from None

    if path.suffix in (".yaml", ".yml"):
        return _yaml_page(text, path, rel, front, default_language, site_root, language, limits)

    from vidsite.content.dialects import rewrite

    src = Source.of(body)
    includer = includer or Includer(site_root or path.parent, path.parent)
    src = rewrite(includer.expand(src, path), path)
    from vidsite.content.markdown import parse as markdown

    tokens = markdown(src.text)
    scenes: list[Scene] = []
    for tok in tokens:
        if tok.type != "fence":
            continue
        info = tok.info.strip().split()
        if info and info[0] == "scene":
            line = src.line_of(tok.map[0]) if tok.map else 1
            if len(info) < 2:
                raise ContentError("scene block needs a type: ```scene list", path=path, line=line)
            scenes.append(parse_scene(info[1], tok.content, path, line, limits))

    if not scenes:
        from vidsite.content.auto import auto_scenes

        def note(line: int, message: str) -> None:
            src.notes.append(Note(path, src.line_of(line - 1), message))

        scenes = auto_scenes(tokens, front.title, lambda ref: resolve_asset(ref, path, site_root) is not None, note,
                             front.language or language or default_language, _file_title(rel))
        scenes = [replace(s, line=src.line_of(s.line - 1)) if s.line > 1 else s for s in scenes]
    scenes = _paged(scenes, lambda line, message: src.notes.append(Note(path, line, message)))
    if notes is not None:
        notes += src.notes
    return _page(front, scenes, _first_heading(tokens), path, rel, key_lines, default_language, site_root, language,
                 limits)


def _paged(scenes: list[Scene], note: Callable[[int, str], None]) -> list[Scene]:
    """Code and tables longer than a slide holds at a legible size continue on the following slides
    (the first keeps the author's narration; the others are read by their template)."""
    from vidsite.scenes.code import expand
    from vidsite.scenes.table import split_rows

    out: list[Scene] = []
    for scene in scenes:
        if scene.type == "table" and not scene.fields.get("parts"):
            out += [replace(scene, fields=f, narration=scene.narration if not i else None)
                    for i, f in enumerate(split_rows(scene.fields))]
        else:
            out += expand(scene, note)
    return out


def _yaml_page(text: str, path: Path, rel: str, front: Any, default_language: str, site_root: Path | None,
               language: str | None, limits: LimitsConfig) -> Page:
    """A .yaml page: frontmatter keys at the top level, plus a `scenes:` list of `{type: …, fields…}`."""
    try:
        root, data = _compose_yaml(text)
    except yaml.YAMLError as exc:
        raise _yaml_error(exc, path, 1, "page") from None
    data = data or {}
    if not isinstance(data, dict) or not isinstance(data.get("scenes"), list) or not data["scenes"]:
        raise ContentError("a YAML page needs a `scenes:` list of `- type: …` mappings", path=path, line=1)
    items = next(v for k, v in root.value if k.value == "scenes").value
    scenes = []
    for raw, node in zip(data["scenes"], items):
        line = node.start_mark.line + 1
        if not isinstance(raw, dict) or "type" not in raw:
            raise ContentError("each scene needs a `type:` (title, list, command, ...)", path=path, line=line)
        key_lines = {str(k.value): k.start_mark.line + 1 for k, _ in node.value} if isinstance(node, yaml.MappingNode) else {}
        fields = {str(k): v for k, v in raw.items() if k != "type"}
        scenes.append(scene_from_mapping(str(raw["type"]), fields, key_lines, path, line, limits))
    scenes = _paged(scenes, lambda line, message: log.warning("%s:%d: %s", path, line, message))
    return _page(front, scenes, None, path, rel, {}, default_language, site_root, language, limits)


def _page(front: Any, scenes: list[Scene], heading: str | None, path: Path, rel: str, key_lines: dict[str, int],
          default_language: str, site_root: Path | None, language: str | None, limits: LimitsConfig) -> Page:
    stem = Path(rel).name.split(".")[0]
    scenes = [_with_image(s, path, site_root) if s.type == "image" else s for s in scenes]
    if len(scenes) > limits.scenes:
        raise ContentError(f"{len(scenes)} scenes, over [limits] scenes = {limits.scenes}; split the page or raise "
                           "the limit", path=path, line=scenes[limits.scenes].line)
    for s in scenes:
        check_narration(s.narration or "", limits, path, s.line)
    said = sum(len(s.narration or "") for s in scenes)
    if said > limits.page_narration:
        raise ContentError(f"{said} characters of narration, over [limits] page_narration = {limits.page_narration}; "
                           "split the page or raise the limit", path=path, line=1)

    title_scene = next((s.fields["title"] for s in scenes if s.type == "title"), None)
    title = front.title or title_scene or heading or _file_title(rel)
    rel_parts = Path(rel).parts
    if front.date is not None and not re.fullmatch(r"\d{4}-\d{2}-\d{2}", str(front.date)):
        raise ContentError("date must look like 2026-11-24", path=path, line=key_lines.get("date", 1))
    return Page(
        source=path,
        rel=rel,
        section=section_path(rel),
        slug=_slug(stem),
        title=title,
        description=front.description,
        voice=front.voice,
        accent=front.accent,
        draft=front.draft,
        weight=front.weight,
        language=front.language or language or default_language,
        theme=front.theme,
        transition=front.transition,
        translation_key="/".join([*rel_parts[:-1], stem]),
        date=str(front.date) if front.date else None,
        scenes=tuple(scenes),
    )


def _with_image(scene: Scene, page: Path, site_root: Path | None) -> Scene:
    src = scene.fields["src"]
    found, problem = find_asset(src, page, site_root)
    if found is None:
        raise ContentError(f"image `{src}`: {problem}", path=page, line=scene.line)
    import warnings

    from PIL import Image, UnidentifiedImageError

    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", Image.DecompressionBombWarning)  # our own bound is checked below
            with Image.open(found) as im:
                width, height = im.size
    except Image.DecompressionBombError:
        raise ContentError(f"image `{src}` is over twice the {MAX_IMAGE_PIXELS // 1_000_000}-megapixel limit; "
                           "scale it down", path=page, line=scene.line) from None
    except (UnidentifiedImageError, OSError):
        raise ContentError(f"image `{src}` is not an image Pillow can read (use PNG, JPEG, WebP or GIF)",
                           path=page, line=scene.line) from None
    if width * height > MAX_IMAGE_PIXELS:
        raise ContentError(f"image `{src}` is {width}×{height} pixels; scale it down (limit "
                           f"{MAX_IMAGE_PIXELS // 1_000_000} megapixels)", path=page, line=scene.line)
    return replace(scene, fields={**scene.fields, "_path": str(found)})


def find_asset(src: str, page: Path, site_root: Path | None) -> tuple[Path | None, str]:
    """A local file a page refers to, from the page's folder or static/, and never outside the site:
    `..`, absolute paths and symlinks that lead out are refused, URLs are never fetched."""
    if not src or re.match(r"^[a-zA-Z][a-zA-Z0-9+.-]*:", src) or src.startswith("//"):
        return None, "URLs (http:, file:, data:) are not fetched; put the file in static/"
    root = (site_root or page.parent).resolve()
    outside = False
    for base in [page.parent] + ([site_root / "static", site_root] if site_root else []):
        candidate = (base / src.lstrip("/")).resolve()
        if not candidate.is_relative_to(root):
            outside = True
            continue
        if candidate.is_file():
            return candidate, ""
    if outside:
        return None, "refers outside the site (.., an absolute path or a symlink); keep images in static/"
    return None, "not found in the page's folder or static/"


def resolve_asset(src: str, page: Path, site_root: Path | None) -> Path | None:
    return find_asset(src, page, site_root)[0]


def _file_title(rel: str) -> str:
    """A page's title when neither frontmatter nor a heading gives one: its file name, `getting_started.es.md`
    → "Getting Started"."""
    return Path(rel).name.split(".")[0].replace("-", " ").replace("_", " ").strip().title()


def _first_heading(tokens: list[Any]) -> str | None:
    for i, tok in enumerate(tokens):
        if tok.type == "heading_open" and i + 1 < len(tokens):
            return tokens[i + 1].content.strip() or None
    return None


def _slug(stem: str) -> str:
    return slugify(stem, length=200, default="page")


def section_path(rel: str) -> str:
    """The URL path of the section a page (or `_index.md`) at `rel` belongs to. Each folder is
    slugged like a page name, because folder names are untrusted content and become hrefs: a
    folder named `javascript:alert(1)` is the section `javascript-alert-1`, never a scheme."""
    return "/".join(slugify(part, length=200, default="section") for part in Path(rel).parts[:-1])
