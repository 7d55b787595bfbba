"""Drawing is total: every scene type, fed hostile field text, draws a slide and never raises."""

from __future__ import annotations

from typing import Any

from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from vidsite.content.scenes import SCENE_TYPES
from vidsite.render.slides import render
from vidsite.render.theme import load_theme
from vidsite.scaffold import EXAMPLE_FIELDS

THEME = load_theme("default", None)
HOSTILE = st.one_of(
    st.text(max_size=200),
    st.sampled_from([
        "", " ", "\n\n\n", "\t\tindented\n\n\tcode\n", "a" * 10_000, "x\x00y\x07z\x1b[31m\u202e\ufeff",
        "日本語とEnglishとالعربية😀 mixed", "\n\nleading and trailing blank lines\n\n", "```\n```", "{{ x }}",
        "\u0301\u0301 combining", "\ud7ff\ue000\U0010fffd", "line\u2028and paragraph\u20290 separators",
    ]),
)
LANGUAGES = st.sampled_from(["python", "vue-html", "no-such-language", "", "rust", "console", "c++", "yaml"])


def _hostile(value: Any, text: st.DrawFn) -> Any:
    if isinstance(value, str):
        return text(HOSTILE)
    if isinstance(value, list):
        return [text(HOSTILE) or "item" for _ in range(text(st.integers(1, 12)))]
    return value


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data(), scene_type=st.sampled_from(sorted(SCENE_TYPES)), rtl=st.booleans())
def test_every_scene_type_draws_hostile_text(data, scene_type: str, rtl: bool) -> None:
    fields = {k: _hostile(v, data.draw) for k, v in EXAMPLE_FIELDS[scene_type].items()}
    if "language" in SCENE_TYPES[scene_type].model_fields:
        fields["language"] = data.draw(LANGUAGES)
    try:  # fields the schema refuses are a content error with path:line, not a drawing
        fields = SCENE_TYPES[scene_type].model_validate(fields).model_dump(exclude_none=True)
    except ValueError:
        assume(False)
    for state in ({}, {"reveal": 0}, {"reveal": 1, "answer": True}):
        image = render(scene_type, fields, state, THEME, "blue", 320, 180, rtl)
        assert image.size == (320, 180)


def test_code_whose_lexer_drops_blank_lines_keeps_every_line() -> None:
    """Pygments may return fewer lines than the code has: colours follow characters, not line numbers."""
    from vidsite.render.slides import _highlight

    code = "\n\n<template>\n\n  <div>hi</div>\n\n</template>\n\n"
    for language in ("vue-html", "html", "python", "no-such-language"):
        lines = _highlight(code, language, THEME)
        assert ["".join(t for t, _ in runs) for runs in lines] == code.split("\n"), language


def test_line_and_paragraph_separators_are_drawn_as_line_breaks() -> None:
    """U+2028/U+2029 inside a line made raqm fail (found by the hostile-text test): they break the line."""
    from vidsite.scenes.canvas import drawable

    assert drawable("one\u2028two\u20290") == "one\ntwo\n0"
    for kind, fields in (("callout", {"text": "\u20290"}), ("quote", {"quote_text": "a\u2028b"})):
        assert render(kind, {**EXAMPLE_FIELDS[kind], **fields}, {}, THEME, "blue", 320, 180, False).size == (320, 180)
