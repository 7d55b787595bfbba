"""Scenes that show code or terminal commands: command, code_comparison, solution, code.

Their code fields are drawn verbatim in a monospace panel and never sent for translation.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Any

from pydantic import Field, field_validator

from vidsite.scenes.base import W, Fields, SceneFields, SceneType, first_of, sentence

if TYPE_CHECKING:
    from vidsite.scenes.canvas import Canvas

log = logging.getLogger(__name__)


class Command(SceneFields):
    header: str = ""
    description: str = ""
    commands: list[str] = Field(min_length=1, max_length=40)
    _norm = field_validator("commands", mode="before")(lambda cls, v: [v] if isinstance(v, str) else v)


class CodeComparison(SceneFields):
    header: str = ""
    before_code: str
    after_code: str
    before_label: str = "Before"
    after_label: str = "After"
    language: str = "python"


class Solution(SceneFields):
    title: str = "Solution"
    solution_code: str
    explanation: str = ""
    language: str = "python"


class Code(SceneFields):
    header: str = ""
    code: str
    language: str = "text"
    caption: str = ""


def code_lines(code: str) -> list[str]:
    return code.rstrip("\n").replace("\t", "    ").split("\n")


def _command_text(f: Fields) -> str:
    n = len(f["commands"])
    what = f.get("description") or f.get("header") or ""
    return sentence(what, f"Run {'this command' if n == 1 else 'these commands'} in your terminal")


def _draw_command(c: Canvas, f: Fields, state: dict[str, Any]) -> None:
    y = c.header(f.get("header") or "Run", f.get("description", ""))
    c.mono(f["commands"], c.m, y, W - 2 * c.m, 1010 - y, prompt=True)


def _comparison_text(f: Fields) -> str:
    return sentence(f.get("header", ""), f"On the left, {f['before_label']}. On the right, {f['after_label']}")


def _draw_comparison(c: Canvas, f: Fields, state: dict[str, Any]) -> None:
    y = c.header(f.get("header") or "Before and after")
    gap = 48
    w = (W - 2 * c.m - gap) / 2
    panels = ((f["before_label"], f["before_code"]), (f["after_label"], f["after_code"]))
    size = min(c.mono_size(code_lines(code), w, 1010 - y - 70) for _, code in panels)  # one scale for both
    for i, (label, code) in enumerate(panels):
        x = c.m + i * (w + gap)
        c.text(label, x, y, w, 60, size=40, font="font_bold", fill=c.accent if i else c.theme.muted, max_lines=1)
        c.mono(code_lines(code), x, y + 70, w, 1010 - y - 70, highlight=f.get("language", "python"), size=size)


def _solution_text(f: Fields) -> str:
    return sentence(f.get("title", "Solution"), f.get("explanation", "") or "Here is one way to solve it")


def _draw_solution(c: Canvas, f: Fields, state: dict[str, Any]) -> None:
    y = c.header(f.get("title") or "Solution")
    bottom = 850 if f.get("explanation") else 1010
    c.mono(code_lines(f["solution_code"]), c.m, y, W - 2 * c.m, bottom - y, highlight=f.get("language", "python"))
    c.text(f.get("explanation", ""), c.m, 875, W - 2 * c.m, 150, size=38, fill=c.theme.muted, max_lines=3)


def _code_text(f: Fields) -> str:
    return sentence(f.get("header", "") or "Here is the code", f.get("caption", ""))


def _draw_code(c: Canvas, f: Fields, state: dict[str, Any]) -> None:
    y = c.header(f.get("header") or "Code", f.get("caption", ""))
    c.mono(code_lines(f["code"]), c.m, y, W - 2 * c.m, 1010 - y, highlight=f.get("language") or "text")


COMMAND = SceneType("command", Command, _command_text, _draw_command, first_of("header"),
                    code_fields=frozenset({"commands"}), example={"header": "Try it", "commands": ["$ echo hello"]})
CODE_COMPARISON = SceneType(
    "code_comparison", CodeComparison, _comparison_text, _draw_comparison, first_of("header"),
    code_fields=frozenset({"before_code", "after_code", "language"}),
    example={"header": "Before and after", "before_code": "x = x + 1\n", "after_code": "x += 1\n"},
)
SOLUTION = SceneType(
    "solution", Solution, _solution_text, _draw_solution, first_of("title"),
    code_fields=frozenset({"solution_code", "language"}),
    example={"title": "One solution", "solution_code": "print('hello')\n", "explanation": "Why it works."},
)
CODE = SceneType("code", Code, _code_text, _draw_code, first_of("header", "caption"),
                 code_fields=frozenset({"code", "language"}),
                 example={"header": "Example", "language": "python", "code": "print('hello')\n"})
