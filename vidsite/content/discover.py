"""Walk content/: pages, sections (folders; `_index.md` describes one)."""

from __future__ import annotations

from pathlib import Path

from vidsite.config import SiteConfig
from vidsite.content.parse import parse_page, split_frontmatter
from vidsite.errors import ContentError
from vidsite.models import Page, Section

PAGE_SUFFIXES = (".md", ".markdown")


def content_files(root: Path) -> list[Path]:
    content = root / "content"
    if not content.is_dir():
        raise ContentError("no content/ folder: put your Markdown pages in content/", path=root)
    return sorted(
        p for p in content.rglob("*")
        if p.is_file() and p.suffix in PAGE_SUFFIXES and not any(part.startswith(".") for part in p.relative_to(content).parts)
    )


def discover(root: Path, config: SiteConfig, *, drafts: bool = False) -> tuple[list[Page], list[Section]]:
    content = root / "content"
    pages: list[Page] = []
    sections: dict[str, Section] = {}
    for path in content_files(root):
        rel = path.relative_to(content).as_posix()
        if path.stem == "_index":
            meta, _, _ = split_frontmatter(path.read_text(encoding="utf-8"), path)
            folder = "/".join(Path(rel).parts[:-1])
            sections[folder] = Section(folder, str(meta.get("title") or ""), str(meta.get("description") or ""))
            continue
        page = parse_page(path, rel, default_language=config.language, site_root=root)
        if page.draft and not drafts:
            continue
        pages.append(page)
    seen: dict[str, Path] = {}
    for page in pages:
        if page.url in seen:
            raise ContentError(f"same output folder `{page.url}/` as {seen[page.url]}; rename one", path=page.source)
        seen[page.url] = page.source
        if page.section and page.section not in sections:
            sections[page.section] = Section(page.section, page.section.split("/")[-1].replace("-", " ").title())
    pages.sort(key=lambda p: (p.section, p.weight, p.title.lower()))
    return pages, sorted(sections.values(), key=lambda s: s.path)
