"""Prose that continues on the next slide instead of shrinking.

List items, paragraphs, quotes, callouts and problems are never drawn below `BODY_MIN` (40 px
at 1080p: body text a viewer reads from across a room). A scene with more than one slide holds
at that size is cut, between items, paragraphs or sentences, into slides marked "2/3", each with
its share of the narration, as long code is (`vidsite.scenes.code.split_code`).

Whether a slide holds its text is decided by drawing it: each candidate slide is drawn on the
1920×1080 design grid with the default theme, and the canvas says whether body text was cut
(`Canvas.overflow`). So the cut follows exactly what the slide would show, in every script,
never an estimate of it; and, as for code, never the output size, so a draft and the final build
make the same slides.
"""

from __future__ import annotations

import logging
import math
import re
from collections.abc import Callable
from dataclasses import replace
from functools import lru_cache
from itertools import pairwise
from typing import Any

from vidsite.content.auto import cells, sentences
from vidsite.models import Scene
from vidsite.scenes.base import Fields

log = logging.getLogger(__name__)

# scene type -> (the field whose text continues, fields shown on the first slide only)
PROSE: dict[str, tuple[str, tuple[str, ...]]] = {
    "list": ("items", ("description", "topic")),
    "learning_objectives": ("objectives", ("lesson_info",)),
    "exercise": ("instructions", ("estimated_time",)),
    "markdown": ("text", ()),
    "quote": ("quote_text", ("context",)),
    "callout": ("text", ()),
    "problem": ("problem_text", ()),
    "checkpoint": ("", ("checkpoint_text",)),  # its columns (`COLUMNS`); its text where it has none
}
# scene types whose body is several lists drawn side by side: they continue item by item, in order
COLUMNS = {"checkpoint": ("completed_topics", "review_questions", "next_topics")}
COLUMN_CELLS = 14  # cells a line of a checkpoint column surely holds at BODY_MIN (three columns across)
NUMBERED = ("learning_objectives", "exercise")  # their items are numbered: a continued slide goes on counting


def part_label(f: Fields) -> str:
    """"2/3" on a continued slide, else ""."""
    return f"{f['part']}/{f['parts']}" if f.get("parts", 0) > 1 else ""


def paged_title(*keys: str) -> Callable[[Fields], str | None]:
    """A chapter title from the first of `keys` the scene fills in, with "(2/3)" on a continued slide."""

    def chapter(fields: Fields) -> str | None:
        found = next((str(fields[k]) for k in keys if fields.get(k)), None)
        part = part_label(fields)
        return f"{found} ({part})" if found and part else found

    chapter.__qualname__ = f"paged_title{keys}"
    return chapter


def continued(f: Fields) -> bool:
    """Whether this is the second or a later slide of a paged scene (its template skips the heading)."""
    return f.get("part", 0) > 1


def units(kind: str, value: Any) -> list[str]:
    """The pieces a field may be cut into: list items as they are; text by paragraph (and list
    item), and a paragraph longer than a slide by sentence. Each piece of text carries what follows
    it (a space, or the blank line after a paragraph), so joining pieces gives the text back."""
    if isinstance(value, list):
        return [str(v) for v in value]
    text = str(value or "").strip()
    if kind == "markdown":
        from vidsite.scenes.text import blocks

        parts = blocks(text)
    else:
        parts = [("", para) for para in re.split(r"\n[ \t]*\n", text)]
    out: list[str] = []
    for mark, body in parts:
        if mark:
            out.append(("- " if mark == "-" else f"{mark} ") + body + "\n\n")
        elif body.strip():
            found = [piece for said in sentences(body.strip()) or [body.strip()] for piece in _words(said)]
            out += [s + ("" if cells(s[-1]) > 1 else " ") for s in found[:-1]] + [found[-1] + "\n\n"]  # no space in CJK
    return out


SLACK = 60  # design px each side: a slide that fits 7% narrower fits at every output size
MAX_UNIT = 160  # cells: a sentence longer than this (two lines at 40 px) may be cut between words


def _words(said: str) -> list[str]:
    """A sentence as pieces of at most MAX_UNIT cells, cut between words (between characters in
    CJK text, which has no spaces): a sentence longer than a slide still continues, never is cut off."""
    if cells(said) <= MAX_UNIT:
        return [said]
    out = [""]
    for word in re.findall(r"\S+\s*", said) if " " in said.strip() else list(said):
        if out[-1] and cells(out[-1] + word) > MAX_UNIT:
            out.append("")
        out[-1] += word
    return [piece.strip() for piece in out if piece.strip()]


def join(value: Any, chunk: list[str]) -> Any:
    """A field's value made of some of its units."""
    return chunk if isinstance(value, list) else "".join(chunk).strip()


def surely_fits(pieces: list[str]) -> bool:
    """Whether text this short fits any of these slides at BODY_MIN without drawing it (so `vidsite
    check` loads no Pillow for the usual page): at most 7 lines of 50 cells (a slide's body holds
    10 or more lines of 55 or more cells, under the longest header), a gap after each piece."""
    return sum(math.ceil(cells(p.strip()) / 50) + 0.6 for p in pieces) <= 7


def fits(kind: str, fields: Fields, language: str | None = None) -> bool:
    """Whether the slide's body text all shows at BODY_MIN or larger, drawn on the design grid."""
    return _fits(kind, _key(fields), language)


def _key(fields: Fields) -> str:
    import json

    return json.dumps(fields, sort_keys=True, ensure_ascii=False, default=str)


@lru_cache(maxsize=1024)
def _fits(kind: str, key: str, language: str | None) -> bool:
    import json

    from vidsite.messages import speaking
    from vidsite.scenes import get
    from vidsite.scenes.canvas import Canvas, drawable

    canvas = Canvas(1920, 1080, _default_theme(), "blue")
    canvas.m += SLACK  # narrower than drawn: glyph advances hinted at smaller output sizes run a little wider
    with speaking(language):
        get(kind).draw(canvas, drawable(json.loads(key)), {"reveal": 10**6, "answer": True})
    return not canvas.overflow


@lru_cache(maxsize=1)
def _default_theme() -> Any:
    from vidsite.render.theme import load_theme

    return load_theme("default", None)


def _body(kind: str, fields: Fields) -> tuple[str, ...]:
    """The fields whose text continues: the type's one field, or its columns that have items
    (a checkpoint without any continues its text)."""
    key, _ = PROSE[kind]
    filled = tuple(k for k in COLUMNS.get(kind, ()) if fields.get(k))
    return filled or (key or "checkpoint_text",)


def _column_fits(fields: Fields, keys: tuple[str, ...]) -> bool:
    """Whether short columns surely fit without drawing them: at most 7 lines of COLUMN_CELLS each."""
    return all(sum(math.ceil(cells(str(v)) / COLUMN_CELLS) + 0.6 for v in fields[k]) <= 7 for k in keys)


def split(kind: str, fields: Fields, language: str | None = None) -> list[Fields]:
    """The scene's fields, one per slide: as many units on each as fit, on as few slides as
    possible, the units shared about evenly (9 items as 5 + 4, not 8 + 1). Columns continue in
    reading order: the first column's items, then the next's."""
    _, first_only = PROSE[kind]
    keys = _body(kind, fields)
    columns = keys[0] in COLUMNS.get(kind, ())
    tagged = [(k, piece) for k in keys for piece in units(kind, fields.get(k))]
    pieces = [piece for _, piece in tagged]
    sure = _column_fits(fields, keys) if columns else surely_fits(pieces)
    if len(pieces) <= 1 or sure or fits(kind, fields, language):
        return [fields]

    def page(at: int, end: int, n: int, total: int) -> Fields:
        mine = tagged[at:end]
        out = {**fields, **{k: join(fields.get(k), [p for kk, p in mine if kk == k]) for k in keys},
               "part": n, "parts": total}
        if kind in NUMBERED:
            out["start"] = fields.get("start", 1) + at
        if n > 1:
            for k in set(first_only) - set(keys):
                out.pop(k, None)
        return out

    spans: list[tuple[int, int]] = []  # greedy: as many as fit on each slide
    at = 0
    while at < len(pieces):
        end = at + 1
        while end < len(pieces) and fits(kind, page(at, end + 1, 2, 2), language):
            end += 1
        spans.append((at, end))
        at = end
    total = len(spans)
    even = _even(pieces, total)
    if even and all(fits(kind, page(a, b, n, total), language) for n, (a, b) in enumerate(even, 1)):
        spans = even
    return [page(a, b, n, total) for n, (a, b) in enumerate(spans, 1)]


def _even(pieces: list[str], total: int) -> list[tuple[int, int]]:
    """`pieces` in `total` runs of about equal length (by characters), as (start, end)."""
    size = sum(map(len, pieces)) / total
    cuts = [0]
    acc = 0.0
    for i, p in enumerate(pieces):
        left = len(pieces) - i
        if i > cuts[-1] and (acc + len(p) / 2 > size * len(cuts) or left < total - len(cuts) + 1) \
                and len(cuts) < total:
            cuts.append(i)
        acc += len(p)
    return list(pairwise([*cuts, len(pieces)])) if len(cuts) == total else []


def share(narration: str | None, weights: list[int]) -> list[str | None]:
    """The author's narration for each slide: its sentences in order, in proportion to `weights`
    (what each slide shows), at least one on every slide. None (the template: each slide reads
    what it shows) where there is none, or fewer sentences than slides, or `ai`; then the first
    slide says it all, and the others read their own text."""
    said = sentences(narration) if narration and narration.strip().lower() != "ai" else []
    n = len(weights)
    if len(said) < n:
        return [narration] + [None] * (n - 1)
    total, acc, cuts = sum(weights), 0, [0]
    for k, w in enumerate(weights[:-1], 1):
        acc += w
        cuts.append(max(cuts[-1] + 1, min(round(acc / total * len(said)), len(said) - (n - k))))
    cuts.append(len(said))
    return [" ".join(said[a:b]) for a, b in pairwise(cuts)]


def expand(scene: Scene, language: str | None = None) -> list[Scene]:
    """The scene as the slides its prose needs (itself when it fits one), the narration shared
    between them by sentence in proportion to what each slide shows."""
    if scene.type not in PROSE or scene.fields.get("parts"):
        return [scene]
    pages = split(scene.type, scene.fields, language)
    if len(pages) == 1:
        return [scene]
    keys = _body(scene.type, scene.fields)
    weights = [max(1, sum(len(str(p[k])) for k in keys)) for p in pages]
    narration = share(scene.narration, weights)
    log.debug("line %d: %s scene continues on %d slides", scene.line, scene.type, len(pages))
    return [replace(scene, fields=f, narration=n) for f, n in zip(pages, narration)]
