"""Inline Markdown in slide text, as styled runs: `**bold**`, `*italic*`, `` `code` ``, links,
`<kbd>` keys and `~~strike~~` are drawn in their style, never printed as marks.

The parsing is markdown-it's own inline parser (CommonMark plus GFM strikethrough), so an
underscore inside a word is a character, not emphasis: `user_id`, `NO_COLOR=1` and
`main:my_awesome_api` keep every character. HTML other than the few inline formatting tags
is text the author wrote (`<T>`, `<div>`), drawn as written.

No Pillow here: narration templates and `vidsite check` use `plain` too.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from functools import lru_cache

from markdown_it import MarkdownIt

Marks = frozenset[str]  # of: bold, italic, code, link, kbd, strike
Span = tuple[str, Marks]

_MD = MarkdownIt("commonmark", {"html": True}).enable("strikethrough")
_MARKUP = re.compile(r"[*_`\[<~&\\]")  # text without these has no inline markup
_OPENS = {"strong_open": "bold", "em_open": "italic", "link_open": "link", "s_open": "strike"}
_CLOSES = {"strong_close": "bold", "em_close": "italic", "link_close": "link", "s_close": "strike"}
_TAGS = {"kbd": "kbd", "code": "code", "b": "bold", "strong": "bold", "i": "italic", "em": "italic", "s": "strike",
         "del": "strike"}
_TAG = re.compile(r"<(/?)([a-zA-Z]+)\s*/?>")
_CODE_SPAN = re.compile(r"(`+).+?\1", re.DOTALL)
_NAME_LIKE = re.compile(r"\w\.\w")  # a file or module name: __init__.py, _config.yml (a bare __word__ is bold)
# a name between emphasis underscores, with punctuation either side: `(_main.exe_,` (not `__init__.py`)
_WRAPPED = re.compile(r"([^\w\\]*)(__?)(?![_\s])(.*?[^_\\\s])\2([^\w_]*)")
NONE: Marks = frozenset()


@lru_cache(maxsize=4096)
def spans(text: str) -> tuple[Span, ...]:
    """`text` as (characters, marks) runs, adjacent runs of one style merged. A line break
    stays a "\\n" (soft or hard), as the text's own lines are kept on the slide."""
    if not _MARKUP.search(text):
        return ((text, NONE),) if text else ()
    out: list[list] = []
    active: dict[str, int] = {}

    def add(chars: str, *extra: str) -> None:
        marks = frozenset([m for m, n in active.items() if n > 0] + list(extra))
        if not chars:
            return
        if out and out[-1][1] == marks:
            out[-1][0] += chars
        else:
            out.append([chars, marks])

    def toggle(mark: str, step: int) -> None:
        active[mark] = active.get(mark, 0) + step

    for tok in _MD.parseInline(_names_kept(text))[0].children or []:
        if tok.type in _OPENS:
            toggle(_OPENS[tok.type], 1)
        elif tok.type in _CLOSES:
            toggle(_CLOSES[tok.type], -1)
        elif tok.type == "code_inline":
            add(tok.content, "code")
        elif tok.type in ("softbreak", "hardbreak"):
            add("\n")
        elif tok.type == "image":  # its alt text, so what it says is not lost
            add(tok.content, "italic")
        elif tok.type == "html_inline":
            _html(tok.content, add, toggle)
        else:
            add(tok.content)
    return tuple((s, m) for s, m in out)


def _names_kept(text: str) -> str:
    """`text` with the underscores of names escaped, outside code spans: CommonMark reads
    `__init__.py` as a bold "init", but on a docs slide it is a file name."""
    def keep(m: re.Match[str]) -> str:
        word = m.group(0)
        if "_" not in word or not _NAME_LIKE.search(word):
            return word
        if wrapped := _WRAPPED.fullmatch(word):  # `_main.rs_`: emphasis around a name, the name's own `_` kept
            before, mark, name, after = wrapped.groups()
            return before + mark + _escaped(name) + mark + after
        return _escaped(word)

    out, at = [], 0
    for m in _CODE_SPAN.finditer(text):
        out += [re.sub(r"\S+", keep, text[at:m.start()]), m.group(0)]
        at = m.end()
    return "".join(out) + re.sub(r"\S+", keep, text[at:])


def _escaped(text: str) -> str:
    return re.sub(r"(?<!\\)_", r"\\_", text)


def _html(tag: str, add: Callable[..., None], toggle: Callable[[str, int], None]) -> None:
    """An inline formatting tag switches its style; `<br>` breaks the line; a comment is hidden;
    any other tag is text."""
    m = _TAG.fullmatch(tag)
    name = m.group(2).lower() if m else ""
    if name == "br":
        add("\n")
    elif name in _TAGS:
        toggle(_TAGS[name], -1 if m and m.group(1) else 1)
    elif not tag.startswith("<!--"):
        add(tag)


def plain(text: str) -> str:
    """What the text says with its markup removed: link text without the URL, code without backticks."""
    return "".join(s for s, _ in spans(text))
