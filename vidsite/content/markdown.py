"""The Markdown dialect pages are read in: CommonMark plus what docs sites use every day (GFM tables
and strikethrough, footnotes, definition lists). One parser, built once, for pages and imports."""

from __future__ import annotations

from functools import lru_cache
from typing import Any


@lru_cache(maxsize=1)
def parser() -> Any:
    from markdown_it import MarkdownIt
    from mdit_py_plugins.deflist import deflist_plugin
    from mdit_py_plugins.footnote import footnote_plugin

    return MarkdownIt("commonmark").enable(["table", "strikethrough"]).use(footnote_plugin).use(deflist_plugin)


def parse(text: str) -> list[Any]:
    """Block tokens of a Markdown text (inline tokens carry their children)."""
    return parser().parse(text)
