"""What a scene type is: one object holding everything the pipeline needs to know about it.

Before, a type was spread over seven tables keyed by strings and nothing checked they agreed;
a missing entry surfaced as a KeyError in a worker, or silently (a code field sent for
translation). Here a type cannot be registered without all of its parts.

This module imports neither Pillow nor PyAV: `vidsite check` loads every type to validate
fields and must stay fast. Drawing functions receive a `Canvas` (scenes/canvas.py) built by
the renderer, so family modules never import it at run time.
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Callable, Mapping

from pydantic import BaseModel, ConfigDict, Field

from vidsite.content.auto import clean
from vidsite.messages import N_, _, current, speaking

if TYPE_CHECKING:
    from vidsite.scenes.canvas import Canvas

log = logging.getLogger(__name__)

W, H = 1920, 1080  # design grid every slide is drawn on, scaled to the real frame
LEGIBLE = 28  # smallest text size, in design units, that counts as shown (≈ 19 px in a 1280-px player)
BODY_MIN = 40  # body text (items, paragraphs, quotes) is never smaller: the rest continues on the next slide
MAX_ITEMS = 12

Fields = dict[str, Any]
Template = Callable[[Fields], str]
Draw = Callable[["Canvas", Fields, dict[str, Any]], None]
ChapterTitle = Callable[[Fields], "str | None"]


class SceneFields(BaseModel):
    """Fields every scene may carry."""

    model_config = ConfigDict(extra="forbid", frozen=True, coerce_numbers_to_str=True)
    narration: str | None = Field(None, description="Spoken text; absent = written from the fields; 'ai' = Claude.")
    voice: str | None = Field(None, description="Voice alias or engine voice id for this scene.")
    min_duration: float | None = Field(None, ge=0, description="Shortest this scene may be, in seconds.")
    max_duration: float | None = Field(None, gt=0, description="Longest this scene may be (narration is never cut).")


COMMON = set(SceneFields.model_fields)
COMMON_KEPT = frozenset({"voice", "min_duration", "max_duration"})  # common fields never translated


def item_text(item: Any) -> str:
    """List items may be strings, {title, description} mappings or [title, description] pairs."""
    if isinstance(item, dict):
        title = str(item.get("title") or item.get("text") or "").strip()
        desc = str(item.get("description") or "").strip()
        return f"{title} — {desc}" if title and desc else title or desc
    if isinstance(item, (list, tuple)):
        return " — ".join(str(x).strip() for x in item if str(x).strip())
    return "" if item is None else str(item).strip()


def to_items(value: Any) -> list[str]:
    """A list field's items as text (a `mode="before"` validator for list fields)."""
    if value is None:
        return []
    if isinstance(value, (str, dict)):
        value = [value]
    if not isinstance(value, list):
        raise ValueError("must be a list")
    return [t for t in (item_text(v) for v in value) if t]


_STOPS = ".!?:…。！？：؟।"
_CJK = re.compile(r"[\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\uff01-\uff60]")


def sentence(*parts: str) -> str:
    """Join fragments into sentences, adding a full stop only where one is missing (`。` in
    Chinese and Japanese, which also need no space between sentences). A fragment already said
    ("Thanks for watching" as the outro's text and its closing words) is said once."""
    cjk = current().split("-")[0].lower() in ("ja", "zh")
    out = ""
    said: set[str] = set()
    for part in parts:
        part = clean(part).strip()
        key = part.rstrip(_STOPS).strip().casefold()
        if not key or key in said:
            continue
        said.add(key)
        if part[-1] not in _STOPS:
            part += "。" if cjk or _CJK.match(part[-1]) else "."
        out += part if not out or out[-1] in "。！？" else " " + part
    return out


def spoken_list(values: list[str]) -> str:
    """`a, b, and c`, as a narrator reads a list inside one sentence, in the language being spoken
    (CLDR's list patterns: `a, b y c`, `a、b和c`); joined with commas where CLDR lacks the language."""
    values = [clean(i).rstrip(".。") for i in values if clean(i)]
    if len(values) <= 1:
        return "".join(values)
    from babel.core import UnknownLocaleError
    from babel.lists import format_list

    try:
        return format_list(values, locale=current().replace("-", "_"))
    except (UnknownLocaleError, ValueError):
        return ", ".join(values)


DIFFICULTIES = {"easy": N_("Easy"), "medium": N_("Medium"), "hard": N_("Hard")}


def difficulty(value: Any) -> str:
    """A difficulty as drawn: easy, medium and hard in the page's language, any other as written."""
    text = str(value or "").strip()
    known = DIFFICULTIES.get(text.lower())
    return _(known) if known else text[:1].upper() + text[1:]


def first_of(*keys: str) -> ChapterTitle:
    """A chapter title taken from the first of `keys` the scene fills in (None: "Scene N")."""

    def title(fields: Fields) -> str | None:
        for key in keys:
            if fields.get(key):
                return str(fields[key])
        return None

    title.__qualname__ = f"first_of{keys}"
    return title


@dataclass(frozen=True)
class AnswerHold:
    """A scene that shows its answer after the narration: the viewer gets `think` seconds to
    answer, then the answer stays `hold` seconds. `flag` names the boolean field that turns it off."""

    think: float
    hold: float
    flag: str


@dataclass(frozen=True, eq=False)
class SceneType:
    """One scene type, declared once.

    `reveal` names the list fields whose items appear one by one as the narration reaches them,
    in order across the fields. `code_fields` are shown verbatim: never translated, never
    reflowed, and held to the code-length limit. `kept_fields` are never translated either but
    are not code (numbers, flags, answer keys). `templates` holds per-language narration
    templates by language code; `template` speaks every other language, its own words looked up
    with `vidsite.messages._` in the language set around it.
    """

    name: str
    fields: type[SceneFields]
    template: Template
    draw: Draw
    chapter_title: ChapterTitle
    example: Mapping[str, Any]
    reveal: tuple[str, ...] = ()
    answer: AnswerHold | None = None
    code_fields: frozenset[str] = frozenset()
    kept_fields: frozenset[str] = frozenset()
    templates: Mapping[str, Template] = field(default_factory=dict)

    def narrate(self, fields: Fields, language: str | None = None) -> str:
        """Narration written from the visual fields in `language`: the type's template for that
        language if it has one, else its template with vidsite's words from the catalog."""
        chosen = None
        if language:
            chosen = self.templates.get(language) or self.templates.get(language.split("-")[0])
        with speaking(language):
            return (chosen or self.template)(fields)

    def reveal_items(self, fields: Fields) -> list[str]:
        """The items revealed one by one, in order; empty when the type shows everything at once."""
        return [item for key in self.reveal for item in fields.get(key, [])]

    @property
    def untouched(self) -> frozenset[str]:
        """Fields a translation must leave as written."""
        return self.code_fields | self.kept_fields | COMMON_KEPT
