"""Docs dialects rewritten into the plain Markdown auto.py reads, before the page is parsed.

CommonMark knows none of `!!! note`, `/// tip | Title`, `::: warning`, `> [!NOTE]`, Hugo's
`{{< note >}}`, `{#id}` or `{: .class}`: left alone their bodies merge into prose and their markup
is read aloud. Every callout-like construct becomes one canonical blockquote,

    > [!kind] Title
    >
    > body…

which auto.py turns into a `callout` scene; tabs become a marker line naming the tab (the caption
of the code that follows); what cannot be carried is dropped with a `Note` at its line.
Lines keep the file line they came from (`Source.origin`), so scenes and notes point at it.
"""

from __future__ import annotations

import logging
import re
import textwrap
from collections.abc import Callable
from pathlib import Path

from vidsite.content.includes import Note, Source

log = logging.getLogger(__name__)

Emit = Callable[[str, int], None]
TAB = "\ue000"  # private-use mark starting a tab-title line (never in real text)

KINDS = {  # source kind -> the callout kind drawn and narrated
    "note": "note", "seealso": "note", "abstract": "abstract", "summary": "abstract", "tldr": "abstract",
    "info": "info", "todo": "info", "tip": "tip", "hint": "tip", "success": "success", "check": "success",
    "done": "success", "question": "question", "help": "question", "faq": "question", "warning": "warning",
    "caution": "warning", "attention": "warning", "warn": "warning", "failure": "danger", "fail": "danger",
    "missing": "danger", "danger": "danger", "error": "danger", "bug": "bug", "example": "example",
    "quote": "quote", "cite": "quote", "important": "important", "details": "details", "notice": "note",
    "alert": "warning", "callout": "note", "admonition": "note", "dangerous": "danger", "experimental": "warning",
}

_FENCE = re.compile(r"^(\s*)(`{3,}|~{3,})")
_ADMONITION = re.compile(r"""^(?P<indent>\s*)(?:!!!|\?\?\?\+?)\s*(?P<kind>[\w-]+)?(?P<cls>(?:\s+[\w-]+)*)"""
                         r"""\s*(?:(?P<q>["'])(?P<title>.*)(?P=q))?\s*$""")
_BLOCK = re.compile(r"^(?P<slashes>/{3,})\s*(?P<kind>[\w-]+)?\s*(?:\|\s*(?P<title>.*?))?\s*$")
_CONTAINER = re.compile(r"^(?P<colons>:{3,})\s*(?P<kind>[\w-]+)?(?:\[(?P<bt>[^\]]*)\])?\s*(?P<title>.*?)\s*$")
_ALERT = re.compile(r"^(?P<pre>\s*>\s*)\[!(?P<kind>\w+)\]\s*(?P<title>.*)$")
_ATTR_BODY = r"""(?:[#.][\w-]+|[\w-]+=(?:"[^"]*"|'[^']*'|[^\s}]+))"""
_ATTR = re.compile(rf"\s*\{{:?\s*{_ATTR_BODY}(?:\s+{_ATTR_BODY})*\s*\}}")
_HEADING_ID = re.compile(r"\s*\{#[\w-]+[^}]*\}\s*$")
_HUGO = re.compile(r"\{\{(?P<o>[<%])\s*(?P<close>/)?\s*(?P<name>[\w./-]+)(?P<args>.*?)\s*[>%]\}\}")
_HUGO_CALLOUTS = {"note", "notice", "hint", "alert", "callout", "warning", "tip", "info", "caution", "danger",
                  "admonition", "important", "details", "expand"}
_HUGO_INLINE_DROP = {"ref", "relref", "param", "absurl", "relurl", "lang", "site", "anchor", "version"}
_ESM = re.compile(r"""^(?:import\s+(?:[\w*{}\s,]+\s+from\s+)?["'][^"']+["'];?"""
                  r"""|export\s+(?:(?:default|const|let|var|function|class)\b|\{).*)\s*$""")
_CONTENT_TAB = re.compile(r"""^(?P<indent>\s*)===[+!]?\s+(?P<q>["'])(?P<title>.*)(?P=q)\s*$""")
_TABS = re.compile(r"^\s*</?(?:Tabs|(?P<item>TabItem))(?P<attrs>\s[^>]*)?>\s*$")
_QUOTED = re.compile(r"""["']([^"']*)["']""")


def rewrite(src: Source, page: Path) -> Source:
    """`src` with the dialects turned into canonical Markdown; notes for what was dropped."""
    src = _comments(src)
    out: list[str] = []
    origin: list[int] = []
    stack: list[tuple[str, str]] = []  # open `///`, `:::` and Hugo blocks: (closer, prefix) 
    fence: str | None = None
    lines = src.lines
    i = 0

    def emit(text: str, at: int) -> None:
        prefix = "".join(p for _, p in stack)
        out.append(prefix + text if text or prefix.strip() else prefix.rstrip() + text)
        origin.append(at)

    while i < len(lines):
        line, at = lines[i], src.origin[i]
        if fence is not None:
            emit(line, at)
            if line.strip().startswith(fence) and not line.strip().strip(fence[0]):
                fence = None
            i += 1
            continue
        if m := _FENCE.match(line):
            fence = m.group(2)
            emit(line, at)
            i += 1
            continue
        if m := _CONTENT_TAB.match(line):  # Material's `=== "Tab"` with its indented body
            indent = m["indent"]
            j = i + 1
            while j < len(lines) and (not lines[j].strip() or _indent(lines[j]) > len(indent.expandtabs(4)) + 3):
                j += 1
            while j > i + 1 and not lines[j - 1].strip():
                j -= 1
            emit("", at)
            emit(f"{indent}{TAB}{_inline(m['title'])}", at)
            emit("", at)
            body = rewrite(_dedent(Source([ln[len(indent):] for ln in lines[i + 1:j]], src.origin[i + 1:j], src.notes)),
                           page)
            for bl, bat in zip(body.lines, body.origin):
                emit(f"{indent}{bl}".rstrip(), bat)
            k = j
            while k < len(lines) and not lines[k].strip():
                k += 1
            if not (k < len(lines) and _CONTENT_TAB.match(lines[k]) and _CONTENT_TAB.match(lines[k])["indent"] == indent):
                _end_tabs(emit, at)
            i = j
            continue
        if m := _ADMONITION.match(line):
            kind = (m["kind"] or "note").lower()
            title = m["title"] if m["title"] is not None else _default_title(kind)
            indent = m["indent"]
            body_start = i + 1
            j = body_start
            while j < len(lines) and (not lines[j].strip() or _indent(lines[j]) > len(indent.expandtabs(4)) + 3):
                j += 1
            while j > body_start and not lines[j - 1].strip():
                j -= 1
            emit(f"{indent}> [!{kind}] {_inline(title)}".rstrip(), at)
            emit(f"{indent}>", at)
            body = Source([ln[len(indent):] for ln in lines[body_start:j]], src.origin[body_start:j], src.notes)
            body = rewrite(_dedent(body), page)
            for bl, bat in zip(body.lines, body.origin):
                emit(f"{indent}> {bl}".rstrip(), bat)
            emit("", at)
            i = j
            continue
        if m := _BLOCK.match(line):
            if stack and stack[-1][0] == m["slashes"] and not m["kind"]:
                stack.pop()
                emit("", at)
                if not re.match(r"^/{3,}\s*tab\b", _next_text(lines, i + 1) or ""):
                    _end_tabs(emit, at)
                i += 1
                continue
            kind = (m["kind"] or "").lower()
            i += 1
            while i < len(lines) and re.match(r"^\s{2,}[\w-]+:\s", lines[i]):  # the block's option lines
                i += 1
            if kind == "tab":
                emit("", at)
                emit(f"{TAB}{_inline(m['title'] or '')}", at)
                emit("", at)
                stack.append((m["slashes"], ""))
            elif kind in KINDS:
                emit("", at)
                emit(f"> [!{kind}] {_inline(m['title'] or _default_title(kind))}".rstrip(), at)
                emit(">", at)
                stack.append((m["slashes"], "> "))
            else:  # html, caption, define, … : keep the body's text
                stack.append((m["slashes"], ""))
            continue
        if m := _CONTAINER.match(line):
            if stack and stack[-1][0] == m["colons"] and not m["kind"]:
                stack.pop()
                emit("", at)
                i += 1
                continue
            if m["kind"]:
                kind = m["kind"].lower()
                title = m["bt"] or m["title"]
                if kind in KINDS:
                    emit("", at)
                    emit(f"> [!{kind}] {_inline(title or _default_title(kind))}".rstrip(), at)
                    emit(">", at)
                    stack.append((m["colons"], "> "))
                else:  # code-group, v-pre, raw, tabs: the contents stand alone
                    stack.append((m["colons"], ""))
                i += 1
                continue
        if m := _ALERT.match(line):
            emit(f"{m['pre']}[!{m['kind'].lower()}] {_inline(m['title'] or _default_title(m['kind'].lower()))}".rstrip(), at)
            emit(m["pre"].rstrip(), at)
            i += 1
            continue
        if _ESM.match(line):  # MDX `import Tabs from '@theme/Tabs';`: plumbing, no words (to the blank line)
            while i < len(lines) and lines[i].strip():
                emit("", src.origin[i])
                i += 1
            continue
        if m := _TABS.match(line):
            if m["item"] and not line.lstrip().startswith("</"):
                i = _tab_item(lines, src, i, m, emit, page)
            else:  # `<Tabs>` / `</Tabs>`: the tabs' own wrapper
                emit("", at)
                if line.lstrip().startswith("</"):
                    _end_tabs(emit, at)
                i += 1
            continue
        if re.match(r"^\s*<details\b", line, re.IGNORECASE):
            i = _details(lines, src.origin, i, emit, page, src)
            continue
        if _HUGO.search(line):
            handled = _hugo(line, at, page, src, stack, emit)
            if handled:
                i += 1
                continue
            line = _hugo_inline(line, at, page, src)
        emit(_strip_attrs(line), at)
        i += 1
    return Source(out, origin, src.notes)


def _end_tabs(emit: Emit, at: int) -> None:
    """An empty tab line: the tabs are over, so a paragraph inside the last one introduces nothing after."""
    emit("", at)
    emit(TAB, at)
    emit("", at)


def _next_text(lines: list[str], i: int) -> str | None:
    return next((ln.strip() for ln in lines[i:] if ln.strip()), None)


def _tab_item(lines: list[str], src: Source, i: int, m: re.Match[str], emit: Emit, page: Path) -> int:
    """Docusaurus `<TabItem value="py" label="Python">` … `</TabItem>`: a tab line naming it (the caption
    of the code in it), then its body moved left (indented 4, it would otherwise read as code)."""
    attrs = {k.lower(): next((v for v in vals if v is not None), "") for k, *vals in _NAMED.findall(m["attrs"] or "")}
    j = i + 1
    while j < len(lines) and not re.match(r"^\s*</TabItem\s*>", lines[j]):
        j += 1
    body = textwrap.dedent("\n".join(lines[i + 1:j])).split("\n")
    emit("", src.origin[i])
    emit(f"{TAB}{_inline(attrs.get('label') or attrs.get('value') or '')}", src.origin[i])
    emit("", src.origin[i])
    inner = rewrite(Source(body, src.origin[i + 1:j], src.notes), page)
    for bl, bat in zip(inner.lines, inner.origin):
        emit(bl, bat)
    emit("", src.origin[min(j, len(lines) - 1)])
    return j + 1


def _default_title(kind: str) -> str:
    """The title of a callout its author gave none: none, so the slide draws and the voice says the kind's
    own word in the page's language ("Nota", not an English "Note"); a kind vidsite does not know keeps
    its name, which is the author's word."""
    return "" if kind.lower() in KINDS else kind.replace("-", " ").replace("_", " ").title()


def _indent(line: str) -> int:
    return len(line.expandtabs(4)) - len(line.expandtabs(4).lstrip())


def _dedent(src: Source) -> Source:
    """An admonition body, moved left by its four spaces (or one tab)."""
    lines = [ln.expandtabs(4) for ln in src.lines]
    return Source([ln[4:] if ln.startswith("    ") else ln.lstrip() for ln in lines], src.origin, src.notes)


def _inline(title: str) -> str:
    return _strip_attrs(title.strip().strip("\"'")).strip()


def _strip_attrs(line: str) -> str:
    """Heading ids `{#id}` and attribute lists `{: .class }` / `{ .md-button }` removed."""
    if re.match(r"^\s*#{1,6}\s", line):
        line = _HEADING_ID.sub("", line)
    if re.fullmatch(r"\s*\{:[^}]*\}\s*", line):
        return ""
    return _ATTR.sub("", line)


def _comments(src: Source) -> Source:
    """HTML comments gone (outside code), each line kept so line numbers hold."""
    out, fence, inside = [], None, False
    for line in src.lines:
        if fence is None and not inside and (m := _FENCE.match(line)):
            fence = m.group(2)
            out.append(line)
            continue
        if fence is not None:
            if line.strip().startswith(fence) and not line.strip().strip(fence[0]):
                fence = None
            out.append(line)
            continue
        text, kept = line, ""
        while text:
            if inside:
                end = text.find("-->")
                if end < 0:
                    text = ""
                    break
                text, inside = text[end + 3:], False
            else:
                start = text.find("<!--")
                if start < 0:
                    kept += text
                    break
                kept += text[:start]
                text, inside = text[start + 4:], True
        out.append(kept if kept.strip() or not line.strip() else "")
    return Source(out, src.origin, src.notes)


def _details(lines: list[str], origin: list[int], i: int, emit: Emit, page: Path, src: Source) -> int:
    """`<details><summary>Title</summary> … </details>` → a `details` callout holding its text."""
    at = origin[i]
    j, body = i, []
    while j < len(lines):
        body.append(lines[j])
        if re.search(r"</details\s*>", lines[j], re.IGNORECASE):
            break
        j += 1
    text = "\n".join(body)
    summary = re.search(r"<summary[^>]*>(.*?)</summary\s*>", text, re.IGNORECASE | re.DOTALL)
    title = re.sub(r"<[^>]+>", "", summary.group(1)).strip() if summary else ""
    if summary:
        text = text[: summary.start()] + text[summary.end():]
    text = re.sub(r"</?details[^>]*>", "", text, flags=re.IGNORECASE)
    emit("", at)
    emit(f"> [!details] {title}", at)
    emit(">", at)
    for k, ln in enumerate(text.split("\n")):
        emit(f"> {ln}".rstrip(), origin[min(i + k, len(origin) - 1)])
    emit("", at)
    return j + 1


def _hugo(line: str, at: int, page: Path, src: Source, stack: list[tuple[str, str]], emit: Emit) -> bool:
    """A line that is one Hugo shortcode: callouts, tabs and highlight open and close blocks."""
    m = _HUGO.fullmatch(line.strip())
    if not m:
        return False
    name = m["name"].lower()
    args = _QUOTED.findall(m["args"]) or m["args"].split()
    if m["close"]:
        if stack and stack[-1][0] == f"hugo:{name}":
            stack.pop()
            emit("```" if name == "highlight" else "", at)
            return True
        return name in _HUGO_CALLOUTS | {"tabs", "tab", "highlight", "expand"}
    if name in _HUGO_CALLOUTS:
        kind, title = _hugo_callout(name, m["args"])
        emit("", at)
        emit(f"> [!{kind}] {_inline(title)}", at)
        emit(">", at)
        stack.append((f"hugo:{name}", "> "))
        return True
    if name == "tabs":
        stack.append(("hugo:tabs", ""))
        return True
    if name == "tab":
        emit("", at)
        emit(f"{TAB}{args[0] if args else ''}", at)
        emit("", at)
        stack.append(("hugo:tab", ""))
        return True
    if name == "highlight":
        emit(f"```{args[0] if args else ''}", at)
        stack.append(("hugo:highlight", ""))
        return True
    if name == "figure":
        caption = re.search(r"""(?:caption|alt|title)\s*=\s*["']([^"']*)["']""", m["args"])
        if caption:
            emit(caption.group(1), at)
        return True
    _drop(name, at, page, src)
    return True


_NAMED = re.compile(r"""([\w-]+)\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s"']+))""")


def _hugo_callout(name: str, raw: str) -> tuple[str, str]:
    """Kind and title of a callout shortcode, in the forms themes use: `{{% notice info "Title" %}}`
    (Learn/Relearn: the kind first), `{{< alert color="warning" title="Heads up" >}}` (Docsy),
    `{{< hint danger >}}` (Book), `{{< details "Summary" >}}`."""
    named = {k.lower(): next(v for v in vals if v is not None) for k, *vals in _NAMED.findall(raw)}
    positional = [next((g for g in m if g), "") for m in re.findall(r""""([^"]*)"|'([^']*)'|(\S+)""", _NAMED.sub(" ", raw))]
    if name in ("details", "expand"):
        return "details", named.get("title") or named.get("summary") or (positional[0] if positional else "")
    given = next((named[k].lower() for k in ("type", "kind", "color", "style", "icon") if named.get(k, "").lower()
                  in KINDS), None)
    if given is None and positional and positional[0].lower() in KINDS:
        given, positional = positional[0].lower(), positional[1:]
    kind = given or (name if name in KINDS else "note")
    title = named.get("title") or (positional[0] if positional else "") or _default_title(kind)
    return kind, title


def _hugo_inline(line: str, at: int, page: Path, src: Source) -> str:
    """Shortcodes inside a line: links' `ref`/`relref` and values vanish; unknown ones too, with a note."""
    def sub(m: re.Match[str]) -> str:
        name = m["name"].lower()
        if name not in _HUGO_INLINE_DROP and not m["close"]:
            _drop(name, at, page, src)
        return ""

    return _HUGO.sub(sub, line)


def _drop(name: str, at: int, page: Path, src: Source) -> None:
    note = Note(page, at, f"shortcode `{name}` is not known; dropped")
    src.notes.append(note)
    log.warning("%s", note)
