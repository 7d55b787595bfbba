"""Scenes that ask the viewer something: quiz (options revealed, then the answer) and problem."""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Any, Literal

from pydantic import Field, field_validator

from vidsite.messages import _
from vidsite.scenes.paging import continued, part_label
from vidsite.scenes.base import (W, AnswerHold, Fields, SceneFields, SceneType, difficulty, first_of, sentence,
                                 to_items)

if TYPE_CHECKING:
    from vidsite.scenes.canvas import Canvas

log = logging.getLogger(__name__)
LETTERS = "ABCDEFGH"


class Quiz(SceneFields):
    question: str
    options: list[str] = Field(min_length=2, max_length=8)
    correct_answer: str | int
    show_answer: bool = True
    _norm = field_validator("options", mode="before")(lambda cls, v: to_items(v))


class Problem(SceneFields):
    problem_number: int | str = 1
    title: str
    problem_text: str
    difficulty: Literal["easy", "medium", "hard"] | str = "medium"
    part: int = Field(0, ge=0, description="This slide's place among the slides a long scene continues on.")
    parts: int = Field(0, ge=0, description="How many slides the scene continues on (0: one).")


def _quiz_text(f: Fields) -> str:
    return sentence(f["question"], *f["options"], _("Take a moment to think"))


def correct_index(options: list[str], answer: Any) -> int | None:
    """The right option: `correct_answer` is an index, the option's text or its letter."""
    if isinstance(answer, int) and not isinstance(answer, bool):
        return answer
    correct = None
    text = str(answer).strip()
    for i, opt in enumerate(options):
        if opt == text or (len(text) == 1 and text.upper() == LETTERS[i]):
            correct = i
    return correct


def _draw_quiz(c: Canvas, f: Fields, state: dict[str, Any]) -> None:
    c.frame()
    y = c.text(f["question"], c.m, 90, W - 2 * c.m, 220, size=64, font="font_bold", max_lines=3) + 40
    options = f["options"]
    correct = correct_index(options, f["correct_answer"])
    shown = state.get("reveal", len(options))
    step = min((1010 - y) / len(options), 150)
    for i, opt in enumerate(options[:shown]):
        oy = y + i * step
        right = state.get("answer") and i == correct
        c.box(c.m, oy, W - 2 * c.m, step - 24, c.accent if right else c.theme.surface)
        label = f"{LETTERS[i]}.  {opt}" + ("   ✓" if right else "")
        c.text(label, c.m + 36, oy + (step - 24) / 2 - 30, W - 2 * c.m - 72, 64, size=44,
               font="font_bold" if right else "font", max_lines=1, min_size=26,
               fill=c.ink_on(c.accent) if right else c.theme.text)


def _problem_text(f: Fields) -> str:
    if continued(f):
        return sentence(f["problem_text"])
    return sentence(_("Problem {number}: {title}", number=f["problem_number"], title=f["title"]), f["problem_text"])


def _draw_problem(c: Canvas, f: Fields, state: dict[str, Any]) -> None:
    c.frame()
    x = c.pill(_("Problem {number}", number=f["problem_number"]), c.m, 90, c.accent)
    x = c.pill(difficulty(f["difficulty"]), x, 90, c.theme.muted)
    c.pill(part_label(f), x, 90, c.theme.surface)
    y = c.text(f["title"], c.m, 200, W - 2 * c.m, 170, size=c.theme.header_size, font="font_bold", max_lines=2)
    c.text(f["problem_text"], c.m, y + 40, W - 2 * c.m, 1000 - y - 40, size=c.theme.body_size, body=True)


QUIZ = SceneType(
    "quiz", Quiz, _quiz_text, _draw_quiz, first_of("question"), reveal=("options",),
    answer=AnswerHold(think=1.5, hold=2.0, flag="show_answer"),  # seconds to think, then the answer shows
    kept_fields=frozenset({"correct_answer", "show_answer"}),
    example={"question": "Which is right?", "options": ["This one", "That one"], "correct_answer": "This one"},
)
PROBLEM = SceneType(
    "problem", Problem, _problem_text, _draw_problem, first_of("title"), kept_fields=frozenset({"problem_number", "part", "parts"}),
    example={"problem_number": 1, "title": "A small problem", "problem_text": "Describe the task here."},
)
