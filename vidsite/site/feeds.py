"""sitemap.xml (with Google's video extension), and an RSS and a JSON Feed of videos per language.

Content is untrusted text, so each format gets its own rule: every URL is percent-encoded by
`absolute`; XML text drops the characters XML 1.0 cannot hold and is escaped; RSS title and
description are HTML to a feed reader, so they are escaped as HTML and then as XML (a reader
shows `<img onerror=…>` as those characters); JSON Feed carries only `content_text`.
"""

from __future__ import annotations

import html
import json
import re
from email.utils import format_datetime
from datetime import datetime, timezone
from typing import Any
from xml.sax.saxutils import escape, quoteattr

from vidsite.models import Page
from vidsite.site.writer import absolute

SITEMAP_NS = "http://www.sitemaps.org/schemas/sitemap/0.9"
VIDEO_NS = "http://www.google.com/schemas/sitemap-video/1.1"
XHTML_NS = "http://www.w3.org/1999/xhtml"
_NOT_XML = re.compile("[^\t\n\r\x20-\x7e\xa0-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")


def xml_text(text: str) -> str:
    """Text for an XML element: escaped, without the characters XML 1.0 forbids (C0 controls,
    lone surrogates: the whole file would be unreadable) or discourages (DEL and C1 controls,
    which feed readers turn into other characters)."""
    return escape(_NOT_XML.sub("", text))


def xml_attr(text: str) -> str:
    """A quoted XML attribute value (quotes included)."""
    return quoteattr(_NOT_XML.sub("", text))


def rss_text(text: str) -> str:
    """Plain text for an RSS element that readers render as HTML (title, description): escaped
    as HTML, then as XML, so a reader decodes it back to the characters, never to markup."""
    return xml_text(html.escape(text, quote=False))


def sitemap(base_url: str, entries: list[tuple[Page, dict[str, Any]]], indexes: list[str],
            translations: dict[str, list[Page]]) -> str:
    rows = [f'<?xml version="1.0" encoding="UTF-8"?>\n<urlset xmlns="{SITEMAP_NS}" xmlns:video="{VIDEO_NS}" '
            f'xmlns:xhtml="{XHTML_NS}">']
    for index in indexes:
        rows.append(f"  <url><loc>{xml_text(absolute(base_url, index))}</loc></url>")
    for page, m in entries:
        folder = page.url + "/"
        alternates = "".join(
            f'\n    <xhtml:link rel="alternate" hreflang={xml_attr(p.listed_in)} href={xml_attr(absolute(base_url, p.url + "/"))}/>'
            for p in translations.get(page.translation_key, []) if len(translations[page.translation_key]) > 1
        )
        description = (page.description or page.title)[:2048]
        rows.append(
            f"  <url>\n    <loc>{xml_text(absolute(base_url, folder))}</loc>{alternates}\n"
            f"    <video:video>\n"
            f"      <video:thumbnail_loc>{xml_text(absolute(base_url, folder + m['assets']['poster']))}</video:thumbnail_loc>\n"
            f"      <video:title>{xml_text(page.title[:100])}</video:title>\n"
            f"      <video:description>{xml_text(description)}</video:description>\n"
            f"      <video:content_loc>{xml_text(absolute(base_url, folder + m['assets']['video']))}</video:content_loc>\n"
            f"      <video:duration>{max(1, min(28800, round(m['duration'])))}</video:duration>\n"
            + (f"      <video:publication_date>{page.date}</video:publication_date>\n" if page.date else "")
            + "    </video:video>\n  </url>"
        )
    rows.append("</urlset>\n")
    return "\n".join(rows)


def _when(page: Page) -> datetime | None:
    if not page.date:
        return None
    return datetime.fromisoformat(page.date).replace(tzinfo=timezone.utc)


def rss(title: str, base_url: str, home: str, lang: str, entries: list[tuple[Page, dict[str, Any]]]) -> str:
    items = []
    for page, m in entries:
        folder = page.url + "/"
        video = m["files"][m["assets"]["video"]]
        when = _when(page)
        items.append(
            "  <item>\n"
            f"    <title>{rss_text(page.title)}</title>\n"
            f"    <link>{xml_text(absolute(base_url, folder))}</link>\n"
            f'    <guid isPermaLink="true">{xml_text(absolute(base_url, folder))}</guid>\n'
            f"    <description>{rss_text(page.description or page.title)}</description>\n"
            f"    <enclosure url={xml_attr(absolute(base_url, folder + m['assets']['video']))} "
            f'length="{video["size"]}" type="video/mp4"/>\n'
            + (f"    <pubDate>{format_datetime(when)}</pubDate>\n" if when else "")
            + "  </item>"
        )
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n<rss version="2.0">\n<channel>\n'
        f"  <title>{rss_text(title)}</title>\n  <link>{xml_text(absolute(base_url, home))}</link>\n"
        f"  <description>{rss_text(title)}: videos</description>\n  <language>{xml_text(lang)}</language>\n"
        + "\n".join(items) + "\n</channel>\n</rss>\n"
    )


def json_feed(title: str, base_url: str, home: str, feed: str, entries: list[tuple[Page, dict[str, Any]]],
              lang: str) -> str:
    items = []
    for page, m in entries:
        folder = page.url + "/"
        video = m["files"][m["assets"]["video"]]
        item = {
            "id": absolute(base_url, folder), "url": absolute(base_url, folder), "title": page.title,
            "content_text": page.description or page.title, "language": page.language,
            "image": absolute(base_url, folder + m["assets"]["poster"]),
            "attachments": [{"url": absolute(base_url, folder + m["assets"]["video"]), "mime_type": "video/mp4",
                             "size_in_bytes": video["size"], "duration_in_seconds": m["duration"]}],
        }
        if page.date:
            item["date_published"] = f"{page.date}T00:00:00Z"
        items.append(item)
    return json.dumps({"version": "https://jsonfeed.org/version/1.1", "title": title, "language": lang,
                       "home_page_url": absolute(base_url, home), "feed_url": absolute(base_url, feed), "items": items},
                      indent=2, ensure_ascii=False) + "\n"
