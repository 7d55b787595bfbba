"""Untrusted content: it cannot read outside the site, exceed the limits, or inject into any output."""

from __future__ import annotations

import html as htmllib
import json
import re
import struct
import xml.etree.ElementTree as ET
import zlib
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from conftest import run
from vidsite.content.parse import parse_page
from vidsite.errors import VidsiteError

CONFIG = 'title = "x"\nbase_url = "https://docs.example.com/"\n[video]\nwidth = 160\nheight = 90\n[tts]\nengine = "espeak"\n'


def _error(site: Path) -> str:
    result = run("build", str(site))
    assert result.exit_code == 1 and "Traceback" not in result.output, result.output
    return result.output


@pytest.mark.parametrize("src, message", [
    ("../../../../etc/hostname", "refers outside the site"),
    ("../secret.png", "refers outside the site"),
    ("escape.png", "refers outside the site"),  # a symlink in static/ that leads out
    ("file:///etc/hostname", "URLs (http:, file:, data:) are not fetched"),
    ("https://example.com/x.png", "URLs (http:, file:, data:) are not fetched"),
    ("/etc/hostname", "not found in the page's folder or static/"),  # absolute = from the site root
])
def test_references_outside_the_site_are_errors_with_page_and_line(site_factory, tmp_path, src, message) -> None:
    from PIL import Image

    site = site_factory({"content/p.md": f"# Title\n\n```scene image\nsrc: {src}\n```\n"}, CONFIG)
    Image.new("RGB", (10, 10)).save(site.parent / "secret.png")
    (site / "static").mkdir(exist_ok=True)
    (site / "static/escape.png").symlink_to(site.parent / "secret.png")
    out = _error(site)
    assert f"content/p.md:3: image `{src}`: {message}" in out


def _png_header(width: int, height: int) -> bytes:
    """A PNG that claims a size (Pillow reads the header without decoding the pixels)."""
    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))
    ihdr = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr) + chunk(b"IDAT", zlib.compress(b"\x00")) + chunk(b"IEND", b"")


LIMITS_CONFIG = "[limits]\nscenes = 200\nscene_narration = 5000\npage_narration = 50000\ncode_lines = 500\n"
LIMITS = {
    "scenes": ("".join(f"```scene title\ntitle: T{i}\nnarration: Hi.\n```\n\n" for i in range(201)),
               r"content/p.md:\d+: 201 scenes, over \[limits\] scenes = 200; split the page or raise the limit"),
    "narration": (f"```scene title\ntitle: T\nnarration: {'word ' * 1100}\n```\n",
                  r"content/p.md:3: narration is \d+ characters, over \[limits\] scene_narration = 5000; split the scene"),
    "page narration": ("".join(f"```scene title\ntitle: T\nnarration: {'word ' * 950}\n```\n\n" for _ in range(11)),
                       r"content/p.md:1: \d+ characters of narration, over \[limits\] page_narration = 50000; split the page"),
    "list items": ("```scene list\nheader: H\nitems: [" + ", ".join(f"i{n}" for n in range(13)) + "]\n```\n",
                   r"content/p.md:3: scene `list`: field `items`: List should have at most 12 items"),
    "code lines": ("```scene code\ncode: |\n" + "".join(f"  line {n}\n" for n in range(501)) + "```\n",
                   r"content/p.md:2: `code` has 502 lines, over \[limits\] code_lines = 500; show an excerpt"),
    "image pixels": ("```scene image\nsrc: huge.png\n```\n", r"content/p.md:1: image `huge.png` is 8000×6000 pixels"),
    "not an image": ("```scene image\nsrc: fake.png\n```\n", r"content/p.md:1: image `fake.png` is not an image"),
    "video length": ("```scene title\ntitle: T\nnarration: Hi.\nmin_duration: 20000\n```\n",
                     r"content/p.md:1: the video would be 333 minutes long; split the page \(limit 180 minutes\)"),
}


@pytest.mark.parametrize("case", sorted(LIMITS))
def test_limits_are_clear_errors(site_factory, case: str) -> None:
    page, pattern = LIMITS[case]
    site = site_factory({"content/p.md": page}, CONFIG + LIMITS_CONFIG)
    (site / "static").mkdir()
    (site / "static/huge.png").write_bytes(_png_header(8000, 6000))
    (site / "static/fake.png").write_bytes(b"#!/bin/sh\necho not an image\n")
    assert re.search(pattern, _error(site)), case
    assert not (site / "output").exists()


EVIL = '<script>alert(1)</script>"\'><img src=x onerror=alert(2)> javascript:alert(3) & --> ]]>'


def test_content_never_injects_into_html_vtt_json_or_xml(site_factory) -> None:
    page = (f"---\ntitle: '{EVIL.replace(chr(39), chr(39) * 2)}'\ndescription: '{EVIL.replace(chr(39), chr(39) * 2)}'\n"
            f"date: 2026-11-24\n---\n\n```scene list\nheader: '{EVIL.replace(chr(39), chr(39) * 2)}'\n"
            f"items: ['{EVIL.replace(chr(39), chr(39) * 2)}']\nnarration: 'Say {EVIL.replace(chr(39), chr(39) * 2)}'\n```\n")
    site = site_factory({"content/p.md": page, "content/_index.md": f"---\ntitle: '{EVIL.replace(chr(39), chr(39) * 2)}'\n---\n"},
                        CONFIG)
    result = run("build", str(site))
    assert result.exit_code == 0, result.output
    out = site / "output"
    for html in out.rglob("*.html"):
        text = html.read_text()
        assert "<script>alert" not in text and "<img src=x" not in text and 'onerror=alert' not in re.sub(
            r"&[a-z#0-9]+;", "", text.replace("&lt;img src=x onerror=alert(2)&gt;", "")), html
        assert 'href="javascript:' not in text and "src=\"javascript:" not in text
    for vtt in out.rglob("*.vtt"):
        text = vtt.read_text()
        assert "<script>" not in text and "<img" not in text
        assert all(" --> " in line for line in text.splitlines() if "-->" in line and re.match(r"\d\d:", line)), vtt
        assert text.count(" --> ") == len(re.findall(r"^\d\d:\d\d:\d\d\.\d{3} --> ", text, re.M))
    for name in ("manifest.json", "p/manifest.json", "feed.json"):
        json.loads((out / name).read_text())
    for name in ("sitemap.xml", "feed.xml"):
        root = ET.parse(out / name).getroot()
        # RSS text is escaped twice (a reader shows it as text, never as markup): unescape the HTML layer
        assert EVIL[:20] in htmllib.unescape("".join(root.itertext())) or name == "sitemap.xml"
    assert manifest_title(out) == EVIL


def manifest_title(out: Path) -> str:
    return json.loads((out / "p/manifest.json").read_text())["title"]


def test_yaml_never_constructs_objects(site_factory) -> None:
    site = site_factory({"content/p.md": "```scene title\ntitle: !!python/object/apply:os.system ['touch /tmp/pwned']\n```\n"},
                        CONFIG)
    out = _error(site)
    assert "content/p.md:2:" in out and not Path("/tmp/pwned").exists()


# -- property-based: the parser raises only vidsite's own error, always with path and line --------

TEXT = st.text(alphabet=st.characters(blacklist_categories=("Cs",)), max_size=300)
YAMLISH = st.one_of(TEXT, st.lists(st.sampled_from(["- a", "key: value", "items: [a, b", "{", "}", ":", "  - x", "!!",
                                                     "&a", "*a", "? x", "title: |", "  text", '"', "'", "\t"]),
                                   max_size=8).map("\n".join))
TYPES = st.sampled_from(["title", "list", "command", "quote", "code", "image", "quiz", "nope", ""])


def _check(tmp_path: Path, text: str) -> None:
    path = tmp_path / "p.md"
    path.write_text(text, encoding="utf-8", errors="surrogatepass")
    try:
        parse_page(path, "p.md", site_root=tmp_path)
    except VidsiteError as exc:
        assert re.match(rf"{re.escape(str(path))}(:\d+)?: \S", exc.format_message()), exc.format_message()
        assert exc.path == str(path) and (exc.line is None or exc.line >= 1)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(markdown=TEXT)
def test_any_markdown_parses_or_fails_cleanly(tmp_path: Path, markdown: str) -> None:
    _check(tmp_path, markdown)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(front=YAMLISH, kind=TYPES, body=YAMLISH, tail=TEXT)
def test_any_frontmatter_and_scene_yaml_fails_cleanly(tmp_path: Path, front: str, kind: str, body: str, tail: str) -> None:
    _check(tmp_path, f"---\n{front}\n---\n\n```scene {kind}\n{body}\n```\n{tail}")


def test_errors_always_carry_a_line_for_block_problems(tmp_path: Path) -> None:
    path = tmp_path / "p.md"
    path.write_text("intro\n\n```scene list\nheader: [\n```\n")
    with pytest.raises(VidsiteError) as info:
        parse_page(path, "p.md")
    assert info.value.line == 4
