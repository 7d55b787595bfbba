"""Scenes that show code or terminal commands: command, code_comparison, solution, code.

Their code fields are drawn verbatim in a monospace panel and never sent for translation.

Code is never drawn below `MIN_CODE_SIZE` (design px at 1080p). A block longer than one slide
holds at that size is paged (`split_code`, `expand`) into slides marked "2/3", each with its share
of the narration and drawn at the largest size its part fits (runs of blank lines read as one
first, which may save the slide); a line wider than the panel wraps behind a ↪ mark instead of being cut; a slide
stays up long enough to read it (`reading_lines` × `[video] code_seconds_per_line`). Paging is
decided on the 1920×1080 design grid with the default theme's geometry, never on the output size,
so a draft preview and the final build make the same slides.
"""

from __future__ import annotations

import logging
import math
import re
from collections.abc import Callable
from dataclasses import dataclass, replace
from functools import lru_cache
from typing import TYPE_CHECKING, Any

from pydantic import Field, field_validator

from vidsite.content.auto import cells, sentences
from vidsite.messages import _
from vidsite.models import Scene
from vidsite.scenes.base import Fields, SceneFields, SceneType, W, sentence, to_items
from vidsite.scenes.lists import LEDE_SIZE, lede
from vidsite.scenes.paging import PROSE, SLACK, _default_theme, paged_title, part_label
from vidsite.scenes.paging import expand as expand_prose

if TYPE_CHECKING:
    from vidsite.scenes.canvas import Canvas

log = logging.getLogger(__name__)

MIN_CODE_SIZE = 28  # design px: ~18.7 px in a 1280-wide player, the least that stays legible
PAD = 36  # inside a code panel, design px
LINE_HEIGHT = 1.35  # code rows, in font sizes
ADVANCE = 0.61  # a monospace cell, in font sizes (DejaVu Sans Mono: 0.602); a little over errs towards fewer columns
PANEL_BOTTOM = 1010  # design y where code panels end
NOTE_SIZE = 40  # design px of the note under the panels (a solution's explanation, key points): body text
NOTE_LINES = 4  # the most lines that note takes; a longer one is cut, and named with the scene's path:line
NOTE_EM = 0.75  # a cell of note text, in font sizes: over DejaVu Sans' ~0.6, so the estimate errs towards more lines
NOTE_GAP = 25  # between the panels and the note
COMPARISON_GAP = 48  # between the before and after panels
WRAP_MARK = "↪ "  # starts each further row of a wrapped line
_MARGIN = 120  # the default theme's side margin: paging cannot know a site's theme
_MAX_HIGHLIGHT = 1000  # highest line number a highlight range may name (a typo like 1-99999 stays cheap)


def line_numbers(spec: Any) -> list[int]:
    """1-based line numbers from `1 3-5`, `1,3-5` or a list of numbers (pymdownx `hl_lines`,
    VitePress/Docusaurus `{1,3-5}`); what is not a number or a range is ignored."""
    if isinstance(spec, int) and not isinstance(spec, bool):
        return [spec] if spec >= 1 else []
    if isinstance(spec, (list, tuple)):
        return sorted({n for item in spec for n in line_numbers(item)})
    found: set[int] = set()
    for part in re.split(r"[\s,]+", str(spec or "").strip()):
        m = re.fullmatch(r"(\d+)(?:-(\d+))?", part)
        if m:
            lo = int(m.group(1))
            hi = min(int(m.group(2) or lo), _MAX_HIGHLIGHT)
            found.update(range(max(1, lo), hi + 1))
    return sorted(found)


_HL_LINES = re.compile(r"""\bhl_lines\s*=\s*(?:"([^"]*)"|'([^']*)'|([\d,-]+))""")
_LINE_BRACES = re.compile(r"\{\s*([\d\s,-]*\d[\d\s,-]*)\}")
_QUOTED = re.compile(r""""[^"]*"|'[^']*'""")


def fence_info(info: str) -> tuple[str, list[int]]:
    """A fence's language and highlighted lines, in each docs tool's dialect: `python hl_lines="1 3-5"`
    and `{ .python hl_lines="4" }` (MkDocs/pymdownx), `js{1,3-5}` and `jsx title="x.js" {2}`
    (VitePress, Docusaurus), `rust,ignore` (mdBook), `js:line-numbers`. No language: "text"."""
    marked = [n for m in _HL_LINES.finditer(info) for n in line_numbers(next(g for g in m.groups() if g is not None))]
    marked += [n for m in _LINE_BRACES.finditer(info) for n in line_numbers(m.group(1))]
    rest = _QUOTED.sub(" ", _LINE_BRACES.sub(" ", _HL_LINES.sub(" ", info))).lower()
    language = "text"
    for word in re.split(r"[\s{},:]+", rest):
        word = word.lstrip(".")
        if word and "=" not in word and re.fullmatch(r"[a-z0-9+#_-]+", word):
            language = word
            break
    return language, sorted(set(marked))


class Command(SceneFields):
    header: str = ""
    description: str = ""
    topic: str = Field("", description="A sentence that introduces the commands, drawn above them.")
    commands: list[str] = Field(min_length=1, max_length=40)
    key_points: list[str] = Field(default_factory=list, max_length=8, description="What to take away, drawn below.")
    part: int = Field(0, ge=0, description="This slide's place among the slides a long list is paged into.")
    parts: int = Field(0, ge=0, description="How many slides the list was paged into (0: one).")
    _norm = field_validator("commands", mode="before")(lambda cls, v: [v] if isinstance(v, str) else v)
    _points = field_validator("key_points", mode="before")(lambda cls, v: to_items(v))


class CodeComparison(SceneFields):
    header: str = ""
    before_code: str
    after_code: str
    before_label: str = ""  # "" = "Before" in the page's language
    after_label: str = ""
    language: str = "python"
    improvement: str = Field("", description="What the change gains, drawn under the header.")
    key_points: list[str] = Field(default_factory=list, max_length=8, description="What to take away, drawn below.")
    part: int = Field(0, ge=0, description="This slide's place among the slides a long pair is paged into.")
    parts: int = Field(0, ge=0, description="How many slides the pair was paged into (0: one).")
    _points = field_validator("key_points", mode="before")(lambda cls, v: to_items(v))


class Solution(SceneFields):
    title: str = ""  # "" = "Solution" in the page's language
    solution_code: str
    explanation: str = ""
    language: str = "python"
    part: int = Field(0, ge=0, description="This slide's place among the slides a long solution is paged into.")
    parts: int = Field(0, ge=0, description="How many slides the solution was paged into (0: one).")


class Code(SceneFields):
    header: str = ""
    code: str
    language: str = "text"
    caption: str = ""
    tab: str = Field("", description="The tab this block sits in, where the docs offer alternatives (\"Python 3.10+\").")
    highlight: list[int] = Field(default_factory=list, description="Lines to stand out, 1-based: [2, 4] or \"1 3-5\".")
    part: int = Field(0, ge=0, description="This slide's place among the slides a long block is paged into.")
    parts: int = Field(0, ge=0, description="How many slides the block was paged into (0: one).")
    _lines = field_validator("highlight", mode="before")(lambda cls, v: line_numbers(v))


def code_lines(code: str) -> list[str]:
    return code.rstrip("\n").replace("\t", "    ").split("\n")


def _indent(line: str) -> int:
    return len(line) - len(line.lstrip(" "))


def continuation(line: str, cols: int) -> str:
    """What a further row of a wrapped line starts with: the line's indent (up to half the row),
    then the wrap mark."""
    return " " * min(_indent(line), cols // 2) + WRAP_MARK


def wrap_spans(line: str, cols: int) -> list[tuple[int, int]]:
    """(start, end) of each row `line` takes in a panel `cols` monospace cells wide. A row breaks
    after the last space or punctuation in its last third, else at the edge; every character is on
    exactly one row (a space at a break ends the row before)."""
    spans: list[tuple[int, int]] = []
    start, room = 0, cols
    while cells(line[start:]) > room:
        end, used = start, 0
        while end < len(line) and used + cells(line[end]) <= room:
            used += cells(line[end])
            end += 1
        end = max(end, start + 1)  # a character wider than the room still moves on
        soft = max((k for k in range(start + (end - start) * 2 // 3, end) if line[k] in " ,;()[]{}<>"), default=-1)
        end = soft + 1 if soft > start else end
        spans.append((start, end))
        start, room = end, max(1, cols - cells(continuation(line, cols)))
    spans.append((start, len(line)))
    return spans


def mix(colour: str, other: str, share: float) -> str:
    """`colour` moved `share` of the way to `other` (#rrggbb): a tint, or a dimmed text colour."""
    a = [int(colour[i : i + 2], 16) for i in (1, 3, 5)]
    b = [int(other[i : i + 2], 16) for i in (1, 3, 5)]
    return "#" + "".join(f"{round(x + (y - x) * share):02x}" for x, y in zip(a, b))


def columns(width: float = W - 2 * _MARGIN) -> int:
    """Monospace cells a full-width panel holds at the smallest code size."""
    return int((width - 2 * PAD) // (MIN_CODE_SIZE * ADVANCE))


def panel_top(header: str, description: str | bool, topic: str = "") -> float:
    """Design y where a full-width panel starts under the slide header, as `Canvas.header` lays it
    out with the default theme (72 px title of up to two lines, 40 px description of up to three),
    and under the `topic` lede (`lists.lede`). `description` is the text drawn on the description
    line (True: one short line). Never above where the slide draws the panel: text surely on one
    line is counted without Pillow (so `vidsite check` loads none for the usual slide); longer text
    is wrapped as the slide wraps it, on a grid narrowed by `SLACK` (hinted glyphs at smaller output
    sizes run wider), so a draft and the final build see no more lines than counted."""
    text = "" if description is True else str(description or "")
    title_lines = _header_lines(header, 72, "font_bold", 2)
    y = 80 + 90 * title_lines
    if description:
        y += 58 + 50 * (_header_lines(text, 40, "font", 3) - 1)
    top = max(y + 70, 260)
    if not topic:
        return top
    lede_lines = 2 if cells(topic) * 0.65 * LEDE_SIZE > W - 2 * _MARGIN else 1
    return top + lede_lines * LEDE_SIZE * 1.25 + 22


def _header_lines(text: str, size: int, font: str, most: int) -> int:
    """Lines `text` takes across the slide at `size` (at most `most`: longer text is drawn smaller)."""
    if not text or cells(text) * 0.65 * size <= W - 2 * _MARGIN - 2 * SLACK:
        return 1
    return min(most, _wrapped(text, size, font))


@lru_cache(maxsize=512)
def _wrapped(text: str, size: int, font: str) -> int:
    from vidsite.scenes.canvas import drawable

    return _measure_canvas().lines(drawable(text), W - 2 * _MARGIN - 2 * SLACK, size, font)


@lru_cache(maxsize=1)
def _measure_canvas() -> Canvas:
    from vidsite.scenes.canvas import Canvas

    return Canvas(W, 1080, _default_theme(), "blue")


def panel_rows(top: float, bottom: float = PANEL_BOTTOM) -> int:
    """Rows a panel from `top` to `bottom` holds at the smallest code size."""
    return int((bottom - top - 2 * PAD) // (MIN_CODE_SIZE * LINE_HEIGHT))


@dataclass(frozen=True)
class Pages:
    """A code or command scene cut into slides: the fields and narration of each, in order, and what
    could not be shown whole (for the caller to warn about with the scene's `path:line`)."""

    fields: list[Fields]
    narration: list[str | None]
    problems: list[str]


# the types that page: their code field and title field (`_description`: the line under the title)
_PAGED = {"code": ("code", "header"), "command": ("commands", "header"), "solution": ("solution_code", "title")}


def split_code(fields: Fields, narration: str | None = None, *, kind: str = "code") -> Pages:
    """Cut a `code` (or `command`, `solution`) scene into slides that each fit at `MIN_CODE_SIZE`, preferring
    to cut after a blank line, else before a top-level line (else between commands), with slides of
    about equal length and no more slides than the block needs. Later slides carry `part`/`parts`
    (drawn "2/3") and highlighted lines renumbered to their slide.

    Narration: the author's (or the introducing paragraph) is split at sentence boundaries in
    proportion to the rows each slide shows, the first sentence always on the first slide; a slide
    that gets no sentence has None, and the template says nothing over a continued slide, so it is
    shown silently for its reading time (never an English filler in a page's language). A line
    longer than a whole slide holds even wrapped keeps what fits, ends in "…", and is named in
    `problems`."""
    key, title = _PAGED[kind]
    command = kind == "command"
    cols = columns()
    if command:
        owned = [(k, line) for k, c in enumerate(fields["commands"]) for line in c.replace("\t", "    ").split("\n")]
        lines = [line for _, line in owned]
    else:
        lines = code_lines(fields[key])
    header, topic = str(fields.get(title) or ""), str(fields.get("topic") or "")
    bottom = _bottom(fields)
    rows = [len(wrap_spans(line, cols)) for line in lines]
    room = panel_rows(panel_top(header, _description(fields, kind), topic), bottom)
    if sum(rows) <= room:
        return Pages([fields], [narration], note_problems(fields))
    if not command and (keep := _single_blanks(lines)) != list(range(len(lines))):
        # two blank lines read as one on a slide: the block may fit whole, or on fewer slides
        fields = {**fields, key: "\n".join(lines[i] for i in keep)}
        if "highlight" in fields:
            fields["highlight"] = [keep.index(h - 1) + 1 for h in line_numbers(fields["highlight"]) if h - 1 in keep]
        lines, rows = [lines[i] for i in keep], [rows[i] for i in keep]
        if sum(rows) <= room:
            return Pages([fields], [narration], note_problems(fields))
    # paged slides show "2/3" on the description line
    cap = panel_rows(panel_top(header, _description({**fields, "part": 9, "parts": 9}, kind), topic), bottom)
    problems = _clip_long(key, lines, rows, cols, cap) + note_problems(fields)
    if command:
        good = [2.0 * (k != owned[j - 1][0]) if j else 0.0 for j, (k, _) in enumerate(owned)]
    else:
        good = _goodness(lines)
    spans = _cut(rows, good, cap)
    out: list[Fields] = []
    for n, (a, b) in enumerate(spans, 1):
        if not command:
            while b - a > 1 and not lines[b - 1].strip():
                b -= 1  # a trailing blank line is no content; an empty row would only widen the slide
        page: Fields = {**fields, "part": n, "parts": len(spans)}
        if command:
            grouped: dict[int, list[str]] = {}
            for k, line in ((owned[j][0], lines[j]) for j in range(a, b)):
                grouped.setdefault(k, []).append(line)
            page["commands"] = ["\n".join(group) for group in grouped.values()]
        else:
            page[key] = "\n".join(lines[a:b])
            if "highlight" in fields:
                page["highlight"] = [h - a for h in line_numbers(fields["highlight"]) if a < h <= b]
        out.append(page)
    return Pages(out, _share(narration, [sum(rows[a:b]) for a, b in spans]), problems)


def _single_blanks(lines: list[str]) -> list[int]:
    """Indices of `lines` to keep so that no two blank lines follow each other."""
    return [i for i, line in enumerate(lines) if line.strip() or not i or lines[i - 1].strip()]


def _description(f: Fields, kind: str) -> str:
    """The text a code, command or solution slide draws on its description line."""
    if kind == "code":
        parts = (_part(f), f.get("tab", ""), f.get("caption", ""))
    elif kind == "command":
        parts = (_part(f), f.get("description", ""))
    else:
        parts = (_part(f),)
    return " · ".join(str(p) for p in parts if p)


def _clip_long(key: str, lines: list[str], rows: list[int], cols: int, cap: int) -> list[str]:
    """Cut each line that takes more rows than a slide holds (`cap`) to what fits, ending in "…", in
    place; what was cut, for a warning."""
    problems = []
    for i, line in enumerate(lines):
        if rows[i] > cap:
            keep = wrap_spans(line, cols)[cap - 1][1] - 1
            problems.append(f"`{key}` line {i + 1} is {len(line)} characters, more than a "
                            f"slide holds at {MIN_CODE_SIZE} px even wrapped; the last {len(line) - keep} are not "
                            "shown: break the line in the source")
            lines[i], rows[i] = line[:keep] + "…", cap
    return problems


def _goodness(lines: list[str]) -> list[float]:
    """`_boundary` before each line (the first: 0)."""
    base = min((_indent(line) for line in lines if line.strip()), default=0)
    return [0.0] + [_boundary(lines, j, base) for j in range(1, len(lines))]


def note_text(f: Fields) -> str:
    """What a code slide says under its panels: a solution's explanation, or the key points."""
    if f.get("explanation"):
        return str(f["explanation"])
    return "    ".join(f"✓\u00a0{point}" for point in f.get("key_points", []))


def note_lines(text: str, limit: int = NOTE_LINES) -> int:
    """Lines the note takes at NOTE_SIZE across the slide, estimated without Pillow (so paging and
    drawing agree, and `vidsite check` loads none) by wrapping words of NOTE_EM a cell: never fewer
    than it is drawn in, at most `limit`."""
    room = (W - 2 * _MARGIN) / (NOTE_EM * NOTE_SIZE)  # cells a line holds
    found, used = 0, room + 1
    for para in text.split("\n"):
        used = room + 1
        for word in re.findall(r"\S+\s*", para):
            n = cells(word.rstrip())
            while n > room:  # a word longer than a line (CJK text has no spaces) is broken
                found, used, n = found + (used > 0), 0, n - room
            if used + n > room:
                found, used = found + 1, 0
            used += cells(word)
    return min(limit, found)


def _bottom(f: Fields) -> float:
    """Where a slide's code panels end: above the note (explanation or key points), if any."""
    lines = note_lines(note_text(f))
    return PANEL_BOTTOM + 15 - lines * NOTE_SIZE * 1.25 - NOTE_GAP if lines else PANEL_BOTTOM


def note_problems(f: Fields) -> list[str]:
    """The note when it is longer than NOTE_LINES at NOTE_SIZE: the rest would be cut."""
    text = note_text(f)
    if note_lines(text, 10**6) <= NOTE_LINES:
        return []
    key = "explanation" if f.get("explanation") else "key_points"
    return [(f"`{key}` takes more than {NOTE_LINES} lines at {NOTE_SIZE} px under the code, and the rest is not "
             "shown: shorten it, or say the rest in a `markdown` or `list` scene after this one")]


def _note(c: Canvas, f: Fields) -> None:
    """A solution's explanation or a slide's key points, under the panels: body text, at the foot."""
    text = note_text(f)
    room = note_lines(text)
    if not room:
        return
    lines = min(room, c.lines(text, W - 2 * c.m, NOTE_SIZE))
    c.text(text, c.m, PANEL_BOTTOM + 15 - lines * NOTE_SIZE * 1.25, W - 2 * c.m, room * NOTE_SIZE * 1.25 + 2,
           size=NOTE_SIZE, fill=c.theme.muted, max_lines=room, body=True)


def _boundary(lines: list[str], j: int, base: int) -> float:
    """How good a place to cut before line j is: after a blank line best, then before a top-level
    line, then where a block ends (a dedent, or after a closing bracket)."""
    line, before = lines[j], lines[j - 1]
    if not line.strip():
        return 0.0
    if not before.strip():
        return 2.0
    opens = line.lstrip()[0] not in ")]}"
    if opens and _indent(line) <= base:
        return 1.0
    if (opens and _indent(line) < _indent(before)) or before.strip() in ("}", "};", ")", "]", "end"):
        return 0.5
    return 0.0


def _cut(rows: list[int], good: list[float], cap: int, count: int = 0) -> list[tuple[int, int]]:
    """Slides as (first line, end) so each holds at most `cap` rows: of the cuts that keep the
    fewest slides (at least `count`, while there are lines for them), the one that scores best for
    its boundary (`good[j]`: cutting before line j) and for leaving this slide near an even share."""
    out: list[tuple[int, int]] = []
    start = 0
    while start < len(rows):
        left = sum(rows[start:])
        slides = max(math.ceil(left / cap), count - len(out))
        if left <= cap and slides <= 1:
            out.append((start, len(rows)))
            break
        target = left / slides
        best, score, fill, acc = 0, -math.inf, start + 1, 0
        for end in range(start + 1, len(rows)):
            acc += rows[end - 1]
            if acc > cap or len(rows) - end < min(slides - 1, len(rows) - start - 1):
                break
            fill = end
            if left - acc > cap * (slides - 1):
                continue  # the rest would need one more slide
            s = good[end] - 6 * abs(acc - target) / target  # the best boundary may move a cut a third of a share
            if s > score:
                best, score = end, s
        end = best or fill
        out.append((start, end))
        start = end
    return out


SPOKEN_CHARS_PER_LINE = 9  # about what a narrator says in the reading time of one line of code (0.6 s)


def _share(narration: str | None, weights: list[int]) -> list[str | None]:
    """Narration for each slide: its sentences in proportion to `weights`, the first on the first. An
    introduction ("…like this:") or words shorter than the first slide's reading all go on the first."""
    short = narration and (narration.rstrip().endswith(":") or len(narration) <= SPOKEN_CHARS_PER_LINE * weights[0])
    if not narration or not narration.strip() or narration.strip().lower() == "ai" or short:
        return [narration] + [None] * (len(weights) - 1)
    said = sentences(narration)
    total, bounds, acc = sum(len(s) for s in said) or 1, [], 0
    for w in weights:
        acc += w
        bounds.append(acc / sum(weights))
    parts: list[list[str]] = [[] for _ in weights]
    at, slide = 0, 0
    for k, s in enumerate(said):
        middle = (at + len(s) / 2) / total
        at += len(s)
        while k and slide < len(weights) - 1 and middle > bounds[slide]:
            slide += 1
        parts[slide].append(s)
    return [" ".join(p) if p else None for p in parts]


def expand(scene: Scene, note: Callable[[int, str], None] | None = None) -> list[Scene]:
    """A `code`, `command`, `solution` or `code_comparison` scene as the slides `split_code` (or
    `split_comparison`) pages it into, prose longer than a slide as the slides
    `vidsite.scenes.paging` continues it on (other scenes as they are); `note(line, message)`
    hears of what cannot be shown whole (else it is logged): a line too long for a slide, a note
    under the code longer than its lines."""
    if scene.type in PROSE:
        return expand_prose(scene)
    if scene.type == "code_comparison":
        pages = split_comparison(scene.fields, scene.narration)
    elif scene.type in _PAGED:
        pages = split_code(scene.fields, scene.narration, kind=scene.type)
    else:
        return [scene]
    for problem in pages.problems:
        if note is not None:
            note(scene.line, problem)
        else:
            log.warning("line %d: %s", scene.line, problem)
    if len(pages.fields) == 1 and pages.fields[0] is scene.fields:
        return [scene]
    return [replace(scene, fields=f, narration=n) for f, n in zip(pages.fields, pages.narration)]


_PAIR = ("before_code", "after_code")
LABEL_ROOM = 70  # a comparison panel starts this far below the header, under its label


def split_comparison(fields: Fields, narration: str | None = None) -> Pages:
    """A `code_comparison` whose longer panel does not fit at `MIN_CODE_SIZE`, as slides that each
    show the next part of both panels side by side, at one size: both cut into the same number of
    parts, each at good boundaries (`_cut`), the narration shared by the rows each slide shows. A
    panel with fewer lines than slides shows nothing on the last ones."""
    cols = columns((W - 2 * _MARGIN - COMPARISON_GAP) / 2)
    header, bottom = str(fields.get("header") or ""), _bottom(fields)
    lines = {k: code_lines(str(fields.get(k) or "")) for k in _PAIR}
    rows = {k: [len(wrap_spans(line, cols)) for line in lines[k]] for k in _PAIR}
    improvement = str(fields.get("improvement") or "")
    first = panel_rows(panel_top(header, improvement) + LABEL_ROOM, bottom)
    if max(sum(r) for r in rows.values()) <= first:
        return Pages([fields], [narration], note_problems(fields))
    cap = panel_rows(panel_top(header, " · ".join(p for p in ("9/9", improvement) if p)) + LABEL_ROOM, bottom)
    problems = [p for k in _PAIR for p in _clip_long(k, lines[k], rows[k], cols, cap)] + note_problems(fields)
    good = {k: _goodness(lines[k]) for k in _PAIR}
    count = max(len(_cut(rows[k], good[k], cap)) for k in _PAIR)
    spans = {k: _cut(rows[k], good[k], cap, count) for k in _PAIR}
    count = max(map(len, spans.values()))
    for k in _PAIR:
        spans[k] += [(len(lines[k]), len(lines[k]))] * (count - len(spans[k]))
    out: list[Fields] = []
    for n in range(count):
        page: Fields = {**fields, "part": n + 1, "parts": count}
        for k in _PAIR:
            a, b = spans[k][n]
            page[k] = "\n".join(lines[k][a:b])
        out.append(page)
    weights = [max(1, max(sum(rows[k][a:b]) for k in _PAIR for a, b in [spans[k][n]])) for n in range(count)]
    return Pages(out, _share(narration, weights), problems)


_READ = ("code", "commands", "before_code", "after_code", "solution_code")


def reading_lines(fields: Fields) -> int:
    """Non-blank lines of code a slide shows, over all its panels: what a viewer needs time to read."""
    found = 0
    for key in _READ:
        value = fields.get(key)
        for block in value if isinstance(value, list) else [value] if isinstance(value, str) else []:
            found += sum(1 for line in str(block).split("\n") if line.strip())
    return found


_part = part_label
_paged_title = paged_title


def _command_text(f: Fields) -> str:
    if f.get("part", 0) > 1:
        return ""
    n = len(f["commands"])
    what = f.get("description") or f.get("header") or ""
    run = _("Run this command in your terminal") if n == 1 else _("Run these commands in your terminal")
    return sentence(what, f.get("topic", ""), run, *f.get("key_points", []))


def _draw_command(c: Canvas, f: Fields, state: dict[str, Any]) -> None:
    y = lede(c, f.get("topic", ""), c.header(f.get("header") or _("Run"), _description(f, "command")))
    c.mono(f["commands"], c.m, y, W - 2 * c.m, _bottom(f) - y, prompt=True)
    _note(c, f)


def _comparison_text(f: Fields) -> str:
    if f.get("part", 0) > 1:
        return ""
    before, after = _labels(f)
    return sentence(f.get("header", ""), _("On the left, {before}. On the right, {after}", before=before, after=after),
                    f.get("improvement", ""), *f.get("key_points", []))


def _labels(f: Fields) -> tuple[str, str]:
    """The panel labels the author wrote, else "Before" and "After" in the page's language."""
    return f.get("before_label") or _("Before"), f.get("after_label") or _("After")


def _draw_comparison(c: Canvas, f: Fields, state: dict[str, Any]) -> None:
    """Before and after side by side at one size, the largest both fit at (never below `MIN_CODE_SIZE`)."""
    description = " · ".join(p for p in (_part(f), f.get("improvement", "")) if p)
    y = c.header(f.get("header") or _("Before and after"), description)
    gap, bottom = COMPARISON_GAP, _bottom(f)
    w = (W - 2 * c.m - gap) / 2
    panels = tuple(zip(_labels(f), (f["before_code"], f["after_code"])))
    room = bottom - y - LABEL_ROOM
    size = min(c.mono_size(code_lines(code), w, room) for _, code in panels)
    for i, (label, code) in enumerate(panels):
        x = c.m + i * (w + gap)
        c.text(label, x, y, w, 60, size=40, font="font_bold", fill=c.accent if i else c.theme.muted, max_lines=1)
        if code.strip() or not _part(f):  # a short panel shows nothing on the last slides of a paged pair
            c.mono(code_lines(code), x, y + LABEL_ROOM, w, room, language=f.get("language", "python"), size=size)
    _note(c, f)


def _solution_text(f: Fields) -> str:
    if f.get("part", 0) > 1:
        return ""
    return sentence(f.get("title") or _("Solution"), f.get("explanation", "") or _("Here is one way to solve it"))


def _draw_solution(c: Canvas, f: Fields, state: dict[str, Any]) -> None:
    y = c.header(f.get("title") or _("Solution"), _part(f))
    c.mono(code_lines(f["solution_code"]), c.m, y, W - 2 * c.m, _bottom(f) - y, language=f.get("language", "python"))
    _note(c, f)


def _code_text(f: Fields) -> str:
    if f.get("part", 0) > 1:
        return ""
    return sentence(f.get("header", "") or _("Here is the code"), f.get("caption", ""))


def _draw_code(c: Canvas, f: Fields, state: dict[str, Any]) -> None:
    y = c.header(f.get("header") or _("Code"), _description(f, "code"))
    c.mono(code_lines(f["code"]), c.m, y, W - 2 * c.m, PANEL_BOTTOM - y, language=f.get("language") or "text",
           marked=frozenset(n - 1 for n in f.get("highlight") or ()))


COMMAND = SceneType("command", Command, _command_text, _draw_command, _paged_title("header"),
                    code_fields=frozenset({"commands"}), kept_fields=frozenset({"part", "parts"}),
                    example={"header": "Try it", "commands": ["$ echo hello"]})
CODE_COMPARISON = SceneType(
    "code_comparison", CodeComparison, _comparison_text, _draw_comparison, _paged_title("header"),
    code_fields=frozenset({"before_code", "after_code", "language"}), kept_fields=frozenset({"part", "parts"}),
    example={"header": "Before and after", "before_code": "x = x + 1\n", "after_code": "x += 1\n"},
)
SOLUTION = SceneType(
    "solution", Solution, _solution_text, _draw_solution, _paged_title("title"),
    code_fields=frozenset({"solution_code", "language"}), kept_fields=frozenset({"part", "parts"}),
    example={"title": "One solution", "solution_code": "print('hello')\n", "explanation": "Why it works."},
)
CODE = SceneType("code", Code, _code_text, _draw_code, _paged_title("header", "caption"),
                 code_fields=frozenset({"code", "language"}), kept_fields=frozenset({"highlight", "part", "parts"}),
                 example={"header": "Example", "language": "python", "code": "print('hello')\n", "highlight": [1]})
