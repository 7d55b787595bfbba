"""Page order as the docs tool has it: mkdocs.yml `nav`, mdBook's SUMMARY.md.

A docs site's order is part of its meaning (chapter 3 follows chapter 2); alphabetical order
scrambles a book. The position found here becomes the page's weight, so the index lists pages
as the docs site does. Tool configs are data: mkdocs.yml is read with a safe YAML loader that
accepts and ignores the tags it cannot know (`!!python/name:…`, `!ENV`), and nothing in it is
ever imported or run.
"""

from __future__ import annotations

import logging
import os
import re
from pathlib import Path
from typing import Any

import yaml

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


def page_order(root: Path, content: Path, pages: list[str], summary: Path | None = None) -> dict[str, int]:
    """Position (1, 2, …) of each page listed by the docs tool's navigation; {} when there is none.
    `pages`: the page paths under `content`, posix."""
    listed: list[str] = []
    if summary is not None:
        listed = summary_pages(summary.read_text(encoding="utf-8", errors="replace"))
    elif (config := mkdocs_config(root, content)) is not None:
        data = load_yaml(config)
        if isinstance(data, dict) and data.get("nav"):
            listed = nav_pages(data["nav"], pages)
    order: dict[str, int] = {}
    for rel in listed:
        rel = os.path.normpath(rel).replace(os.sep, "/")
        if rel in pages and rel not in order:
            order[rel] = len(order) + 1
    return order


def summary_pages(text: str) -> list[str]:
    """Pages in an mdBook SUMMARY.md, in order; draft chapters (`[Title]()`) have none."""
    return [m.group(1).split("#")[0] for m in re.finditer(r"\[[^\]]*\]\(\s*<?([^)>\s]+)>?\s*\)", text)
            if not re.match(r"^[a-z]+:", m.group(1))]


def nav_pages(nav: Any, pages: list[str]) -> list[str]:
    """Pages in a mkdocs `nav`, in order: `- page.md`, `- Title: page.md`, `- Section: [...]`, and a
    folder (`user-guide/`) standing for its pages, index first, then alphabetical."""
    out: list[str] = []
    if isinstance(nav, list):
        for item in nav:
            out += nav_pages(item, pages)
    elif isinstance(nav, dict):
        for value in nav.values():
            out += nav_pages(value, pages)
    elif isinstance(nav, str) and not re.match(r"^[a-z]+:", nav):
        if nav.endswith("/"):
            inside = sorted((p for p in pages if p.startswith(nav)),
                            key=lambda p: (p.count("/"), Path(p).stem.lower() not in ("index", "readme"), p))
            out += inside
        else:
            out.append(nav)
    return out
