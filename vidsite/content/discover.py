"""Walk content/: pages, sections (folders; `_index.md` describes one)."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

from vidsite.config import SiteConfig
from vidsite.content.parse import parse_page, section_path, split_frontmatter
from vidsite.errors import ContentError
from vidsite.fsutil import read_text
from vidsite.models import Page, Section

PAGE_SUFFIXES = (".md", ".markdown", ".yaml", ".yml")


def content_files(root: Path) -> list[Path]:
    """Page files under content/. Hidden folders are skipped, and so is any folder holding a site
    vidsite built (an output folder inside content/: its pages are not sources), as are `.vidsite/`,
    `layouts/` and `static/` should they ever lie below content/."""
    import os

    from vidsite.safety import read_site_manifest

    content = root / "content"
    if not content.is_dir():
        raise ContentError("no content/ folder: put your Markdown pages in content/", path=root)
    skip = {(root / name).resolve() for name in (".vidsite", "layouts", "static")}
    found = []
    for folder, dirs, files in os.walk(content):
        here = Path(folder)
        dirs[:] = [d for d in dirs if not d.startswith(".") and (here / d).resolve() not in skip
                   and not ((here / d / "manifest.json").is_file() and read_site_manifest(here / d))]
        found += [here / f for f in files if not f.startswith(".") and Path(f).suffix in PAGE_SUFFIXES
                  and (here / f).is_file()]
    return sorted(found)


def discover(root: Path, config: SiteConfig, *, drafts: bool = False) -> tuple[list[Page], list[Section]]:
    content = root / "content"
    codes = set(config.languages)
    pages: list[Page] = []
    sections: dict[tuple[str, str], Section] = {}
    for path in content_files(root):
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
        page = parse_page(path, rel, default_language=config.default_lang, site_root=root, language=file_lang)
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
