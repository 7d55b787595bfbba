"""The table scene: a header row on a tint, columns aligned as the source's `:--:` marks say,
zebra rows whose cells wrap, revealed row by row as the narration reads them.

A table too long to read on one slide is cut into several table scenes (`split_rows`), each
fitting at a legible size, decided on the 1920×1080 design grid so that a draft preview, a
small test build and the final build make the same scenes. Pillow is imported only to
measure and draw, never when the registry loads (`vidsite check`).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from pydantic import Field, field_validator, model_validator

from vidsite.content.auto import clean
from vidsite.scenes.base import BODY_MIN, LEGIBLE, Fields, H, SceneFields, SceneType, W, first_of, sentence
from vidsite.scenes.code import mix

if TYPE_CHECKING:
    from vidsite.render.theme import Theme
    from vidsite.scenes.canvas import Canvas

log = logging.getLogger(__name__)

SPOKEN_ROWS = 20  # rows read aloud by default; the rest are shown only
BOTTOM = 1010  # design y the table ends above
START = 40  # cell text size tried first
ALIGNS = ("left", "center", "right")
PAD_X, PAD_Y = 0.55, 0.32  # room around a cell's text, in ems of the cell size


class Table(SceneFields):
    header: str = ""
    caption: str = ""
    columns: list[str] = Field(min_length=1, max_length=12, description="Header cells.")
    align: list[str] = Field(default_factory=list, description="left, center or right per column (`:--:`).")
    rows: list[list[str]] = Field(min_length=1)
    part: int = Field(1, ge=1, description="Which slide of a table cut over several (drawn as 2/3).")
    parts: int = Field(1, ge=1)
    spoken_rows: int = Field(SPOKEN_ROWS, ge=0, description="Rows the template narration reads aloud.")

    @field_validator("columns", mode="before")
    @classmethod
    def _texts(cls, value: Any) -> Any:
        return [_cell(v) for v in value] if isinstance(value, list) else value

    @field_validator("rows", mode="before")
    @classmethod
    def _rows(cls, value: Any) -> Any:
        if not isinstance(value, list):
            return value
        return [[_cell(v) for v in row] if isinstance(row, list) else row for row in value]

    @model_validator(mode="before")
    @classmethod
    def _shape(cls, data: Any) -> Any:
        """Short rows get empty cells (as in GFM); a row or an alignment list longer than the
        header is an error rather than cells silently left out."""
        if not isinstance(data, dict) or not isinstance(data.get("columns"), list):
            return data
        n = len(data["columns"])
        align = [str(a or "left").lower() for a in data.get("align") or []]
        if len(align) > n or any(a not in ALIGNS for a in align):
            raise ValueError(f"align: give at most {n} of {', '.join(ALIGNS)} (one per column)")
        rows = data.get("rows")
        if isinstance(rows, list):
            for i, row in enumerate(rows, 1):
                if isinstance(row, list) and len(row) > n:
                    raise ValueError(f"rows: row {i} has {len(row)} cells, but the table has {n} columns")
            rows = [row + [""] * (n - len(row)) if isinstance(row, list) else row for row in rows]
        return {**data, "align": align + ["left"] * (n - len(align)), "rows": rows}


def _cell(value: Any) -> Any:
    """A cell as text: YAML numbers and booleans as written, an empty cell as ""."""
    return "" if value is None else str(value) if isinstance(value, (int, float, bool)) else value


def row_said(row: list[str]) -> str:
    """A row as a narrator reads it: "port: 8000, the port to listen on"."""
    cells = [c for c in row if clean(c)]
    return f"{cells[0]}: {', '.join(cells[1:])}" if len(cells) > 1 else "".join(cells)


def _table_text(f: Fields) -> str:
    intro = [f.get("caption") or f.get("header", "")] if f.get("part", 1) == 1 else []
    return sentence(*intro, *(row_said(r) for r in f["rows"][: f.get("spoken_rows", SPOKEN_ROWS)]))


def _title(f: Fields) -> str:
    marker = f"({f.get('part', 1)}/{f['parts']})" if f.get("parts", 1) > 1 else ""
    return " ".join(t for t in (f.get("header", ""), marker) if t)


def _heading(c: Canvas, f: Fields) -> float:
    """Header (with the part marker), then the caption (the sentence that introduced the table,
    up to three lines); the design y where the table starts."""
    title = _title(f)
    top = c.header(title) if title else (c.frame() or 110)
    if f.get("caption"):
        top = c.text(f["caption"], c.m, top, W - 2 * c.m, 3 * 45 + 2, size=36, fill=c.theme.muted, max_lines=3,
                     min_size=LEGIBLE) + 30
    return top


@dataclass(frozen=True)
class Layout:
    """Where a table's cells go, in design units: text size, column widths, row heights (the
    header row first); `fits` is False when it overflows even at the smallest size."""

    size: int
    widths: list[float]
    heights: list[float]
    fits: bool

    @property
    def pad(self) -> tuple[float, float]:
        return PAD_X * self.size, PAD_Y * self.size


class Measure:
    """A design-grid canvas's measurements, remembered: paging a long table asks about the same
    cells at the same sizes many times."""

    def __init__(self, d: Canvas) -> None:
        self.m = d.m
        self._d = d
        self._widths: dict[tuple[str, int, str], float] = {}
        self._lines: dict[tuple[str, float, int, str], int] = {}

    def width(self, s: str, size: int, font: str = "font") -> float:
        key = (s, size, font)
        if key not in self._widths:
            self._widths[key] = self._d.width(s, size, font)
        return self._widths[key]

    def lines(self, s: str, w: float, size: int, font: str = "font") -> int:
        key = (s, round(w, 1), size, font)
        if key not in self._lines:
            self._lines[key] = self._d.lines(s, w, size, font)
        return self._lines[key]


def layout(d: Measure, f: Fields, top: float, floor: int = BODY_MIN, start: int = START) -> Layout:
    """The largest cell size from `start` down to `floor` at which the header row and every row
    fit between `top` and BOTTOM, measured on the design grid."""
    size = start
    while True:
        widths = _widths(d, f, size)
        heights = [max(d.lines(cell, w - 2 * PAD_X * size, size, font) for cell, w in zip(row, widths)) * 1.25 * size
                   + 2 * PAD_Y * size for row, font in [(f["columns"], "font_bold")] + [(r, "font") for r in f["rows"]]]
        fits = sum(heights) <= BOTTOM - top
        if fits or size <= floor:
            return Layout(size, widths, heights, fits)
        smaller = round(size * 0.92)
        size = max(floor, LEGIBLE if size > LEGIBLE > smaller else smaller)  # never step over the legible size


def _widths(d: Measure, f: Fields, size: int) -> list[float]:
    """Column widths filling the slide: each column its natural (unwrapped) width when all fit,
    else at least its longest word, the rest shared by how much each column has to say."""
    room = W - 2 * d.m
    pad = 2 * PAD_X * size + 2  # the cell's padding, and room for rounding to whole pixels
    cols = list(zip(f["columns"], *f["rows"]))
    natural = [max(d.width(c, size, "font_bold" if i == 0 else "font") for i, c in enumerate(col)) + pad
               for col in cols]
    if sum(natural) <= room:
        return [w * room / sum(natural) for w in natural]
    least = [min(room / len(cols), pad + max((d.width(word, size) for c in col for word in c.split()), default=0.0))
             for col in cols]
    spare = room - sum(least)
    want = [max(0.0, n - m) for n, m in zip(natural, least)]
    return [m + spare * w / (sum(want) or 1) for m, w in zip(least, want)]


def _draw_table(c: Canvas, f: Fields, state: dict[str, Any]) -> None:
    top = _heading(c, f)
    lay = layout(Measure(_design(c)), f, top)
    pad_x, pad_y = lay.pad
    total = sum(lay.widths)
    shown = [f["columns"]] + f["rows"][: state.get("reveal", len(f["rows"]))]
    y = top
    for i, (row, h) in enumerate(zip(shown, lay.heights)):
        if i == 0:
            c.box(c.m, y, total, h, mix(c.theme.background, c.accent, 0.3), radius=10)
        elif i % 2 == 0:
            c.box(c.m, y, total, h, c.theme.surface, radius=10)
        x = c.m
        for j, (cell, w) in enumerate(zip(row, lay.widths)):
            c.text(cell, x + pad_x, y + pad_y, w - 2 * pad_x, min(h, BOTTOM - y) - pad_y, size=lay.size,
                   min_size=lay.size, font="font_bold" if i == 0 else "font", align=f["align"][j], body=True)
            x += w
        y += h
        if i == 0:
            c.draw.rectangle([c.px(c.mx(c.m, total)), round((y - 3) * c.sy), c.px(c.mx(c.m, total) + total),
                              round(y * c.sy)], fill=c.accent)


def _design(c: Canvas) -> Canvas:
    """A canvas on the design grid with c's theme: the layout is decided there, whatever the output size."""
    if c.img.size == (W, H):
        return c
    return type(c)(W, H, c.theme, c.accent, c.rtl)


def split_rows(fields: Fields, theme: Theme | None = None) -> list[Fields]:
    """A table as one or more table scenes whose rows fit at BODY_MIN or larger, rows shared
    evenly; later parts drop the caption (said once) and any narration, and all carry
    `part`/`parts` (drawn as "2/3"). Decided on the 1920×1080 grid with `theme` (default: the
    built-in theme), never by output size."""
    from vidsite.render.text import longest
    from vidsite.render.theme import load_theme
    from vidsite.scenes.canvas import Canvas

    d = Canvas(W, H, theme or load_theme("default", None), "blue")
    rows = list(fields["rows"])
    probe = {**fields, "parts": 2}
    top = _heading(d, probe)
    measure = Measure(d)

    def fits(chunk: list[list[str]]) -> bool:
        return layout(measure, {**probe, "rows": chunk}, top, start=BODY_MIN).fits

    counts: list[int] = []
    start = 0
    while start < len(rows):
        k = longest(len(rows) - start, lambda n, a=start: fits(rows[a:a + n]), 1)
        counts.append(k)
        start += k
    if len(counts) <= 1:
        return [fields]
    n = len(counts)
    even = [len(rows) // n + (i < len(rows) % n) for i in range(n)]
    at = [sum(even[:i]) for i in range(n)]
    if all(fits(rows[a:a + k]) for a, k in zip(at, even)):
        counts = even
    out = []
    start = 0
    for i, k in enumerate(counts):
        part = {**fields, "rows": rows[start:start + k], "part": i + 1, "parts": n}
        if i:
            part["caption"] = ""
            part.pop("narration", None)
        out.append(part)
        start += k
    return out


class TableType(SceneType):
    """A scene type whose revealed items are rows: each row's cells joined, as spoken."""

    def reveal_items(self, fields: Fields) -> list[str]:
        return [" ".join(clean(c) for c in row if clean(c)) for row in fields.get("rows", [])]


TABLE = TableType(
    "table", Table, _table_text, _draw_table, first_of("header", "caption"),
    reveal=("rows",), kept_fields=frozenset({"align", "part", "parts", "spoken_rows"}),
    example={"header": "Options", "columns": ["Option", "Default", "Meaning"], "align": ["left", "center", "left"],
             "rows": [["`--port`", "8000", "The port to listen on"], ["`--host`", "127.0.0.1", "The address to bind"]]},
)
