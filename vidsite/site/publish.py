"""Publish: page HTML with language switcher, an index per language, the site manifest; files an
earlier build wrote that this one does not are taken away (only those: see `remove_stale`)."""

from __future__ import annotations

import json
import logging
import time
from functools import cache
from pathlib import Path, PurePosixPath
from typing import Any

from vidsite import __version__
from vidsite.cache import RACY_NS, Cache
from vidsite.config import SiteConfig
from vidsite.fsutil import canonical_hash, file_sha256, write_json
from vidsite.models import Page, Section
from vidsite.render.theme import Theme
from vidsite.safety import GENERATOR, read_site_manifest
from vidsite.site.aliases import write_aliases
from vidsite.site.i18n import context
from vidsite.site.i18n import language_name as _language_name
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


class Memo:
    """What the last publish into an output folder rendered and hashed, kept in the cache: per page, a
    hash of everything its HTML was rendered from, and per listed file its size, mtime and sha256. A
    page whose inputs and file are as recorded is not rendered again, and a file as recorded is not
    hashed again: an edit to one page of a large site renders one page. A missing or unreadable
    record, or a template file modified too recently for its mtime to be trusted, means everything
    is rendered and hashed, as it always may be."""

    def __init__(self, path: Path | None, env: Any, config: SiteConfig, theme: Theme) -> None:
        self.path = path
        self.pages: dict[str, str] = {}
        self.files: dict[str, list[Any]] = {}
        self.site = _templates_key(env, config, theme) if path else None
        if self.site is None:
            return
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
            if data.get("site") == self.site:
                self.pages, self.files = dict(data["pages"]), dict(data["files"])
        except (OSError, ValueError, KeyError, TypeError, AttributeError):
            pass
        self.seen_pages: dict[str, str] = {}
        self.seen_files: dict[str, list[Any]] = {}

    def page_key(self, page: Page, values: dict[str, Any]) -> str | None:
        """Hash of a page's render context; its formatters are named by the language already in it."""
        if self.site is None:
            return None
        return canonical_hash([self.site, repr(page), {k: v for k, v in values.items()
                                                       if k not in _OWN and not callable(v)}])

    def rendered(self, url: str, key: str | None, path: Path, rel: str) -> bool:
        """True when the page's HTML at `path` is what rendering with `key` would write."""
        if key is None or self.pages.get(url) != key:
            return False
        return self._stat(path) == self.files.get(rel, [None, None])[:2]

    def entry(self, path: Path, rel: str) -> dict[str, Any]:
        """`file_entry(path)`, its hash taken from the record while the file is as recorded."""
        st = self._stat(path)
        known = self.files.get(rel) if self.site is not None else None
        sha = known[2] if known and st == known[:2] else file_sha256(path)
        if self.site is not None:
            self.seen_files[rel] = [*st, sha]
        return {"size": st[0], "sha256": sha}

    def note(self, url: str, key: str | None) -> None:
        if key is not None and self.site is not None:
            self.seen_pages[url] = key

    def save(self) -> None:
        if self.path is None or self.site is None:
            return
        write_json(self.path, {"site": self.site, "pages": self.seen_pages, "files": self.seen_files})

    @staticmethod
    def _stat(path: Path) -> list[Any]:
        try:
            st = path.stat()
        except OSError:
            return [None, None]
        return [st.st_size, st.st_mtime_ns]


_OWN = ("site", "page", "theme")  # in a page's render context, hashed by `Memo.site` and `repr(page)` instead


def _templates_key(env: Any, config: SiteConfig, theme: Theme) -> str | None:
    """Hash of what every page's HTML shares: vidsite's version, the config, the theme and every
    template file (by size and mtime). None when a template file changed too recently to tell."""
    now, files = time.time_ns(), []
    for folder in env.loader.searchpath:
        for path in sorted(Path(folder).rglob("*")):
            try:
                st = path.stat()
            except OSError:
                return None
            if st.st_mtime_ns >= now - RACY_NS:
                return None
            files.append((str(path), st.st_size, st.st_mtime_ns))
    return canonical_hash({"version": __version__, "config": config.model_dump(mode="json"),
                           "theme": theme.model_dump(mode="json"), "files": files})


def publish(root: Path, config: SiteConfig, theme: Theme, out: Path, manifests: list[tuple[Page, dict[str, Any]]],
            sections: list[Section], dry_run: bool = False, memo: Path | None = None) -> int:
    """Write the site's pages, indexes, feeds and manifest into `out`; returns how many files changed.
    `dry_run` writes nothing and returns as soon as it finds one that would (a no-op build must not even
    make a staging copy; any other publishes). `memo`: where what
    this publish rendered and hashed is kept for the next one (`Memo`)."""
    write_if_changed = would_change if dry_run else write_file
    env = environment(root / "layouts", config.theme, Cache((root / config.cache.dir).resolve()).templates())
    known = Memo(memo, env, config, theme)
    language_name = cache(_language_name)  # asked for each page and translation: a site has a few languages
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
        values = dict(
            site=site, site_title=site.title_for(edition), page=page, accent=theme.accent(page.accent), theme=theme,
            root=up + (f"{page.lang_prefix}/" if page.lang_prefix else ""),
            files=manifest["assets"], og=og, x_default=x_default,
            duration=clock(manifest["duration"]), video_lang=page.language, video_lang_name=language_name(page.language),
            scenes=[s | {"clock": clock(s["start"])} for s in manifest["scenes"]],
            translations=translations if len(translations) > 1 else [], notice=notice,
            **lang_ctx,
        )
        key = known.page_key(page, values)
        known.note(page.url, key)
        if not known.rendered(page.url, key, out / page.url / "index.html", f"{page.url}/index.html"):
            written += write_if_changed(out / page.url / "index.html", page_tpl.render(**values))
            if dry_run and written:
                return written  # something changes: the build publishes, and renders it then

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
            files[f"{page.url}/{name}"] = known.entry(out / page.url / name, f"{page.url}/{name}") | \
                {"cache_control": SHORT}
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
    if not dry_run:
        known.save()
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
