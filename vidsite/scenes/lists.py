"""Scenes whose items appear one by one as the narration reaches them: list, learning
objectives, checkpoint, exercise."""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Any

from pydantic import Field, field_validator

from vidsite.messages import _
from vidsite.scenes.base import (BODY_MIN, MAX_ITEMS, W, Fields, SceneFields, SceneType, difficulty, sentence,
                                 spoken_list, to_items)
from vidsite.scenes.paging import continued, paged_title, part_label

if TYPE_CHECKING:
    from vidsite.scenes.canvas import Canvas

log = logging.getLogger(__name__)


class ListScene(SceneFields):
    header: str
    description: str = ""
    topic: str = Field("", description="A sentence that introduces the items, drawn above them.")
    items: list[str] = Field(min_length=1, max_length=MAX_ITEMS)
    part: int = Field(0, ge=0, description="This slide's place among the slides a long scene continues on.")
    parts: int = Field(0, ge=0, description="How many slides the scene continues on (0: one).")
    _norm = field_validator("items", mode="before")(lambda cls, v: to_items(v))


class LearningObjectives(SceneFields):
    lesson_title: str = ""
    title: str = Field("", description="The slide's heading (\"What you'll learn\"); \"\" = \"Learning objectives\".")
    objectives: list[str] = Field(min_length=1, max_length=MAX_ITEMS)
    lesson_info: str = ""
    start: int = Field(1, ge=1, description="The number of the first item (a continued slide goes on counting).")
    part: int = Field(0, ge=0, description="This slide's place among the slides a long scene continues on.")
    parts: int = Field(0, ge=0, description="How many slides the scene continues on (0: one).")
    _norm = field_validator("objectives", mode="before")(lambda cls, v: to_items(v))


class Checkpoint(SceneFields):
    checkpoint_number: int | str = 1
    title: str = Field("", description="The slide's heading; \"\" = \"Checkpoint N\".")
    checkpoint_text: str = Field("", description="What the checkpoint says, drawn under its heading.")
    completed_topics: list[str] = Field(default_factory=list, max_length=MAX_ITEMS)
    review_questions: list[str] = Field(default_factory=list, max_length=MAX_ITEMS)
    next_topics: list[str] = Field(default_factory=list, max_length=MAX_ITEMS)
    part: int = Field(0, ge=0, description="This slide's place among the slides a long scene continues on.")
    parts: int = Field(0, ge=0, description="How many slides the scene continues on (0: one).")
    _norm = field_validator("completed_topics", "review_questions", "next_topics", mode="before")(
        lambda cls, v: to_items(v)
    )


class Exercise(SceneFields):
    title: str
    instructions: list[str] = Field(min_length=1, max_length=MAX_ITEMS)
    difficulty: str = "medium"
    estimated_time: str = ""
    start: int = Field(1, ge=1, description="The number of the first item (a continued slide goes on counting).")
    part: int = Field(0, ge=0, description="This slide's place among the slides a long scene continues on.")
    parts: int = Field(0, ge=0, description="How many slides the scene continues on (0: one).")
    _norm = field_validator("instructions", mode="before")(lambda cls, v: to_items(v))


LEDE_SIZE = 40  # design px of a lede (a list's or command's `topic`), at most two lines under the header


def lede(c: Canvas, text: str, y: float) -> float:
    """A sentence introducing what follows, drawn under the slide header; returns where content
    goes next (`y` itself when there is none)."""
    if not text:
        return y
    end = c.text(text, c.m, y - 10, W - 2 * c.m, LEDE_SIZE * 1.25 * 2 + 2, size=LEDE_SIZE, font="font_italic",
                 max_lines=2)
    return end + 30


def _list_text(f: Fields) -> str:
    if continued(f):
        return sentence(*f["items"])
    return sentence(f["header"], f.get("description", ""), f.get("topic", ""), *f["items"])


def _draw_list(c: Canvas, f: Fields, state: dict[str, Any]) -> None:
    description = " · ".join(p for p in (part_label(f), f.get("description", "")) if p)
    y = lede(c, f.get("topic", ""), c.header(f["header"], description))
    c.bullets(f["items"], y, state.get("reveal", len(f["items"])))


def _objectives_text(f: Fields) -> str:
    if continued(f):
        return sentence(*f["objectives"])
    lesson = f.get("lesson_title", "")
    intro = _("In {title}, you will learn", title=lesson) if lesson else ""
    return sentence(f.get("title", "") or ("" if lesson else _("Learning objectives")), intro, *f["objectives"])


def _draw_objectives(c: Canvas, f: Fields, state: dict[str, Any]) -> None:
    """The lesson's name as the heading under a "Learning objectives" label (or the author's `title`);
    with no lesson name, the title (or the label) is the heading."""
    label = " · ".join(p for p in (f.get("title", "") or _("Learning objectives"), part_label(f)) if p)
    y = c.header(f["lesson_title"], label) if f.get("lesson_title") else c.header(label)
    bottom = 930 if f.get("lesson_info") else 1010
    first = f.get("start", 1)
    c.bullets(f["objectives"], y, state.get("reveal", len(f["objectives"])), marker=lambda i: f"{first + i}.",
              bottom=bottom)
    c.text(f.get("lesson_info", ""), c.m, 950, W - 2 * c.m, 60, size=36, fill=c.theme.muted, max_lines=1)


def _checkpoint_text(f: Fields) -> str:
    done = spoken_list(f.get("completed_topics", []))
    nxt = spoken_list(f.get("next_topics", []))
    return sentence(
        "" if continued(f) else _checkpoint_title(f),
        f.get("checkpoint_text", ""),
        _("So far we covered {topics}", topics=done) if done else "",
        *f.get("review_questions", []),
        _("Next up: {topics}", topics=nxt) if nxt else "",
    )


def _draw_checkpoint(c: Canvas, f: Fields, state: dict[str, Any]) -> None:
    """Up to three columns (completed, review, next), every item at BODY_MIN (one size on the
    slide; what does not fit continues on the next, `vidsite.scenes.paging`); the checkpoint's
    text under the heading, or filling the slide when there are no columns."""
    cols = [(_("Completed"), "✓", f.get("completed_topics", [])), (_("Review"), "?", f.get("review_questions", [])),
            (_("Next"), "→", f.get("next_topics", []))]
    text = f.get("checkpoint_text", "")
    if text and not any(col[2] for col in cols):
        y = c.header(_checkpoint_title(f), part_label(f))
        c.text(text, c.m, y, W - 2 * c.m, 1010 - y, size=round(c.theme.body_size * 1.3), body=True)
        return
    y = c.header(_checkpoint_title(f), " · ".join(p for p in (part_label(f), text) if p))
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
        c.bullets(shown, y + 110, n, marker=lambda _i, m=mark: m, x=x + 24, w=w - 48, bottom=990, size=BODY_MIN)


def _checkpoint_title(f: Fields) -> str:
    return f.get("title") or _("Checkpoint {number}", number=f.get("checkpoint_number", 1))


def _checkpoint_chapter(f: Fields) -> str:
    part = part_label(f)
    return f"{_checkpoint_title(f)} ({part})" if part else _checkpoint_title(f)


def _exercise_text(f: Fields) -> str:
    if continued(f):
        return sentence(*f["instructions"])
    time = f.get("estimated_time", "")
    return sentence(_("Exercise: {title}", title=f["title"]), *f["instructions"],
                    _("This should take about {time}", time=time) if time else "")


def _draw_exercise(c: Canvas, f: Fields, state: dict[str, Any]) -> None:
    c.frame()
    x = c.pill(_("Exercise"), c.m, 90, c.accent)
    x = c.pill(difficulty(f.get("difficulty", "")) or _("Practice"), x, 90, c.theme.muted)
    if f.get("estimated_time"):
        x = c.pill(str(f["estimated_time"]), x, 90, c.theme.muted)
    c.pill(part_label(f), x, 90, c.theme.surface)
    y = c.text(f["title"], c.m, 200, W - 2 * c.m, 170, size=c.theme.header_size, font="font_bold", max_lines=2)
    first = f.get("start", 1)
    c.bullets(f["instructions"], y + 40, state.get("reveal", len(f["instructions"])), marker=lambda i: f"{first + i}.")


LIST = SceneType("list", ListScene, _list_text, _draw_list, paged_title("header"), reveal=("items",),
                 kept_fields=frozenset({"part", "parts"}),
                 example={"header": "Key points", "items": ["First point", "Second point", "Third point"]})
OBJECTIVES = SceneType(
    "learning_objectives", LearningObjectives, _objectives_text, _draw_objectives,
    paged_title("lesson_title", "title"), reveal=("objectives",), kept_fields=frozenset({"part", "parts", "start"}), example={"lesson_title": "{title}", "objectives": ["Understand the idea", "Try it yourself"]},
)
CHECKPOINT = SceneType(
    "checkpoint", Checkpoint, _checkpoint_text, _draw_checkpoint, _checkpoint_chapter,
    reveal=("completed_topics", "review_questions", "next_topics"),
    kept_fields=frozenset({"checkpoint_number", "part", "parts"}),
    example={"checkpoint_number": 1, "completed_topics": ["The basics"], "next_topics": ["More"]},
)
EXERCISE = SceneType(
    "exercise", Exercise, _exercise_text, _draw_exercise, paged_title("title"), reveal=("instructions",),
    kept_fields=frozenset({"part", "parts", "start"}),
    example={"title": "Practice", "instructions": ["Do this", "Then that"], "estimated_time": "5 minutes"},
)
