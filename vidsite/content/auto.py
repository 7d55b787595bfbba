"""Plain Markdown → scenes, so existing docs become videos without edits.

Title from the first heading, one scene per section (prose → text slide, bullets → list),
code fences → code/command scenes, blockquotes → quotes, images → image scenes, an outro.
Syntax we do not know (HTML, admonitions, include directives, badges) is dropped or read
as text: never a crash.
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass, field
from typing import Any

from vidsite.models import Scene

SHELL_LANGS = {"bash", "sh", "shell", "console", "zsh", "shell-session", "powershell", "ps1", "cmd", "bat", "fish"}
MAX_NARRATION = 420  # characters of prose per automatic scene
MAX_TEXT = 360  # characters shown on a text slide
MAX_AUTO_SCENES = 40

_TAG = re.compile(r"<[^>]*>")
_URL = re.compile(r"(https?|ftp)://\S+|www\.\S+")
_INCLUDE = re.compile(r"\{\*.*?\*\}|\{!.*?!\}|\{\{[#<%].*?[>%]?\}\}|--8<--\s*(\"[^\"]*\"|'[^']*')?", re.S)
_CODE_INCLUDE = re.compile(r"\{\*.*?\*\}|\{!.*?!\}|\{\{#.*?\}\}", re.S)
_CALLOUT = re.compile(r"^\[!([\w-]+)\][ \t]*(.*)$")
_SAID_CALLOUT = re.compile(r"^(Note|Warning|Tip|Important|Caution|Danger)\s*:\s*", re.I)
_DROPPED_HTML = re.compile(r"^\s*<(script|style|iframe|svg|video|audio|object|embed|canvas|form|template)\b", re.I)
_COMPONENT = re.compile(r"^\s*</?([A-Z][\w.]*|[a-z]+-[\w-]+)\b")
TAB = "\ue000"  # a tab's title line, written by content/dialects.py
_ADMONITION = re.compile(r"^(///|!!!|\?\?\?\+?)\s*(\w+)?\s*(\|?\s*\"?([^\"\n]*)\"?)?\s*$")
_MD_CHARS = re.compile(r"[`*_#>\[\]|~]|\s{2,}")


def clean(text: str) -> str:
    """Text as it should be spoken: no tags, URLs, includes, Markdown marks or entities."""
    text = _INCLUDE.sub(" ", text)
    text = _TAG.sub(" ", text)
    text = html.unescape(text)
    text = _URL.sub(" ", text)
    text = re.sub(r"(^|\s)(///+|!!!|\?\?\?\+?|:::+)\S*", " ", text)
    text = re.sub(r"\[!\w+\]|\{#[\w-]+\}|\{:[^}]*\}", " ", text).replace(TAB, " ")
    text = _MD_CHARS.sub(" ", text)
    text = re.sub(r"\s+([,.;:!?])", r"\1", text)
    return re.sub(r"\s+", " ", text).strip()


def cut(text: str, limit: int = MAX_NARRATION) -> str:
    """At most `limit` characters, ending on a sentence (or word) boundary."""
    if len(text) <= limit:
        return text
    head = text[:limit]
    stop = max(head.rfind(". "), head.rfind("! "), head.rfind("? "))
    if stop > limit // 3:
        return head[: stop + 1]
    return head[: head.rfind(" ")].rstrip(",;:") + "."


def _inline_text(tok: Any) -> str:
    """Readable text of an inline token: links keep their words, images and raw HTML go."""
    out: list[str] = []
    for child in tok.children or []:
        if child.type in ("softbreak", "hardbreak"):
            out.append(" ")
        elif child.type in ("text", "code_inline"):
            out.append(child.content)
    return "".join(out)


@dataclass
class _Section:
    heading: str
    line: int
    prose: list[str] = field(default_factory=list)
    items: list[str] = field(default_factory=list)
    extra: list[Scene] = field(default_factory=list)  # code, quotes, images, in order


def _fence_language(info: str) -> str:
    """`python`, `{ .python hl_lines="4" }` → python; attribute-only info (`hl_lines="4"`) → text."""
    for word in info.lower().replace("{", " ").replace("}", " ").replace(",", " ").split():
        if "=" in word:
            continue
        word = word.lstrip(".")
        if re.fullmatch(r"[a-z0-9+#-]+", word):
            return word
    return "text"


def _fence_scene(tok: Any, heading: str, caption: str = "") -> Scene | None:
    lang = _fence_language(tok.info)
    body = _CODE_INCLUDE.sub("", tok.content)
    if lang == "rust":  # rustdoc's hidden lines (`# use std::io;`) are hidden in the book, so here too
        body = "\n".join(ln for ln in body.split("\n") if not re.match(r"^\s*#(\s|$)", ln))
    body = html.unescape(_TAG.sub("", body)).rstrip()
    if not body.strip():
        return None
    line = tok.map[0] + 1 if tok.map else 1
    lines = body.split("\n")
    if lang in SHELL_LANGS and len(lines) <= 12:
        commands = [ln for ln in lines if ln.strip()]
        shown = [c.lstrip("$ ").strip() for c in commands if c.lstrip().startswith("$")] or commands
        said = ", then ".join(clean(c) for c in shown[:2] if clean(c))
        narration = f"Run this in a terminal: {said}." if said else "Run these commands in a terminal."
        return Scene("command", {"header": heading, "description": "", "commands": commands}, line, cut(narration, 200))
    where = f" for {clean(heading)}" if heading else ""
    return Scene(
        "code",
        {"header": heading, "code": body, "language": lang, "caption": caption},
        line,
        f"Here is the {lang if lang not in ('text', '') else ''} code{where}.".replace("the  code", "the code"),
    )


def _html_text(content: str) -> str | None:
    """The words of an HTML block worth keeping: a wrapper's text, never a script, style, embed or
    component (None: dropped, and worth a note when it had words)."""
    if _DROPPED_HTML.match(content) or _COMPONENT.match(content):
        return None
    return clean(html.unescape(_TAG.sub(" ", content)))


def _blockquote(tokens: list[Any], i: int, heading: str) -> tuple[int, list[Scene]]:
    """A blockquote from `i`: a callout when it opens with `[!kind] Title` (what content/dialects.py
    makes of admonitions, `///` blocks, `:::` containers and GitHub alerts) or with "Note:", else a
    quote; code inside follows as code scenes. Returns the index after it, and its scenes."""
    tok = tokens[i]
    line = tok.map[0] + 1 if tok.map else 1
    j, parts, code = i + 1, [], []
    kind, title = None, ""
    while j < len(tokens) and not (tokens[j].type == "blockquote_close" and tokens[j].level == tok.level):
        t = tokens[j]
        if t.type == "inline":
            raw = t.content.strip()
            m = _CALLOUT.match(raw.split("\n", 1)[0]) if not parts and kind is None else None
            if m:
                kind, title = m.group(1).lower(), clean(m.group(2))
                rest = raw.split("\n", 1)[1] if "\n" in raw else ""
                if rest.strip():
                    parts.append(clean(rest))
            elif not raw.startswith(TAB):
                parts.append(clean(_inline_text(t)))
        elif t.type in ("fence", "code_block"):
            scene = _fence_scene(t, title or heading)
            if scene:
                code.append(scene)
        elif t.type == "html_block":
            text = _html_text(t.content)
            if text:
                parts.append(text)
        j += 1
    body = " ".join(p for p in parts if p)
    if kind is None and (m := _SAID_CALLOUT.match(body)):
        kind, body = m.group(1).lower(), body[m.end():]
    if kind is not None:
        from vidsite.content.dialects import KINDS
        from vidsite.scenes import TYPES

        fields = {"kind": KINDS.get(kind, "note"), "title": cut(title, 90), "text": cut(body, MAX_TEXT)}
        narration = cut(TYPES["callout"].narrate(fields), MAX_NARRATION + 100)
        return j + 1, [Scene("callout", fields, line, narration), *code]
    quote = cut(body, 300)
    return j + 1, ([Scene("quote", {"quote_text": quote, "attribution": ""}, line, quote)] if quote else []) + code


def auto_scenes(tokens: list[Any], title: str | None, image_exists: Any = None,
                note: Any = None) -> list[Scene]:
    """Scenes for a page that has no scene blocks. `image_exists(src)` drops missing images;
    `note(line, message)` hears of what could not be carried (HTML dropped)."""
    sections: list[_Section] = []
    tab = ""  # the title of the tab whose code comes next
    intro: list[str] = []
    pending: list[Scene] = []  # scenes before the first section heading
    page_title = title
    current: _Section | None = None
    i = 0
    while i < len(tokens):
        tok = tokens[i]
        line = tok.map[0] + 1 if tok.map else 1
        if tok.type == "heading_open":
            text = clean(_inline_text(tokens[i + 1]))
            if page_title is None and not sections and current is None:
                page_title = text
            elif text:
                current = _Section(text, line)
                sections.append(current)
            i += 3
            continue
        if tok.type == "paragraph_open" and tok.level == 0:
            inline = tokens[i + 1]
            images = [c for c in inline.children or [] if c.type == "image"]
            raw = _inline_text(inline)
            text = clean(raw)
            is_marker = bool(_ADMONITION.match(inline.content.strip())) or bool(_INCLUDE.fullmatch(inline.content.strip()))
            if inline.content.startswith(TAB):
                tab = clean(inline.content)
                i += 3
                continue
            if images and not text.strip(" ."):
                for img in images:
                    src = img.attrs.get("src", "")
                    alt = clean(img.content)
                    if src and image_exists is not None and image_exists(src):
                        scene = Scene("image", {"src": src, "caption": alt, "alt": alt}, line, alt or "An image.")
                        (current.extra if current else pending).append(scene)
            elif text and not is_marker:
                (current.prose if current else intro).append(text)
            i += 3
            continue
        if tok.type in ("bullet_list_open", "ordered_list_open"):
            depth = 0
            j = i
            items: list[str] = []
            while j < len(tokens):
                t = tokens[j]
                if t.type in ("bullet_list_open", "ordered_list_open"):
                    depth += 1
                elif t.type in ("bullet_list_close", "ordered_list_close"):
                    depth -= 1
                    if depth == 0:
                        break
                elif t.type == "inline" and depth == 1 and tokens[j - 1].type == "paragraph_open":
                    item = clean(_inline_text(t))
                    if item:
                        items.append(cut(item, 120))
                j += 1
            if current is None:
                current = _Section(page_title or "", line)
                sections.append(current)
            current.items.extend(items)
            i = j + 1
            continue
        if tok.type in ("fence", "code_block") and tok.level == 0:
            scene = _fence_scene(tok, current.heading if current else "", tab)
            tab = ""
            if scene:
                (current.extra if current else pending).append(scene)
            i += 1
            continue
        if tok.type == "blockquote_open":
            i, found = _blockquote(tokens, i, current.heading if current else "")
            (current.extra if current else pending).extend(found)
            continue
        if tok.type == "html_block" and tok.level == 0:
            text = _html_text(tok.content)
            if text:
                (current.prose if current else intro).append(text)
            elif text is None and note is not None and (clean(_TAG.sub(" ", tok.content)) or _DROPPED_HTML.match(
                    tok.content) or tok.content.strip().endswith("/>")):
                tag = re.match(r"\s*<\s*([\w.-]+)", tok.content)
                note(line, f"HTML `<{tag.group(1) if tag else '?'}>` dropped")
            i += 1
            continue
        i += 1

    scenes: list[Scene] = []
    page_title = page_title or "Untitled"
    intro_text = cut(" ".join(intro))
    subtitle = cut(intro_text, 90) if intro_text else ""
    scenes.append(Scene("title", {"title": page_title, "subtitle": subtitle if len(subtitle) < 90 else ""}, 1,
                        cut(f"{page_title}. {intro_text}".strip())))
    scenes.extend(pending)
    for sec in sections:
        prose = cut(" ".join(sec.prose))
        if sec.items:
            said_items = "; ".join(sec.items[:8])
            narration = cut(f"{sec.heading}. {prose} {said_items}.".replace("..", "."), MAX_NARRATION + 200)
            scenes.append(Scene("list", {"header": sec.heading, "description": cut(prose, 100) if len(prose) <= 100 else "",
                                         "items": sec.items[:8]}, sec.line, narration))
        elif prose:
            scenes.append(Scene("markdown", {"header": sec.heading, "text": cut(prose, MAX_TEXT)}, sec.line,
                                cut(f"{sec.heading}. {prose}")))
        scenes.extend(sec.extra)
    scenes = scenes[: MAX_AUTO_SCENES - 1]
    scenes.append(Scene("outro", {"main_text": page_title, "sub_text": "Thanks for watching"}, 1,
                        f"That was {page_title}. Thanks for watching."))
    return scenes

