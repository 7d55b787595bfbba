"""Hostile text through every output format, read back by a real parser of that format: no extra
cue, tag or element appears, and the text comes back equal.

Normalisation the comparisons allow, all deliberate: runs of whitespace are one space and ends are
trimmed (captions wrap lines; feed readers trim); C0/C1 control characters are dropped from cue
text and characters XML 1.0 forbids or discourages (C0, DEL, C1) from XML; XML parsers turn CR into LF; SRT text carries
invisible WORD JOINERs (U+2060), removed before comparing, and any the text had are dropped;
feedparser turns text that reads as UTF-8 decoded as Latin-1 back into UTF-8 (a reader's repair).
"""

from __future__ import annotations

import html
import io
import json
import re
import xml.etree.ElementTree as ET
from html.parser import HTMLParser
from pathlib import Path

import feedparser
import srt as srt_parser
import webvtt
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from conftest import run
from vidsite.models import Page, Span, Timeline
from vidsite.site.feeds import json_feed, rss, sitemap
from vidsite.site.i18n import context
from vidsite.site.writer import environment
from vidsite.timeline import Cue, chapters_vtt, srt, webvtt as write_vtt

FRAGMENTS = ["<", ">", "&", "-->", "->", "- >", "<script>alert(1)</script>", "<img src=x onerror=alert(1)>",
             "<font color=red>", "</font>", "<b>", "<v Bob>", "<c.x>", "</c>", "]]>", "<![CDATA[", '"', "'",
             "\n\n", "\r\n", "\r", "\t", "00:00:01,000 --> 00:00:09,000", "00:00:01.000 --> 00:00:09.000",
             "1\n", "42 ", "-1 ", "1.2.3", "NOTE", "WEBVTT", "&amp;", "&lt;", "&#60;", "&copy", "\u2060",
             "\x00", "\x0b", "\x1f", "\x85", "\u2028", "javascript:", "日本語", "é", "\ufeff"]
hostile = st.lists(st.sampled_from(FRAGMENTS) | st.text(max_size=8), max_size=12).map("".join)
settings.register_profile("escaping", max_examples=200, deadline=None,
                          suppress_health_check=[HealthCheck.too_slow])
settings.load_profile("escaping")

CONTROL = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f]")
NOT_XML = re.compile("[^\t\n\r\x20-\x7e\xa0-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")


def words(text: str) -> str:
    return " ".join(text.split())


def squeeze(text: str) -> str:
    return "".join(text.split()).replace("\u200f", "")  # RIGHT-TO-LEFT MARKs start RTL caption lines


def cue_norm(text: str) -> str:
    return words(CONTROL.sub("", text))


def xml_norm(text: str) -> str:
    return words(NOT_XML.sub("", text).replace("\r", "\n"))


# --- captions ---------------------------------------------------------------------------------

@given(hostile)
def test_webvtt_cues_come_back_as_one_cue_of_plain_text(text: str) -> None:
    vtt = webvtt.from_buffer(io.StringIO(write_vtt([Cue(1.0, 2.5, text), Cue(3.0, 4.0, "after")])))
    expected = [t for t in (cue_norm(text), "after") if t]
    # CJK lines break between characters (no spaces there), so text is compared without whitespace
    assert [squeeze(html.unescape(c.raw_text)) for c in vtt.captions] == [squeeze(t) for t in expected]
    for c in vtt.captions:
        assert "<" not in c.raw_text and c.text == c.raw_text  # no tag, no class, no voice span
    assert vtt.captions[-1].start == "00:00:03.000"


@given(st.lists(hostile, min_size=1, max_size=4))
def test_chapter_titles_come_back_as_one_cue_each(titles: list[str]) -> None:
    spans = tuple(Span(i, i * 30, (i + 1) * 30, ()) for i in range(len(titles)))
    vtt = webvtt.from_buffer(io.StringIO(chapters_vtt(Timeline(30, spans), titles)))
    assert [words(html.unescape(c.raw_text)) for c in vtt.captions] == [cue_norm(t) for t in titles]
    assert all("<" not in c.raw_text for c in vtt.captions)


def srt_norm(text: str) -> str:
    return cue_norm(text.replace("\u2060", ""))


@given(hostile)
def test_srt_cues_come_back_as_one_cue_with_no_tag(text: str) -> None:
    cues = list(srt_parser.parse(srt([Cue(1.0, 2.5, text), Cue(3.0, 4.0, "after")])))
    expected = [t for t in (srt_norm(text), "after") if t]
    assert [squeeze(c.content.replace("\u2060", "")) for c in cues] == [squeeze(t) for t in expected]
    for c in cues:
        assert not re.search(r"<[A-Za-z/!?{]", c.content), c.content  # nothing a reader takes for markup
        assert not re.search(r"-[ -]*>", c.content), c.content  # nor for a timing arrow
    assert cues[-1].start.total_seconds() == 3.0


def test_srt_narration_cannot_forge_a_cue_or_a_tag() -> None:
    # Wrapped at 42 characters this puts a cue number alone on a line, a timing on the next.
    text = "A" * 41 + " " + "1" * 39 + " 00:00:01,000 --> 00:00:09,000 <font color=red>forged</font>"
    cues = list(srt_parser.parse(srt([Cue(0.0, 2.0, text)])))
    assert len(cues) == 1 and cues[0].end.total_seconds() == 2.0
    assert "<font" not in cues[0].content and words(cues[0].content.replace("\u2060", "")) == text


# --- feeds and sitemap --------------------------------------------------------------------------

def entry(title: str, description: str, url: str = "p") -> tuple[Page, dict]:
    section, _, slug = url.rpartition("/")
    page = Page(source=Path("p.md"), rel="p.md", section=section, slug=slug, title=title, scenes=(),
                description=description, date="2026-11-24", translation_key="p")
    m = {"files": {"video.mp4": {"size": 10}}, "assets": {"video": "video.mp4", "poster": "poster.jpg"},
         "duration": 12.0}
    return page, m


class Tags(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.tags: list[str] = []

    def handle_starttag(self, tag: str, attrs: list) -> None:
        self.tags.append(tag)

    def handle_startendtag(self, tag: str, attrs: list) -> None:
        self.tags.append(tag)


def tags(markup: str) -> list[str]:
    parser = Tags()
    parser.feed(markup)
    parser.close()
    return parser.tags


def looks_like_utf8_read_as_latin1(text: str) -> bool:
    """feedparser "repairs" such text (feedparser/mixin.py: `encode('iso-8859-1').decode('utf-8')`)."""
    try:
        return not text.isascii() and text.encode("iso-8859-1").decode("utf-8") != text
    except UnicodeError:
        return False


@given(hostile, hostile)
def test_rss_title_and_description_are_text_a_reader_shows_as_text(title: str, description: str) -> None:
    feed = rss(title, "https://example.com", "", "en", [entry(title, description, "日本語/a b")])
    ET.fromstring(feed.encode("utf-8"))  # well-formed
    parsed = feedparser.parse(feed)
    assert not parsed.bozo, parsed.get("bozo_exception")
    item = parsed.entries[0]
    for shown, original in ((item.summary, description or title), (item.title, title), (parsed.feed.title, title)):
        assert tags(shown) == [], shown  # the sanitizer got HTML with no element in it
        if not looks_like_utf8_read_as_latin1(NOT_XML.sub("", original).strip()):
            assert xml_norm(html.unescape(shown)) == xml_norm(original)
    assert item.link == "https://example.com/%E6%97%A5%E6%9C%AC%E8%AA%9E/a%20b/"


def test_rss_description_is_not_decoded_into_markup() -> None:
    item = feedparser.parse(rss("T", "", "", "en", [entry("x", "<img src=x onerror=alert(1)>")])).entries[0]
    assert tags(item.summary) == [] and html.unescape(item.summary) == "<img src=x onerror=alert(1)>"


@given(hostile, hostile)
def test_json_feed_carries_plain_text_only(title: str, description: str) -> None:
    # feedparser 6.0 does not read JSON Feed; the format's rule is that content_text is plain text.
    item = json.loads(json_feed("T", "https://example.com", "", "feed.json",
                                [entry(title, description, "日本語/a b")], "en"))["items"][0]
    assert item["title"] == title and item["content_text"] == (description or title)
    assert "content_html" not in item and "summary" not in item
    assert item["url"] == "https://example.com/%E6%97%A5%E6%9C%AC%E8%AA%9E/a%20b/"
    assert all(u.isascii() for u in (item["url"], item["image"], item["attachments"][0]["url"]))


@given(hostile, hostile)
def test_sitemap_is_well_formed_with_encoded_urls_and_the_text_intact(title: str, description: str) -> None:
    page, m = entry(title, description, "gu\u00eda/a b")
    root = ET.fromstring(sitemap("https://example.com", [(page, m)], [""], {}).encode("utf-8"))
    ns = {"s": "http://www.sitemaps.org/schemas/sitemap/0.9", "v": "http://www.google.com/schemas/sitemap-video/1.1"}
    locs = [e.text for e in root.iterfind(".//s:loc", ns)]
    assert locs == ["https://example.com/", "https://example.com/gu%C3%ADa/a%20b/"]
    assert xml_norm(root.find(".//v:title", ns).text or "") == xml_norm(title[:100])
    assert xml_norm(root.find(".//v:description", ns).text or "") == xml_norm(description or title)
    assert len(list(root.iter())) == 12  # urlset, 2 url, 2 loc, video:video and its 6 children: nothing added


# --- HTML -------------------------------------------------------------------------------------

ENV = environment(Path("/nonexistent"), "default")


def render_page(text: str) -> str:
    page = Page(source=Path("p.md"), rel="p.md", section="", slug="p", title=text, scenes=(), description=text,
                date="2026-11-24")
    files = {"video": "video.mp4", "poster": "poster.jpg", "captions": "captions.en.vtt", "chapters": "chapters.vtt"}
    og = {"url": "https://example.com/p/", "image": "https://example.com/p/poster.jpg",
          "video": "https://example.com/p/video.mp4", "width": 320, "height": 180, "duration": 12}
    return ENV.get_template("page.html").render(
        site=None, site_title=text, page=page, accent="#3B82F6", root="../", files=files, og=og, duration="0:12",
        video_lang="en", video_lang_name="English", scenes=[{"start": 0.0, "clock": "0:00", "narration": text,
                                                           "title": text}],
        translations=[], notice=text, **context("en"))


class Texts(HTMLParser):
    """Start tags with their attribute names, and the text of <h1>."""

    def __init__(self) -> None:
        super().__init__()
        self.shape: list[tuple[str, tuple[str, ...]]] = []
        self.h1 = ""
        self.in_h1 = False
        self.attrs: list[str] = []

    def handle_starttag(self, tag: str, attrs: list) -> None:
        self.shape.append((tag, tuple(k for k, _ in attrs)))
        self.attrs += [v for k, v in attrs if k in ("content",) and v]
        self.in_h1 = tag == "h1"

    def handle_endtag(self, tag: str) -> None:
        self.in_h1 = False

    def handle_data(self, data: str) -> None:
        if self.in_h1:
            self.h1 += data


def read_html(markup: str) -> Texts:
    parser = Texts()
    parser.feed(markup)
    parser.close()
    return parser


BENIGN = read_html(render_page("plain words"))


@given(hostile)
def test_html_pages_keep_their_shape_and_the_text(text: str) -> None:
    assume(text)  # an empty description or notice leaves its element out, by design
    parsed = read_html(render_page(text))
    assert parsed.shape == BENIGN.shape  # no element or attribute added or lost
    assert parsed.h1.replace("\r\n", "\n") == text.replace("\r\n", "\n")
    assert text in parsed.attrs or "\r" in text  # meta description: the attribute comes back whole


def test_autoescape_is_on_for_every_template_name(tmp_path: Path) -> None:
    layouts = tmp_path / "layouts"
    layouts.mkdir()
    for name in ("x.txt", "x.xml", "x"):
        (layouts / name).write_text("{{ v }}", encoding="utf-8")
        assert environment(layouts, "default").get_template(name).render(v="<b>&") == "&lt;b&gt;&amp;"


# --- one hostile build, end to end ---------------------------------------------------------------

EVIL = "<script>alert(1)</script>\"'><img src=x onerror=alert(2)> & --> 00:00:01,000 --> 00:00:09,000 <font> ]]>"


def test_a_hostile_page_builds_into_files_every_parser_reads_cleanly(site_factory) -> None:
    quoted = EVIL.replace("'", "''")
    site = site_factory({
        "content/a <b> & 'c'/p.md": (f"---\ntitle: '{quoted}'\ndescription: '{quoted}'\ndate: 2026-11-24\n---\n\n"
                                     f"```scene list\nheader: '{quoted}'\nitems: ['{quoted}']\n"
                                     f"narration: 'Say {quoted}'\n```\n"),
    }, config='title = "T"\nbase_url = "https://example.com"\n[video]\nwidth = 320\nheight = 180\n')
    result = run("build", str(site))
    assert result.exit_code == 0, result.output
    out = site / "output" / "a-b-c" / "p"
    assert (out / "index.html").is_file()
    page_html = (out / "index.html").read_text(encoding="utf-8")
    assert tags(page_html).count("script") == 1  # the theme's own script only
    assert tags(page_html).count("img") == 1 and 'src="storyboard.' in page_html  # the storyboard only
    assert read_html(page_html).h1 == EVIL
    index_html = (site / "output" / "index.html").read_text(encoding="utf-8")
    assert "script" not in tags(index_html) and "img" in tags(index_html)  # the posters only
    vtt = webvtt.read(str(out / "captions.en.vtt"))
    assert all("<" not in c.raw_text for c in vtt.captions)
    shown = html.unescape(" ".join(c.raw_text for c in vtt.captions))
    assert "<font>" in shown and "00:00:09,000" in shown  # shown as text
    cues = list(srt_parser.parse((out / "captions.en.srt").read_text(encoding="utf-8")))
    assert len(cues) == len(vtt.captions) and not any("<font" in c.content for c in cues)
    feed = feedparser.parse((site / "output" / "feed.xml").read_text(encoding="utf-8"))
    assert tags(feed.entries[0].summary) == [] and html.unescape(feed.entries[0].summary) == EVIL
    ET.parse(site / "output" / "sitemap.xml")
    assert json.loads((site / "output" / "feed.json").read_text(encoding="utf-8"))["items"][0]["title"] == EVIL
