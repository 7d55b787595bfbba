"""Scene types: the fields each one takes, with the reference system's names.

Each type is a pydantic model so unknown fields and wrong types are caught with their name,
and `vidsite schema` can print them.
"""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

MAX_ITEMS = 12


def _item_text(item: Any) -> str:
    """List items may be strings, {title, description} mappings or [title, description] pairs."""
    if isinstance(item, dict):
        title = str(item.get("title") or item.get("text") or "").strip()
        desc = str(item.get("description") or "").strip()
        return f"{title} — {desc}" if title and desc else title or desc
    if isinstance(item, (list, tuple)):
        return " — ".join(str(x).strip() for x in item if str(x).strip())
    return "" if item is None else str(item).strip()


def _items(value: Any) -> list[str]:
    if value is None:
        return []
    if isinstance(value, (str, dict)):
        value = [value]
    if not isinstance(value, list):
        raise ValueError("must be a list")
    return [t for t in (_item_text(v) for v in value) if t]


class SceneFields(BaseModel):
    """Fields every scene may carry."""

    model_config = ConfigDict(extra="forbid", frozen=True, coerce_numbers_to_str=True)
    narration: str | None = Field(None, description="Spoken text; absent = written from the fields; 'ai' = Claude.")
    voice: str | None = Field(None, description="Voice alias or engine voice id for this scene.")
    min_duration: float | None = Field(None, ge=0, description="Shortest this scene may be, in seconds.")
    max_duration: float | None = Field(None, gt=0, description="Longest this scene may be (narration is never cut).")


class Title(SceneFields):
    title: str
    subtitle: str = ""


class ListScene(SceneFields):
    header: str
    description: str = ""
    items: list[str] = Field(min_length=1, max_length=MAX_ITEMS)
    _norm = field_validator("items", mode="before")(lambda cls, v: _items(v))


class Command(SceneFields):
    header: str = ""
    description: str = ""
    commands: list[str] = Field(min_length=1, max_length=40)
    _norm = field_validator("commands", mode="before")(lambda cls, v: [v] if isinstance(v, str) else v)


class Quote(SceneFields):
    quote_text: str
    attribution: str = ""


class CodeComparison(SceneFields):
    header: str = ""
    before_code: str
    after_code: str
    before_label: str = "Before"
    after_label: str = "After"
    language: str = "python"


class Outro(SceneFields):
    main_text: str
    sub_text: str = ""


class LearningObjectives(SceneFields):
    lesson_title: str
    objectives: list[str] = Field(min_length=1, max_length=MAX_ITEMS)
    lesson_info: str = ""
    _norm = field_validator("objectives", mode="before")(lambda cls, v: _items(v))


class Problem(SceneFields):
    problem_number: int | str = 1
    title: str
    problem_text: str
    difficulty: Literal["easy", "medium", "hard"] | str = "medium"


class Solution(SceneFields):
    title: str = "Solution"
    solution_code: str
    explanation: str = ""
    language: str = "python"


class Quiz(SceneFields):
    question: str
    options: list[str] = Field(min_length=2, max_length=8)
    correct_answer: str | int
    show_answer: bool = True
    _norm = field_validator("options", mode="before")(lambda cls, v: _items(v))


class Checkpoint(SceneFields):
    checkpoint_number: int | str = 1
    completed_topics: list[str] = Field(default_factory=list, max_length=MAX_ITEMS)
    review_questions: list[str] = Field(default_factory=list, max_length=MAX_ITEMS)
    next_topics: list[str] = Field(default_factory=list, max_length=MAX_ITEMS)
    _norm = field_validator("completed_topics", "review_questions", "next_topics", mode="before")(
        lambda cls, v: _items(v)
    )


class Exercise(SceneFields):
    title: str
    instructions: list[str] = Field(min_length=1, max_length=MAX_ITEMS)
    difficulty: str = "medium"
    estimated_time: str = ""
    _norm = field_validator("instructions", mode="before")(lambda cls, v: _items(v))


class Code(SceneFields):
    header: str = ""
    code: str
    language: str = "text"
    caption: str = ""


class Image(SceneFields):
    src: str
    caption: str = ""
    alt: str = ""


class Markdown(SceneFields):
    header: str = ""
    text: str


SCENE_TYPES: dict[str, type[SceneFields]] = {
    "title": Title,
    "list": ListScene,
    "command": Command,
    "quote": Quote,
    "code_comparison": CodeComparison,
    "outro": Outro,
    "learning_objectives": LearningObjectives,
    "problem": Problem,
    "solution": Solution,
    "quiz": Quiz,
    "checkpoint": Checkpoint,
    "exercise": Exercise,
    "code": Code,
    "image": Image,
    "markdown": Markdown,
}

COMMON = set(SceneFields.model_fields)
