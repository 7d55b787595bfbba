"""URL paths made from content: Unicode slugs, never a scheme, percent-encoded where written,
and redirects at the addresses the old ASCII-only rule gave."""

from __future__ import annotations

import json
import re
import shutil
import unicodedata
import xml.etree.ElementTree as ET
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import unquote, urlsplit

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from conftest import ms, run
from vidsite.fsutil import slugify

SCHEME_SECTION = "javascript:alert(document.domain)"


def page(title: str) -> str:
    return f"# {title}\n\nA short page.\n"


@pytest.mark.parametrize("name, slug", [
    ("日本語", "日本語"), ("página", "página"), ("Página", "página"), ("ÉCOLE", "école"), ("हिन्दी", "हिन्दी"),
    ("Straße", "straße"), ("e\u0301", "\u00e9"),  # NFC
    ("Hello World_2", "hello-world-2"), ("-x-", "x"), ("..", "page"), (".hidden", "hidden"),
    ("a/b", "a-b"), ("a b%2fc", "a-b-2fc"), (SCHEME_SECTION, "javascript-alert-document-domain"),
    ("🎬", "page"),
])
def test_slugs_keep_letters_of_every_script(name: str, slug: str) -> None:
    assert slugify(name, 200, "page") == slug


@settings(max_examples=300, deadline=None)
@given(st.text())
def test_any_name_gives_a_safe_path_segment(name: str) -> None:
    slug = slugify(name, 200, "page")
    assert slug and not slug.startswith(("-", ".")) and not slug.endswith("-")
    assert all(c == "-" or unicodedata.category(c)[0] in "LMN" for c in slug)  # so no / . : % ? # or space
    assert unicodedata.normalize("NFC", slug) == slug and len(slug.encode()) <= 240
    assert slugify(slug, 200, "page") == slug
    if name.isascii():  # ASCII names keep the URL they always had
        assert slug == (re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-")[:200].strip("-") or "page")


class Links(HTMLParser):
    """Every URL an HTML file points at (href, src, poster, meta refresh)."""

    def __init__(self) -> None:
        super().__init__()
        self.urls: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = dict(attrs)
        self.urls += [v for k, v in attrs if k in ("href", "src", "poster") and v is not None]
        if (a.get("http-equiv") or "").lower() == "refresh":
            self.urls.append((a.get("content") or "").split("url=", 1)[-1])


FAVICON = "data:image/svg+xml,"  # the theme's own icon, drawn in the page's accent


def links(html: Path) -> list[str]:
    parser = Links()
    parser.feed(html.read_text(encoding="utf-8"))
    return parser.urls


def test_a_section_named_like_a_script_url_never_becomes_a_link_with_a_scheme(site_factory) -> None:
    site = site_factory({f"content/{SCHEME_SECTION}/p.md": page("P"), "content/guía/intro.md": page("Intro")})
    result = run("build", str(site))
    assert result.exit_code == 0, result.output
    out = site / "output"
    urls = [u for html in out.rglob("*.html") for u in links(html)]
    theirs = [u for u in urls if not u.startswith(FAVICON)]
    assert [u for u in theirs if urlsplit(u).scheme not in ("", "http", "https")] == []
    assert [u for u in theirs if not u.isascii() or " " in u] == []  # percent-encoded
    assert "javascript-alert-document-domain/p/index.html" in urls
    assert 'href="gu%C3%ADa/intro/index.html"' in (out / "index.html").read_text(encoding="utf-8")


def test_clicking_that_link_in_chromium_runs_no_script(site_factory, request) -> None:
    from playwright.sync_api import TimeoutError as PlaywrightTimeout

    site = site_factory({f"content/{SCHEME_SECTION}/p.md": page("P")})
    assert run("build", str(site)).exit_code == 0
    browser = request.getfixturevalue("browser")  # after the build: playwright runs an event loop in this thread
    dialogs: list[str] = []
    tab = browser.new_page()
    tab.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
    tab.goto((site / "output" / "index.html").as_uri())
    tab.click("a.card")  # a javascript: href would open its alert during the click
    try:
        tab.wait_for_url("**/javascript-alert-document-domain/p/index.html", timeout=ms(10))
    except PlaywrightTimeout:
        pass
    assert dialogs == []
    assert tab.url.endswith("/javascript-alert-document-domain/p/index.html")


def test_pages_named_in_any_script_get_their_own_urls(site_factory) -> None:
    site = site_factory({"content/日本語.md": page("日本語"), "content/中文.md": page("中文"),
                         "content/página.md": page("Página")},
                        config='title = "T"\nbase_url = "https://example.com/docs"\n[video]\nwidth = 320\nheight = 180\n')
    result = run("build", str(site))
    assert result.exit_code == 0, result.output
    out = site / "output"
    for folder in ("日本語", "中文", "página"):
        assert (out / folder / "index.html").is_file()
    site_manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    assert {"日本語", "中文", "página"} <= set(site_manifest["pages"])  # manifests stay readable
    assert {v["url"] for v in site_manifest["videos"]} == {"日本語/", "中文/", "página/"}
    head = (out / "página" / "index.html").read_text(encoding="utf-8")
    assert '<meta property="og:url" content="https://example.com/docs/p%C3%A1gina/">' in head
    assert '<link rel="canonical" href="https://example.com/docs/p%C3%A1gina/">' in head
    feed = json.loads((out / "feed.json").read_text(encoding="utf-8"))
    assert {unquote(i["url"]) for i in feed["items"]} == {f"https://example.com/docs/{n}/" for n in ("日本語", "中文", "página")}
    assert all(i["url"].isascii() for i in feed["items"])


def test_folders_that_slug_alike_are_an_error_not_a_merge(site_factory) -> None:
    site = site_factory({"content/Getting Started/a.md": page("A"), "content/getting-started/b.md": page("B")})
    result = run("build", str(site))
    assert result.exit_code == 1
    assert "both become the section `getting-started/`; rename one" in result.output


def test_a_section_title_from_index_md_applies_to_a_unicode_folder(site_factory) -> None:
    site = site_factory({"content/Guía Rápida/_index.md": "---\ntitle: Primeros pasos\n---\n",
                         "content/Guía Rápida/uno.md": page("Uno")})
    assert run("build", str(site)).exit_code == 0
    index = (site / "output" / "index.html").read_text(encoding="utf-8")
    assert "<h2>Primeros pasos</h2>" in index and 'href="gu%C3%ADa-r%C3%A1pida/uno/index.html"' in index


def test_sitemap_and_feed_urls_are_percent_encoded(site_factory) -> None:
    site = site_factory({"content/my notes <1>/a b.md": page("A")},
                        config='title = "T"\nbase_url = "https://example.com"\n[video]\nwidth = 320\nheight = 180\n')
    assert run("build", str(site)).exit_code == 0
    out = site / "output"
    sm = ET.parse(out / "sitemap.xml").getroot()
    locs = [e.text or "" for e in sm.iter() if e.tag.endswith(("}loc", "thumbnail_loc", "content_loc"))]
    locs += [e.get("href", "") for e in sm.iter() if e.tag.endswith("}link")]
    rss = ET.parse(out / "feed.xml").getroot()
    locs += [e.text or "" for e in rss.iter("link")] + [e.text or "" for e in rss.iter("guid")]
    locs += [e.get("url", "") for e in rss.iter("enclosure")]
    assert "https://example.com/my-notes-1/a-b/" in locs
    for url in locs:
        assert re.fullmatch(r"https://example\.com/[A-Za-z0-9\-._~%/]*", url), url


def test_a_changed_url_redirects_from_its_old_address_until_it_is_not_needed(site_factory) -> None:
    site = site_factory({"content/página.md": page("Página"), "content/Guía/uno.md": page("Uno"),
                         "content/plain.md": page("Plain")},
                        config='title = "T"\nbase_url = "https://example.com"\n[video]\nwidth = 320\nheight = 180\n')
    assert run("build", str(site)).exit_code == 0
    out = site / "output"
    alias = (out / "p-gina" / "index.html").read_text(encoding="utf-8")
    assert '<meta http-equiv="refresh" content="0; url=../p%C3%A1gina/">' in alias
    assert '<link rel="canonical" href="https://example.com/p%C3%A1gina/">' in alias
    assert "<script" not in alias
    nested = (out / "Guía" / "uno" / "index.html").read_text(encoding="utf-8")  # old sections kept their spelling
    assert 'url=../../gu%C3%ADa/uno/"' in nested
    files = json.loads((out / "manifest.json").read_text(encoding="utf-8"))["files"]
    assert files["p-gina/index.html"]["alias_of"] == "página/"
    assert sorted(n for n, e in files.items() if "alias_of" in e) == ["Guía/uno/index.html", "p-gina/index.html"]
    assert "nothing to do" in run("build", str(site)).output  # redirects are stable: a no-op build stays one

    # A real page at the old address wins; a redirect no longer wanted goes, and its folder with it.
    (site / "content" / "p-gina.md").write_text(page("Now a page"), encoding="utf-8")
    shutil.rmtree(site / "content" / "Guía")
    assert run("build", str(site)).exit_code == 0
    assert (out / "p-gina" / "manifest.json").is_file() and "refresh" not in (out / "p-gina" / "index.html").read_text()
    assert not (out / "Guía").exists()
    files = json.loads((out / "manifest.json").read_text(encoding="utf-8"))["files"]
    assert not any("alias_of" in e for e in files.values())


def test_an_old_address_two_pages_shared_gets_no_redirect(site_factory) -> None:
    site = site_factory({"content/日本語.md": page("日本語"), "content/中文.md": page("中文")})
    assert run("build", str(site)).exit_code == 0
    assert not (site / "output" / "page").exists()  # the old rule made both `page/`: never published
