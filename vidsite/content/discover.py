"""Walk the content folder (`content_dir`, default content/): pages, sections (folders;
`_index.md` describes one), in the order the docs tool gives them.

A docs repository keeps its pages where its tool wants them (`docs/`, `src/`); `content_dir`
points there while output/, the cache and layouts/ stay beside config.toml. What a page holds
that the video cannot carry (an include not found, an unknown shortcode) is collected as notes:
warnings, or one error listing them all under `strict`.
"""

from __future__ import annotations

import json
import logging
import re
from dataclasses import asdict, dataclass, field, replace
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING, Any

from vidsite import __version__
from vidsite.cache import signature
from vidsite.config import SiteConfig
from vidsite.content.includes import Includer, Note, include_folders
from vidsite.content.nav import mkdocs_config, page_nav, summary_file
from vidsite.errors import ContentError
from vidsite.fsutil import canonical_hash, read_text
from vidsite.models import Page, Scene, Section

if TYPE_CHECKING:
    from vidsite.cache import PageStates

log = logging.getLogger(__name__)

PAGE_SUFFIXES = (".md", ".markdown", ".yaml", ".yml")


def content_files(root: Path, content_dir: str = "content") -> list[Path]:
    """Page files under the content folder. Hidden folders are skipped, and so is any folder holding
    a site vidsite built (an output folder inside it: its pages are not sources), as are `output/`,
    `.vidsite/`, `layouts/` and `static/` should they lie below it (`content_dir = "."`)."""
    import os

    from vidsite.safety import read_site_manifest

    content = root / content_dir
    if not content.is_dir():
        if content_dir == "content":
            from vidsite.content.nav import docs_tool

            tool = docs_tool(root)
            where = root.resolve()
            if tool is not None:  # a docs repository without vidsite's config.toml yet
                raise ContentError(f"{where} is a {tool.name} repository with no content/ folder: run "
                                   "`vidsite new site --here` there to point vidsite at its pages")
            raise ContentError(f"no content/ folder in {where}: put your Markdown pages in content/, or set "
                               "content_dir in config.toml to the folder that holds them")
        raise ContentError(f"content_dir `{content_dir}` is not a folder; fix content_dir in config.toml",
                           path=root / "config.toml")
    skip = {(root / name).resolve() for name in ("output", ".vidsite", "layouts", "static")}
    nav = summary_file(root, content_dir)
    yml = {p.resolve() for p in (root / "mkdocs.yml", root / "mkdocs.yaml") if p.is_file()}
    found = []
    for folder, dirs, files in os.walk(content):
        here = Path(folder)
        dirs[:] = [d for d in dirs if not d.startswith(".") and d != "node_modules" and (here / d).resolve() not in skip
                   and not ((here / d / "manifest.json").is_file() and read_site_manifest(here / d))]
        found += [here / f for f in files if not f.startswith(".") and Path(f).suffix in PAGE_SUFFIXES
                  and (here / f).is_file() and (here / f) != nav and (here / f).resolve() not in yml]
    return sorted(found)


def includer_for(root: Path, config: SiteConfig) -> Includer:
    content = root / config.content_dir
    tool = mkdocs_config(root, content) if config.content_dir != "content" else None
    return Includer(root, content, include_folders(root, config.include_paths), tool.parent if tool else None)


def discover(root: Path, config: SiteConfig, *, drafts: bool = False, strict: bool = False,
             notes: list[Note] | None = None, states: PageStates | None = None) -> tuple[list[Page], list[Section]]:
    """Pages and sections. `notes` collects what pages hold that their videos cannot carry; with
    `strict` any such note is an error. With `states` (made with `fingerprint`), a file whose state
    shows nothing it was parsed from changed is not parsed again."""
    content = root / config.content_dir
    codes = set(config.languages)
    pages: list[Page] = []
    sections: dict[tuple[str, str], Section] = {}
    notes = [] if notes is None else notes
    includer = _Recording.of(includer_for(root, config))
    files = content_files(root, config.content_dir)
    nav = page_nav(root, content, [f.relative_to(content).as_posix() for f in files],
                   summary_file(root, config.content_dir))
    order = nav.order
    for path in files:
        rel = path.relative_to(content).as_posix()
        parts = path.name.split(".")
        file_lang = parts[-2] if len(parts) >= 3 and parts[-2] in codes else None
        lang = file_lang or config.default_lang
        if parts[0] == "_index":
            folder, title, description = _remembered(path, states, partial(_parse_section, path, rel), _section_of)
            sections[(lang, folder)] = Section(folder, title, description, lang)
            continue
        page, front_title = _remembered(path, states, partial(_parse_page, path, rel, root, config, file_lang,
                                                              includer, notes), _page_and_title)
        if order and page.weight == 0:  # the docs tool's order; pages it does not list come after, by title
            page = replace(page, weight=order.get(rel, len(order) + 1))
        if rel in nav.titles and not front_title:
            page = replace(page, title=nav.titles[rel])  # the navigation's title, unless frontmatter gives one
        if page.draft and not drafts:
            continue
        if codes and page.language not in codes:
            raise ContentError(f"language `{page.language}` is not configured; add a [languages.{page.language}] "
                               "table to config.toml", path=path)
        edition = "" if codes else config.default_lang  # one-language sites list every page in one index
        pages.append(replace(page, lang_prefix=config.url_prefix(page.language), edition=edition))
    if codes and config.translation_fallback == "default":
        pages += _fallbacks(pages, config)
    seen: dict[str, Path] = {}
    folders: dict[str, str] = {}  # section path -> the content folder it came from
    for page in pages:
        if page.url in seen:
            raise ContentError(f"same output folder `{page.url}/` as {seen[page.url]}; rename one", path=page.source)
        seen[page.url] = page.source
        folder = page.rel.rpartition("/")[0]
        if folders.setdefault(page.section, folder) != folder:
            raise ContentError(f"folders `{folders[page.section]}` and `{folder}` both become the section "
                               f"`{page.section}/`; rename one", path=page.source)
        key = (page.listed_in, page.section)
        if page.section and key not in sections:
            sections[key] = Section(page.section, page.section.split("/")[-1].replace("-", " ").title(), "",
                                    page.listed_in)
    if strict and notes:
        raise ContentError("the video cannot carry these (fix them, or build without --strict):\n  "
                           + "\n  ".join(str(n) for n in notes))
    if order:  # sections in the order of their first page
        first: dict[str, int] = {}
        for p in pages:
            first[p.section] = min(first.get(p.section, p.weight), p.weight)
        pages.sort(key=lambda p: (first[p.section], p.section, p.weight, p.title.lower(), p.url))
    else:
        pages.sort(key=lambda p: (p.section, p.weight, p.title.lower(), p.url))
    return pages, sorted(sections.values(), key=lambda s: (s.language, s.path))


def _fallbacks(pages: list[Page], config: SiteConfig) -> list[Page]:
    """Default-language pages shown, untranslated and with a notice, where a language lacks them."""
    have = {(p.language, p.translation_key) for p in pages}
    out = []
    for page in pages:
        if page.language != config.default_lang:
            continue
        for lang in config.lang_codes:
            if lang != page.language and (lang, page.translation_key) not in have:
                out.append(replace(page, lang_prefix=config.url_prefix(lang), edition=lang,
                                   fallback_from=page.language))
    return out


# Config tables that shape a page's video or the site, not what its file parses to: a build and the dev
# server's draft preview share page states.
NOT_PARSED = {"video", "tts", "narration", "build", "cache", "title", "base_url", "hashed_names"}


def fingerprint(root: Path, config: SiteConfig) -> str:
    """What every page's parse depends on besides its own files: vidsite, the config, the site folder
    and where includes are read from. A page state made under another fingerprint is not used."""
    includer = includer_for(root, config)
    return canonical_hash({"version": __version__, "root": str(root),
                           "config": config.model_dump(mode="json", exclude=NOT_PARSED),
                           "includes": [str(p) for p in (*includer.allowed, includer.tool_dir)]})


def _remembered(path: Path, states: PageStates | None, parse: Any, decode: Any) -> Any:
    """`decode` of what `parse()` gives for the content file at `path`: from its state when that still
    holds (a state that does not decode, whatever made it, is a miss)."""
    if states is not None and (kept := states.recall(path)) is not None:
        try:
            return decode(kept)
        except (KeyError, TypeError, ValueError, IndexError, AttributeError):
            pass
    return decode(parse()[0] if states is None else states.parse(path, parse))


def _parse_section(path: Path, rel: str) -> tuple[list[str], list[Path], list[Path], bool]:
    from vidsite.content.parse import section_path, split_frontmatter

    meta, _, _ = split_frontmatter(read_text(path, ContentError), path)
    return [section_path(rel), str(meta.get("title") or ""), str(meta.get("description") or "")], [], [], True


def _parse_page(path: Path, rel: str, root: Path, config: SiteConfig, language: str | None, includer: _Recording,
                notes: list[Note]) -> tuple[dict[str, Any], list[Path], list[Path], bool]:
    """A page parsed, as kept in its state: with the files it read and the paths whose absence it
    relied on (includes and images looked for first where they were not). A page with notes is
    never kept, so its warnings are given on every build."""
    from vidsite.content.parse import find_asset, parse_page, split_frontmatter

    includer.read_files, includer.texts, includer.absent = [], [], []
    own: list[Note] = []
    page = parse_page(path, rel, default_language=config.default_lang, site_root=root, language=language,
                      includer=includer, notes=own, limits=config.limits)
    notes += own
    text = read_text(path, ContentError)
    files, absent, sure = list(includer.read_files), list(includer.absent), True
    for ref in {next(filter(None, m)) for t in (text, *includer.texts) for m in _REF.findall(t)}:
        try:
            found, _ = find_asset(ref, path, root)
            for base in (path.parent, root / "static", root):  # where find_asset looks, in its order
                candidate = base / ref.lstrip("/")
                if found is not None and candidate.resolve() == found:
                    files.append(found)
                    break
                absent.append(candidate)
        except (OSError, ValueError, RuntimeError):  # not a path at all (a NUL, a link loop): parse every time
            sure = False
    files += [Path(s.fields["_path"]) for s in page.scenes if "_path" in s.fields]
    try:  # kept as JSON: a page whose fields JSON cannot hold exactly is parsed on every build
        data = json.loads(json.dumps(_page_json(page), ensure_ascii=False))
    except (TypeError, ValueError):
        data = None
    exact = data is not None and _page_of(data) == page
    value = {"page": data if exact else page, "front_title": bool(split_frontmatter(text, path)[0].get("title"))}
    return value, files, absent, exact and sure and not own


# Anything a page might name as an image: a Markdown link or image target, a reference definition,
# an HTML src. Liberal on purpose: a false candidate costs one stat, a missed one a stale page.
_REF = re.compile(r"\]\(\s*<?([^)\s>]+)|^\s*\[[^\]]+\]:\s*<?([^\s>]+)|src\s*=\s*[\"']([^\"']+)", re.MULTILINE)


def _section_of(value: Any) -> tuple[str, str, str]:
    folder, title, description = value  # a state of another shape raises here: a miss
    return str(folder), str(title), str(description)


def _page_and_title(value: dict[str, Any]) -> tuple[Page, bool]:
    """The page, and whether its frontmatter gives a title (the docs tool's navigation title yields to it)."""
    return _page_of(value["page"]), bool(value["front_title"])


def _page_json(page: Page) -> dict[str, Any]:
    return asdict(page) | {"source": str(page.source)}


def _page_of(data: dict[str, Any] | Page) -> Page:
    if isinstance(data, Page):
        return data
    scenes = tuple(Scene(**s) for s in data["scenes"])
    return Page(**(data | {"source": Path(data["source"]), "scenes": scenes}))


@dataclass
class _Recording(Includer):
    """An Includer that remembers what it read and where it looked in vain first, for page states."""

    read_files: list[list[Any] | None] = field(default_factory=list)  # signatures, taken before reading
    texts: list[str] = field(default_factory=list)
    absent: list[Path] = field(default_factory=list)

    @classmethod
    def of(cls, includer: Includer) -> _Recording:
        return cls(includer.root, includer.content, includer.include_paths, includer.tool_dir)

    def find(self, written: str, bases: list[Path]) -> Path | None:
        found = super().find(written, bases)
        name = written.strip().strip("\"'")
        for base in bases:
            if found is not None and (base / name).resolve() == found:
                break
            self.absent.append(base / name)
        return found

    def read(self, path: Path) -> str | None:
        self.read_files.append(signature(path))
        text = super().read(path)
        self.texts.append(text or "")
        return text
