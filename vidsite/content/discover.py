"""Walk the content folder (`content_dir`, default content/): pages, sections (folders;
`_index.md` describes one), in the order the docs tool gives them.

A docs repository keeps its pages where its tool wants them (`docs/`, `src/`); `content_dir`
points there while output/, the cache and layouts/ stay beside config.toml. What a page holds
that the video cannot carry (an include not found, an unknown shortcode) is collected as notes:
warnings, or one error listing them all under `strict`.
"""

from __future__ import annotations

import logging
from dataclasses import replace
from pathlib import Path

from vidsite.config import SiteConfig
from vidsite.content.includes import Includer, Note
from vidsite.content.nav import mkdocs_config, page_order, summary_file
from vidsite.content.parse import parse_page, section_path, split_frontmatter
from vidsite.errors import ContentError
from vidsite.fsutil import read_text
from vidsite.models import Page, Section

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
            raise ContentError("no content/ folder: put your Markdown pages in content/, or set content_dir in "
                               "config.toml to the folder that holds them", path=root)
        raise ContentError(f"content_dir `{content_dir}` is not a folder; fix content_dir in config.toml",
                           path=root / "config.toml")
    skip = {(root / name).resolve() for name in ("output", ".vidsite", "layouts", "static")}
    nav = summary_file(root, content_dir)
    yml = {p.resolve() for p in (root / "mkdocs.yml", root / "mkdocs.yaml") if p.is_file()}
    found = []
    for folder, dirs, files in os.walk(content):
        here = Path(folder)
        dirs[:] = [d for d in dirs if not d.startswith(".") and (here / d).resolve() not in skip
                   and not ((here / d / "manifest.json").is_file() and read_site_manifest(here / d))]
        found += [here / f for f in files if not f.startswith(".") and Path(f).suffix in PAGE_SUFFIXES
                  and (here / f).is_file() and (here / f) != nav and (here / f).resolve() not in yml]
    return sorted(found)


def includer_for(root: Path, config: SiteConfig) -> Includer:
    content = root / config.content_dir
    tool = mkdocs_config(root, content) if config.content_dir != "content" else None
    extra = tuple(Path(p) if Path(p).is_absolute() else root / p for p in config.include_paths)
    return Includer(root, content, extra, tool.parent if tool else None)


def discover(root: Path, config: SiteConfig, *, drafts: bool = False, strict: bool = False,
             notes: list[Note] | None = None) -> tuple[list[Page], list[Section]]:
    """Pages and sections. `notes` collects what pages hold that their videos cannot carry; with
    `strict` any such note is an error."""
    content = root / config.content_dir
    codes = set(config.languages)
    pages: list[Page] = []
    sections: dict[tuple[str, str], Section] = {}
    notes = [] if notes is None else notes
    includer = includer_for(root, config)
    files = content_files(root, config.content_dir)
    order = page_order(root, content, [f.relative_to(content).as_posix() for f in files],
                       summary_file(root, config.content_dir))
    for path in files:
        rel = path.relative_to(content).as_posix()
        parts = path.name.split(".")
        file_lang = parts[-2] if len(parts) >= 3 and parts[-2] in codes else None
        lang = file_lang or config.default_lang
        if parts[0] == "_index":
            meta, _, _ = split_frontmatter(read_text(path, ContentError), path)
            folder = section_path(rel)
            sections[(lang, folder)] = Section(folder, str(meta.get("title") or ""), str(meta.get("description") or ""),
                                               lang)
            continue
        page = parse_page(path, rel, default_language=config.default_lang, site_root=root, language=file_lang,
                          includer=includer, notes=notes)
        if order and page.weight == 0:  # the docs tool's order; pages it does not list come after, by title
            page = replace(page, weight=order.get(rel, len(order) + 1))
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
