"""Other material → content pages with explicit scene blocks, written out for the author to edit.

Documents (.md, .txt, .pdf, .docx) go through the automatic-scene logic; the reference
system's YAML (`--from video-gen`) keeps its scenes, fields and voices; transcripts
(`--from transcript`, .vtt/.srt) become scenes grouped at pauses.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import yaml

from vidsite.errors import ContentError
from vidsite.models import Scene

COMMON = ("narration", "voice", "min_duration", "max_duration")


class _Dumper(yaml.SafeDumper):
    """Multi-line strings as `|` blocks, so code stays readable and editable."""


def _str(dumper: yaml.SafeDumper, value: str) -> yaml.Node:
    style = "|" if "\n" in value and not any(l != l.rstrip() for l in value.split("\n")) else None
    return dumper.represent_scalar("tag:yaml.org,2002:str", value, style=style)


_Dumper.add_representer(str, _str)


def dump(data: Any) -> str:
    return yaml.dump(data, Dumper=_Dumper, allow_unicode=True, sort_keys=False, width=10_000)


def scene_dict(scene: Scene) -> dict[str, Any]:
    out: dict[str, Any] = {k: v for k, v in scene.fields.items() if not k.startswith("_")}
    for key in COMMON:
        value = scene.narration if key == "narration" else getattr(scene, key)
        if value is not None:
            out[key] = value
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


def from_markdown(text: str, title: str | None = None) -> tuple[dict[str, Any], list[tuple[str, dict[str, Any]]]]:
    from markdown_it import MarkdownIt

    from vidsite.content.auto import auto_scenes
    from vidsite.content.dialects import rewrite
    from vidsite.content.includes import Source
    from vidsite.content.parse import split_frontmatter

    meta, _, body = split_frontmatter(text.replace("\r\n", "\n"), Path("import.md"))
    tokens = MarkdownIt("commonmark").parse(rewrite(Source.of(body), Path("import.md")).text)  # as parse_page does
    scenes = auto_scenes(tokens, meta.get("title"))
    if scenes[0].fields["title"] == "Untitled" and title:  # no heading: the file name
        scenes = auto_scenes(tokens, title)
    front = {"title": meta.get("title") or next((s.fields["title"] for s in scenes if s.type == "title"), title)}
    front |= {k: v for k, v in meta.items() if k != "title"}
    return front, [(s.type, scene_dict(s)) for s in scenes]


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
            lines.append("#" * (int(level.group(1)) if level else 1) + " " + text)
        elif "list" in style:
            lines.append("- " + text)
        else:
            lines.append(text)
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
    out = [f"# {title}", ""]
    for n, text in enumerate(pages, 1):
        if text:
            out += [f"## Page {n}", "", re.sub(r"\s*\n\s*", " ", text), ""]
    return "\n".join(out)


def from_document(path: Path) -> tuple[dict[str, Any], list[tuple[str, dict[str, Any]]]]:
    suffix = path.suffix.lower()
    title = path.stem.replace("-", " ").replace("_", " ").title()
    if suffix in (".md", ".markdown"):
        text = path.read_text(encoding="utf-8")
    elif suffix == ".txt":  # paragraphs of plain text are Markdown paragraphs already
        text = path.read_text(encoding="utf-8")
    elif suffix == ".docx":
        text = _docx_markdown(path)
    elif suffix == ".pdf":
        text = _pdf_markdown(path)
    else:
        raise ContentError(f"cannot import `{suffix}` files; use .md, .txt, .pdf, .docx, or --from", path=path)
    return from_markdown(text, title)


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
