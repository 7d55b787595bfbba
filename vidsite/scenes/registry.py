"""The registry of scene types: vidsite's own, then those of installed packages.

Checked complete when it is built (at import): a type missing a part, naming a field its model
lacks, or clashing with another's name is an error here, not a KeyError in a worker later.

Further types come only from installed packages, through the `vidsite.scenes` entry point
group (each entry point loads a SceneType or a list of them). Never from a site folder: a docs
pull request must not run code, so a distribution found in the working directory (on sys.path
when vidsite runs as `python -m`) is ignored with a warning.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Mapping
from importlib.metadata import EntryPoint, entry_points
from pathlib import Path
from types import MappingProxyType
from typing import Any

from vidsite.errors import VidsiteError
from vidsite.messages import _, speaking
from vidsite.scenes import callout, code, image, lists, quiz, table, text
from vidsite.scenes.base import SceneFields, SceneType

log = logging.getLogger(__name__)
GROUP = "vidsite.scenes"
CHAPTER_TITLE_MAX = 60
_NAME = re.compile(r"[a-z][a-z0-9_]{0,39}")  # a word after `scene` in the fence; part of cache file names

BUILTIN: tuple[SceneType, ...] = (
    text.TITLE, lists.LIST, code.COMMAND, text.QUOTE, code.CODE_COMPARISON, text.OUTRO, lists.OBJECTIVES,
    quiz.PROBLEM, code.SOLUTION, quiz.QUIZ, lists.CHECKPOINT, lists.EXERCISE, code.CODE, image.IMAGE, text.MARKDOWN,
    callout.CALLOUT, table.TABLE,
)


def check(kind: Any, origin: str) -> SceneType:
    """`kind` if it is a complete scene type; else a VidsiteError naming where it came from."""

    def fail(problem: str) -> VidsiteError:
        name = getattr(kind, "name", None)
        what = f"scene type `{name}`" if isinstance(name, str) else "a scene type"
        return VidsiteError(f"{what} from {origin} {problem}")

    if not isinstance(kind, SceneType):
        raise fail(f"is a {type(kind).__name__}, not vidsite.scenes.SceneType")
    if not isinstance(kind.name, str) or not _NAME.fullmatch(kind.name):
        raise fail("needs a name of lowercase letters, digits and _ (at most 40), starting with a letter")
    if not (isinstance(kind.fields, type) and issubclass(kind.fields, SceneFields)):
        raise fail("needs `fields`: a subclass of vidsite.scenes.SceneFields")
    for part in ("template", "draw", "chapter_title"):
        if not callable(getattr(kind, part)):
            raise fail(f"needs `{part}`: a function")
    if not isinstance(kind.templates, Mapping) or not all(
            isinstance(k, str) and callable(v) for k, v in kind.templates.items()):
        raise fail("needs `templates`: language code → function")
    model = set(kind.fields.model_fields)
    for part in ("reveal", "code_fields", "kept_fields"):
        unknown = sorted(set(getattr(kind, part)) - model)
        if unknown:
            raise fail(f"names fields its model lacks in `{part}`: {', '.join(unknown)}")
    if kind.answer is not None and kind.answer.flag not in model:
        raise fail(f"names field `{kind.answer.flag}` its model lacks in `answer`")
    if not isinstance(kind.example, Mapping):
        raise fail("needs `example`: the fields of the scene `vidsite new page` writes")
    try:
        kind.fields.model_validate(dict(kind.example))
    except ValueError as exc:
        raise fail(f"has an example its own fields refuse: {exc}") from None
    return kind


def _package(ep: EntryPoint) -> str:
    dist = getattr(ep, "dist", None)
    return f"package `{dist.name}`" if dist is not None else f"entry point `{ep.name} = {ep.value}`"


def _in_working_dir(ep: EntryPoint) -> bool:
    """Whether the entry point's distribution sits in the current directory: a site folder, not an install."""
    dist = getattr(ep, "dist", None)
    if dist is None:
        return False
    try:
        return Path(str(dist.locate_file(""))).resolve() == Path.cwd().resolve()
    except (OSError, ValueError):
        return False


def plugin_types() -> list[tuple[SceneType, str]]:
    """Scene types of installed packages, each with where it came from."""
    found: list[tuple[SceneType, str]] = []
    for ep in sorted(entry_points(group=GROUP), key=lambda e: (e.name, e.value)):
        origin = _package(ep)
        if _in_working_dir(ep):
            log.warning("ignoring scene types of %s: it is in the current folder, not installed (pip install it)",
                        origin)
            continue
        try:
            loaded = ep.load()
        except Exception as exc:  # noqa: BLE001 - any failure of foreign code, reported with its package
            raise VidsiteError(f"scene types from {origin} failed to load: {type(exc).__name__}: {exc} "
                               "(fix or uninstall that package)") from exc
        kinds = [check(kind, origin) for kind in (loaded if isinstance(loaded, (list, tuple)) else [loaded])]
        log.debug("scene types from %s: %s", origin, ", ".join(kind.name for kind in kinds))
        found += [(kind, origin) for kind in kinds]
    return found


def _build() -> dict[str, SceneType]:
    types: dict[str, SceneType] = {}
    origins: dict[str, str] = {}
    for kind, origin in [(check(k, "vidsite"), "vidsite") for k in BUILTIN] + plugin_types():
        if kind.name in types:
            raise VidsiteError(f"scene type `{kind.name}` from {origin} is already defined by {origins[kind.name]}")
        types[kind.name] = kind
        origins[kind.name] = origin
    return types


_TYPES = _build()
TYPES: Mapping[str, SceneType] = MappingProxyType(_TYPES)


def get(name: str) -> SceneType:
    """The scene type called `name`; parse has already refused unknown names with their path:line."""
    try:
        return _TYPES[name]
    except KeyError:
        raise VidsiteError(f"unknown scene type `{name}`; use one of: {', '.join(_TYPES)}") from None


def chapter_title(scene: Any, index: int, language: str | None = None) -> str:
    """A scene's chapter title (manifest, chapters.vtt), at most 60 characters; `Scene N` (in the
    page's `language`) when the type finds none in the scene's fields."""
    kind = _TYPES.get(scene.type)
    with speaking(language):
        title = kind.chapter_title(scene.fields) if kind is not None else None
        if title:
            text = str(title)
            return text if len(text) <= CHAPTER_TITLE_MAX else text[: CHAPTER_TITLE_MAX - 3] + "…"
        return _("Scene {number}", number=index + 1)


def untouched_fields() -> frozenset[str]:
    """Fields no translation may change, over every type (translate reads a scene without its type)."""
    return frozenset().union(*(kind.untouched for kind in _TYPES.values()))


def code_fields(name: str) -> frozenset[str]:
    """The fields of type `name` shown verbatim as code (held to the code-length limit)."""
    return get(name).code_fields
