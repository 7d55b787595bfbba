"""VitePress and Docusaurus sidebars: page order and titles, read as data, never run.

Both tools keep their navigation in JavaScript (`.vitepress/config.mts` `themeConfig.sidebar`,
`sidebars.js`). Running a pull request's JavaScript to learn an order is out of the question, so
the object and array literals are read by a small literal reader: strings, numbers, booleans,
objects, arrays, and names bound to such literals by `const` in the same file. Anything else
(a function call, a spread, a template with `${}`) is `DYNAMIC`; a sidebar holding one is not
used, and the pages keep their frontmatter order, with one warning saying so.
"""

from __future__ import annotations

import json
import logging
import re
from pathlib import Path
from typing import Any

log = logging.getLogger(__name__)

DYNAMIC = object()  # a value only running the code could give
Entry = tuple[str, str | None]  # (page path under the docs folder, its title in the sidebar)

_NAME = re.compile(r"[A-Za-z_$][\w$]*")
_NUMBER = re.compile(r"-?(?:0[xX][0-9a-fA-F]+|\d+(?:\.\d*)?(?:[eE][+-]?\d+)?|\.\d+)")
_WORDS = {"true": True, "false": False, "null": None, "undefined": None}
_ESCAPES = {"n": "\n", "t": "\t", "r": "\r", "b": "\b", "f": "\f", "v": "\v", "0": "\0"}
_OPEN = {"{": "}", "[": "]", "(": ")"}


class _Reader:
    """Reads one JavaScript/TypeScript value literal from `text` at a position."""

    def __init__(self, text: str) -> None:
        self.text = text
        self.resolving: set[str] = set()

    def skip(self, i: int) -> int:
        """Past whitespace and comments."""
        text = self.text
        while i < len(text):
            if text[i].isspace():
                i += 1
            elif text.startswith("//", i):
                end = text.find("\n", i)
                i = len(text) if end < 0 else end + 1
            elif text.startswith("/*", i):
                end = text.find("*/", i + 2)
                i = len(text) if end < 0 else end + 2
            else:
                break
        return i

    def value(self, i: int) -> tuple[Any, int]:
        """The value starting at `i` and the index after it (after any expression tail, skipped)."""
        i = self.skip(i)
        got, j = self._atom(i)
        k = self.skip(j)
        ended = k >= len(self.text) or self.text[k] in ",}]);" or self.text.startswith(("as ", "satisfies "), k)
        if not ended and not ("\n" in self.text[j:k] and self.text[k] not in ".?+-*/|&[("):  # a new statement
            return DYNAMIC, self._rest(k)  # `a + b`, `x ? y : z`, a call on a literal, …
        return got, j

    def _atom(self, i: int) -> tuple[Any, int]:
        text = self.text
        if i >= len(text):
            return DYNAMIC, i
        c = text[i]
        if c == "{":
            return self._object(i + 1)
        if c == "[":
            return self._array(i + 1)
        if c in "'\"`":
            return self._string(i)
        if m := _NUMBER.match(text, i):
            number = m.group()
            if number.lower().lstrip("-").startswith("0x"):
                return int(number, 16), m.end()
            return (float(number) if re.search(r"[.eE]", number) else int(number)), m.end()
        if m := _NAME.match(text, i):
            name, j = m.group(), m.end()
            if name in _WORDS:
                return _WORDS[name], j
            if self.skip(j) < len(text) and text[self.skip(j)] in "(.[":
                return DYNAMIC, self._rest(j)  # a call or a member: code
            return self.constant(name), j
        return DYNAMIC, self._rest(i)

    def _object(self, i: int) -> tuple[Any, int]:
        """A dict; a spread or a method in it is kept as the key `...` holding DYNAMIC, so the parts of
        a config that are data stay readable beside the parts that are code."""
        out: dict[str, Any] = {}
        while True:
            i = self.skip(i)
            if i >= len(self.text):
                return DYNAMIC, i
            if self.text[i] == "}":
                return out, i + 1
            if self.text[i] in "]);":  # not an object after all: code
                return DYNAMIC, i + 1
            if self.text[i] == ",":
                i += 1
                continue
            key, i = self._key(i)
            i = self.skip(i)
            if key is not None and i < len(self.text) and self.text[i] in ",}":  # shorthand `{ sidebar }`
                out[key] = self.constant(key)
            elif key is None or i >= len(self.text) or self.text[i] != ":":  # a spread, a method
                out["..."] = DYNAMIC
                i = self._rest(i)
            else:
                out[key], i = self.value(i + 1)

    def _key(self, i: int) -> tuple[str | None, int]:
        if self.text[i] in "'\"":
            key, j = self._string(i)
            return (key if isinstance(key, str) else None), j
        if m := (_NAME.match(self.text, i) or re.compile(r"\d+").match(self.text, i)):
            return m.group(), m.end()
        return None, i

    def _array(self, i: int) -> tuple[Any, int]:
        out: list[Any] = []
        while True:
            i = self.skip(i)
            if i >= len(self.text):
                return DYNAMIC, i
            if self.text[i] == "]":
                return out, i + 1
            if self.text[i] in "});":
                return DYNAMIC, i + 1
            if self.text[i] == ",":
                i += 1
                continue
            if self.text.startswith("...", i):
                out.append(DYNAMIC)
                i = self._rest(i + 3)
                continue
            item, i = self.value(i)
            out.append(item)

    def _string(self, i: int) -> tuple[Any, int]:
        quote, out, j = self.text[i], [], i + 1
        text = self.text
        while j < len(text) and text[j] != quote:
            if text[j] == "\\" and j + 1 < len(text):
                nxt = text[j + 1]
                if nxt == "u" and re.fullmatch(r"[0-9a-fA-F]{4}", text[j + 2: j + 6]):
                    out.append(chr(int(text[j + 2: j + 6], 16)))
                    j += 6
                    continue
                out.append(_ESCAPES.get(nxt, "" if nxt == "\n" else nxt))
                j += 2
                continue
            if quote == "`" and text.startswith("${", j):
                end = self._close(j + 1)
                return DYNAMIC, text.find("`", end) + 1 or len(text)
            out.append(text[j])
            j += 1
        return "".join(out), j + 1

    def _close(self, i: int) -> int:
        """Index after the bracket that closes the one at `i` (strings and comments respected)."""
        depth, j, text = 0, i, self.text
        while j < len(text):
            j = self.skip(j)
            if j >= len(text):
                break
            c = text[j]
            if c in "'\"`":
                j = self._string(j)[1]
                continue
            if c in _OPEN:
                depth += 1
            elif c in ")]}":
                depth -= 1
                if depth == 0:
                    return j + 1
            j += 1
        return len(text)

    def _rest(self, i: int) -> int:
        """Index of the `,` or closing bracket ending the expression at `i`."""
        text = self.text
        while i < len(text):
            i = self.skip(i)
            if i >= len(text) or text[i] in ",}]);":
                return i
            if text[i] in _OPEN:
                i = self._close(i)
            elif text[i] in "'\"`":
                i = self._string(i)[1]
            else:
                i += 1
        return i

    def constant(self, name: str) -> Any:
        """The literal a top-level `const name = …` binds, else DYNAMIC (imports, parameters, …)."""
        if name in self.resolving:
            return DYNAMIC
        m = re.search(rf"(?m)^\s*(?:export\s+)?(?:const|let|var)\s+{re.escape(name)}\s*(?::[^=]+)?=(?!=)", self.text)
        if not m:
            return DYNAMIC
        self.resolving.add(name)
        try:
            return self.value(m.end())[0]
        finally:
            self.resolving.discard(name)

    def exported(self) -> Any:
        """What the module exports by default (`export default …`, `module.exports = …`), config
        wrappers (`defineConfig({…})`, `withMermaid(…)`) looked through; None if it exports nothing."""
        m = re.search(r"(?m)^\s*(?:export\s+default\b|module\.exports\s*=)", self.text)
        if not m:
            return None
        i = self.skip(m.end())
        while (call := re.compile(r"[A-Za-z_$][\w$.]*\s*(?:<[^>()]*>)?\s*\(").match(self.text, i)):
            i = self.skip(call.end())  # the call's first argument: the config itself
        try:
            return self.value(i)[0]
        except RecursionError:  # nested deeper than any real sidebar
            return DYNAMIC


def read_literal(text: str) -> Any:
    """The default export of a JS/TS module as data (DYNAMIC where it is code). For tests and tools."""
    return _Reader(text).exported()


def _dynamic(value: Any) -> bool:
    if value is DYNAMIC:
        return True
    if isinstance(value, dict):
        return any(_dynamic(v) for v in value.values())
    if isinstance(value, list):
        return any(_dynamic(v) for v in value)
    return False


def _find(content: Path, root: Path, names: tuple[str, ...], folder: str = "") -> Path | None:
    """The first of `names` in content/folder, or in a parent of content up to the site root."""
    content, root = content.resolve(), root.resolve()
    for base in [content, *content.parents]:
        if not base.is_relative_to(root):
            break
        for name in names:
            if (base / folder / name).is_file():
                return base / folder / name
    return None


def vitepress_config(root: Path, content: Path) -> Path | None:
    return _find(content, root, ("config.mts", "config.ts", "config.mjs", "config.js"), ".vitepress")


def docusaurus_sidebars(root: Path, content: Path) -> Path | None:
    return _find(content, root, ("sidebars.json", "sidebars.js", "sidebars.ts", "sidebars.mjs", "sidebars.cjs"))


def sidebar_entries(root: Path, content: Path, pages: list[str]) -> list[Entry] | None:
    """The pages a VitePress or Docusaurus sidebar lists, in order, with their sidebar titles; None
    when there is no such sidebar or it cannot be read as data (a warning says so)."""
    if (config := vitepress_config(root, content)) is not None:
        sidebar = _theme_sidebar(config)
        if sidebar is not None:
            return _usable(config, sidebar, lambda s: _vitepress(s, "/", pages))
    if (path := docusaurus_sidebars(root, content)) is not None:
        try:
            text = path.read_text(encoding="utf-8")
            data = json.loads(text) if path.suffix == ".json" else _Reader(text).exported()
        except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
            log.warning("%s: not read (%s); pages keep their frontmatter order", path, exc)
            return None
        if data is not None:
            return _usable(path, data, lambda s: _docusaurus(s, pages, content))
    return None


def _usable(path: Path, sidebar: Any, entries: Any) -> list[Entry] | None:
    if _dynamic(sidebar):
        log.warning("%s: the sidebar is built by code, not written as data; pages keep their frontmatter "
                    "order (write the sidebar as a literal for its order to be used)", path)
        return None
    return entries(sidebar)


def _theme_sidebar(config: Path) -> Any:
    """`themeConfig.sidebar` of a VitePress config; None when it has none."""
    try:
        data = _Reader(config.read_text(encoding="utf-8")).exported()
    except (OSError, UnicodeDecodeError) as exc:
        log.warning("%s: not read (%s); pages keep their frontmatter order", config, exc)
        return None
    for key in ("themeConfig", "sidebar"):  # a key a spread may have brought is code's to know
        if not isinstance(data, dict):
            return DYNAMIC if data is DYNAMIC else None
        data = data.get(key, DYNAMIC if "..." in data else None)
    return data


def _vitepress(sidebar: Any, base: str, pages: list[str]) -> list[Entry]:
    """Items `{text, link, items, base}`; a sidebar keyed by path (`'/guide/': [...]` or
    `{base, items}`) lists each key's items in turn."""
    out: list[Entry] = []
    if isinstance(sidebar, list):
        for item in sidebar:
            out += _vitepress(item, base, pages)
    elif isinstance(sidebar, dict) and ("items" in sidebar or "link" in sidebar or "text" in sidebar):
        here = str(sidebar.get("base") or base)
        if isinstance(link := sidebar.get("link"), str) and (page := _vitepress_page(link, base, pages)):
            text = sidebar.get("text")
            out.append((page, text if isinstance(text, str) and text.strip() else None))
        out += _vitepress(sidebar.get("items") or [], here, pages)
    elif isinstance(sidebar, dict):
        for key, value in sidebar.items():
            out += _vitepress(value, key, pages)
    return out


def _vitepress_page(link: str, base: str, pages: list[str]) -> str | None:
    """The page a sidebar link names: `/guide/intro`, `intro.md` under the base, `/guide/` (its index)."""
    if re.match(r"^[a-z][a-z0-9+.-]*:", link, re.IGNORECASE):
        return None
    link = re.split(r"[#?]", link)[0]
    path = link if link.startswith("/") else base.rstrip("/") + "/" + link
    folder = path.endswith("/")
    path = re.sub(r"\.(md|html)$", "", path.strip("/"))
    index = f"{path}/index.md" if path else "index.md"
    return next((c for c in ([index] if folder or not path else [f"{path}.md", index]) if c in pages), None)


def _docusaurus(sidebars: Any, pages: list[str], content: Path) -> list[Entry]:
    """Every sidebar in turn: doc ids (`'intro'`), `{type: 'doc', id, label}`, categories (with a
    `link` to a doc), the `{Label: [...]}` shorthand, and `autogenerated` folders (ordered as
    Docusaurus orders them: `sidebar_position`, `_category_.json` `position`, then name)."""
    ids = _doc_ids(pages)
    out: list[Entry] = []

    def walk(item: Any) -> None:
        if isinstance(item, list):
            for one in item:
                walk(one)
        elif isinstance(item, str):
            if item in ids:
                out.append((ids[item], None))
        elif isinstance(item, dict) and "type" in item:
            kind = item.get("type")
            if kind in ("doc", "ref") and item.get("id") in ids:
                label = item.get("label")
                out.append((ids[item["id"]], label if isinstance(label, str) else None))
            elif kind == "category":
                link = item.get("link")
                if isinstance(link, dict) and link.get("type") == "doc" and link.get("id") in ids:
                    out.append((ids[link["id"]], None))
                walk(item.get("items") or [])
            elif kind == "autogenerated":
                folder = str(item.get("dirName") or ".").strip("/")
                inside = [p for p in pages if folder in (".", "") or p.startswith(folder + "/")]
                out.extend((p, None) for p in sorted(inside, key=lambda p: _autogenerated_key(content, p)))
        elif isinstance(item, dict):  # {sidebarId: items} at the top, or the {Label: items} shorthand
            for value in item.values():
                walk(value)

    walk(sidebars)
    return out


def _doc_ids(pages: list[str]) -> dict[str, str]:
    """Docusaurus doc ids of the pages: the path without its extension, number prefixes (`01-`) dropped."""
    ids: dict[str, str] = {}
    for page in pages:
        stem = re.sub(r"\.(md|mdx|markdown)$", "", page)
        ids.setdefault(stem, page)
        ids.setdefault("/".join(re.sub(r"^\d+[-_.]\s*", "", part) for part in stem.split("/")), page)
    return ids


_POSITION = re.compile(r"^sidebar_position\s*:\s*['\"]?(-?\d+(?:\.\d+)?)", re.MULTILINE)


def _autogenerated_key(content: Path, page: str) -> list[tuple[float, bool, str]]:
    """Sort key of a page in an autogenerated sidebar: per folder level, its position (a page's
    `sidebar_position`, a folder's `_category_.json`), then index first, then the name."""
    parts = page.split("/")
    key = []
    for depth, name in enumerate(parts):
        at = content.joinpath(*parts[: depth + 1])
        position = _category_position(at) if depth < len(parts) - 1 else _page_position(at)
        key.append((float("inf") if position is None else position, Path(name).stem.lower() != "index", name))
    return key


def _page_position(path: Path) -> float | None:
    try:
        head = path.read_text(encoding="utf-8", errors="replace")[:4000]
    except OSError:
        return None
    front = re.match(r"---\n(.*?)\n---", head, re.DOTALL)
    m = _POSITION.search(front.group(1)) if front else None
    return float(m.group(1)) if m else None


def _category_position(folder: Path) -> float | None:
    try:
        data = json.loads((folder / "_category_.json").read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError):
        return None
    position = data.get("position") if isinstance(data, dict) else None
    return float(position) if isinstance(position, (int, float)) else None
