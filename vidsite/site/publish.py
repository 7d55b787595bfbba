"""Publish: page HTML with language switcher, an index per language, the site manifest; files an
earlier build wrote that this one does not are taken away (only those: see `remove_stale`)."""

from __future__ import annotations

import json
import logging
from pathlib import Path, PurePosixPath
from typing import Any

from vidsite.config import SiteConfig
from vidsite.models import Page, Section
from vidsite.render.theme import Theme
from vidsite.safety import GENERATOR, read_site_manifest
from vidsite.site.aliases import write_aliases
from vidsite.site.i18n import context, language_name
from vidsite.site.writer import absolute, clock, environment, file_entry, would_change
from vidsite.site.writer import write_if_changed as write_file

log = logging.getLogger(__name__)

IMMUTABLE = "public, max-age=31536000, immutable"
SHORT = "public, max-age=60, must-revalidate"
MEDIUM = "public, max-age=3600"


def cache_control(name: str, hashed: bool) -> str:
    """How long a CDN may keep a file: hashed assets forever, plain-named media an hour, pages a minute."""
    if name in ("index.html", "manifest.json") or name.endswith((".html", ".json", ".xml")):
        return SHORT
    return IMMUTABLE if hashed else MEDIUM


def _open_graph(base_url: str, page: Page, manifest: dict[str, Any]) -> dict[str, Any]:
    folder = page.url + "/"
    return {
        "url": absolute(base_url, folder), "image": absolute(base_url, folder + manifest["assets"]["poster"]),
        "video": absolute(base_url, folder + manifest["assets"]["video"]), "width": manifest["width"],
        "height": manifest["height"], "duration": round(manifest["duration"]),
    }


def publish(root: Path, config: SiteConfig, theme: Theme, out: Path, manifests: list[tuple[Page, dict[str, Any]]],
            sections: list[Section], dry_run: bool = False) -> int:
    """Write the site's pages, indexes, feeds and manifest into `out`; returns how many files changed.
    `dry_run` only counts them (a no-op build must not even make a staging copy)."""
    write_if_changed = would_change if dry_run else write_file
    env = environment(root / "layouts", config.theme)
    site = config
    written = 0
    previous = read_site_manifest(out) or {}  # an author's manifest.json is never a list of things to delete
    by_key: dict[str, list[Page]] = {}
    for page, _ in manifests:
        by_key.setdefault(page.translation_key, []).append(page)
    # A fallback copy (the default-language page under another language's prefix) is a courtesy
    # to that language's readers, not a translation: its canonical names the original, and it is
    # never advertised with the fallback's hreflang, in the sitemap or in feeds.
    real = [(p, m) for p, m in manifests if not p.fallback_from]
    real_by_key = {key: [p for p in pages if not p.fallback_from] for key, pages in by_key.items()}

    page_tpl = env.get_template("page.html")
    for page, manifest in manifests:
        depth = page.url.count("/") + 1
        up = "../" * depth
        edition = page.listed_in
        translations = [
            {"lang": p.listed_in, "name": language_name(p.listed_in), "href": f"{up}{p.url}/index.html",
             "url": absolute(site.base_url, p.url + "/"), "current": p is page, "fallback": bool(p.fallback_from)}
            for p in sorted(by_key[page.translation_key], key=lambda p: site.lang_codes.index(p.listed_in)
                            if p.listed_in in site.lang_codes else 99)
        ]
        lang_ctx = context(edition)
        notice = ""
        og = _open_graph(site.base_url, page, manifest)
        originals = [p for p in real_by_key[page.translation_key] if p.language == page.fallback_from]
        if page.fallback_from:
            notice = lang_ctx["t"]["untranslated"].format(language=language_name(page.fallback_from, edition))
            if originals:
                og = og | {"url": absolute(site.base_url, originals[0].url + "/")}
        defaults = [p for p in real_by_key[page.translation_key] if p.listed_in == site.default_lang]
        x_default = absolute(site.base_url, defaults[0].url + "/") \
            if defaults and len(real_by_key[page.translation_key]) > 1 else ""
        html = page_tpl.render(
            site=site, site_title=site.title_for(edition), page=page, accent=theme.accent(page.accent), theme=theme,
            root=up + (f"{page.lang_prefix}/" if page.lang_prefix else ""),
            files=manifest["assets"], og=og, x_default=x_default,
            duration=clock(manifest["duration"]), video_lang=page.language, video_lang_name=language_name(page.language),
            scenes=[s | {"clock": clock(s["start"])} for s in manifest["scenes"]],
            translations=translations if len(translations) > 1 else [], notice=notice,
            **lang_ctx,
        )
        written += write_if_changed(out / page.url / "index.html", html)

    index_tpl = env.get_template("index.html")
    titled = {(s.language, s.path): s for s in sections}
    for edition in site.lang_codes:
        listed = [(p, m) for p, m in manifests if p.listed_in == edition]
        if not listed and edition != site.default_lang:
            continue
        prefix = site.url_prefix(edition)
        groups: dict[str, list[dict[str, Any]]] = {}
        for page, manifest in listed:
            rel = page.url[len(prefix) + 1:] if prefix else page.url
            groups.setdefault(page.section, []).append({
                "title": page.title, "description": page.description, "href": f"{rel}/index.html",
                "poster": f"{rel}/{manifest['assets']['poster']}", "duration": clock(manifest["duration"]),
                "date": page.date,
            })
        sections_out = []
        for path, items in sorted(groups.items()):
            sec = titled.get((edition, path)) or titled.get((site.default_lang, path))
            at_root = path == ""  # the site title already heads the page
            sections_out.append({"title": sec.title if sec and not at_root else "",
                                 "description": sec.description if sec else "", "pages": items})
        others = [{"lang": c, "name": language_name(c), "href": ("../" if prefix else "") +
                   (f"{site.url_prefix(c)}/" if site.url_prefix(c) else "") + "index.html", "current": c == edition,
                   "url": absolute(site.base_url, (site.url_prefix(c) + "/") if site.url_prefix(c) else "")}
                  for c in site.lang_codes if c == site.default_lang or any(p.listed_in == c for p, _ in manifests)]
        html = index_tpl.render(site=site, site_title=site.title_for(edition), sections=sections_out,
                                accent=theme.accent("blue"), theme=theme, root="", translations=others if len(others) > 1 else [],
                                **context(edition))
        written += write_if_changed(out / prefix / "index.html", html)

    static = _static_files(root, {p.url for p, _ in manifests})
    written += _copy_static(root, out, static, dry_run)
    from vidsite.site.feeds import json_feed, rss, sitemap

    indexes = []
    for edition in site.lang_codes:
        listed = [(p, m) for p, m in manifests if p.listed_in == edition]
        if not listed and edition != site.default_lang:
            continue
        prefix = site.url_prefix(edition)
        home = f"{prefix}/" if prefix else ""
        indexes.append(home)
        title = site.title_for(edition)
        listed = [(p, m) for p, m in listed if not p.fallback_from]
        written += write_if_changed(out / prefix / "feed.xml", rss(title, site.base_url, home, edition, listed))
        written += write_if_changed(out / prefix / "feed.json",
                                    json_feed(title, site.base_url, home, home + "feed.json", listed, edition))
    written += write_if_changed(out / "sitemap.xml", sitemap(site.base_url, real, indexes, real_by_key))

    # What the last build wrote and this one does not goes, so the site manifest (and a CDN) only lists
    # what is built. Pages and sections may nest either way (guide.md beside guide/): files, not folders.
    current = {p.url for p, _ in manifests}
    made = {"manifest.json", "sitemap.xml", *static, *(home + n for home in indexes for n in ("index.html", "feed.xml",
                                                                                             "feed.json"))}
    made |= {f"{p.url}/{n}" for p, m in manifests for n in (*m["files"], "manifest.json", "index.html")}
    aliases = write_aliases(out, site.base_url, [p for p, _ in manifests], made, dry_run)  # old URLs redirect
    written += aliases.changed
    written += remove_stale(out, previous.get("files", {}), made, dry_run)
    if dry_run and written:
        return written  # the manifest below hashes files that a real run would have written first

    files: dict[str, Any] = {}
    for page, manifest in manifests:
        for name, entry in manifest["files"].items():
            files[f"{page.url}/{name}"] = entry | {"cache_control": cache_control(name, site.hashed_names)}
        for name in ("manifest.json", "index.html"):
            files[f"{page.url}/{name}"] = file_entry(out / page.url / name) | {"cache_control": SHORT}
    for home in indexes:
        for name in ("index.html", "feed.xml", "feed.json"):
            files[home + name] = file_entry(out / home / name) | {"cache_control": SHORT}
    files["sitemap.xml"] = file_entry(out / "sitemap.xml") | {"cache_control": SHORT}
    for rel in static:
        if (out / rel).is_file():
            files[rel] = file_entry(out / rel) | {"cache_control": MEDIUM}
    files |= aliases.files
    site_manifest = {
        "generator": GENERATOR, "title": site.title, "base_url": site.base_url, "default_language": site.default_lang,
        "languages": site.lang_codes,
        "pages": sorted(current),
        "static": static,
        "videos": [{"url": p.url + "/", "title": p.title, "duration": m["duration"], "language": p.language,
                    "listed_in": p.listed_in, "translation_key": p.translation_key} for p, m in manifests],
        "files": dict(sorted(files.items())),
    }
    written += write_if_changed(out / "manifest.json", json.dumps(site_manifest, indent=2, ensure_ascii=False) + "\n")
    return written


def _static_files(root: Path, page_urls: set[str]) -> list[str]:
    """static/ files to publish as they are, never over what the build itself writes. static/ is
    untrusted: a file is published only if neither its path nor what it resolves to has a hidden part,
    and it resolves inside static/ (a symlink to ../.git/config or ../.env is skipped, with a warning)."""
    static = root / "static"
    if not static.is_dir():
        return []
    base = static.resolve()
    out = []
    for path in sorted(static.rglob("*")):
        rel = path.relative_to(static)
        if not path.is_file() or any(part.startswith(".") for part in rel.parts):
            continue
        target = path.resolve()
        if not target.is_relative_to(base) or any(p.startswith(".") for p in target.relative_to(base).parts):
            log.warning("static/%s: not published: it leads to %s, outside static/ or hidden", rel.as_posix(),
                        "a hidden file" if target.is_relative_to(base) else "a file outside static/")
            continue
        name = rel.as_posix()
        if name in ("index.html", "manifest.json", "sitemap.xml", "feed.xml", "feed.json", "build.json"):
            continue
        if any(name == url or name.startswith(url + "/") for url in page_urls):
            continue  # a page's folder wins
        out.append(name)
    return out


def _copy_static(root: Path, out: Path, static: list[str], dry_run: bool) -> int:
    """Copy static/ files (the ones gone from static/ are removed with everything else stale)."""
    written = 0
    for rel in static:
        data = (root / "static" / rel).read_bytes()
        written += (would_change if dry_run else write_file)(out / rel, data)
    return written


def remove_stale(out: Path, listed: Any, keep: set[str], dry_run: bool = False) -> int:
    """Delete what vidsite's previous manifest lists and this build no longer makes; returns how many.

    The rule that keeps an author's files safe: a path is deleted only if vidsite's own manifest
    lists it, it is a relative path without `..` or hidden parts, and its folder resolves inside
    the output folder. Folders are never removed whole; one left empty by these deletions goes."""
    base = out.resolve()
    removed = 0
    for rel in sorted(set(listed) - keep):
        parts = PurePosixPath(rel).parts if isinstance(rel, str) else ()
        if not parts or rel.startswith("/") or "\\" in rel or any(p in ("", ".", "..") or p.startswith(".")
                                                                  for p in parts):
            continue
        path = out.joinpath(*parts)
        if not (path.is_file() or path.is_symlink()) or not path.parent.resolve().is_relative_to(base):
            continue
        removed += 1
        if dry_run:
            continue
        path.unlink()
        for folder in path.parents:
            if folder == out:
                break
            try:
                folder.rmdir()  # only if empty: a folder holding anything else stays
            except OSError:
                break
    return removed
