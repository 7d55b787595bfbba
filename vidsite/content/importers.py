"""Other material → content pages with explicit scene blocks, written out for the author to edit.

Documents (.md, .txt, .pdf, .docx) are read as a content folder reads a page (`parse_page`: the
same automatic scenes, the language of `guide.es.md`); the reference system's YAML (`--from
video-gen`) keeps its scenes, fields and voices; transcripts (`--from transcript`, .vtt/.srt) become
scenes grouped at pauses.
"""

from __future__ import annotations

import re
import tempfile
from dataclasses import replace
from pathlib import Path
from typing import Any

import yaml

from vidsite.config import LANG_CODE
from vidsite.content.includes import Note
from vidsite.errors import ContentError
from vidsite.models import Scene

KEPT = ("voice", "min_duration", "max_duration")


class _Dumper(yaml.SafeDumper):
    """Multi-line strings as `|` blocks, so code stays readable and editable."""


def _str(dumper: yaml.SafeDumper, value: str) -> yaml.Node:
    style = "|" if "\n" in value and not any(l != l.rstrip() for l in value.split("\n")) else None
    return dumper.represent_scalar("tag:yaml.org,2002:str", value, style=style)


_Dumper.add_representer(str, _str)


def dump(data: Any) -> str:
    return yaml.dump(data, Dumper=_Dumper, allow_unicode=True, sort_keys=False, width=10_000)


def scene_dict(scene: Scene, language: str | None = None, freeze: bool = False) -> dict[str, Any]:
    """A scene as the fields to write. Narration is written only where it says something the type's
    template would not say from these fields (or for every scene with `freeze`): a template's words
    left implicit follow later edits to the slide."""
    from vidsite.narrate.templates import narrate

    out: dict[str, Any] = {k: v for k, v in scene.fields.items() if not k.startswith("_")}
    said = narrate(scene, language)
    if (scene.narration or "").strip().lower() == "ai":
        out["narration"] = "ai"  # still Claude's to write
    elif freeze or said != narrate(replace(scene, narration=None), language):
        out["narration"] = said
    out |= {key: getattr(scene, key) for key in KEPT if getattr(scene, key) is not None}
    return out


def _comments(notes: list[str]) -> str:
    """Notes kept as YAML comments: what an import could not carry stays in the file, never parsed."""
    return "".join("# " + " ".join(str(n).split()) + "\n" for n in notes)


def write_page(meta: dict[str, Any], scenes: list[tuple[str, dict[str, Any]]]) -> str:
    """A Markdown page: frontmatter, then one fenced block per (type, fields). A `_notes` list in the
    frontmatter or a scene becomes comment lines there."""
    front = {k: v for k, v in meta.items() if v not in (None, "") and k != "_notes"}
    parts = ["---\n" + _comments(meta.get("_notes") or []) + dump(front) + "---\n"]
    for kind, fields in scenes:
        body = _comments(fields.get("_notes") or []) + dump({k: v for k, v in fields.items() if k != "_notes"})
        fence = "`" * max(3, max((len(m) for m in re.findall(r"`{3,}", body)), default=0) + 1)
        parts.append(f"{fence}scene {kind}\n{body}{fence}\n")
    return "\n".join(parts)


def language_of(path: Path) -> str | None:
    """The language a file's name gives (`guide.es.md` → es), when it is one vidsite has a voice for."""
    from vidsite.speech.voices import LANGUAGES, base_language

    parts = path.name.split(".")
    code = parts[-2] if len(parts) >= 3 else ""
    return code if re.match(LANG_CODE, code) and base_language(code) in LANGUAGES else None


def from_markdown(path: Path, text: str | None = None, freeze: bool = False,
                  notes: list[Note] | None = None) -> tuple[dict[str, Any], list[tuple[str, dict[str, Any]]]]:
    """A Markdown file (or `text` converted from the file at `path`) → frontmatter and scenes, read by
    `parse_page` exactly as a content folder reads it. `notes` hears what the scenes cannot carry."""
    from vidsite.content.parse import parse_page, split_frontmatter

    language = language_of(path)
    if text is None:
        page = parse_page(path, path.name, language=language, notes=notes)
        meta = split_frontmatter(path.read_text(encoding="utf-8").replace("\r\n", "\n"), path)[0]
    else:
        with tempfile.TemporaryDirectory() as folder:  # the same reader, from the converted text
            converted = Path(folder) / f"{path.stem}.md"
            converted.write_text(text, encoding="utf-8")
            found: list[Note] = []
            page = parse_page(converted, converted.name, language=language, notes=found)
        if notes is not None:
            notes += [Note(path, n.line, n.message) for n in found]
        meta = {}
    front = {"title": page.title} | ({"language": page.language} if language or meta.get("language") else {})
    front |= {k: v for k, v in meta.items() if k not in front}
    return front, [(s.type, scene_dict(s, page.language, freeze)) for s in page.scenes]


# -- plain text ----------------------------------------------------------------------------------

_UNDERLINE = re.compile(r"(=+|-+)")
_RULE = re.compile(r"([-=*_~#])\1{2,}")
_BULLET = re.compile(r"(\s*)(?:[-*+•‣◦▪●–]|(\d{1,3})[.)])\s+(\S.*)")
_INLINE = re.compile(r"([\\`*_\[\]<>&~|{}$])")
_LEADING = re.compile(r"^(?!\\)([!-/:-@\[-`{-~])|^(\d+)([.)])")  # what is not escaped already


def _escaped(text: str) -> str:
    """Plain words as Markdown that reads back as exactly those words (no emphasis, links, HTML, lists,
    headings or docs directives made out of punctuation)."""
    return _LEADING.sub(lambda m: "\\" + m.group(1) if m.group(1) else m.group(2) + "\\" + m.group(3),
                        _INLINE.sub(r"\\\1", text))


def _all_caps(line: str) -> bool:
    """A heading typed in capitals: short, no closing stop, every cased letter upper case."""
    cased = [ch for ch in line if ch.lower() != ch.upper()]
    return len(cased) >= 2 and all(ch.isupper() for ch in cased) and len(line) <= 80 and not line.endswith((".", ","))


def _blocks(lines: list[str]) -> list[tuple[str, str]]:
    """The lines of one paragraph of plain text → (Markdown mark, words) blocks: "# " or "## " for a
    heading, "- " or "3. " for a list item, "" for a paragraph."""
    out: list[tuple[str, str]] = []
    n = 0
    while n < len(lines):
        line, after = lines[n], lines[n + 1].strip() if n + 1 < len(lines) else ""
        bullet = _BULLET.fullmatch(line)
        if _UNDERLINE.fullmatch(after) and len(after) >= 3 and not bullet:
            out.append(("# " if after[0] == "=" else "## ", line.strip()))
            n += 2
            continue
        if _RULE.fullmatch(line.strip()):
            pass  # a separator: a break, nothing to say
        elif len(lines) == 1 and _all_caps(line.strip()):
            out.append(("## ", line.strip()))
        elif bullet:
            out.append((f"{bullet.group(2)}. " if bullet.group(2) else "- ", bullet.group(3).strip()))
        elif out and (out[-1][0] == "" or (_is_item(out[-1][0]) and line.startswith(" "))):
            out[-1] = (out[-1][0], f"{out[-1][1]} {line.strip()}")  # the paragraph, or the item, goes on
        else:
            out.append(("", line.strip()))
        n += 1
    return out


def _is_item(mark: str) -> bool:
    return mark == "- " or mark[:1].isdigit()


def text_markdown(text: str) -> str:
    """Plain text read as text, not as Markdown: blank lines end paragraphs (their lines joined), a
    line underlined with === or --- or an ALL-CAPS line standing alone is a heading, lines starting
    like bullets (-, *, •, 1.) are list items (an indented line goes on with its item), and every
    character is kept verbatim (Markdown punctuation escaped)."""
    lines = [line.rstrip() for line in text.replace("\r\n", "\n").expandtabs(4).split("\n")]
    out: list[str] = []
    for para in re.split(r"\n{2,}", "\n".join(lines)):
        last = ""
        for mark, words in _blocks([line for line in para.split("\n") if line.strip()]):
            if out and not (_is_item(mark) and _is_item(last) and mark[-2:] == last[-2:]):
                out.append("")  # every block on its own; consecutive items of one kind, one list
            out.append(mark + _escaped(words))
            last = mark
    return "\n".join(out) + "\n"


def _docx_markdown(path: Path) -> str:
    try:
        import docx
    except ImportError:
        raise ContentError("importing .docx needs python-docx: pip install 'vidsite[import]'", path=path) from None
    lines = []
    for para in docx.Document(str(path)).paragraphs:
        text, style = para.text.strip(), (para.style.name or "").lower()
        if not text:
            continue
        level = re.match(r"heading (\d)", style)
        if style == "title" or level:
            lines.append("#" * (int(level.group(1)) if level else 1) + " " + _escaped(text))
        elif "list" in style:
            lines.append("- " + _escaped(text))
        else:
            lines.append(_escaped(text))
        lines.append("")
    return "\n".join(lines)


def _pdf_markdown(path: Path) -> str:
    try:
        import pypdf
    except ImportError:
        raise ContentError("importing .pdf needs pypdf: pip install 'vidsite[import]'", path=path) from None
    try:
        reader = pypdf.PdfReader(str(path))
        pages = [(p.extract_text() or "").strip() for p in reader.pages]
    except Exception as exc:  # noqa: BLE001 - a damaged PDF is the user's input: say so
        raise ContentError(f"cannot read this PDF: {exc}", path=path) from None
    title = (reader.metadata.title if reader.metadata and reader.metadata.title else path.stem.replace("-", " "))
    out = [f"# {_escaped(title)}", ""]
    for n, text in enumerate(pages, 1):
        if text:
            out += [f"## Page {n}", "", _escaped(re.sub(r"\s*\n\s*", " ", text)), ""]
    return "\n".join(out)


def from_document(path: Path, freeze: bool = False, notes: list[Note] | None = None
                  ) -> tuple[dict[str, Any], list[tuple[str, dict[str, Any]]]]:
    """A document → frontmatter and scenes (see `from_markdown` for `freeze` and `notes`)."""
    suffix = path.suffix.lower()
    if suffix in (".md", ".markdown"):
        return from_markdown(path, freeze=freeze, notes=notes)
    convert = {".txt": lambda p: text_markdown(p.read_text(encoding="utf-8")), ".docx": _docx_markdown,
               ".pdf": _pdf_markdown}.get(suffix)
    if convert is None:
        raise ContentError(f"cannot import `{suffix}` files; use .md, .txt, .pdf, .docx, or --from", path=path)
    return from_markdown(path, convert(path), freeze, notes)


# -- the reference system (video_gen): vidsite/content/video_gen.py, video_gen_pages.py -------------


def from_video_gen(path: Path) -> tuple[dict[str, Any], list[tuple[str, dict[str, Any]]]]:
    """One video_gen file, either scene form; sets and the report of every field: `video_gen_pages`."""
    from vidsite.content.video_gen_pages import import_video

    page = import_video(path)
    return page.meta, page.scenes


# -- transcripts ---------------------------------------------------------------------------------

_TIME = re.compile(r"(?:(\d+):)?(\d{1,2}):(\d{2})[.,](\d{3})")


def _seconds(stamp: str) -> float:
    h, m, s, ms = _TIME.match(stamp.strip()).groups()
    return int(h or 0) * 3600 + int(m) * 60 + int(s) + int(ms) / 1000


def parse_cues(text: str) -> list[tuple[float, float, str]]:
    cues = []
    for block in re.split(r"\n\s*\n", text.replace("\r\n", "\n").strip()):
        lines = [l for l in block.split("\n") if l.strip()]
        at = next((i for i, l in enumerate(lines) if "-->" in l), None)
        if at is None:
            continue
        start, end = (p.strip().split(" ")[0] for p in lines[at].split("-->"))
        words = " ".join(re.sub(r"<[^>]+>", "", l).strip() for l in lines[at + 1 :]).strip()
        if words:
            cues.append((_seconds(start), _seconds(end), words))
    return cues


def from_transcript(path: Path, pause: float = 1.5, max_chars: int = 400) -> tuple[dict[str, Any], list[tuple[str, dict[str, Any]]]]:
    """Cues grouped into scenes: a new scene after a pause, or when the text gets long."""
    cues = parse_cues(path.read_text(encoding="utf-8"))
    if not cues:
        raise ContentError("no cues found (expected WebVTT or SRT)", path=path)
    groups: list[list[tuple[float, float, str]]] = [[cues[0]]]
    for cue in cues[1:]:
        last = groups[-1]
        if cue[0] - last[-1][1] >= pause or sum(len(c[2]) + 1 for c in last) + len(cue[2]) > max_chars:
            groups.append([cue])
        else:
            last.append(cue)
    title = path.stem.replace("-", " ").replace("_", " ").title()
    scenes = []
    for n, group in enumerate(groups, 1):
        said = " ".join(c[2] for c in group)
        first = re.split(r"(?<=[.!?])\s", said, maxsplit=1)[0]
        scenes.append(("markdown", {"header": f"{title} ({n}/{len(groups)})", "text": first[:300], "narration": said}))
    return {"title": title}, scenes
