"""`vidsite translate PAGE --to es,fr`: Claude translates a page for a person to review.

Only words are sent: frontmatter title and description, scene text fields, narration, and the
prose between code. Code fences, commands, code fields, file names and URLs never leave the
file, so they come back byte-identical. Answers are cached by content hash.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import yaml

from vidsite.cache import Cache, make_key
from vidsite.config import NarrationConfig
from vidsite.errors import ContentError, VidsiteError
from vidsite.fsutil import atomic_write, read_text
from vidsite.narrate.claude import ClaudeUnavailable, client, describe, reply_text
from vidsite.scenes import untouched_fields

UNTOUCHED = untouched_fields()  # scene fields declared code or kept by their type (vidsite.scenes), and voice etc.
FRONT_TEXT = ("title", "description")
_FENCE = re.compile(r"^(\s*)(`{3,}|~{3,})(.*)$")


def _strings(value: Any, out: list[str]) -> Any:
    """Replace every translatable string in value by a slot index (collecting the strings)."""
    if isinstance(value, str):
        out.append(value)
        return {"__slot": len(out) - 1}
    if isinstance(value, list):
        return [_strings(v, out) for v in value]
    if isinstance(value, dict):
        return {k: (v if k in UNTOUCHED else _strings(v, out)) for k, v in value.items()}
    return value


def _fill(value: Any, translated: list[str]) -> Any:
    if isinstance(value, dict) and set(value) == {"__slot"}:
        return translated[value["__slot"]]
    if isinstance(value, list):
        return [_fill(v, translated) for v in value]
    if isinstance(value, dict):
        return {k: _fill(v, translated) for k, v in value.items()}
    return value


def split_blocks(body: str) -> list[tuple[str, str]]:
    """The body as ("code"|"scene"|"text", lines) blocks; code and HTML stay as written."""
    blocks: list[tuple[str, str]] = []
    lines = body.split("\n")
    i = 0
    text: list[str] = []

    def flush() -> None:
        if text:
            blocks.append(("text", "\n".join(text)))
            text.clear()

    while i < len(lines):
        m = _FENCE.match(lines[i])
        if m:
            flush()
            marker = m.group(2)
            j = i + 1
            while j < len(lines) and not lines[j].strip().startswith(marker[0] * len(marker)):
                j += 1
            kind = "scene" if m.group(3).strip().startswith("scene") else "code"
            blocks.append((kind, "\n".join(lines[i : j + 1])))
            i = j + 1
            continue
        text.append(lines[i])
        i += 1
    flush()
    return blocks


class Translator:
    """Asks Claude once per distinct set of strings and language; answers live in the cache."""

    def __init__(self, cfg: NarrationConfig, cache: Path) -> None:
        self.cfg, self.cache = cfg, cache
        self.store = Cache(cache)
        self._client: Any = None

    def translate(self, strings: list[str], language: str) -> list[str]:
        if not strings:
            return []
        key = _key(strings, language, self.cfg)
        path = self.store.translation(language, key)
        try:
            return json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            pass
        result = self._ask(strings, language)
        atomic_write(path, json.dumps(result, ensure_ascii=False))
        return result

    def _ask(self, strings: list[str], language: str) -> list[str]:
        if self._client is None:
            try:
                self._client = client(self.cfg)
            except ClaudeUnavailable as exc:
                raise VidsiteError(f"translation needs Claude: {exc}") from None
        prompt = (
            f"Translate each string of this JSON array into the language with code `{language}`. Keep Markdown "
            "syntax, inline `code`, URLs, file names and placeholders exactly as they are. Answer with a JSON "
            "array of the same length, strings only, and nothing else.\n\n" + json.dumps(strings, ensure_ascii=False)
        )
        try:
            reply = self._client.messages.create(model=self.cfg.model, max_tokens=8000,
                                                 messages=[{"role": "user", "content": prompt}])
        except Exception as exc:  # noqa: BLE001 - reported without request details (the key lives there)
            raise VidsiteError(f"translation failed: {describe(exc)}") from None
        text = reply_text(reply)
        text = re.sub(r"^```(?:json)?\s*|\s*```$", "", text)
        try:
            result = json.loads(text)
        except ValueError:
            raise VidsiteError("translation failed: the model did not answer with a JSON array") from None
        if not isinstance(result, list) or len(result) != len(strings) or not all(isinstance(s, str) for s in result):
            raise VidsiteError(f"translation failed: expected {len(strings)} strings back")
        return result


def _key(strings: list[str], language: str, cfg: NarrationConfig) -> str:
    return make_key({"model": cfg.model, "to": language, "strings": strings}, length=20)


def translation_key(source: Path, language: str, cfg: NarrationConfig) -> str:
    """The cache key `vidsite translate` would use for this page and language (for `cache prune`)."""
    return _key(_prepare(source)[3], language, cfg)


def translate_page(source: Path, language: str, translator: Translator) -> str:
    """The translated page's text."""
    front, head, blocks, strings = _prepare(source)
    return _fill_page(front, head, blocks, translator.translate(strings, language))


def _prepare(source: Path) -> tuple[dict[str, Any], str, list[Any], list[str]]:
    """The page split into frontmatter, blocks with slots, and the strings to translate, in slot order."""
    from vidsite.content.parse import split_frontmatter

    text = read_text(source, ContentError)
    meta, _, _ = split_frontmatter(text, source)
    lines = text.split("\n")
    head, body = "", text
    if lines and lines[0].strip() == "---":
        end = next(i for i in range(1, len(lines)) if lines[i].strip() in ("---", "..."))
        head, body = "\n".join(lines[: end + 1]) + "\n", "\n".join(lines[end + 1 :])

    strings: list[str] = []
    front = {k: (_strings(v, strings) if k in FRONT_TEXT and isinstance(v, str) else v) for k, v in meta.items()}
    blocks = []
    for kind, block in split_blocks(body):
        if kind == "scene":
            first, *rest = block.split("\n")
            yaml_text = "\n".join(rest[:-1])
            try:
                data = yaml.safe_load(yaml_text) or {}
            except yaml.YAMLError as exc:
                raise ContentError(f"scene is not valid YAML: {exc}", path=source) from None
            blocks.append((kind, (first, _strings(data, strings), rest[-1])))
        elif kind == "text" and block.strip():
            core = block.strip()
            lead, trail = block[: block.index(core)], block[block.index(core) + len(core):]
            blocks.append((kind, (lead, _strings(core, strings), trail)))
        else:
            blocks.append((kind, block))
    return front, head, blocks, strings


def _fill_page(front: dict[str, Any], head: str, blocks: list[Any], done: list[str]) -> str:
    out = []
    if head:
        out.append("---\n" + yaml.safe_dump(_fill(front, done), allow_unicode=True, sort_keys=False, width=10_000)
                   + "---\n")
    for kind, block in blocks:
        if kind == "scene":
            first, data, last = block
            dumped = yaml.safe_dump(_fill(data, done), allow_unicode=True, sort_keys=False, width=10_000)
            out.append(f"{first}\n{dumped}{last}")
        elif kind == "text" and isinstance(block, tuple):
            lead, slot, trail = block
            out.append(lead + _fill(slot, done) + trail)
        else:
            out.append(block)
    return "\n".join(out)


def translated_path(source: Path, language: str) -> Path:
    parts = source.name.split(".")
    return source.with_name(f"{parts[0]}.{language}.{parts[-1]}")
