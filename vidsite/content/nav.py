"""Page order and titles as the docs tool has them: mkdocs.yml `nav`, mdBook's SUMMARY.md,
VitePress and Docusaurus sidebars (sidebars.py); and which docs tool a repository uses.

A docs site's order is part of its meaning (chapter 3 follows chapter 2); alphabetical order
scrambles a book. The position found here becomes the page's weight, so the index lists pages
as the docs site does, and a title the navigation gives (`- Install: install.md`, `[Install](…)`)
names a page whose frontmatter does not. Tool configs are data: mkdocs.yml is read with a safe
YAML loader that accepts and ignores the tags it cannot know (`!!python/name:…`, `!ENV`), and
nothing in any of them is ever imported or run.
"""

from __future__ import annotations

import json
import logging
import os
import re
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from vidsite.content.includes import hidden
from vidsite.content.sidebars import (
    Entry,
    read_literal,
    sidebar_entries,
    vitepress_config,
)

log = logging.getLogger(__name__)


class _Loader(yaml.SafeLoader):
    """SafeLoader that reads any unknown tag as the plain value under it."""


def _untagged(loader: yaml.SafeLoader, suffix: str, node: yaml.Node) -> Any:
    if isinstance(node, yaml.ScalarNode):
        return loader.construct_scalar(node)
    if isinstance(node, yaml.SequenceNode):
        return loader.construct_sequence(node, deep=True)
    return loader.construct_mapping(node, deep=True)  # type: ignore[arg-type]


_Loader.add_multi_constructor("", _untagged)


def load_yaml(path: Path) -> Any:
    """A tool's YAML config, or None when it cannot be read (a warning says why)."""
    try:
        return yaml.load(path.read_text(encoding="utf-8"), Loader=_Loader)  # a SafeLoader: no Python objects
    except (OSError, yaml.YAMLError, UnicodeDecodeError) as exc:
        log.warning("%s: not read (%s); pages are in alphabetical order", path, str(exc).split("\n")[0])
        return None


def mkdocs_config(root: Path, content: Path) -> Path | None:
    """The mkdocs.yml whose docs_dir is `content`, in `content`'s parents up to the site root."""
    content, root = content.resolve(), root.resolve()
    for folder in [content.parent, *content.parent.parents]:
        if not folder.is_relative_to(root):
            break
        for name in ("mkdocs.yml", "mkdocs.yaml"):
            path = folder / name
            if path.is_file():
                data = load_yaml(path)
                docs_dir = data.get("docs_dir", "docs") if isinstance(data, dict) else "docs"
                if (folder / str(docs_dir)).resolve() == content:
                    return path
    return None


def summary_file(root: Path, content_dir: str) -> Path | None:
    """mdBook's SUMMARY.md: the book's order, not a page (in a docs folder, or beside book.toml)."""
    path = root / content_dir / "SUMMARY.md"
    return path if path.is_file() and (content_dir != "content" or (root / "book.toml").is_file()) else None


@dataclass(frozen=True)
class Nav:
    """What the docs tool's navigation says of the pages (paths under the docs folder, posix)."""

    order: dict[str, int] = field(default_factory=dict)  # position, 1, 2, …
    titles: dict[str, str] = field(default_factory=dict)  # the title the navigation gives a page


def page_nav(root: Path, content: Path, pages: list[str], summary: Path | None = None) -> Nav:
    """Order and titles of the pages the docs tool's navigation lists; empty when there is none.
    `pages`: the page paths under `content`, posix."""
    listed: list[Entry] = []
    if summary is not None:
        listed = summary_pages(summary.read_text(encoding="utf-8", errors="replace"))
    elif (config := mkdocs_config(root, content)) is not None:
        data = load_yaml(config)
        if isinstance(data, dict) and data.get("nav"):
            listed = nav_pages(data["nav"], pages)
    else:
        listed = sidebar_entries(root, content, pages) or []
    order: dict[str, int] = {}
    titles: dict[str, str] = {}
    for rel, title in listed:
        rel = os.path.normpath(rel).replace(os.sep, "/")
        if rel in pages and rel not in order:
            order[rel] = len(order) + 1
            if title and (title := re.sub(r"`|\*\*", "", title).strip()):
                titles[rel] = title
    return Nav(order, titles)


def summary_pages(text: str) -> list[Entry]:
    """Pages in an mdBook SUMMARY.md with their link texts, in order; draft chapters (`[Title]()`)
    have none."""
    return [(m.group(2).split("#")[0], m.group(1)) for m in re.finditer(
        r"\[((?:[^\[\]]|\[[^\]]*\])*)\]\(\s*<?([^)>\s]+)>?\s*\)", text) if not re.match(r"^[a-z]+:", m.group(2))]


def nav_pages(nav: Any, pages: list[str], title: str | None = None) -> list[Entry]:
    """Pages in a mkdocs `nav` with their titles, in order: `- page.md`, `- Title: page.md`,
    `- Section: [...]`, and a folder (`user-guide/`) standing for its pages, index first, then
    alphabetical."""
    out: list[Entry] = []
    if isinstance(nav, list):
        for item in nav:
            out += nav_pages(item, pages)
    elif isinstance(nav, dict):
        for key, value in nav.items():
            out += nav_pages(value, pages, str(key) if isinstance(value, str) else None)
    elif isinstance(nav, str) and not re.match(r"^[a-z]+:", nav):
        if nav.endswith("/"):
            inside = sorted((p for p in pages if p.startswith(nav)),
                            key=lambda p: (p.count("/"), Path(p).stem.lower() not in ("index", "readme"), p))
            out += [(p, None) for p in inside]
        else:
            out.append((nav, title))
    return out


@dataclass(frozen=True)
class DocsTool:
    """The docs tool a repository uses, as `vidsite new site --here` reads it."""

    name: str  # MkDocs, mdBook, Hugo, VitePress, Docusaurus
    content_dir: str  # its pages' folder, relative to the repository
    title: str | None


def docs_tool(root: Path) -> DocsTool | None:
    """Which docs tool `root` is set up for, from its config file; None when none is recognised.
    Configs are read as data only (YAML safely, JavaScript by the literal reader)."""
    return next((tool for find in (_mkdocs, _mdbook, _docusaurus, _vitepress, _hugo, _mkdocs_below)
                 if (tool := find(root))), None)


def _mkdocs(root: Path, patterns: tuple[str, ...] = ("mkdocs.y*ml",)) -> DocsTool | None:
    found = [p for pattern in patterns for p in sorted(root.glob(pattern))
             if p.suffix in (".yml", ".yaml") and p.is_file() and not hidden(p.relative_to(root).parts)
             and "node_modules" not in p.parts]
    if not found:
        return None
    path = next((p for p in found if p.parent.name in ("en", "en-us", "en_US")), found[0])
    data = load_yaml(path)
    data = data if isinstance(data, dict) else {}
    docs = (path.parent / str(data.get("docs_dir") or "docs")).relative_to(root).as_posix()
    return DocsTool("MkDocs", docs, _text(data.get("site_name")))


def _mkdocs_below(root: Path) -> DocsTool | None:
    """mkdocs.yml in a folder below the repository, where a repository keeps one per language (FastAPI's
    `docs/en/mkdocs.yml`): the English one, else the one nearest the top."""
    return _mkdocs(root, ("*/mkdocs.y*ml", "*/*/mkdocs.y*ml"))


def _mdbook(root: Path) -> DocsTool | None:
    """book.toml and its `src` folder's SUMMARY.md; or, without book.toml (mdBook's defaults then
    apply), `src/SUMMARY.md`."""
    book: Any = _toml(root / "book.toml").get("book") if (root / "book.toml").is_file() else None
    book = book if isinstance(book, dict) else {}
    src = str(book.get("src") or "src")
    return DocsTool("mdBook", src, _text(book.get("title"))) if (root / src / "SUMMARY.md").is_file() else None


def _docusaurus(root: Path) -> DocsTool | None:
    for path in sorted(root.glob("docusaurus.config.*")):
        data = read_literal(path.read_text(encoding="utf-8", errors="replace"))
        title = _text(data.get("title")) if isinstance(data, dict) else None
        return DocsTool("Docusaurus", _docs_plugin_path(data) or "docs", title)
    return None


def _vitepress(root: Path) -> DocsTool | None:
    """`.vitepress/` in the repository or one of its top folders (`docs/`); pages in its `srcDir`."""
    for folder in [root, *sorted(p for p in root.iterdir() if p.is_dir() and not p.name.startswith("."))]:
        if not (folder / ".vitepress").is_dir():
            continue
        config = vitepress_config(folder, folder)
        data = read_literal(config.read_text(encoding="utf-8", errors="replace")) if config else None
        data = data if isinstance(data, dict) else {}
        src = (folder / (data["srcDir"] if isinstance(data.get("srcDir"), str) else ".")).resolve()
        if src.is_relative_to(root.resolve()):
            return DocsTool("VitePress", src.relative_to(root.resolve()).as_posix(), _text(data.get("title")))
    return None


def _hugo(root: Path) -> DocsTool | None:
    for path in (*(root / f"hugo.{x}" for x in ("toml", "yaml", "yml", "json")),
                 *(root / "config" / "_default" / f"{n}.{x}" for n in ("hugo", "config") for x in ("toml", "yaml", "json")),
                 *(root / f"config.{x}" for x in ("toml", "yaml", "yml", "json"))):
        if path.is_file() and (data := _hugo_config(path)) is not None:
            return DocsTool("Hugo", str(data.get("contentDir") or data.get("contentdir") or "content"),
                            _text(data.get("title")))
    return None


def _text(value: Any) -> str | None:
    return value.strip() if isinstance(value, str) and value.strip() else None


def _toml(path: Path) -> dict[str, Any]:
    try:
        return tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        log.warning("%s: not read (%s)", path, str(exc).split("\n")[0])
        return {}


def _hugo_config(path: Path) -> dict[str, Any] | None:
    """A Hugo site config's mapping; None for a file that is not one (vidsite's own config.toml)."""
    if path.suffix == ".toml":
        data: Any = _toml(path)
    elif path.suffix == ".json":
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, UnicodeDecodeError, json.JSONDecodeError):
            data = None
    else:
        data = load_yaml(path)
    if not isinstance(data, dict):
        return None
    hugo_keys = {"baseURL", "baseurl", "languageCode", "theme", "contentDir", "params", "menu", "module", "markup"}
    return data if path.name.startswith("hugo.") or path.parent.name == "_default" or hugo_keys & set(data) else None


def _docs_plugin_path(config: Any) -> str | None:
    """The `path` of the docs plugin's options (`presets: [['classic', {docs: {path: …}}]]`)."""
    if isinstance(config, dict):
        docs = config.get("docs")
        if isinstance(docs, dict) and isinstance(docs.get("path"), str):
            return docs["path"].removeprefix("./").rstrip("/") or "."
        values: Any = config.values()
    elif isinstance(config, list):
        values = config
    else:
        return None
    return next((found for v in values if (found := _docs_plugin_path(v))), None)
