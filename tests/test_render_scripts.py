"""Slides mixing scripts: Chinese with Latin words, Japanese with code names, an italic Arabic quote,
CJK comments inside code, a Hebrew list, a Russian title. Every character drawn is drawn by a face
whose character map has it, none is left out, and the slides match their golden frames."""

from __future__ import annotations

import unicodedata
from pathlib import Path

import numpy as np
import pytest
from golden import GOLDEN, SCRIPTS, render_scripts
from PIL import Image

from vidsite.render import shaping
from vidsite.render import text as T
from vidsite.render.inline import plain
from vidsite.render.slides import render
from vidsite.render.theme import load_theme
from vidsite.scenes import get


def test_mixed_script_slides_match_their_golden_frames() -> None:
    """Regenerate with `python tests/golden.py` after an intended visual change."""
    for name, image in render_scripts().items():
        golden = Image.open(GOLDEN / f"{name}.png").convert("RGB")
        d = np.abs(np.asarray(image, dtype=int) - np.asarray(golden, dtype=int))
        assert d.mean() < 1.0 and (d.max(axis=2) > 48).mean() < 0.005, f"{name} differs from tests/golden/{name}.png"


def _record_drawing(monkeypatch: pytest.MonkeyPatch) -> list[tuple[str, str]]:
    """Every run of text drawn from now on, with the font file that drew it."""
    drawn: list[tuple[str, str]] = []
    draw = shaping.draw

    def spy(draw_, x, baseline, segment, f, fill, rtl):  # type: ignore[no-untyped-def]
        drawn.append((segment, str(f.path)))
        return draw(draw_, x, baseline, segment, f, fill, rtl)

    monkeypatch.setattr(shaping, "draw", spy)
    return drawn


@pytest.mark.parametrize("name", list(SCRIPTS))
def test_every_drawn_character_is_in_the_map_of_the_face_that_drew_it(name: str,
                                                                       monkeypatch: pytest.MonkeyPatch) -> None:
    drawn = _record_drawing(monkeypatch)
    kind, fields, rtl = SCRIPTS[name]
    render(kind, get(kind).fields.model_validate(fields).model_dump(), {"reveal": 99}, load_theme("default", None),
           "purple", 960, 540, rtl=rtl)
    faces = set()
    for segment, path in drawn:
        for ch in segment:
            if not ch.isspace():
                assert ord(ch) in T.coverage(path), f"{ch!r} drawn with {Path(path).name}, which lacks it"
        faces.add(Path(path).name)
    assert len(faces) >= 2, faces  # a mixed slide takes more than one face
    shown = "".join(s for s, _ in drawn)
    written = "".join(plain(v) for k, v in fields.items() if isinstance(v, str) and k != "language")
    written += "".join(fields.get("items", []))
    lost = {ch for ch in written if unicodedata.category(ch)[0] in "LN" and ch not in shown}
    assert not lost, f"characters never drawn: {''.join(sorted(lost))}"


def test_emoji_in_terminal_output_are_drawn_by_the_bundled_emoji_face(monkeypatch: pytest.MonkeyPatch) -> None:
    """FastAPI prints 🐍 and 🚀: drawn by Noto Emoji (monochrome, in the default fallback chain), not as boxes."""
    from vidsite.render.slides import draw_slide

    drawn = _record_drawing(monkeypatch)
    fields = get("command").fields.model_validate({
        "header": "Run it 🚀", "commands": ["$ fastapi dev main.py", "  🐍 Python module file"]}).model_dump()
    canvas = draw_slide("command", fields, {"reveal": 99}, load_theme("default", None), "blue", 960, 540)
    assert not canvas.missing, canvas.missing
    for emoji in "🐍🚀":
        faces = {Path(path).name for segment, path in drawn if emoji in segment}
        assert faces == {"NotoEmoji-Regular.ttf"}, (emoji, faces)
        assert all(ord(emoji) in T.coverage(path) for segment, path in drawn if emoji in segment)
    font = Path(T.__file__).parent.parent / "fonts"
    assert (font / "NotoEmoji-Regular.ttf").stat().st_size < 1_000_000 and (font / "LICENSE-NotoEmoji.txt").is_file()
