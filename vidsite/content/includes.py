"""Include directives resolved as their own tools resolve them, before the page is parsed.

Docs repositories keep their code beside the prose and pull it in: markdown-include `{!path!}`
(FastAPI), FastAPI's `{* path hl[..] *}`, pymdownx.snippets `--8<-- "path"`, mdBook
`{{#include path:anchor}}` / `{{#rustdoc_include …}}`, Hugo's `readfile`/`include`/`codenew`.
Left alone they are drawn on a slide or read aloud as markup; expanded here, the code reaches
a code scene.

Every read is held to the folder of config.toml plus `include_paths`, after resolving
symlinks, and a path with a hidden part (`.git/`, `.env`) is never opened: a docs pull request
must not be able to put the repository's secrets into a published video. The pull request's
config.toml is no more trusted than its pages (`vidsite review` builds it): an `include_paths`
folder outside the repository (an absolute path, `../..`, a symlink out) or with a hidden part is
ignored, with a warning. What cannot be read becomes a `Note` (`path:line: include … not found`)
and the directive disappears.
"""

from __future__ import annotations

import functools
import logging
import re
import textwrap
from dataclasses import dataclass, field
from pathlib import Path

log = logging.getLogger(__name__)

MAX_DEPTH = 5  # nested includes of Markdown files
MAX_BYTES = 1_000_000  # one included file

_MD_INCLUDE = re.compile(r"\{!>?\s*(?P<path>[^!\n]+?)\s*!\}")
_STAR = re.compile(r"^(?P<indent>\s*)\{\*\s*(?P<path>\S+)(?P<opts>[^*]*)\*\}\s*$")
_SNIPPET = re.compile(r"""^(?P<indent>\s*)--8<--\s+(?P<q>["'])(?P<spec>[^"']+)(?P=q)\s*$""")
_SNIPPET_BLOCK = re.compile(r"^\s*--8<--\s*$")
_SNIPPET_MARK = re.compile(r"--8<--\s*\[(start|end):[\w-]+\]")
_MDBOOK = re.compile(r"\{\{#(?P<kind>include|rustdoc_include)\s+(?P<spec>[^}\s]+)\s*\}\}")
_HUGO_FILE = re.compile(r"""\{\{(?P<o>[<%])\s*(?P<name>readfile|include|codenew|code)\s+(?P<args>.*?)\s*(?P=o)?[>%]\}\}""")
_HUGO_FILE_ARG = re.compile(r"""(?:\b(?:file|path)\s*=\s*|(?<![=\w])\s*)["']([^"']+)["']""")  # named, or positional
_HUGO_LANG_ARG = re.compile(r"""\blang(?:uage)?\s*=\s*["']([^"']+)["']""")
_VP_SNIPPET = re.compile(r"^(?P<indent>\s*)<<<\s+(?P<path>[^\s{#\[]+)(?:#(?P<region>[\w-]+))?(?:\{(?P<opts>[^}]*)\})?"
                         r"\s*(?:\[(?P<label>[^\]]*)\])?\s*$")
_VP_INCLUDE = re.compile(r"<!--\s*@include:\s*(?P<path>[^\s{#]+?)(?:#(?P<region>[\w-]+))?(?:\{(?P<range>[\d,\s]*)\})?\s*-->")
_ANCHOR = re.compile(r"ANCHOR(_END)?:\s*([\w-]+)")
_RANGE = re.compile(r"^(\d*)(?::(\d*))?$")

LANGS = {".py": "python", ".rs": "rust", ".js": "javascript", ".ts": "typescript", ".go": "go", ".toml": "toml",
         ".yml": "yaml", ".yaml": "yaml", ".json": "json", ".sh": "bash", ".html": "html", ".css": "css",
         ".txt": "text", ".md": "markdown", ".java": "java", ".c": "c", ".cpp": "cpp", ".rb": "ruby"}


@dataclass(frozen=True)
class Note:
    """A construct the video could not carry, where it stands in the source."""

    path: Path
    line: int
    message: str

    def __str__(self) -> str:
        return f"{self.path}:{self.line}: {self.message}"


@dataclass
class Source:
    """A page's lines as they will be parsed, each with the line of the file it came from."""

    lines: list[str]
    origin: list[int]
    notes: list[Note] = field(default_factory=list)

    @classmethod
    def of(cls, text: str) -> Source:
        lines = text.split("\n")
        return cls(lines, list(range(1, len(lines) + 1)))

    @property
    def text(self) -> str:
        return "\n".join(self.lines)

    def line_of(self, index: int) -> int:
        """Line in the file of the 0-based parsed line `index`."""
        if not self.origin:
            return 1
        return self.origin[min(max(index, 0), len(self.origin) - 1)]


def hidden(parts: tuple[str, ...]) -> bool:
    return any(p.startswith(".") and p not in (".", "..") for p in parts)


def repository_root(root: Path) -> Path:
    """The git work tree holding the site folder `root` (resolved); the site folder itself when
    there is none (an exported tree, a folder outside git)."""
    root = root.resolve()
    return next((folder for folder in (root, *root.parents) if (folder / ".git").exists()), root)


def include_folders(root: Path, include_paths: list[str]) -> tuple[Path, ...]:
    """The `include_paths` folders includes may read, resolved: those inside the repository and
    without a hidden part. Others are ignored with a warning, whatever config.toml says."""
    repo = repository_root(root)
    kept = []
    for written in include_paths:
        folder = (root / written).resolve()  # an absolute `written` stays itself
        if not folder.is_relative_to(repo) or hidden(folder.relative_to(repo).parts):
            _ignored(root / "config.toml", written,
                     f"outside the repository ({repo})" if not folder.is_relative_to(repo) else "hidden")
            continue
        kept.append(folder)
    return tuple(kept)


@functools.cache
def _ignored(config: Path, written: str, why: str) -> None:
    """Said once per run, however often the config is read (a build reads it for its fingerprint too)."""
    log.warning("%s: include_paths `%s` is %s; includes never read from it", config, written, why)


@dataclass
class Includer:
    """Reads include targets from the allowed folders only."""

    root: Path  # folder of config.toml
    content: Path  # the docs folder
    include_paths: tuple[Path, ...] = ()
    tool_dir: Path | None = None  # folder of mkdocs.yml (the folder mkdocs runs in)

    def __post_init__(self) -> None:
        self.allowed = [self.root.resolve(), *(p.resolve() for p in self.include_paths)]

    def find(self, written: str, bases: list[Path]) -> Path | None:
        """The file `written` names from the first base it exists under, inside the allowed folders."""
        written = written.strip().strip("\"'")
        if not written or re.match(r"^[a-zA-Z][a-zA-Z0-9+.-]*:", written) or hidden(Path(written).parts):
            return None
        for base in bases:
            try:
                candidate = (base / written).resolve()
            except (OSError, RuntimeError):
                continue
            home = next((a for a in self.allowed if candidate.is_relative_to(a)), None)
            if home is None or hidden(candidate.relative_to(home).parts) or not candidate.is_file():
                continue
            return candidate
        return None

    def read(self, path: Path) -> str | None:
        try:
            if path.stat().st_size > MAX_BYTES:
                return None
            return path.read_text(encoding="utf-8", errors="replace").replace("\r\n", "\n")
        except OSError:
            return None

    def expand(self, src: Source, page: Path, depth: int = 0) -> Source:
        """`src` with every include directive replaced by what it names (or removed, with a Note)."""
        out, origin = [], []
        i = 0
        lines = src.lines
        while i < len(lines):
            line, at = lines[i], src.origin[i]
            if _SNIPPET_BLOCK.match(line) and not _in_fence(lines, i):
                j = i + 1
                while j < len(lines) and not _SNIPPET_BLOCK.match(lines[j]):
                    j += 1
                for k in range(i + 1, min(j, len(lines))):
                    if lines[k].strip() and not lines[k].strip().startswith(";"):
                        self._splice(out, origin, "", src.origin[k],
                                     self._snippet(lines[k].strip(), page, src, src.origin[k], depth))
                i = j + 1
                continue
            in_code = (_VP_SNIPPET.match(line) or _VP_INCLUDE.search(line)) and _in_fence(lines, i)
            got = None if in_code else self._line(line, page, src, at, depth)  # VitePress expands outside code only
            if got is None:
                out.append(line)
                origin.append(at)
            else:
                out += got
                origin += [at] * len(got)
            i += 1
        return Source(out, origin, src.notes)

    def _splice(self, out: list[str], origin: list[int], indent: str, at: int, text: list[str] | None) -> None:
        for ln in text or []:
            out.append(indent + ln if ln else ln)
            origin.append(at)

    def _line(self, line: str, page: Path, src: Source, at: int, depth: int) -> list[str] | None:
        """The lines that replace `line`, or None when it holds no directive."""
        if m := _STAR.match(line):
            return self._star(m, page, src, at)
        if m := _VP_SNIPPET.match(line):
            return self._vp_snippet(m, page, src, at)
        if m := _SNIPPET.match(line):
            got = self._snippet(m["spec"], page, src, at, depth)
            return [m["indent"] + ln if ln else ln for ln in got or []]
        if _SNIPPET_MARK.search(line):
            return []
        for rx, fn in ((_MD_INCLUDE, self._md_include), (_MDBOOK, self._mdbook), (_HUGO_FILE, self._hugo),
                       (_VP_INCLUDE, self._vp_include)):
            if rx.search(line):
                m = rx.search(line)
                assert m is not None
                indent = line[: len(line) - len(line.lstrip())]
                before, after = line[: m.start()], line[m.end():]
                got = fn(m, page, src, at, depth)
                if got is None:
                    rest = (before + after).strip()
                    return [before + after] if rest else []
                if before.strip() or after.strip():  # inline: the first line joins the text around it
                    joined = [before + (got[0] if got else "")] + got[1:]
                    joined[-1] += after
                    return joined
                return [indent + ln if ln else ln for ln in got]
        return None

    def _missing(self, src: Source, page: Path, at: int, written: str) -> None:
        note = Note(page, at, f"include `{written.strip()}` not found (or outside the site folder and include_paths)")
        src.notes.append(note)
        log.warning("%s", note)

    def _load(self, written: str, bases: list[Path], page: Path, src: Source, at: int, depth: int,
              marks: bool = False) -> list[str] | None:
        """The named file's lines; snippet section markers (`--8<-- [start:x]`) go unless `marks`."""
        found = self.find(written, bases)
        text = self.read(found) if found else None
        if text is None:
            self._missing(src, page, at, written)
            return None
        lines = [t for t in text.rstrip("\n").split("\n") if marks or not _SNIPPET_MARK.search(t)]
        if found is not None and found.suffix == ".md" and depth < MAX_DEPTH:
            lines = self.expand(Source(lines, [at] * len(lines), src.notes), found, depth + 1).lines
        return lines

    def _page_bases(self, page: Path) -> list[Path]:
        return [page.parent, self.content, *([self.tool_dir] if self.tool_dir else []), self.root]

    def _md_include(self, m: re.Match[str], page: Path, src: Source, at: int, depth: int) -> list[str] | None:
        # markdown-include reads relative to its base_path: the docs folder, where mkdocs runs
        return self._load(m["path"], [self.content, *([self.tool_dir] if self.tool_dir else []), page.parent,
                                      self.root], page, src, at, depth)

    def _star(self, m: re.Match[str], page: Path, src: Source, at: int) -> list[str]:
        """FastAPI's `{* path hl[3,5:7] ln[1:9] *}`: a fenced code block, highlighted lines kept in its info."""
        lines = self._load(m["path"], [self.content, *([self.tool_dir] if self.tool_dir else []), page.parent,
                                       self.root], page, src, at, 0)
        if lines is None:
            return []
        opts = m["opts"]
        if ln := re.search(r"ln\[([^\]]*)\]", opts):
            keep = _numbers(ln.group(1))
            lines = [t for n, t in enumerate(lines, 1) if n in keep] if keep else lines
        info = LANGS.get(Path(m["path"]).suffix, "text")
        if hl := re.search(r"hl\[([^\]]*)\]", opts):
            info += f' hl_lines="{" ".join(str(n) for n in sorted(_numbers(hl.group(1))))}"'
        fence = "`" * max(3, _longest_backticks(lines) + 1)
        return [m["indent"] + t if t else t for t in [fence + info, *lines, fence]]

    def _snippet(self, spec: str, page: Path, src: Source, at: int, depth: int) -> list[str] | None:
        """pymdownx.snippets: `path`, `path:3:5` (lines) or `path:name` (a `--8<-- [start:name]` section)."""
        path, sel = spec, ""
        if m := re.match(r"^(.*?\.[\w]+):(.+)$", spec):
            path, sel = m.group(1), m.group(2)
        lines = self._load(path, [*([self.tool_dir] if self.tool_dir else []), self.root, self.content, page.parent],
                           page, src, at, depth, marks=True)
        if lines is None:
            return None
        if sel and re.fullmatch(r"[\d:,-]+", sel):
            a, _, b = sel.partition(":")
            lines = lines[max(int(a or 1), 1) - 1: int(b) if b else None]
        elif sel:
            lines = _section(lines, re.compile(rf"--8<--\s*\[start:{re.escape(sel)}\]"),
                             re.compile(rf"--8<--\s*\[end:{re.escape(sel)}\]"))
        return [t for t in lines if not _SNIPPET_MARK.search(t)]

    def _mdbook(self, m: re.Match[str], page: Path, src: Source, at: int, depth: int) -> list[str] | None:
        """mdBook: relative to the page; `:anchor`, `:3:5`, `:3:`, `::5` or `:3`; anchor lines removed.
        rustdoc_include shows the same lines (the rest is hidden in the book, so hidden here too)."""
        path, _, sel = m["spec"].partition(":")
        lines = self._load(path, [page.parent], page, src, at, depth)
        if lines is None:
            return None
        if sel and (r := _RANGE.match(sel)) and sel != "":
            start, end = r.group(1), r.group(2)
            if ":" not in sel:
                lines = lines[int(start) - 1: int(start)]
            else:
                lines = lines[max(int(start or 1), 1) - 1: int(end) if end else None]
        elif sel:
            lines = textwrap.dedent("\n".join(_section(
                lines, re.compile(rf"ANCHOR:\s*{re.escape(sel)}\b"), re.compile(rf"ANCHOR_END:\s*{re.escape(sel)}\b")
            ))).split("\n")
        return [t for t in lines if not _ANCHOR.search(t)]

    def _vp_bases(self, written: str, page: Path) -> tuple[str, list[Path]]:
        """VitePress paths: `@/x` from the source folder, others from the page."""
        return (written[2:], [self.content]) if written.startswith("@/") else (written, [page.parent])

    def _vp_snippet(self, m: re.Match[str], page: Path, src: Source, at: int) -> list[str]:
        """VitePress `<<< @/snippets/x.js#region{2,4-5 ts} [label]`: a fenced code block of the file (or of
        its `#region` … `#endregion` lines), highlighted lines and language kept in its info."""
        written, bases = self._vp_bases(m["path"], page)
        lines = self._load(written, bases, page, src, at, 0)
        if lines is None:
            return []
        if m["region"]:
            lines = _region(lines, m["region"])
        opts = (m["opts"] or "").strip()
        lang = next((w for w in re.split(r"[\s:]+", opts) if w and not re.fullmatch(r"[\d,-]+", w)), "")
        lang = lang or LANGS.get(Path(written).suffix, Path(written).suffix.lstrip(".") or "text")
        marked = " ".join(str(n) for n in sorted(_numbers(",".join(re.findall(r"\d[\d,-]*", opts)))))
        info = lang + (f' hl_lines="{marked}"' if marked else "") + (f' title="{m["label"]}"' if m["label"] else "")
        fence = "`" * max(3, _longest_backticks(lines) + 1)
        return [m["indent"] + t if t else t for t in [fence + info, *lines, fence]]

    def _vp_include(self, m: re.Match[str], page: Path, src: Source, at: int, depth: int) -> list[str] | None:
        """VitePress `<!--@include: ./parts/basics.md#region{3,10}-->`: the file's lines (a region, a range)."""
        written, bases = self._vp_bases(m["path"], page)
        lines = self._load(written, bases, page, src, at, depth)
        if lines is None:
            return None
        if m["region"]:
            lines = _region(lines, m["region"])
        if m["range"] and (r := re.fullmatch(r"\s*(\d*)\s*,?\s*(\d*)\s*", m["range"])):
            lines = lines[max(int(r.group(1) or 1), 1) - 1: int(r.group(2)) if r.group(2) else None]
        return lines

    def _hugo(self, m: re.Match[str], page: Path, src: Source, at: int, depth: int) -> list[str] | None:
        """`{{% include "x.md" %}}`, `{{< readfile file="x" >}}`, `{{< code lang="go" file="x" >}}`: the
        file's lines, a code block for code/codenew (the language from `lang=`, else the file's suffix)."""
        args = m["args"]
        arg = _HUGO_FILE_ARG.search(args)
        if not arg:
            self._missing(src, page, at, m.group(0))
            return None
        written = arg.group(1).lstrip("/")  # Hugo reads `/static/x.py` from the project folder
        lines = self._load(written, [self.root, self.content, page.parent], page, src, at, depth)
        as_code = m["name"] in ("codenew", "code") or re.search(r"""\bcode\s*=\s*["']?true""", args)
        if lines is None or not as_code:  # `readfile` is the file's text, unless `code="true"` (Docsy)
            return lines
        lang = _HUGO_LANG_ARG.search(args)
        fence = "`" * max(3, _longest_backticks(lines) + 1)
        return [fence + (lang.group(1) if lang else LANGS.get(Path(arg.group(1)).suffix, "text")), *lines, fence]


def _numbers(spec: str) -> set[int]:
    """`3,5:7` or `3 5-7` → {3, 5, 6, 7}."""
    out: set[int] = set()
    for part in re.split(r"[,\s]+", spec.strip()):
        if m := re.fullmatch(r"(\d+)[:-](\d+)", part):
            out |= set(range(int(m.group(1)), int(m.group(2)) + 1))
        elif part.isdigit():
            out.add(int(part))
    return out


def _region(lines: list[str], name: str) -> list[str]:
    """The lines between `#region name` and `#endregion` (any comment style), as VitePress takes them."""
    return textwrap.dedent("\n".join(_section(lines, re.compile(rf"#region\s+{re.escape(name)}\b"),
                                               re.compile(rf"#endregion\b(\s+{re.escape(name)}\b)?")))).split("\n")


def _section(lines: list[str], start: re.Pattern[str], end: re.Pattern[str]) -> list[str]:
    out, inside = [], False
    for t in lines:
        if start.search(t):
            inside = True
        elif end.search(t):
            inside = False
        elif inside:
            out.append(t)
    return out


def _longest_backticks(lines: list[str]) -> int:
    return max((len(m) for t in lines for m in re.findall(r"`+", t)), default=0)


def _in_fence(lines: list[str], i: int) -> bool:
    opened = False
    for t in lines[:i]:
        if re.match(r"^\s*(```|~~~)", t):
            opened = not opened
    return opened
