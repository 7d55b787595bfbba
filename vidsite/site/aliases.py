"""Redirect pages at the addresses an earlier slug rule gave (Hugo's aliases).

Until slugs kept letters of every script, a page's folder was its name reduced to ASCII
(`página.md` -> `p-gina/`) under its section folders spelled as they are. Links and search results
still point there, so each such address gets a small page that redirects to the new one. The
redirects are listed in the site manifest (as files with `alias_of`), so a later build removes
the ones it no longer needs the way it removes any file it wrote before, and never anything else.
"""

from __future__ import annotations

import hashlib
import html
import re
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import Any

from vidsite.models import Page
from vidsite.site.writer import absolute, url_path, would_change, write_if_changed


def old_slug(text: str, length: int = 200, default: str = "page") -> str:
    """The slug rule before Unicode slugs, kept only to know where pages used to be."""
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")[:length].strip("-") or default


def old_url(page: Page) -> str:
    """Where the earlier rule put `page`: its section folders as written, its name in ASCII."""
    parts = PurePosixPath(page.rel).parts
    stem = parts[-1].split(".")[0]
    return "/".join(p for p in (page.lang_prefix, *parts[:-1], old_slug(stem)) if p)


def wanted(pages: list[Page]) -> dict[str, str]:
    """Old address -> new page URL, for each page whose address changed. An old address that two
    pages shared was never published (discovery refused the clash), so it gets no redirect; one
    that a real page now owns is that page's."""
    current = {p.url for p in pages}
    claims: dict[str, set[str]] = {}
    for page in pages:
        claims.setdefault(old_url(page), set()).add(page.url)
    return {old: next(iter(new)) for old, new in sorted(claims.items())
            if len(new) == 1 and old not in current and _plain(old)}


def _plain(path: str) -> bool:
    """A relative path of ordinary folder names: the alias is written inside output/, never above
    it or into a hidden folder."""
    parts = path.split("/")
    return bool(path) and all(p and not p.startswith(".") for p in parts)


def redirect_page(base_url: str, old: str, new: str) -> str:
    """A page that sends browsers and crawlers to `new`/ without script: a meta refresh to a
    relative URL (works wherever the site is served), a canonical link and a plain link."""
    target = "../" * (old.count("/") + 1) + url_path(new + "/")
    canonical = absolute(base_url, new + "/")
    t, c = html.escape(target), html.escape(canonical)
    return ("<!doctype html>\n<html>\n<head>\n<meta charset=\"utf-8\">\n<title>Redirecting…</title>\n"
            f"<link rel=\"canonical\" href=\"{c}\">\n<meta name=\"robots\" content=\"noindex\">\n"
            f"<meta http-equiv=\"refresh\" content=\"0; url={t}\">\n</head>\n"
            f"<body><p>This page has moved to <a href=\"{t}\">{c}</a>.</p></body>\n</html>\n")


@dataclass
class Aliases:
    files: dict[str, dict[str, Any]]  # redirect page -> its site-manifest entry (with `alias_of`)
    changed: int  # how many were (or, in a dry run, would be) written


def write_aliases(out: Path, base_url: str, pages: list[Page], made: set[str], dry_run: bool = False) -> Aliases:
    """Write the redirect pages and add them to `made`, the files this build publishes (so the
    stale-file sweep keeps them). Whatever else is in `made` (a page, an index, a static file)
    wins over a redirect. A redirect no longer wanted is left out of the site manifest, so the
    next sweep removes it like any other file vidsite wrote before."""
    from vidsite.site.publish import SHORT

    files: dict[str, dict[str, Any]] = {}
    changed = 0
    for old, new in wanted(pages).items():
        name = f"{old}/index.html"
        if name in made or any(a in made for a in _ancestors(old)):
            continue
        blob = redirect_page(base_url, old, new).encode("utf-8")
        changed += (would_change if dry_run else write_if_changed)(out / name, blob)
        files[name] = {"size": len(blob), "sha256": hashlib.sha256(blob).hexdigest(), "cache_control": SHORT,
                       "alias_of": new + "/"}
    made |= set(files)
    return Aliases(files, changed)


def _ancestors(path: str) -> list[str]:
    parts = path.split("/")
    return ["/".join(parts[:i]) for i in range(1, len(parts))]
