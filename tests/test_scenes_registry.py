"""The scene registry: every type complete, drawn, narrated, titled, and its code never translated."""

from __future__ import annotations

import subprocess
import sys
from dataclasses import replace

import pytest
from pydantic import Field

from vidsite.errors import VidsiteError
from vidsite.models import Scene
from vidsite.narrate.templates import narrate
from vidsite.render.slides import render
from vidsite.render.theme import load_theme
from vidsite.scenes import COMMON, TYPES, SceneFields, SceneType, chapter_title, first_of, get
from vidsite.scenes.registry import BUILTIN, check
from vidsite.timeline import reveal_items
from vidsite.translate import _strings

THEME = load_theme("default", None)
BUILTIN_NAMES = ["title", "list", "command", "quote", "code_comparison", "outro", "learning_objectives", "problem",
                 "solution", "quiz", "checkpoint", "exercise", "code", "image", "markdown"]


def _scene(kind: SceneType, **extra: object) -> Scene:
    fields = kind.fields.model_validate({**kind.example, **extra}).model_dump(exclude=COMMON)
    return Scene(kind.name, fields, line=1)


def test_registry_holds_every_builtin_once_in_order() -> None:
    assert list(TYPES)[: len(BUILTIN_NAMES)] == BUILTIN_NAMES
    assert len({k.name for k in BUILTIN}) == len(BUILTIN)
    for name, kind in TYPES.items():
        assert kind.name == name and check(kind, "test") is kind


@pytest.mark.parametrize("name", sorted(TYPES))
def test_every_type_draws_and_narrates_its_example(name: str) -> None:
    kind = get(name)
    scene = _scene(kind)
    assert narrate(scene).strip()
    assert kind.narrate(scene.fields, "en-GB") == kind.narrate(scene.fields)  # no template for en-GB: the default
    shown = len(kind.reveal_items(scene.fields))
    states = [{}, {"reveal": 0}, {"reveal": shown}] + ([{"reveal": shown, "answer": True}] if kind.answer else [])
    pictures = {render(name, scene.fields, state, THEME, "blue", 320, 180).tobytes() for state in states}
    if shown:
        assert len(pictures) > 1, "revealing items changes the slide"
    assert not chapter_title(scene, 4).startswith("Scene "), "every example has a chapter title"


def test_chapter_titles_keep_their_key_order_and_length() -> None:
    code, image = get("code"), get("image")
    assert chapter_title(_scene(code, header="Head", caption="Cap"), 0) == "Head"
    assert chapter_title(_scene(code, header="", caption="Cap"), 0) == "Cap"
    assert chapter_title(_scene(image, caption=""), 2) == "diagram.png"
    assert chapter_title(_scene(get("markdown"), header=""), 2) == "Scene 3"
    assert chapter_title(_scene(get("checkpoint"), checkpoint_number=4), 10) == "Checkpoint 4"
    assert chapter_title(_scene(get("title"), title="x" * 80), 0) == "x" * 57 + "…"


def test_reveal_rules_come_from_the_type() -> None:
    checkpoint = _scene(get("checkpoint"), review_questions=["Why?"])
    assert reveal_items(checkpoint) == ["The basics", "Why?", "More"]
    assert reveal_items(_scene(get("quiz"))) == ["This one", "That one"]
    assert reveal_items(_scene(get("code"))) == []
    assert get("quiz").answer is not None and get("quiz").answer.flag == "show_answer"


@pytest.mark.parametrize("name", sorted(TYPES))
def test_code_fields_are_never_sent_for_translation(name: str) -> None:
    kind = get(name)
    data = {**kind.example, "narration": "Say this.", "voice": "female"}
    sent: list[str] = []
    slotted = _strings(data, sent)
    for key, value in data.items():
        if key in kind.untouched:
            assert slotted[key] == value, key  # left as written, not replaced by a slot
        elif isinstance(value, str):
            assert slotted[key] == {"__slot": sent.index(value)}, key
    for key in kind.code_fields & set(data):
        values = data[key] if isinstance(data[key], list) else [data[key]]
        assert not any(isinstance(v, str) and v in sent for v in values), key
    assert kind.code_fields <= kind.untouched


def test_per_language_templates_are_a_seam() -> None:
    kind = replace(get("title"), templates={"es": lambda f: f"Hola. {f['title']}."})
    assert kind.narrate({"title": "Guía"}, "es") == "Hola. Guía."
    assert kind.narrate({"title": "Guía"}, "es-MX") == "Hola. Guía."
    assert kind.narrate({"title": "Guide"}, "fr") == "Guide."


class _Fields(SceneFields):
    text: str
    points: list[str] = Field(default_factory=list)


def _draw(c: object, f: dict, state: dict) -> None:
    return None


GOOD = SceneType("banner", _Fields, lambda f: f["text"], _draw, first_of("text"), example={"text": "Hi"},
                 reveal=("points",))


@pytest.mark.parametrize("bad, message", [
    (replace(GOOD, draw=None), "needs `draw`"),
    (replace(GOOD, template="text"), "needs `template`"),
    (replace(GOOD, name="Bad Name"), "needs a name"),
    (replace(GOOD, fields=dict), "needs `fields`"),
    (replace(GOOD, reveal=("nope",)), "lacks in `reveal`: nope"),
    (replace(GOOD, code_fields=frozenset({"source"})), "lacks in `code_fields`: source"),
    (replace(GOOD, example={"txt": "Hi"}), "example its own fields refuse"),
    ("banner", "not vidsite.scenes.SceneType"),
])
def test_an_incomplete_type_is_refused_with_its_origin(bad: object, message: str) -> None:
    assert check(GOOD, "package `x`") is GOOD
    with pytest.raises(VidsiteError, match="from package `x`") as err:
        check(bad, "package `x`")
    assert message in str(err.value)


def test_the_registry_loads_neither_pyav_nor_numpy_nor_pillow() -> None:
    code = "import sys, vidsite.scenes, vidsite.content.scenes, vidsite.timeline, vidsite.narrate.templates; " \
           "print(sorted(m for m in ('av', 'numpy', 'PIL') if m in sys.modules))"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "[]"
