"""`vidsite cache stats|prune`: what the cache holds, and dropping what no current page uses.

What is used is found from the current pages themselves, never from an output folder (a site
built with `-o elsewhere` keeps its entries): each page's video key names the record of the
segments, audio track, clips and AI text it was built from (vidsite/cache.py), and clips, AI
text and translations are also keyed directly from the pages' text.
"""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path

from vidsite.cache import KINDS, Cache, key_of
from vidsite.config import SiteConfig, load_config
from vidsite.models import Page


def _cache(root: Path) -> Cache:
    return Cache((root / load_config(root).cache.dir).resolve())


def _size(paths: list[Path]) -> int:
    return sum(p.stat().st_size for p in paths if p.exists())


def stats(root: Path) -> list[str]:
    cache = _cache(root)
    lines = [f"cache: {cache.root}"]
    for kind in KINDS:
        entries = cache.entries(kind)
        size = sum(_size(files) for files in entries)
        extra = ""
        if kind == "clips":
            engines: Counter[str] = Counter()
            seconds = 0.0
            for meta, *_ in entries:  # the sidecar, the wav, its levelled copies
                try:
                    data = json.loads(meta.read_text(encoding="utf-8"))
                    engines[data["engine"]] += 1
                    seconds += data["samples"] / data["sample_rate"]
                except (OSError, ValueError, KeyError, ZeroDivisionError):
                    engines["damaged"] += 1
            extra = f"  {seconds:.0f}s of speech ({', '.join(f'{n} {e}' for e, n in sorted(engines.items())) or 'none'})"
        lines.append(f"  {kind:<13}{len(entries):6d}  {size / 1e6:8.1f} MB{extra}")
    return lines


def used_keys(root: Path) -> dict[str, set[str]]:
    """Keys of every kind that the current pages (drafts included) use, at final and draft quality."""
    from vidsite.build import BuildStats, Context
    from vidsite.config import load_pronunciations
    from vidsite.content.discover import discover
    from vidsite.options import BuildOptions, with_quality
    from vidsite.plan import ai_keys, video_key, voice_for
    from vidsite.render.theme import load_theme

    root = root.resolve()
    base = load_config(root)
    used: dict[str, set[str]] = {kind: set() for kind in KINDS}
    pages, _ = discover(root, base, drafts=True)
    pronunciations = load_pronunciations(root)
    theme = load_theme(base.theme, root / "layouts")
    for quality in ("final", "draft"):
        config = with_quality(base, quality)
        ctx = Context(root, root / "output", config, theme, BuildOptions(quality=quality), BuildStats(),
                      lambda *a: None, pronunciations)
        for page in pages:
            key = video_key(page, ctx)
            used.setdefault("pages", set()).add(key)
            for kind, keys in (ctx.store.page_uses(key) or {}).items():
                used[kind].update(keys)
    speaker, narrator = ctx.speaker, ctx.narrator
    for page in pages:
        used["ai"].update(ai_keys(page, ctx))
        for scene in page.scenes:
            used["clips"] |= speaker.clip_keys(narrator(scene, page), voice_for(scene, page, base), page.language)
    used["translations"] = _translation_keys(base, pages)
    return used


def _translation_keys(config: SiteConfig, pages: list[Page]) -> set[str]:
    """A translation is used while re-running `vidsite translate` on its page would find it: for every
    page and every other configured language, or one the page has a translation file in."""
    from vidsite.errors import VidsiteError
    from vidsite.translate import translated_path, translation_key

    keys = set()
    codes = set(config.lang_codes)
    for page in pages:
        if page.fallback_from:
            continue
        siblings = {p.name.split(".")[-2] for p in page.source.parent.glob(page.source.name.split(".")[0] + ".*.*")}
        for lang in (codes | siblings) - {page.language}:
            if translated_path(page.source, lang) == page.source:
                continue
            try:
                keys.add(f"{lang}-{translation_key(page.source, lang, config.narration)}")
            except VidsiteError:
                continue
    return keys


def prune(root: Path, dry_run: bool = False) -> tuple[int, int]:
    """Remove entries no current page uses, and orphaned files; returns (entries, bytes)."""
    cache = _cache(root)
    used = used_keys(root)
    doomed: list[list[Path]] = []
    for kind in KINDS:
        for files in cache.entries(kind):
            name = files[0]
            key = name.stem if kind == "translations" else key_of(name)  # a translation: <language>-<key>
            if key not in used[kind]:
                doomed.append(files)
    records = cache.root / "pages"
    doomed += [[r] for r in sorted(records.glob("*.json"))] if records.is_dir() else []
    doomed = [g for g in doomed if not (g[0].parent == records and g[0].stem in used["pages"])]
    doomed += [[p] for p in cache.orphans()]
    freed = sum(_size(group) for group in doomed)
    if not dry_run:
        for group in doomed:
            for p in group:
                p.unlink(missing_ok=True)
    return len(doomed), freed
