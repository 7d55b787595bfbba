"""The reference system's YAML (bjpl/video_gen) → pages, with a report of what became of every field.

Its users hold folders of these files, in two scene forms: flat (`type:` with the visual fields
beside it) and nested (`scene_id`, `scene_type`, `visual_content: {...}`), plus sets (a
`set_config.yaml` and one file per video). The fields it only ever spoke (`key_message`, `topic`,
`context`, `improvement`, `key_points`) are fields of vidsite's scene types, drawn and narrated;
on a type that lacks one (a `key_message` on a list) it is spoken, as the reference spoke it.

Nothing is silently lost: each field is *mapped* (same meaning, maybe renamed), *adapted* (given a
home of another shape: narration, a markdown scene, frontmatter) or *dropped* with a reason and
kept as a comment in the written page. A last check walks every string of each source scene and
reports, with file:line, any the written scenes do not hold.
"""

from __future__ import annotations

import logging
import re
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml
from pydantic import ValidationError

from vidsite.config import ACCENTS
from vidsite.errors import ContentError
from vidsite.scenes import TYPES, sentence
from vidsite.scenes.base import item_text

log = logging.getLogger(__name__)

IDS = ("scene_id", "id")
KIND = ("scene_type", "type")
COMMON = ("narration", "voice", "min_duration", "max_duration")
SPOKEN_BEFORE = ("topic", "context")  # the reference opens its narration with these
SPOKEN_AFTER = ("key_message", "improvement", "key_points")  # ... and closes with these
RENAMES: dict[str, dict[str, str]] = {  # the reference's other name for the same field
    "command": {"title": "header"}, "code_comparison": {"title": "header"}, "list": {"title": "header"},
    "quote": {"author": "attribution"}, "solution": {"solution_text": "explanation"},
}
CODE = ("before_code", "after_code", "solution_code", "code")
COLOURS = {"red": "#ef4444"}  # the reference's colours vidsite has no name for


class _Map(dict):  # type: ignore[type-arg]
    """A YAML mapping that remembers the line of itself and of each key, for file:line reports."""

    line: int = 1
    lines: dict[str, int]


class _Loader(yaml.SafeLoader):
    pass


def _mapping(loader: _Loader, node: yaml.MappingNode) -> _Map:
    loader.flatten_mapping(node)
    out = _Map()
    out.line, out.lines = node.start_mark.line + 1, {}
    for key_node, value_node in node.value:
        key = str(loader.construct_object(key_node, deep=True))
        out[key] = loader.construct_object(value_node, deep=True)
        out.lines[key] = key_node.start_mark.line + 1
    return out


_Loader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _mapping)


@dataclass
class Report:
    """What became of one source file's fields. `dropped` held content (warnings); `ignored` held
    none (identifiers, the reference's own output paths and build settings). --strict refuses the first."""

    source: Path
    mapped: Counter[str] = field(default_factory=Counter)
    adapted: list[str] = field(default_factory=list)
    dropped: list[str] = field(default_factory=list)
    ignored: list[str] = field(default_factory=list)

    def adapt(self, line: int, what: str, how: str) -> None:
        self.adapted.append(f"{self.source}:{line}: {what} → {how}")

    def drop(self, line: int, what: str, why: str, content: bool = True) -> str:
        """Record a field not carried; returns the note kept as a comment in the written page."""
        (self.dropped if content else self.ignored).append(f"{self.source}:{line}: {what}: {why}")
        return f"dropped {what}: {why}"

    def lines(self) -> list[str]:
        mapped = ", ".join(f"{k}×{n}" if n > 1 else k for k, n in sorted(self.mapped.items()))
        return ([f"  mapped: {mapped or 'nothing'}"] + [f"  adapted: {a}" for a in self.adapted]
                + [f"  ignored (no content): {d}" for d in self.ignored]
                + [f"  warning: dropped {d}" for d in self.dropped])


@dataclass
class Imported:
    """One page to write: `rel` under content/ (before any --section), frontmatter, scenes."""

    rel: str
    meta: dict[str, Any]
    scenes: list[tuple[str, dict[str, Any]]]
    report: Report


def load(path: Path) -> tuple[Any, yaml.Node | None]:
    """The data (mappings remember their lines) and the node tree (every scalar has its line)."""
    try:
        text = path.read_text(encoding="utf-8")
        return yaml.load(text, Loader=_Loader), yaml.compose(text, Loader=yaml.SafeLoader)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        raise ContentError(f"not valid YAML: {getattr(exc, 'problem', exc)}", path=path,
                           line=mark.line + 1 if mark else None) from None
    except (OSError, UnicodeDecodeError) as exc:
        raise ContentError(f"cannot read: {exc}", path=path) from None


def line_of(data: Any, key: str) -> int:
    return getattr(data, "lines", {}).get(key, getattr(data, "line", 1))


def as_text(value: Any) -> str:
    """A value the reference wrote as a list or a mapping, as prose."""
    if isinstance(value, dict):
        return " · ".join(f"{k.replace('_', ' ')}: {as_text(v)}" for k, v in value.items())
    if isinstance(value, (list, tuple)):
        return ", ".join(as_text(v) for v in value)
    return "" if value is None else str(value)


def accent_of(value: Any, report: Report, line: int) -> str | None:
    if value is None:
        return None
    name = str(value).strip().lower()
    if name in ACCENTS or re.fullmatch(r"#[0-9a-f]{6}", name):
        return name
    if name in COLOURS:
        report.adapt(line, f"accent_color `{value}`", f"accent {COLOURS[name]} (vidsite has no colour by that name)")
        return COLOURS[name]
    report.drop(line, f"accent_color `{value}`", f"not a colour vidsite knows ({', '.join(ACCENTS)}, #rrggbb); "
                "blue used")
    return None


@dataclass
class Context:
    """What a video's scenes inherit: voices to rotate, AI narration, set durations."""

    report: Report
    voices: list[str] = field(default_factory=list)
    ai: bool = False
    min_duration: float | None = None
    max_duration: float | None = None


def convert_scene(raw: Any, n: int, ctx: Context, node: yaml.Node | None) -> list[tuple[str, dict[str, Any]]]:
    """One reference scene (either form) → vidsite scenes, reporting every field."""
    rep, path = ctx.report, ctx.report.source
    line = getattr(raw, "line", 1)
    if not isinstance(raw, dict):
        raise ContentError(f"scene {n} is not a mapping of fields", path=path, line=line)
    sid = next((raw[k] for k in IDS if raw.get(k) is not None), None)
    label = f"scene {n} ({sid or 'no id'})"
    kind = next((str(raw[k]) for k in KIND if raw.get(k)), None)
    if kind is None:
        raise ContentError(f"scene {n} has no `type` (or `scene_type`)", path=path, line=line)
    if kind not in TYPES:
        raise ContentError(f"{label}: unknown type `{kind}`; use one of: {', '.join(TYPES)}", path=path, line=line)
    content: dict[str, Any] = {}
    lines: dict[str, int] = {}
    notes: list[str] = []
    visual = raw.get("visual_content")
    for source in (raw, visual if isinstance(visual, dict) else {}):
        for key, value in source.items():
            if key not in ("visual_content", *KIND, *IDS):
                content[key], lines[key] = value, line_of(source, key)
    for key in IDS:
        if key in raw:
            notes.append(rep.drop(line_of(raw, key), f"{label} {key} `{raw[key]}`",
                                  "an identifier, never shown or spoken (vidsite numbers scenes)", content=False))
    return _shape(kind, content, lines, label, n, ctx, notes)


def _shape(kind: str, content: dict[str, Any], lines: dict[str, int], label: str, n: int, ctx: Context,
           notes: list[str]) -> list[tuple[str, dict[str, Any]]]:
    rep = ctx.report
    at = (lambda key: lines.get(key, 1))
    before: list[str] = []
    after: list[str] = []
    # a solution of words alone: vidsite's solution shows code
    if kind == "solution" and not content.get("solution_code") and content.get("solution_text"):
        rep.adapt(at("solution_text"), f"{label} solution_text (no code)", "a markdown scene: header and text")
        kind = "markdown"
        content["header"] = content.pop("title", None) or "Solution"
        content["text"] = content.pop("solution_text")
    model = TYPES[kind].fields
    for old, new in RENAMES.get(kind, {}).items():
        if old in content and new not in content:
            content[new] = content.pop(old)
            lines[new] = lines.get(old, 1)
            rep.mapped[f"{old}→{new}"] += 1
    fields: dict[str, Any] = {}
    narration = content.get("narration")
    ai = ctx.ai
    for key, value in content.items():
        if key in ("narration",):
            continue
        if key == "use_ai_narration":
            ai = bool(value)
            continue
        if key not in model.model_fields and (key in SPOKEN_BEFORE or key in SPOKEN_AFTER):
            spoken = [item_text(v) for v in value] if isinstance(value, list) else [as_text(value)]
            (before if key in SPOKEN_BEFORE else after).extend(s for s in spoken if s)
            rep.adapt(at(key), f"{label} {key}", f"spoken in the narration (as video_gen speaks it; scene type `{kind}`"
                      " has no field to draw it)")
            continue
        if key not in model.model_fields:
            notes.append(rep.drop(at(key), f"{label} {key} `{as_text(value)}`", f"scene type `{kind}` has no such field"
                                  f" (its fields: {', '.join(f for f in model.model_fields if f not in COMMON)})"))
            continue
        if key in CODE and isinstance(value, list):
            value = "\n".join(str(v) for v in value) + "\n"
        elif key == "lesson_info" and isinstance(value, (dict, list)):
            value = as_text(value)
            rep.adapt(at(key), f"{label} lesson_info", "one line of text")
        fields[key] = value
        rep.mapped[key] += 1
    if "voice" not in fields and ctx.voices:
        fields["voice"] = ctx.voices[(n - 1) % len(ctx.voices)]
    for key in ("min_duration", "max_duration"):
        if key not in fields and getattr(ctx, key) is not None:
            fields[key] = getattr(ctx, key)
    try:
        checked = model.model_validate(fields).model_dump(exclude_none=True)
    except ValidationError as exc:
        err = exc.errors()[0]
        key = str(err["loc"][0]) if err["loc"] else ""
        what = "missing field" if err["type"] == "missing" else f"{'.'.join(map(str, err['loc']))}: {err['msg']}"
        raise ContentError(f"{label} ({kind}): {what}{' `' + key + '`' if err['type'] == 'missing' else ''}",
                           path=rep.source, line=lines.get(key, min(lines.values(), default=1))) from None
    out = {k: v for k, v in checked.items() if k in fields and k not in COMMON}
    extra = before + after
    if narration is not None and str(narration).strip() and str(narration).strip().lower() != "ai":
        said = _norm(str(narration))
        missing = [t for t in extra if _norm(t) not in said]
        out["narration"] = sentence(str(narration), *missing) if missing else str(narration)
        rep.mapped["narration"] += 1
    elif extra:
        visual = {k: v for k, v in checked.items() if k not in COMMON}
        out["narration"] = sentence(*before, TYPES[kind].narrate(visual), *after)
        if ai:
            rep.adapt(lines.get("use_ai_narration", min(lines.values(), default=1)), f"{label} use_ai_narration",
                      "narration written from the fields (AI narration would not say what only it carried)")
    elif ai or str(narration or "").strip().lower() == "ai":
        out["narration"] = "ai"
    out |= {k: checked[k] for k in COMMON if k in fields and k != "narration" and k in checked}
    if notes:
        out["_notes"] = notes
    return [(kind, out)]


def _norm(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip().casefold()


def _strings(node: yaml.Node | None, skip: tuple[str, ...] = ()) -> list[tuple[int, str]]:
    """Every string scalar under `node` with its line (mapping keys and `skip` keys left out)."""
    if isinstance(node, yaml.ScalarNode):
        return [(node.start_mark.line + 1, node.value)] if node.tag.endswith(":str") and node.value.strip() else []
    if isinstance(node, yaml.SequenceNode):
        return [s for item in node.value for s in _strings(item)]
    if isinstance(node, yaml.MappingNode):
        return [s for k, v in node.value if k.value not in skip for s in _strings(v)]
    return []


def _carried(kind_fields: list[tuple[str, dict[str, Any]]]) -> str:
    def walk(value: Any) -> list[str]:
        if isinstance(value, dict):
            return [s for k, v in value.items() if k != "_notes" for s in walk(v)]
        if isinstance(value, list):
            return [s for v in value for s in walk(v)]
        return [str(value)]

    return _norm(" \n ".join(s for _, f in kind_fields for s in walk(f)))


def check_fidelity(node: yaml.Node | None, scenes: list[tuple[str, dict[str, Any]]], label: str,
                   report: Report) -> None:
    """Report (as dropped) each string of the source scene the written scenes do not hold."""
    held = _carried(scenes)
    noted = " ".join(scenes[-1][1].get("_notes", [])) if scenes else ""
    for line, text in _strings(node, skip=(*KIND,)):
        if _norm(text) not in held and _norm(text) not in _norm(noted):
            note = report.drop(line, f"{label} value {text[:40]!r}", "not carried into the page")
            scenes[-1][1].setdefault("_notes", []).append(note)


def scene_nodes(root: yaml.Node | None) -> list[yaml.Node | None]:
    if isinstance(root, yaml.MappingNode):
        for key, value in root.value:
            if key.value == "scenes" and isinstance(value, yaml.SequenceNode):
                return list(value.value)
    return []
