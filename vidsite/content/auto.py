"""Plain Markdown → scenes, so existing docs become videos without edits, and nothing they say is lost.

Scenes follow the page in order: a title, then per section its prose as text slides (cut at
paragraph and sentence boundaries, never shortened), lists, tables, code and callouts, then an
outro. Slides keep the page's inline Markdown (drawn styled, identifiers intact); narration is the
same text as spoken (`spoken`): link text never URLs, code spans read as words, no markup. The
paragraph that introduces a code block or a list is spoken over it. Syntax we cannot carry (a
script, a component, a missing image) is a note naming its line: never a crash, never silent.
"""

from __future__ import annotations

import html
import re
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from typing import Any
from urllib.parse import urlsplit

from vidsite.models import Scene

SHELL_LANGS = {"bash", "sh", "shell", "console", "zsh", "shell-session", "powershell", "ps1", "cmd", "bat", "fish"}
SLIDE_CELLS = 480  # prose per text slide, in character cells (wide CJK characters count two)
CALLOUT_CELLS = 360  # body of a callout slide
LIST_CELLS, LIST_ITEMS = 640, 8  # per list slide
INTRO_CELLS = 240  # a paragraph this short before a list/table/code is shown with it; longer ones get their own slide

_TAG = re.compile(r"<[^>]*>")
_URL = re.compile(r"(?:https?|ftp)://[^\s<>()\[\]`]+[^\s<>()\[\]`.,;:!?'\"]|www\.[^\s<>()\[\]`]+[^\s<>()\[\]`.,;:!?'\"]")
_DIRECTIVE = re.compile(r"\{\*.*?\*\}|\{!.*?!\}|\{\{[#<%].*?[>%]?\}\}|--8<--\s*(\"[^\"]*\"|'[^']*')?|\{#[\w-]+\}|\{:[^}]*\}|\{\.[\w-]+[^}\n]*\}"
                        r"|\[!\w+\]", re.DOTALL)
_CODE_INCLUDE = re.compile(r"\{\*.*?\*\}|\{!.*?!\}|\{\{#.*?\}\}", re.DOTALL)
_CALLOUT = re.compile(r"^\[!([\w-]+)\][ \t]*(.*)$")
_SAID_CALLOUT = re.compile(r"^(Note|Warning|Tip|Important|Caution|Danger)\s*:\s*", re.IGNORECASE)
_DROPPED_HTML = re.compile(r"^\s*<(script|style|iframe|svg|video|audio|object|embed|canvas|form|template)\b", re.IGNORECASE)
_COMPONENT = re.compile(r"^\s*</?([A-Z][\w.]*|[a-z]+-[\w-]+)\b")
_STYLE_TAG = re.compile(r"</?(font|span|u|b|i|strong|em)\b[^>]*>", re.IGNORECASE)
_KEPT_TAGS = re.compile(r"</?(kbd|sub|sup)\s*>", re.IGNORECASE)
TAB = "\ue000"  # a tab's title line, written by content/dialects.py
SHOWN_ONLY = "\ue005"  # marks a waiting paragraph the slide shows but the voice has already said
ALT = "\ue006"  # marks the alt text of an image that could not be shown: said as a sentence of its own
_REMOTE = re.compile(r"(?:https?:|ftp:)?//", re.IGNORECASE)  # http://…, https://…, //cdn…
_ADMONITION = re.compile(r"^(///|!!!|\?\?\?\+?)\s*(\w+)?\s*(\|?\s*\"?([^\"\n]*)\"?)?\s*$")
_SENTENCE_END = re.compile(r"(?<=[.!?])\s+(?=\S)|(?<=[。！？])")
URL_SEGMENTS, URL_PATH_CHARS = 3, 40  # a URL path spoken after its host: at most this many segments and characters
_READABLE_SEGMENT = re.compile(r"[^\W\d_][\w.~-]*|\d{1,4}(?:\.\d+)*")  # words, file names, "v2", "3.12"; not %-escapes
_ID_LIKE = re.compile(r"\d{5,}|(?=[0-9a-f]*\d)[0-9a-f]{8,}", re.IGNORECASE)  # a commit, a UUID, a numeric ID

Note = Callable[[int, str], None]


# -- spoken text -------------------------------------------------------------------------------

def host(url: str) -> str:
    """How a bare URL is spoken: its host, without `www.`, and its path when a listener can take it in
    (`127.0.0.1 port 8000/docs`, so /docs and /redoc are not heard as the same address). A query
    string, a fragment and a trailing slash are not read; a long path, or one of IDs or escapes, is
    left to the slide, which shows the whole address."""
    parts = urlsplit(url if "://" in url else f"http://{url}")
    try:
        port = parts.port
    except ValueError:
        port = None
    name = (parts.hostname or url).removeprefix("www.")
    said = f"{name} port {port}" if port else name
    path = parts.path.strip("/")
    segments = path.split("/") if path else []
    if segments and len(segments) <= URL_SEGMENTS and len(path) <= URL_PATH_CHARS \
            and all(_READABLE_SEGMENT.fullmatch(seg) and not _ID_LIKE.search(seg) for seg in segments):
        said += "/" + path
    return said


def spoken_code(code: str) -> str:
    """A code span as a listener recognises it: `user_id` → "user id", `__init__` → "init", a URL as
    `host` says it. A span with no letter or digit (`{}`, `?`, `;`) is kept as written: reading it as
    an empty string would leave the sentence with a hole ("wrapped in ."), and a name for it would be
    English on every page, whatever its language."""
    code = code.strip()
    if _URL.fullmatch(code):
        return host(code)
    verbatim = code
    code = re.sub(r"(\w)<([\w ,]+)>", r"\1 of \2", code)  # Box<T> → "Box of T"
    code = re.sub(r"</?([A-Za-z][\w-]*)[^<>]*>", r"\1 tag", code)  # `<title>` → "title tag"
    code = re.sub(r"\s+", " ", re.sub(r"[_{}]", " ", code)).strip()
    return code if re.search(r"[^\W_]", code) else re.sub(r"\s+", " ", verbatim)


def _emphasis(text: str) -> str:
    text = re.sub(r"(\*\*|__)(?=\S)(.+?)(?<=\S)\1(?!\w)", r"\2", text)
    text = re.sub(r"(?<![\w*])\*(?=\S)(.+?)(?<=\S)\*(?![\w*])", r"\1", text)
    text = re.sub(r"(?<![\w_])_(?=\S)(.+?)(?<=\S)_(?![\w_])", r"\1", text)
    return re.sub(r"~~(?=\S)(.+?)(?<=\S)~~", r"\1", text)


def clean(text: str) -> str:
    """Inline Markdown (or plain text) as it should be spoken: link text without its URL, a bare URL as
    its host, code spans as words, no tags, directives, emphasis marks or entities. Underscores inside
    words are read as spaces; on slides they are kept (slides draw the Markdown itself)."""
    if not text:
        return ""
    text = _DIRECTIVE.sub(" ", text).replace(TAB, " ")
    text = re.sub(r"<!--.*?-->", " ", text, flags=re.DOTALL)
    codes: list[str] = []

    def keep_code(m: re.Match[str]) -> str:
        codes.append(spoken_code(m.group(2)))
        return f"\ue001{len(codes) - 1}\ue001"

    text = re.sub(r"(?<!\\)(`+)(.+?)\1", keep_code, text, flags=re.DOTALL)  # no escapes inside code
    text = re.sub(r"\\([\\`*_{}\[\]()#+\-.!|<>~])", lambda m: f"\ue004{ord(m.group(1))}\ue004", text)
    text = re.sub(r"!\[([^\]]*)\]\([^)]*\)", r"\1", text)
    text = re.sub(r"\[([^\]]+)\]\([^)]*\)|\[([^\]]+)\]\[[^\]]*\]",
                  lambda m: host(m.group(1)) if _URL.fullmatch(m.group(1) or "") else m.group(1) or m.group(2), text)
    text = re.sub(r"<((?:https?|ftp)://[^>\s]+)>", lambda m: host(m.group(1)), text)
    text = _TAG.sub(" ", text)
    text = html.unescape(text)
    text = _URL.sub(lambda m: host(m.group(0)), text)
    text = re.sub(r"(^|\s)(///+|!!!|\?\?\?\+?|:::+)\S*", " ", text)
    text = _emphasis(text)
    text = re.sub(r"(^|\s)#{1,6}(?=\s)|(^|\s)>(?=\s)|\|", " ", text)
    text = re.sub(r"\*{2,}|_{2,}|`", " ", text)
    text = re.sub(r"(?<=\w)_(?=\w)", " ", text)
    # a space that markup left before a sentence's punctuation goes ("bold ." → "bold."); not before a
    # name that starts with a dot (".rs", "./main"), nor around what a code span says
    text = re.sub(r"\s+([,.;:!?])(?=\s|$|[\"'”’)\]])", r"\1", text)
    text = re.sub(r"\ue001(\d+)\ue001", lambda m: codes[int(m.group(1))], text)
    text = re.sub(r"\ue004(\d+)\ue004", lambda m: chr(int(m.group(1))), text)
    return re.sub(r"\s+", " ", text).strip()


def cells(text: str) -> int:
    """Width in character cells: wide (CJK) characters take two."""
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def sentences(text: str) -> list[str]:
    """A paragraph's sentences (Latin stops followed by space; CJK stops anywhere)."""
    return [s for s in (p.strip() for p in _SENTENCE_END.split(text)) if s]


def chunks(paragraphs: list[str], budget: int) -> list[list[str]]:
    """Paragraphs grouped into slides of at most `budget` cells; a longer paragraph is cut between
    sentences (a sentence longer than the budget is a slide of its own). Nothing is dropped."""
    pieces: list[str] = []
    for para in paragraphs:
        if cells(para) <= budget:
            pieces.append(para)
            continue
        part = ""
        for s in sentences(para):
            joined = f"{part} {s}".strip() if not re.search(r"[。！？]$", part) else part + s
            if part and cells(joined) > budget:
                pieces.append(part)
                part = s
            else:
                part = joined
        if part:
            pieces.append(part)
    out: list[list[str]] = []
    size = budget + 1
    for piece in pieces:
        if out and size + cells(piece) <= budget and not piece.startswith("\ue002"):
            out[-1].append(piece)
            size += cells(piece)
        else:
            out.append([piece])
            size = cells(piece)
    return out


# -- inline tokens → slide Markdown ------------------------------------------------------------

def escape(text: str) -> str:
    """Literal text made safe to draw as Markdown: `*stars*`, `\\?\\` and `[x]` stay as written (an
    underscore inside a word needs no escape, so identifiers read as they are)."""
    text = re.sub(r"([\\`*\[\]<~])", r"\\\1", text)
    return re.sub(r"(?<!\w)_|_(?!\w)", r"\\_", text)


def show(tok: Any) -> str:
    """An inline token as the Markdown a slide draws: emphasis, code spans, links and keys kept; images
    become their alt text; other HTML, footnote marks and directives go. Links to the page's own
    anchors keep their words without a target."""
    out: list[str] = []
    hrefs: list[str] = []
    opened: list[int] = []  # where each open emphasis mark was written
    children = tok.children or []
    for n, child in enumerate(children):
        kind = child.type
        if kind == "text":
            out.append(escape(_DIRECTIVE.sub("", child.content)))
        elif kind == "code_inline":
            fence = "``" if "`" in child.content else "`"
            pad = " " if child.content.startswith("`") or child.content.endswith("`") else ""
            out.append(f"{fence}{pad}{child.content}{pad}{fence}")
        elif kind in ("softbreak", "hardbreak"):
            out.append(" ")
        elif kind in ("strong_open", "em_open", "s_open"):
            opened.append(len(out))
            out.append(child.markup)
        elif kind in ("strong_close", "em_close", "s_close"):
            at = opened.pop() if opened else None
            after = children[n + 1].content if n + 1 < len(children) and children[n + 1].type == "text" else ""
            if "_" in child.markup and at is not None and not re.match(r"\.?\w", after):
                # `_main.rs_` is emphasis: written with stars, so the slide's own reading (render/inline.py,
                # which keeps the underscores of names) draws it as emphasis too; `__init__.py` stays a name
                out[at] = child.markup.replace("_", "*")
                out.append(out[at])
            else:
                out.append(child.markup)
        elif kind == "link_open":
            hrefs.append(str(child.attrs.get("href", "")))
            out.append("[" if hrefs[-1] and not hrefs[-1].startswith("#") else "")
        elif kind == "link_close" and hrefs:
            href = hrefs.pop()
            out.append(f"]({href})" if href and not href.startswith("#") else "")
        elif kind == "image":
            out.append(child.content)
        elif kind == "html_inline" and _KEPT_TAGS.fullmatch(child.content.strip()):
            out.append(child.content.strip().lower())
    return re.sub(r"[ \t]+", " ", "".join(out)).strip()


def _images(tok: Any) -> list[tuple[str, str]]:
    return [(c.attrs.get("src", ""), c.content) for c in tok.children or [] if c.type == "image"]


def _html_text(content: str) -> str | None:
    """The words of an HTML block worth keeping: a wrapper's text, never a script, style, embed or
    component (None: dropped, and worth a note when it had words)."""
    if _DROPPED_HTML.match(content) or _COMPONENT.match(content):
        return None
    return re.sub(r"\s+", " ", html.unescape(_TAG.sub(" ", re.sub(r"<!--.*?-->", " ", content, flags=re.DOTALL)))).strip()


def _align(tok: Any) -> str:
    style = tok.attrs.get("style", "") if tok.attrs else ""
    m = re.search(r"text-align:\s*(left|center|right)", str(style))
    return m.group(1) if m else "left"


# -- the builder -------------------------------------------------------------------------------

@dataclass
class _Builder:
    note: Note
    image_exists: Callable[[str], bool] | None
    language: str | None = None
    scenes: list[Scene] = field(default_factory=list)
    heading: str = ""  # the current section's heading, shown on each of its slides
    unsaid: list[str] = field(default_factory=list)  # headings not yet spoken
    prose: list[tuple[str, int]] = field(default_factory=list)  # paragraphs waiting for a slide
    last_was_paragraph: bool = False
    tab: str = ""  # the title of the tab whose code comes next

    def lead(self) -> str:
        """The headings to speak before the next scene's own words (once each)."""
        said = " ".join(h if h.endswith((".", "?", "!", ":")) else h + "." for h in map(clean, self.unsaid) if h)
        self.unsaid = []
        return said

    def add(self, kind: str, fields: dict[str, Any], line: int, words: str | None) -> None:
        """A scene; `words`: its own narration (None: the type's template, in the page's language),
        after any heading not yet spoken."""
        lead = self.lead()
        if words is None and not lead and self.heading and kind in ("code", "command"):
            from vidsite.scenes import get

            # the section's heading was said with an earlier scene: not again (a tab's name says which)
            tab = str(fields.get("tab") or "")
            words = _as_sentence(clean(tab)) if tab else get(kind).narrate({**fields, "header": ""}, self.language)
        if lead and words is None:
            from vidsite.scenes import get

            words = get(kind).narrate(fields, self.language)
            if words.startswith(lead.rsplit(". ", 1)[-1].rstrip(".")):  # the template says the heading itself
                lead = lead.rsplit(". ", 1)[0] + "." if ". " in lead else ""
        narration = f"{lead} {words or ''}".strip()
        self.scenes.append(Scene(kind, fields, line, narration or None))

    def intro(self) -> tuple[str, int] | None:
        """The paragraph right before this block, taken out of the prose to introduce it (shown with it
        and spoken over it); of a long paragraph only its last sentence ("…looks like this:"), the rest
        keeps its own slide."""
        if not (self.last_was_paragraph and self.prose):
            return None
        text, line = self.prose[-1]
        if cells(text) <= INTRO_CELLS:
            return self.prose.pop()
        *before, last = sentences(text)
        if not before:
            return None
        self.prose[-1] = (" ".join(before), line)
        return last, line

    def flush(self) -> None:
        """Waiting paragraphs as text slides: every sentence shown and spoken."""
        if not self.prose:
            return
        line = self.prose[0][1]
        for group in chunks([p for p, _ in self.prose], SLIDE_CELLS):
            text = "\n\n".join(p.removeprefix(SHOWN_ONLY).removeprefix(ALT) for p in group)
            said = " ".join(_as_sentence(clean(p.removeprefix(ALT))) if p.startswith(ALT) else clean(p) for p in group
                            if not p.startswith(SHOWN_ONLY))
            self.add("markdown", {"header": self.heading, "text": text}, line, said)
        self.prose = []

    # blocks ------------------------------------------------------------------

    def paragraph(self, tok: Any, line: int) -> None:
        raw = tok.content.strip()
        if raw.startswith(TAB):
            self.tab = clean(raw)
            if not self.tab:  # the tabs are over: their last paragraph introduces nothing after them
                self.last_was_paragraph = False
            return
        if _ADMONITION.match(raw) or _DIRECTIVE.fullmatch(raw):
            return
        text = show(tok)
        lone = all((c.type == "image" and c.attrs.get("src")) or (c.type in ("text", "softbreak") and not c.content.strip())
                   for c in tok.children or [])  # the image is the paragraph: its alt text is not prose too
        for src, alt in _images(tok):
            if not src:
                continue
            if self.image_exists is not None and self.image_exists(src):
                self.flush()
                alt_said = clean(alt)
                self.add("image", {"src": src, "caption": alt, "alt": alt}, line, alt_said or None)
                continue
            self.note(line, _missing_image(src))
            if alt.strip() and lone:  # in italics where the image stood; said unless the sentence before said it
                shown = f"*{escape(alt.strip())}*"
                before = self.prose[-1][0] if self.prose and self.last_was_paragraph else ""
                self.prose.append((SHOWN_ONLY + shown if _said_in(clean(alt), clean(before)) else ALT + shown, line))
                self.last_was_paragraph = False  # an image between a paragraph and code: the paragraph is prose
        if lone:
            return
        if clean(text):
            if self.tab:  # prose in a tab: the tab's name leads it ("Windows: run the installer.")
                text, self.tab = f"**{escape(self.tab)}:** {text}", ""
            self.prose.append((text, line))
            self.last_was_paragraph = True
            return

    def fence(self, tok: Any, line: int) -> None:
        from vidsite.scenes.code import fence_info

        info = tok.info or ""
        lang, highlight = fence_info(info)
        body = _CODE_INCLUDE.sub("", tok.content)
        if lang == "rust":  # rustdoc's hidden lines (`# use std::io;`) are hidden in the book, so here too
            body = "\n".join(ln for ln in body.split("\n") if not re.match(r"^\s*#(\s|$)", ln))
        if lang in SHELL_LANGS:  # terminal recordings colour their output with tags (FastAPI's termy)
            body = html.unescape(_STYLE_TAG.sub("", body))
        body = body.rstrip()
        tab, self.tab = self.tab or _block_title(info), ""
        if not body.strip():
            return
        intro = self.intro()
        self.flush()
        said = clean(intro[0]) if intro else None
        shown = intro[0] if intro else ""
        lines = body.split("\n")
        if lang in SHELL_LANGS and len(lines) <= 40 and all(len(ln) <= 200 for ln in lines):
            commands = [ln for ln in lines if ln.strip()]
            self.add("command", {"header": self.heading, "description": shown or escape(tab), "commands": commands}, line,
                     said)
            return
        lang, highlight = fence_info(info)
        fields: dict[str, Any] = {"header": self.heading, "code": body, "language": lang, "caption": shown}
        if tab:
            fields["tab"] = tab
        if highlight:
            fields["highlight"] = highlight
        self.add("code", fields, line, said)

    def items(self, tokens: list[Any], i: int) -> int:
        """A list (bullets, numbers or definitions) from `i`: list slides of its items, nested items
        marked by a dash; code and tables inside it come in order between the slides. Returns the
        index after it."""
        intro = self.intro()
        self.flush()
        depth, j, found, term = 0, i, [], ""
        closing = {"bullet_list_close", "ordered_list_close", "dl_close"}
        opening = {"bullet_list_open", "ordered_list_open", "dl_open"}
        while j < len(tokens):
            t = tokens[j]
            if t.type in opening:
                depth += 1
            elif t.type in closing:
                depth -= 1
                if depth == 0:
                    break
            elif t.type == "inline" and tokens[j - 1].type == "dt_open":
                term = show(t)
            elif t.type == "inline" and tokens[j - 1].type == "paragraph_open":
                text = show(t)
                opens = tokens[j - 2].type if j >= 2 else ""
                if not clean(text):
                    pass
                elif opens == "dd_open" and term:
                    found.append(f"{term} — {text}")
                    term = ""
                elif opens in ("list_item_open", "dd_open") or not found:
                    found.append(("– " if depth > 1 else "") + text)
                else:  # a later paragraph of the same item
                    found[-1] = f"{found[-1]} {text}"
            elif t.type in ("fence", "code_block"):
                # the item's paragraph right before its code introduces it, as a paragraph on the page does
                lead_in = found.pop() if found and tokens[j - 1].type == "paragraph_close" and \
                    tokens[j - 1].level == t.level else None
                self._list(found, intro, tokens[i])
                found, intro = [], None
                at = t.map[0] + 1 if t.map else 1
                if lead_in:
                    self.prose.append((lead_in.removeprefix("– "), at))
                    self.last_was_paragraph = True
                self.fence(t, at)
            elif t.type == "table_open":
                self._list(found, intro, tokens[i])
                found, intro = [], None
                j = self.table(tokens, j)
                continue
            elif t.type == "html_block":
                text = _html_text(t.content)
                if text:
                    found.append(text)
            j += 1
        self._list(found, intro, tokens[i])
        return j + 1

    def _list(self, items: list[str], intro: tuple[str, int] | None, tok: Any) -> None:
        if not items:
            if intro:
                self.prose.append(intro)
                self.flush()
            return
        line = intro[1] if intro else (tok.map[0] + 1 if tok.map else 1)
        description = intro[0] if intro else ""
        groups: list[list[str]] = [[]]
        size = 0
        for item in items:
            if groups[-1] and (len(groups[-1]) >= LIST_ITEMS or size + cells(item) > LIST_CELLS):
                groups.append([])
                size = 0
            groups[-1].append(item)
            size += cells(item)
        for n, group in enumerate(groups):
            said = " ".join(_as_sentence(clean(x)) for x in ([description] if n == 0 and description else []) + group)
            self.add("list", {"header": self.heading, "description": description if n == 0 else "", "items": group},
                     line, said)

    def table(self, tokens: list[Any], i: int) -> int:
        """A GFM table from `i`: table slides (rows paged), each row spoken as a sentence."""
        intro = self.intro()
        self.flush()
        line = tokens[i].map[0] + 1 if tokens[i].map else 1
        columns: list[str] = []
        align: list[str] = []
        rows: list[list[str]] = []
        j = i
        while tokens[j].type != "table_close":
            t = tokens[j]
            if t.type == "tr_open":
                rows.append([])
            elif t.type in ("th_open", "td_open"):
                if t.type == "th_open":
                    align.append(_align(t))
                (columns if t.type == "th_open" else rows[-1]).append(show(tokens[j + 1]))
            j += 1
        rows = [r for r in rows if r]
        fields = {"header": self.heading, "caption": intro[0] if intro else "", "columns": columns,
                  "align": align, "rows": rows}
        from vidsite.scenes.table import split_rows

        for part in split_rows(fields):
            self.add("table", part, line, None)  # the type reads the caption once, then each row
        return j + 1

    def quote(self, tokens: list[Any], i: int) -> int:
        """A blockquote: a callout when it opens with `[!kind] Title` (what content/dialects.py makes of
        admonitions, `///` blocks, `:::` containers and GitHub alerts) or with "Note:", else a quote;
        code and tables inside follow in order."""
        self.flush()
        tok = tokens[i]
        line = tok.map[0] + 1 if tok.map else 1
        j, parts = i + 1, []
        kind, title = None, ""
        inner: list[tuple[str, Any, int]] = []  # code and tables inside, drawn after the text
        while j < len(tokens) and not (tokens[j].type == "blockquote_close" and tokens[j].level == tok.level):
            t = tokens[j]
            if t.type == "inline" and tokens[j - 1].type in ("paragraph_open", "dt_open"):
                raw = t.content.strip()
                m = _CALLOUT.match(raw.split("\n", 1)[0]) if not parts and kind is None else None
                if m:
                    kind, title = m.group(1).lower(), m.group(2).strip()
                    rest = show(t)
                    rest = rest[len(title):].strip() if rest.startswith(title) else rest
                    if rest:
                        parts.append(rest)
                elif raw.startswith(TAB):
                    inner.append(("tab", clean(raw), j))
                elif clean(show(t)):
                    bullet = tokens[j - 2].type == "list_item_open" if j >= 2 else False
                    parts.append(("- " if bullet else "") + show(t))
            elif t.type in ("fence", "code_block"):
                inner.append(("code", t, j))
            elif t.type == "table_open":
                inner.append(("table", t, j))
                while tokens[j].type != "table_close":
                    j += 1
            elif t.type == "html_block":
                text = _html_text(t.content)
                if text:
                    parts.append(text)
            j += 1
        body_parts = parts
        if kind is None and body_parts and (m := _SAID_CALLOUT.match(clean(body_parts[0]))):
            kind = m.group(1).lower()
            body_parts[0] = re.sub(r"^\W*(Note|Warning|Tip|Important|Caution|Danger)\W*\s*:\s*\**\s*", "",
                                   body_parts[0], flags=re.IGNORECASE)
        if kind is not None:
            from vidsite.content.dialects import KINDS
            from vidsite.scenes import TYPES

            for n, group in enumerate(chunks(body_parts, CALLOUT_CELLS) or [[]]):
                fields = {"kind": KINDS.get(kind, "note"), "title": title if n == 0 else "",
                          "text": "\n\n".join(group)}
                self.add("callout", fields, line, TYPES["callout"].narrate(fields, self.language) if n == 0 else
                         " ".join(clean(p) for p in group))
        else:
            for group in chunks(body_parts, CALLOUT_CELLS):
                text = "\n\n".join(group)
                self.add("quote", {"quote_text": text, "attribution": ""}, line, " ".join(clean(p) for p in group))
        for what, t, at in inner:
            if what == "tab":
                self.tab = t
            elif what == "code":
                self.fence(t, t.map[0] + 1 if t.map else line)
            else:
                self.table(tokens, at)
        self.last_was_paragraph = False
        return j + 1


def _missing_image(src: str) -> str:
    """Why an image is not shown, and what to do about it."""
    name = src if len(src) <= 100 else src[:100] + "…"  # a data: URL can be megabytes
    if _REMOTE.match(src):
        return (f"image `{name}` is remote and not fetched: download it into the page's folder or static/ and "
                "link it from there; its alt text stands in for it")
    if scheme := re.match(r"([a-zA-Z][\w+.-]*):", src):
        return (f"image `{name}`: {scheme.group(1)}: URLs are not read; put the image file in the page's folder or "
                "static/; its alt text stands in for it")
    return f"image `{name}` not found in the page's folder or static/; its alt text stands in for it"


def _said_in(words: str, sentence: str) -> bool:
    """Whether every word of `words` was just said in `sentence` (an image's alt text repeating the
    sentence that introduces it: "…(provided by Swagger UI):" then "Swagger UI")."""
    wanted = re.findall(r"\w+", words.casefold())
    return bool(wanted) and set(wanted) <= set(re.findall(r"\w+", sentence.casefold()))


def _block_title(info: str) -> str:
    """The name a fence gives its block: `title="app.py"` (Docusaurus, Material), `[npm]` (VitePress
    code groups); drawn as the block's tab."""
    m = re.search(r"""\btitle=(?:"([^"]*)"|'([^']*)'|(\S+))""", info) or re.search(r"\[([^\]]+)\]", info)
    return next((g.strip() for g in m.groups() if g), "") if m else ""


def _titled(scene: Scene, title: str, language: str | None) -> Scene:
    """Code before the page's first section heading is headed by the page's title, as its prose is (not
    by a type's generic "Code" or "Run"); what is said over it stays as it was, the title having been
    said on the title slide."""
    if scene.type not in ("code", "command") or scene.fields.get("header"):
        return scene
    narration = scene.narration
    if narration is None:
        from vidsite.scenes import get

        narration = get(scene.type).narrate(scene.fields, language)
    return replace(scene, fields={**scene.fields, "header": title}, narration=narration)


def _as_sentence(text: str) -> str:
    text = text.strip()
    if not text or text[-1] in ".!?:;。！？…：；":
        return text
    return text + ("。" if cells(text[-1]) == 2 else ".")  # a CJK item ends as its language ends sentences


def auto_scenes(tokens: list[Any], title: str | None, image_exists: Callable[[str], bool] | None = None,
                note: Note | None = None, language: str | None = None, name: str | None = None) -> list[Scene]:
    """Scenes for a page that has no scene blocks. `image_exists(src)` tells images that can be shown
    from missing ones (their alt text stands in, with a note); `note(line, message)` hears of what could
    not be carried. `name`: the title of a page with neither a title nor a heading (from its file name)."""
    b = _Builder(note or (lambda line, message: None), image_exists, language)
    page_title = title
    subtitle = ""
    i = 0
    while i < len(tokens):
        tok = tokens[i]
        line = tok.map[0] + 1 if tok.map else 1
        kind = tok.type
        if kind == "heading_open":
            text = show(tokens[i + 1])
            b.flush()
            if page_title is None and not b.scenes and not b.heading:
                page_title = clean(text) or None
            elif clean(text) and not (tok.tag == "h1" and clean(text) == clean(page_title or "") and not b.scenes):
                b.heading = clean(text)
                b.unsaid.append(text)
            b.last_was_paragraph = False
            i += 3
            continue
        if kind == "paragraph_open" and tok.level == 0:
            b.paragraph(tokens[i + 1], line)
            i += 3
            continue
        if kind in ("bullet_list_open", "ordered_list_open", "dl_open"):
            i = b.items(tokens, i)
        elif kind == "table_open":
            i = b.table(tokens, i)
        elif kind in ("fence", "code_block") and tok.level == 0:
            b.fence(tok, line)
            i += 1
        elif kind == "blockquote_open":
            i = b.quote(tokens, i)
        elif kind == "footnote_block_open":
            b.flush()
            i += 1
        elif kind == "html_block" and tok.level == 0:
            text = _html_text(tok.content)
            if text:
                b.prose.append((html.escape(text, quote=False), line))
            elif text == "":  # a wrapper's tag (`<div class="termy">`): what it wraps is still introduced
                i += 1
                continue
            elif text is None and (clean(_TAG.sub(" ", tok.content)) or _DROPPED_HTML.match(tok.content)
                                   or tok.content.strip().endswith("/>")):
                tag = re.match(r"\s*<\s*([\w.-]+)", tok.content)
                b.note(line, f"HTML `<{tag.group(1) if tag else '?'}>` dropped")
            i += 1
        elif kind == "inline" and tokens[i - 1].type == "paragraph_open":  # footnote bodies and others nested
            b.paragraph(tok, tokens[i - 1].map[0] + 1 if tokens[i - 1].map else line)
            i += 1
        else:
            i += 1
            continue
        b.last_was_paragraph = False  # a block came between: the paragraph before no longer introduces
    b.flush()

    if page_title is None and name:
        page_title = name
    if page_title is None:
        from vidsite.messages import _, speaking

        with speaking(language):
            page_title = _("Untitled")
    body = b.scenes
    if body and body[0].type == "markdown" and not body[0].fields["header"] and cells(body[0].fields["text"]) <= 90 \
            and "\n" not in body[0].fields["text"]:
        subtitle = body[0].fields["text"]  # a one-line introduction is the title slide's subtitle
        body = body[1:]
    title_fields = {"title": page_title, "subtitle": subtitle}
    out = [Scene("title", title_fields, 1, None)]
    out.extend(_titled(s, page_title, language) for s in body)
    out.append(Scene("outro", {"main_text": page_title, "sub_text": ""}, 1, None))
    return out
