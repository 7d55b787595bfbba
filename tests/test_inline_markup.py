"""Inline markup is drawn, not printed: bold, italic, code spans, links, keys and strikethrough
in slide text, identifiers kept whole, plain text drawn exactly as before, and the text a slide
shows recorded on its canvas (`Canvas.drawn`)."""

from __future__ import annotations

import random

import numpy as np
import pytest
from conftest import ESPEAK, decode, manifest, run
from golden import GOLDEN, render_extra
from PIL import Image

from vidsite.render import text as T
from vidsite.render.inline import plain, spans
from vidsite.render.theme import load_theme
from vidsite.scenes.canvas import Canvas
from vidsite.scenes.text import blocks

THEME = load_theme("default", None)
MARKUP = ("**", "`", "](", "<kbd>", "</kbd>", "~~", "http")


def _marks(text: str) -> dict[str, frozenset[str]]:
    return {s: m for s, m in spans(text)}


def test_each_kind_of_markup_becomes_a_styled_run() -> None:
    got = _marks("a **b** *c* _d_ `e` [f](https://x.org/g) <kbd>h</kbd> ~~i~~ <b>j</b>")
    assert got["b"] == {"bold"} and got["c"] == got["d"] == {"italic"} and got["e"] == {"code"}
    assert got["f"] == {"link"} and got["h"] == {"kbd"} and got["i"] == {"strike"} and got["j"] == {"bold"}
    assert plain("see [the docs](https://x.org/g) or `pip`") == "see the docs or pip"
    assert _marks("to __add__ something")["add"] == {"bold"}, "CommonMark's strong emphasis (mkdocs-material uses it)"


@pytest.mark.parametrize("text", ["user_id", "NO_COLOR=1", "uvicorn main:my_awesome_api", "/users/{user_id}",
                                  "a_b_c and __init__.py", "2 * 3 * 4", "x < y > z", "C:\\Users\\me"])
def test_identifiers_and_plain_symbols_keep_every_character(text: str) -> None:
    assert spans(text) == ((text, frozenset()),)


def test_html_other_than_formatting_tags_is_text_and_comments_are_hidden() -> None:
    assert plain("a <T> b") == "a <T> b"
    assert plain("a <!-- note --> b") == "a  b"
    assert plain("one<br>two") == "one\ntwo"
    assert plain("code: `<div v-if=\"x\">`") == 'code: <div v-if="x">'


def _canvas_text(s: str, **kw) -> tuple[np.ndarray, Canvas]:  # type: ignore[no-untyped-def]
    c = Canvas(960, 540, THEME, "blue")
    c.text(s, 100, 100, 1600, 400, size=60, **kw)
    return np.asarray(c.img, dtype=int), c


def test_bold_and_italic_markup_draw_the_words_in_their_face_without_marks() -> None:
    bold, _ = _canvas_text("**Strong words**")
    assert np.array_equal(bold, _canvas_text("Strong words", font="font_bold")[0])
    italic, _ = _canvas_text("*Slanted words*")
    assert np.array_equal(italic, _canvas_text("Slanted words", font="font_italic")[0])
    assert not np.array_equal(bold, _canvas_text("Strong words")[0])


def _ink_columns(a: np.ndarray) -> np.ndarray:
    bg = np.array(Image.new("RGB", (1, 1), THEME.background).getpixel((0, 0)))
    return np.flatnonzero((np.abs(a - bg).max(axis=2) > 40).any(axis=0))


def test_a_link_draws_its_text_in_the_accent_colour_underlined_and_never_its_url() -> None:
    link, _ = _canvas_text("[docs](https://example.com/a/very/long/path)")
    words, _ = _canvas_text("docs")
    assert abs(_ink_columns(link)[-1] - _ink_columns(words)[-1]) <= 2, "the URL is not drawn"
    accent = np.array([int(THEME.accent("blue")[i:i + 2], 16) for i in (1, 3, 5)])
    near = np.abs(link - accent).max(axis=2) < 30
    assert near.sum() > 200, "link text in the accent colour"
    rows = np.flatnonzero(near.sum(axis=1) > 0.8 * (_ink_columns(words)[-1] - _ink_columns(words)[0]))
    assert rows.size, "an underline spans the link"


def test_code_spans_and_keys_are_monospace_on_a_tint() -> None:
    code, _ = _canvas_text("`iiii`")
    mono, _ = _canvas_text("iiii", font="font_mono")
    sans, _ = _canvas_text("iiii")
    assert _ink_columns(code).size > _ink_columns(sans).size, "monospace i is wider than proportional i"
    bg = np.array(Image.new("RGB", (1, 1), THEME.background).getpixel((0, 0)))
    tinted = (np.abs(code - bg).max(axis=2).astype(bool) & (np.abs(code - bg).max(axis=2) < 40)).sum()
    assert tinted > 500 and not np.array_equal(code, mono), "a tinted box behind the code"
    key, _ = _canvas_text("<kbd>Ctrl</kbd>")
    assert not np.array_equal(key, _canvas_text("Ctrl", font="font_mono")[0])


def test_strikethrough_draws_a_line_through_the_words() -> None:
    struck, _ = _canvas_text("~~gone~~")
    words, _ = _canvas_text("gone")
    changed = np.abs(struck - words).max(axis=2) > 100
    ink = _ink_columns(words)
    rows = np.flatnonzero(changed.any(axis=1))
    assert 1 <= rows.size <= 3 and changed.sum() > 0.5 * (ink[-1] - ink[0]), "one thin line across the word"


def test_plain_text_wraps_the_same_as_one_run_of_its_own_look() -> None:
    """The rich path measures exactly as the plain one: a plain string drawn through it is unchanged."""
    face = T.Face(THEME.chain("font"), 40)
    rng = random.Random(7)
    words = ["hello", "https://github.com/x/y_z-w.md", "这是一个很长的中文句子，它需要换行。", "שלום", "x" * 60, "\n"]
    for _ in range(60):
        text = " ".join(rng.choice(words) for _ in range(rng.randint(1, 12)))
        width = rng.choice([120, 300, 700])
        assert [T.chars(line) for line in T.wrap(T.rich(text, face), face, width)] == T.wrap(text, face, width)


def test_canvas_records_what_it_drew_at_a_legible_size() -> None:
    _, c = _canvas_text("Use `user_id` and **see [the docs](https://x.org)**")
    assert c.drawn == ["Use user_id and see the docs"]
    c = Canvas(960, 540, THEME, "blue")
    c.text("tiny print", 100, 100, 800, 100, size=20)
    c.text("a long line that is cut " * 20, 100, 300, 800, 60, size=40, max_lines=1, min_size=40)
    assert len(c.drawn) == 1 and "tiny" not in c.drawn[0], "text below 28 design px is not counted as shown"
    assert c.drawn[0].startswith("a long line") and len(c.drawn[0]) < 100, "only the part before the cut"


def test_list_items_draw_their_markup() -> None:
    fields = {"header": "H", "description": "", "items": ["Run `vidsite build`", "Press <kbd>q</kbd>"]}
    c = Canvas(960, 540, THEME, "blue")
    from vidsite.scenes import get

    get("list").draw(c, fields, {})
    assert "Run vidsite build" in c.drawn and "Press q" in c.drawn


def test_markdown_text_splits_into_paragraphs_and_items() -> None:
    assert blocks("One\ntwo.\n\n- a\n  still a\n* b\n\n3. c\nAfter") == [
        ("", "One\ntwo."), ("-", "a still a"), ("-", "b"), ("3.", "c"), ("", "After")]


def test_markdown_golden_frame_shows_no_markup() -> None:
    """Regenerate with `python tests/golden.py` after an intended visual change (and look at it)."""
    image = render_extra()["markdown-inline"]
    golden = Image.open(GOLDEN / "markdown-inline.png").convert("RGB")
    d = np.abs(np.asarray(image, dtype=int) - np.asarray(golden, dtype=int))
    assert d.mean() < 1.0 and (d.max(axis=2) > 48).mean() < 0.005


def test_markdown_scene_decoded_frame_matches_its_golden_and_shows_no_markup(site_factory) -> None:
    from golden import EXTRA

    fields = EXTRA["markdown-inline"][1]
    body = "```scene markdown\nheader: \"Inline `markup`\"\ntext: |\n" + "".join(
        f"  {line}\n" for line in fields["text"].split("\n")) + "narration: Inline markup.\n```\n"
    site = site_factory({"content/p.md": "---\ntitle: P\naccent: orange\n---\n\n" + body},
                        config=ESPEAK.replace("320", "480").replace("180", "270"))
    assert run("build", str(site)).exit_code == 0
    m = manifest(site, "p")
    scene = next(s for s in m["scenes"] if s["type"] == "markdown")
    frame = decode(site / "output/p/video.mp4").frame_at((scene["start"] + scene["end"]) / 2)
    golden = np.asarray(Image.open(GOLDEN / "markdown-inline.png").convert("RGB"), dtype=int)
    assert np.abs(frame.astype(int) - golden).mean() < 6, "the decoded frame is the golden frame"
    c = Canvas(480, 270, THEME, "orange")
    from vidsite.scenes import get

    get("markdown").draw(c, fields, {})
    shown = " ".join(c.drawn)
    assert "my_awesome_api" in shown and "NO_COLOR=1" in shown and "link" in shown
    assert not any(mark in shown for mark in MARKUP), shown
