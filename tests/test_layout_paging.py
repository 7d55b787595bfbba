"""Body text at 1080p is never drawn below 40 px: a list, a paragraph, a quote, a callout longer
than one slide holds continues on the next slide ("2/3"), sharing the narration; line breaking
keeps a short path whole and an Arabic paragraph right to left on every line; a face a site adds
in layouts/ draws what the bundled fonts lack, and a glyph still missing is named with the page's
path:line."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from click.testing import CliRunner
from conftest import ESPEAK, make_site

from vidsite.cli import main
from vidsite.models import Scene
from vidsite.render import text as T
from vidsite.render.slides import draw_slide
from vidsite.render.theme import load_theme
from vidsite.scenes import get
from vidsite.scenes.canvas import BODY_MIN, Canvas
from vidsite.scenes.code import expand

DARK = load_theme("default", None)
ITEMS = [f"Point {i}: a statement long enough to take most of a line on a slide, and a bit more" for i in range(12)]
PARA = " ".join(f"Sentence {i} of a long paragraph goes on for a while, so that the slide fills up." for i in range(40))
QUOTE = " ".join(f"Wise words number {i} keep on talking about what matters most." for i in range(14))
LONG = {
    "list": ({"header": "Many points", "items": ITEMS}, "items"),
    "learning_objectives": ({"lesson_title": "Lesson", "objectives": ITEMS}, "objectives"),
    "markdown": ({"header": "Prose", "text": PARA}, "text"),
    "quote": ({"quote_text": QUOTE, "attribution": "Someone"}, "quote_text"),
    "callout": ({"kind": "warning", "title": "Careful", "text": PARA}, "text"),
    "problem": ({"problem_number": 1, "title": "Task", "problem_text": PARA}, "problem_text"),
}


def _fields(kind: str, raw: dict) -> dict:
    return get(kind).fields.model_validate(raw).model_dump()


def _body_sizes(monkeypatch: pytest.MonkeyPatch) -> list[tuple[int, str]]:
    """(size, text) of every block drawn at body size or above the header's line."""
    seen: list[tuple[int, str]] = []
    fit = T.fit

    def spy(*args, **kwargs):  # type: ignore[no-untyped-def]
        block = fit(*args, **kwargs)
        seen.append((block.face.size, block.shown))
        return block

    monkeypatch.setattr(T, "fit", spy)
    return seen


@pytest.mark.parametrize("kind", list(LONG))
def test_long_prose_continues_on_the_next_slide_at_40px_or_more(kind: str, monkeypatch: pytest.MonkeyPatch) -> None:
    raw, key = LONG[kind]
    fields = _fields(kind, raw)
    pages = expand(Scene(kind, fields, 7, None))
    assert len(pages) > 1, "a scene three slides long was drawn on one"
    assert [p.fields["part"] for p in pages] == list(range(1, len(pages) + 1))
    assert all(p.fields["parts"] == len(pages) and p.line == 7 for p in pages)
    # nothing lost, nothing repeated, in order
    if isinstance(fields[key], list):
        assert [i for p in pages for i in p.fields[key]] == fields[key]
    else:
        assert re.sub(r"\s+", "", "".join(p.fields[key] for p in pages)) == re.sub(r"\s+", "", fields[key])
    body = {str(i) for i in fields[key]} if isinstance(fields[key], list) else set()
    for page in pages:
        seen = _body_sizes(monkeypatch)
        canvas = draw_slide(kind, page.fields, {"reveal": 99}, DARK, "blue", 1920, 1080)
        assert not canvas.overflow, f"page {page.fields['part']} cut its text"
        value = page.fields[key]
        texts = value if isinstance(value, list) else [value]
        drawn = [(size, shown) for size, shown in seen if any(shown and shown.strip()[:20] in t for t in texts)]
        assert drawn, "the body text was not drawn"
        assert min(size for size, _ in drawn) >= BODY_MIN, drawn
        if body:  # every item of the page drawn whole
            assert {shown for _, shown in drawn} >= set(value)
        monkeypatch.undo()


def test_a_slide_that_fits_stays_one_slide() -> None:
    scene = Scene("list", _fields("list", {"header": "Three", "items": ["One", "Two", "Three"]}), 3, "Say it.")
    assert expand(scene) == [scene]


def test_continued_slides_share_the_narration_and_go_on_counting() -> None:
    said = " ".join(f"Objective {i} matters." for i in range(12))
    pages = expand(Scene("learning_objectives", _fields("learning_objectives", LONG["learning_objectives"][0]), 1, said))
    assert len(pages) > 1
    assert " ".join(p.narration or "" for p in pages).split() == said.split()
    assert all(p.narration for p in pages)
    assert [p.fields["start"] for p in pages] == [1 + sum(len(q.fields["objectives"]) for q in pages[:k])
                                                 for k in range(len(pages))]
    assert get("learning_objectives").chapter_title(pages[1].fields).endswith(f"(2/{len(pages)})")
    # without narration of its own, a continued slide reads its own items, not the heading again
    spoken = get("list").narrate(expand(Scene("list", _fields("list", LONG["list"][0]), 1, None))[1].fields)
    assert "Many points" not in spoken and "Point" in spoken


def test_a_list_is_never_drawn_below_the_body_minimum(monkeypatch: pytest.MonkeyPatch) -> None:
    """Drawn unpaged (as a plugin or an old cache might), a too-long list leaves items off and says
    so (`overflow`), instead of shrinking them below 40 px."""
    seen = _body_sizes(monkeypatch)
    canvas = Canvas(1920, 1080, DARK, "blue")
    canvas.bullets(ITEMS, canvas.header("Many points"), 12)
    items = [size for size, shown in seen if shown.startswith("Point")]
    assert items and min(items) >= BODY_MIN and canvas.overflow


def test_a_short_path_moves_to_the_next_line_whole() -> None:
    face = T.Face(DARK.chain("font"), 40)
    text = 'function: is the function below the "decorator" (below @app.get("/")).'
    for w in range(600, 1400, 20):
        for line in T.wrap(text, face, w):
            assert not line.endswith('@app.get("/'), (w, line)
            assert not line.startswith('")'), (w, line)
    url = "https://github.com/someone/project/blob/main/docs/getting_started-guide.md"  # longer than a line: cut
    assert len(T.wrap(url, face, 500)) > 1


def test_every_line_of_an_arabic_paragraph_reads_right_to_left() -> None:
    """A line cut from an Arabic paragraph that starts with a Latin word (`pip …`) keeps the
    paragraph's direction: the Latin word at the right end, the full stop at the left."""
    text = "يشرح هذا الدليل كيفية التثبيت. استخدم الأمر pip لتثبيت الحزمة."
    face = T.Face(DARK.chain("font"), 40)
    block = T.fit(text, face, T.width("يشرح هذا الدليل كيفية التثبيت. استخدم الأمر", face) + 5, 400)
    lines = [T.chars(line) for line in block.lines]
    assert len(lines) == 2 and lines[1].startswith("pip"), lines
    assert block.bases == (True, True)
    order = [seg.strip() for seg, _, _ in T.visual(lines[1], face.paths, block.bases[1]) if seg.strip()]
    runs = [(seg.strip(), rtl) for seg, _, rtl in T.visual(lines[1], face.paths, block.bases[1]) if seg.strip()]
    assert order[-1] == "pip" and order[0].endswith(".") and runs[0][1], runs  # "." ends the right-to-left run: leftmost


def _font_with(path: Path, ch: str) -> Path:
    """A one-glyph TrueType font whose glyph for `ch` is a filled box."""
    from fontTools.fontBuilder import FontBuilder
    from fontTools.pens.ttGlyphPen import TTGlyphPen

    pen = TTGlyphPen(None)
    for x, y in ((100, 0), (100, 700), (500, 700), (500, 0)):
        (pen.lineTo if x != 100 or y != 0 else pen.moveTo)((x, y))
    pen.closePath()
    box, empty = pen.glyph(), TTGlyphPen(None).glyph()
    fb = FontBuilder(1000, isTTF=True)
    fb.setupGlyphOrder([".notdef", "box"])
    fb.setupCharacterMap({ord(ch): "box"})
    fb.setupGlyf({".notdef": empty, "box": box})
    fb.setupHorizontalMetrics({".notdef": (600, 0), "box": (600, 100)})
    fb.setupHorizontalHeader(ascent=800, descent=-200)
    fb.setupNameTable({"familyName": "Test Extra", "styleName": "Regular"})
    fb.setupOS2(sTypoAscender=800, sTypoDescender=-200, usWinAscent=800, usWinDescent=200)
    fb.setupPost()
    fb.save(str(path))
    return path


def test_a_face_in_layouts_draws_what_the_bundled_fonts_lack(tmp_path: Path) -> None:
    ch = "\U00010000"  # LINEAR B SYLLABLE B008 A: in none of vidsite's fonts
    assert T.missing(ch, DARK.chain("font")) == ch
    layouts = tmp_path / "layouts"
    layouts.mkdir()
    font = _font_with(layouts / "Extra.ttf", ch)
    (layouts / "theme.toml").write_text('extra_fallback = ["Extra.ttf"]\n', encoding="utf-8")
    theme = load_theme("default", layouts)
    assert theme.fallback == DARK.fallback  # added to the theme's chain, not replacing it
    for style in ("font", "font_bold", "font_italic", "font_mono"):
        assert T.missing(f"Linear B {ch} and 中文", theme.chain(style)) == ""
        assert [p for s, p, _ in T.runs(f"Linear B {ch}", theme.chain(style)) if ch in s] == [str(font)]
    canvas = draw_slide("title", {"title": f"Linear B {ch}", "subtitle": ""}, {}, theme, "blue", 640, 360)
    assert not canvas.missing


@pytest.mark.parametrize("folder", ["content", "docs"])
def test_a_missing_glyph_is_named_with_the_page_path_and_line(tmp_path: Path, caplog: pytest.LogCaptureFixture,
                                                              folder: str) -> None:
    """Named as the author knows the page: under the configured content_dir, not always content/."""
    from vidsite.render.slides import _warn_missing

    _warn_missing.cache_clear()
    config = ESPEAK.replace("[video]", f'content_dir = "{folder}"\n[video]')
    site = make_site(tmp_path / "site", {f"{folder}/p.md": """
        ---
        title: Glyphs
        ---

        ```scene title
        title: Fine
        narration: Fine.
        ```

        ```scene title
        title: "Linear B \U00010000"
        narration: Linear B.
        ```
    """}, config)
    result = CliRunner().invoke(main, ["build", str(site), "-j", "1"], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    found = [r.getMessage() for r in caplog.records if "U+10000" in r.getMessage()]
    assert any(m.startswith(f"{folder}/p.md:10: ") and "'\U00010000'" in m for m in found), found
    assert all(m.startswith(f"{folder}/p.md:10: ") for m in found), found  # the crossfade into it says nothing


@pytest.mark.parametrize("kind", list(LONG))
def test_what_surely_fits_without_drawing_does_fit(kind: str) -> None:
    """The estimate that spares `vidsite check` from loading Pillow never keeps a slide that overflows."""
    from vidsite.scenes.paging import fits, join, surely_fits, units

    raw, key = LONG[kind]
    fields = _fields(kind, raw)
    pieces = units(kind, fields[key])
    n = max(k for k in range(1, len(pieces) + 1) if surely_fits(pieces[:k]))
    assert n >= 2
    assert fits(kind, {**fields, key: join(fields[key], pieces[:n])})
    assert not fits(kind, fields)


def test_checkpoint_columns_continue_at_40px_in_order(monkeypatch: pytest.MonkeyPatch) -> None:
    """Every column item at BODY_MIN on every slide (one size), each item on exactly one slide, columns in order."""
    raw = {"checkpoint_number": 2, "checkpoint_text": "Where we are",
           "completed_topics": [f"Topic {i} about routing and path parameters" for i in range(6)],
           "review_questions": [f"What does question {i} ask about dependencies?" for i in range(5)],
           "next_topics": ["Databases", "Testing"]}
    fields = _fields("checkpoint", raw)
    assert draw_slide("checkpoint", fields, {"reveal": 99}, DARK, "blue", 1920, 1080).overflow  # too long for one
    pages = expand(Scene("checkpoint", fields, 4, None))
    assert len(pages) > 1 and [p.fields["parts"] for p in pages] == [len(pages)] * len(pages)
    keys = ("completed_topics", "review_questions", "next_topics")
    assert [(k, i) for p in pages for k in keys for i in p.fields[k]] == [(k, i) for k in keys for i in fields[k]]
    assert [p for p in pages if p.fields.get("checkpoint_text")] == pages[:1]  # said once, on the first
    items = {i for k in keys for i in fields[k]}
    for page in pages:
        seen = _body_sizes(monkeypatch)
        canvas = draw_slide("checkpoint", page.fields, {"reveal": 99}, DARK, "blue", 1920, 1080)
        assert not canvas.overflow
        sizes = {size for size, shown in seen if any(shown and shown in i for i in items)}
        assert sizes == {BODY_MIN}, sizes
        monkeypatch.undo()


def test_quiz_options_are_40px_in_one_or_two_columns_and_too_long_is_an_error(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from vidsite.scenes.quiz import options_fit

    options = [f"Option {i}: a statement of some sixty characters, give or take" for i in range(8)]
    fields = _fields("quiz", {"question": "Which is right?", "options": options, "correct_answer": 2})
    seen = _body_sizes(monkeypatch)
    canvas = draw_slide("quiz", fields, {"reveal": 99, "answer": True}, DARK, "blue", 1920, 1080)
    drawn = [(size, shown) for size, shown in seen if "Option" in shown][-8:]  # the options as drawn, after measuring
    assert not canvas.overflow and len(drawn) == 8 and {size for size, _ in drawn} == {BODY_MIN}
    assert all(any(o in " ".join(shown.split()) for _, shown in drawn) for o in options)  # each whole
    monkeypatch.undo()
    assert not options_fit("Which is right?", [o * 3 for o in options])
    import json

    site = make_site(tmp_path / "site", {"content/q.md": f"""
        ---
        title: Quiz
        ---

        ```scene quiz
        question: Which is right?
        options: {json.dumps([o * 3 for o in options])}
        correct_answer: 1
        ```
    """}, ESPEAK)
    result = CliRunner().invoke(main, ["check", str(site)])
    assert result.exit_code != 0 and "content/q.md:" in result.output and "shorten them" in result.output, result.output


def test_a_long_comparison_continues_with_both_panels_at_one_code_size(monkeypatch: pytest.MonkeyPatch) -> None:
    from vidsite.scenes.code import MIN_CODE_SIZE

    before = "\n".join(f"def f{i}(x):\n    return x + {i}\n" for i in range(25))
    after = "\n".join(f"f{i} = lambda x: x + {i}" for i in range(25))
    fields = _fields("code_comparison", {"header": "Lambdas", "before_code": before, "after_code": after,
                                         "key_points": ["One line each", "Same behaviour"]})
    said = "Functions first. Then lambdas. They do the same. Less to read."
    pages = expand(Scene("code_comparison", fields, 5, said), lambda line, message: pytest.fail(message))
    assert len(pages) > 1 and [p.fields["part"] for p in pages] == list(range(1, len(pages) + 1))
    for key, code in (("before_code", before), ("after_code", after)):
        assert [ln for p in pages for ln in p.fields[key].split("\n") if ln.strip()] == \
            [ln for ln in code.split("\n") if ln.strip()]
    assert " ".join(p.narration or "" for p in pages).split() == said.split()
    mono = DARK.asset_path(DARK.font_mono)
    for page in pages:
        sizes: set[int] = set()
        font = T.font

        def spy(path: str, size: int, sizes: set[int] = sizes, font=font):  # type: ignore[no-untyped-def]
            if path == mono and size != 100:
                sizes.add(size)
            return font(path, size)

        monkeypatch.setattr(T, "font", spy)
        canvas = draw_slide("code_comparison", page.fields, {}, DARK, "blue", 1920, 1080)
        monkeypatch.undo()
        assert len(sizes) == 1 and min(sizes) >= MIN_CODE_SIZE and not canvas.overflow  # one size, never smaller
        assert not any("more line" in d for d in canvas.drawn)
        assert "One line each" in " ".join(canvas.drawn)


@pytest.mark.parametrize("kind,raw,text", [
    ("title", {"title": "Dependencies", "subtitle": "How FastAPI wires them",
               "key_message": "Declare what a path operation needs as a parameter and FastAPI builds it for you, "
                              "once per request, caching shared sub-dependencies"}, "Declare"),
    ("command", {"header": "Run", "commands": ["$ fastapi dev main.py"],
                 "key_points": ["Reloads on save", "Serves the docs at /docs", "Binds to localhost only"]}, "Reloads"),
    ("solution", {"solution_code": "print(1)\n", "explanation": "Printing a literal needs no import, and print "
                  "adds the newline itself."}, "Printing"),
])
def test_key_messages_and_notes_are_body_text(kind: str, raw: dict, text: str, monkeypatch: pytest.MonkeyPatch) -> None:
    seen = _body_sizes(monkeypatch)
    canvas = draw_slide(kind, _fields(kind, raw), {}, DARK, "blue", 1920, 1080)
    drawn = [(size, shown) for size, shown in seen if text in shown]
    assert drawn and min(size for size, _ in drawn) >= BODY_MIN and not canvas.overflow, drawn
    assert any(shown.rstrip().endswith(("for you", "dependencies", "only", "itself.")) for _, shown in drawn)


def test_table_cells_are_never_below_40px(monkeypatch: pytest.MonkeyPatch) -> None:
    from vidsite.scenes.table import split_rows

    rows = [[f"`--option-{i}`", str(i), f"What option {i} does, said in a sentence that wraps in its cell"]
            for i in range(14)]
    fields = _fields("table", {"header": "Options", "columns": ["Option", "Default", "Meaning"], "rows": rows})
    parts = split_rows(fields)
    assert len(parts) > 1 and [r for p in parts for r in p["rows"]] == rows
    for part in parts:
        seen = _body_sizes(monkeypatch)
        canvas = draw_slide("table", part, {"reveal": 99}, DARK, "blue", 1920, 1080)
        cells = [size for size, shown in seen if shown.startswith(("What option", "--option", "Option"))]
        assert cells and min(cells) >= BODY_MIN and not canvas.overflow
        monkeypatch.undo()
