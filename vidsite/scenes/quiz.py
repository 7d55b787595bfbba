"""Scenes that ask the viewer something: quiz (options revealed, then the answer) and problem."""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Any, Literal

from pydantic import Field, field_validator, model_validator

from vidsite.messages import _
from vidsite.scenes.paging import continued, part_label
from vidsite.scenes.base import (BODY_MIN, W, AnswerHold, Fields, SceneFields, SceneType, difficulty, first_of, sentence,
                                 to_items)

if TYPE_CHECKING:
    from vidsite.scenes.canvas import Canvas

log = logging.getLogger(__name__)
LETTERS = "ABCDEFGH"
OPTION_SIZE = 44  # design px an option is drawn at where it fits, down to BODY_MIN
SURE_CELLS = 48  # an option this short surely fits one line of a one-column quiz
GAP = 18  # design px between option boxes


class Quiz(SceneFields):
    question: str
    options: list[str] = Field(min_length=2, max_length=8)
    correct_answer: str | int
    show_answer: bool = True
    _norm = field_validator("options", mode="before")(lambda cls, v: to_items(v))

    @model_validator(mode="after")
    def _fits(self) -> Quiz:
        """A quiz is one slide (its answer shows on it): options that do not fit it at BODY_MIN, in
        one column or two, are the author's to shorten, never drawn smaller."""
        if not options_fit(self.question, self.options):
            raise ValueError(f"options: {len(self.options)} options this long do not fit one slide at {BODY_MIN} px, "
                             "even in two columns of three lines each; shorten them (say the detail in the "
                             "narration), or ask fewer")
        return self


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


def options_fit(question: str, options: list[str], language: str | None = None) -> bool:
    """Whether the options fit one slide at BODY_MIN: surely, when there are few short ones (no
    Pillow for `vidsite check`), else drawn on the design grid (`vidsite.scenes.paging.fits`)."""
    from vidsite.content.auto import cells
    from vidsite.scenes.paging import fits

    if len(options) <= 6 and cells(question) <= 100 and all(cells(o) <= SURE_CELLS for o in options):
        return True
    return fits("quiz", {"question": question, "options": options, "correct_answer": 0}, language)


def _layout(c: Canvas, options: list[str], top: float) -> tuple[int, float, int]:
    """(columns, row step, lines an option may take): one column while every option fits in its
    box at BODY_MIN, else two (A–D left, E–H right); a box as tall as its longest option needs."""
    for cols in (1, 2):
        rows = -(-len(options) // cols)
        room = (1010 - top) / rows
        most = max(1, int((room - GAP - 6) // (BODY_MIN * 1.25)))
        w = (W - 2 * c.m - 24 * (cols - 1)) / cols - 72
        need = max(c.lines(f"{LETTERS[i]}.  {o}   ✓", w, BODY_MIN, "font_bold", most) for i, o in enumerate(options))
        if need <= most or cols == 2:
            lines = min(need, most)
            return cols, min(room, max(150, lines * BODY_MIN * 1.25 + GAP + 40)), lines
    raise AssertionError("unreachable")


def _draw_quiz(c: Canvas, f: Fields, state: dict[str, Any]) -> None:
    """The question, then the options in boxes, one column or two, every option at one size of at
    least BODY_MIN; the right one on the accent once the answer shows."""
    c.frame()
    y = c.text(f["question"], c.m, 90, W - 2 * c.m, 230, size=64, font="font_bold", max_lines=4,
               min_size=BODY_MIN) + 40
    options = f["options"]
    correct = correct_index(options, f["correct_answer"])
    shown = state.get("reveal", len(options))
    cols, step, lines = _layout(c, options, y)
    rows = -(-len(options) // cols)
    w = (W - 2 * c.m - 24 * (cols - 1)) / cols
    labels = [f"{LETTERS[i]}.  {o}" for i, o in enumerate(options)]
    size = min(c.block(label + "   ✓", w - 72, lines * OPTION_SIZE * 1.25 + 2, size=OPTION_SIZE, font="font_bold",
                       max_lines=lines, min_size=BODY_MIN).face.size for label in labels) / c.s  # one size for all
    size = max(BODY_MIN, round(size))
    for i, label in enumerate(labels[:shown]):
        ox, oy = c.m + (i // rows) * (w + 24), y + (i % rows) * step
        right = state.get("answer") and i == correct
        c.box(ox, oy, w, step - GAP, c.accent if right else c.theme.surface)
        text = label + ("   ✓" if right else "")
        n = min(lines, c.lines(text, w - 72, size, "font_bold", lines))
        c.text(text, ox + 36, oy + (step - GAP - n * size * 1.25) / 2, w - 72, lines * size * 1.25 + 2, size=size,
               font="font_bold" if right else "font", max_lines=lines, min_size=size,
               fill=c.ink_on(c.accent) if right else c.theme.text, body=True)


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
