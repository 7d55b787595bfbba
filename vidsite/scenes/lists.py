"""Scenes whose items appear one by one as the narration reaches them: list, learning
objectives, checkpoint, exercise."""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Any

from pydantic import Field, field_validator

from vidsite.scenes.base import (MAX_ITEMS, W, Fields, SceneFields, SceneType, first_of, sentence, spoken_list,
                                 to_items)

if TYPE_CHECKING:
    from vidsite.scenes.canvas import Canvas

log = logging.getLogger(__name__)


class ListScene(SceneFields):
    header: str
    description: str = ""
    items: list[str] = Field(min_length=1, max_length=MAX_ITEMS)
    _norm = field_validator("items", mode="before")(lambda cls, v: to_items(v))


class LearningObjectives(SceneFields):
    lesson_title: str
    objectives: list[str] = Field(min_length=1, max_length=MAX_ITEMS)
    lesson_info: str = ""
    _norm = field_validator("objectives", mode="before")(lambda cls, v: to_items(v))


class Checkpoint(SceneFields):
    checkpoint_number: int | str = 1
    completed_topics: list[str] = Field(default_factory=list, max_length=MAX_ITEMS)
    review_questions: list[str] = Field(default_factory=list, max_length=MAX_ITEMS)
    next_topics: list[str] = Field(default_factory=list, max_length=MAX_ITEMS)
    _norm = field_validator("completed_topics", "review_questions", "next_topics", mode="before")(
        lambda cls, v: to_items(v)
    )


class Exercise(SceneFields):
    title: str
    instructions: list[str] = Field(min_length=1, max_length=MAX_ITEMS)
    difficulty: str = "medium"
    estimated_time: str = ""
    _norm = field_validator("instructions", mode="before")(lambda cls, v: to_items(v))


def _list_text(f: Fields) -> str:
    return sentence(f["header"], f.get("description", ""), *f["items"])


def _draw_list(c: Canvas, f: Fields, state: dict[str, Any]) -> None:
    y = c.header(f["header"], f.get("description", ""))
    c.bullets(f["items"], y, state.get("reveal", len(f["items"])))


def _objectives_text(f: Fields) -> str:
    return sentence(f"In {f['lesson_title']}, you will learn", *f["objectives"])


def _draw_objectives(c: Canvas, f: Fields, state: dict[str, Any]) -> None:
    y = c.header(f["lesson_title"], "Learning objectives")
    bottom = 930 if f.get("lesson_info") else 1010
    c.bullets(f["objectives"], y, state.get("reveal", len(f["objectives"])), marker=lambda i: f"{i + 1}.",
              bottom=bottom)
    c.text(f.get("lesson_info", ""), c.m, 950, W - 2 * c.m, 60, size=36, fill=c.theme.muted, max_lines=1)


def _checkpoint_text(f: Fields) -> str:
    done = spoken_list(f.get("completed_topics", []))
    nxt = spoken_list(f.get("next_topics", []))
    return sentence(
        f"Checkpoint {f['checkpoint_number']}",
        f"So far we covered {done}" if done else "",
        *f.get("review_questions", []),
        f"Next up: {nxt}" if nxt else "",
    )


def _draw_checkpoint(c: Canvas, f: Fields, state: dict[str, Any]) -> None:
    y = c.header(f"Checkpoint {f['checkpoint_number']}")
    cols = [("Completed", "✓", f.get("completed_topics", [])), ("Review", "?", f.get("review_questions", [])),
            ("Next", "→", f.get("next_topics", []))]
    cols = [col for col in cols if col[2]] or cols[:1]
    gap = 40
    w = (W - 2 * c.m - gap * (len(cols) - 1)) / len(cols)
    budget = state.get("reveal", 10**6)
    for i, (label, mark, shown) in enumerate(cols):
        x = c.m + i * (w + gap)
        c.box(x, y, w, 1010 - y, c.theme.surface)
        c.text(label, x + 30, y + 24, w - 60, 60, size=44, font="font_bold", fill=c.accent, max_lines=1)
        n = min(len(shown), max(0, budget))
        budget -= len(shown)
        c.bullets(shown, y + 110, n, marker=lambda _i, m=mark: m, x=x + 24, w=w - 48, bottom=990, size=36)


def _checkpoint_title(f: Fields) -> str:
    return f"Checkpoint {f.get('checkpoint_number', 1)}"


def _exercise_text(f: Fields) -> str:
    time = f.get("estimated_time", "")
    return sentence(f"Exercise: {f['title']}", *f["instructions"], f"This should take about {time}" if time else "")


def _draw_exercise(c: Canvas, f: Fields, state: dict[str, Any]) -> None:
    c.frame()
    x = c.pill("Exercise", c.m, 90, c.accent)
    x = c.pill(str(f.get("difficulty", "")).title() or "Practice", x, 90, c.theme.muted)
    if f.get("estimated_time"):
        c.pill(str(f["estimated_time"]), x, 90, c.theme.muted)
    y = c.text(f["title"], c.m, 200, W - 2 * c.m, 170, size=c.theme.header_size, font="font_bold", max_lines=2)
    c.bullets(f["instructions"], y + 40, state.get("reveal", len(f["instructions"])), marker=lambda i: f"{i + 1}.")


LIST = SceneType("list", ListScene, _list_text, _draw_list, first_of("header"), reveal=("items",),
                 example={"header": "Key points", "items": ["First point", "Second point", "Third point"]})
OBJECTIVES = SceneType(
    "learning_objectives", LearningObjectives, _objectives_text, _draw_objectives, first_of("lesson_title"),
    reveal=("objectives",), example={"lesson_title": "{title}", "objectives": ["Understand the idea", "Try it yourself"]},
)
CHECKPOINT = SceneType(
    "checkpoint", Checkpoint, _checkpoint_text, _draw_checkpoint, _checkpoint_title,
    reveal=("completed_topics", "review_questions", "next_topics"), kept_fields=frozenset({"checkpoint_number"}),
    example={"checkpoint_number": 1, "completed_topics": ["The basics"], "next_topics": ["More"]},
)
EXERCISE = SceneType(
    "exercise", Exercise, _exercise_text, _draw_exercise, first_of("title"), reveal=("instructions",),
    example={"title": "Practice", "instructions": ["Do this", "Then that"], "estimated_time": "5 minutes"},
)
