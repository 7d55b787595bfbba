"""Slides: one drawing function per scene type, on a 1920×1080 design grid scaled to the frame.

A scene may show several stills (progressive reveal); `state["reveal"]` says how many items
are visible and `state["answer"]` whether a quiz shows its answer.
"""

from __future__ import annotations

import logging
import re
from functools import lru_cache
from pathlib import Path
from typing import Any, Callable

from PIL import Image, ImageDraw

from vidsite.render import text as T
from vidsite.render.theme import Theme

log = logging.getLogger(__name__)
W, H = 1920, 1080  # design grid
Image.MAX_IMAGE_PIXELS = 40_000_000  # Pillow's decompression-bomb guard, at our own bound (parse checks first)
_CJK = re.compile(r"[\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\uff00-\uffef\u3000-\u303f]")


class Canvas:
    """Pillow image plus the theme, in design units (1920-wide) scaled to the real frame."""

    def __init__(self, width: int, height: int, theme: Theme, accent: str, rtl: bool = False) -> None:
        self.s = width / W
        self.sy = height / H
        self.theme = theme
        self.accent = theme.accent(accent)
        self.rtl = rtl
        self.img = Image.new("RGB", (width, height), theme.background)
        self.draw = ImageDraw.Draw(self.img)
        self.m = theme.margin

    def px(self, v: float) -> int:
        return round(v * self.s)

    def mx(self, x: float, w: float = 0) -> float:
        """Mirror a box's x for right-to-left slides."""
        return W - x - w if self.rtl else x

    def font_for(self, s: str, font: str) -> str:
        """The theme's font, or its CJK font when the text needs one (DejaVu has no CJK glyphs)."""
        if _CJK.search(s):
            return self.theme.asset_path(self.theme.font_cjk)
        return self.theme.asset_path(getattr(self.theme, font))

    def box(self, x: float, y: float, w: float, h: float, fill: str, radius: float = 18, outline: str | None = None) -> None:
        x = self.mx(x, w)
        self.draw.rounded_rectangle(
            [self.px(x), round(y * self.sy), self.px(x + w), round((y + h) * self.sy)],
            radius=self.px(radius), fill=fill, outline=outline, width=max(1, self.px(4)) if outline else 0,
        )

    def text(self, s: str, x: float, y: float, w: float, h: float, *, size: int, font: str = "font",
             fill: str | None = None, align: str = "left", max_lines: int = 0, min_size: int = 0) -> float:
        """Fit `s` into the box; returns the design-y below what was drawn."""
        if not s:
            return y
        path = self.font_for(s, font)
        x = self.mx(x, w)
        block = T.fit(s, path, self.px(w), round(h * self.sy), self.px(size), self.px(min_size) if min_size else 0,
                      max_lines=max_lines)
        if self.rtl and align == "left":
            align = "right"
        end = T.draw_block(self.draw, block, self.px(x), round(y * self.sy), fill or self.theme.text, align, self.px(w))
        return end / self.sy

    def frame(self) -> None:
        """Accent bar down the left edge (right edge for RTL), and the theme's logo top-right."""
        if self.theme.accent_bar:
            bar = self.px(self.theme.accent_bar)
            x0 = self.img.width - bar if self.rtl else 0
            self.draw.rectangle([x0, 0, x0 + bar - 1, self.img.height], fill=self.accent)
        if self.theme.logo:
            logo = _logo(self.theme.asset_path(self.theme.logo), round(72 * self.sy))
            x = self.mx(W - self.m, 0) if self.rtl else W - self.m
            left = self.px(x) if self.rtl else self.px(x) - logo.width
            self.img.paste(logo, (left, round(40 * self.sy)), logo)

    def header(self, title: str, description: str = "") -> float:
        self.frame()
        y = self.text(title, self.m, 80, W - 2 * self.m, 180, size=self.theme.header_size, font="font_bold", max_lines=2)
        if description:
            y = self.text(description, self.m, y + 8, W - 2 * self.m, 70, size=40, fill=self.theme.muted, max_lines=1)
        x = self.mx(self.m, 160)
        self.draw.rectangle([self.px(x), round((y + 24) * self.sy), self.px(x + 160),
                             round((y + 32) * self.sy)], fill=self.accent)
        return max(y + 70, 260)

    def bullets(self, items: list[str], y: float, shown: int, marker: Callable[[int], str] | None = None,
                x: float | None = None, w: float | None = None, bottom: float = 1010, size: int = 0) -> float:
        x = self.m if x is None else x
        w = W - 2 * self.m if w is None else w
        size = size or self.theme.body_size
        n = max(1, len(items))
        step = min((bottom - y) / n, size * 3.2)
        for i, item in enumerate(items[:shown]):
            cy = y + i * step
            label = marker(i) if marker else None
            if label:
                self.text(label, x, cy, 80, step, size=size, font="font_bold", fill=self.accent, max_lines=1)
            else:
                r = size * 0.22
                bx = self.mx(x + 10, 2 * r)
                self.draw.ellipse([self.px(bx), round((cy + size * 0.45) * self.sy), self.px(bx + 2 * r),
                                   round((cy + size * 0.45 + 2 * r) * self.sy)], fill=self.accent)
            self.text(item, x + 80, cy, w - 80, step - 8, size=size, max_lines=2, min_size=int(size * 0.6))
        return y + n * step

    def mono(self, lines: list[str], x: float, y: float, w: float, h: float, *, prompt: bool = False,
             highlight: str | None = None) -> None:
        """A code/terminal panel sized to its content. Text grows to fill it (up to 1.5× code_size) and
        shrinks down to 0.55×; past that, long lines end in … and extra lines in a `⋯ N more lines` marker."""
        lines = [part.replace("\t", "    ") for line in lines for part in line.split("\n")]  # a command may hold several
        pad = 36
        base = self.theme.code_size
        longest = max((len(line) for line in lines), default=1) or 1
        size = min(base * 1.5, (w - 2 * pad) / (0.61 * longest), (h - 2 * pad) / (1.35 * max(1, len(lines))))
        size = max(size, base * 0.55)
        lh = size * 1.35
        rows = max(1, int((h - 2 * pad) // lh))
        cut = len(lines) > rows
        shown = lines[: rows - 1] if cut else lines
        h = min(h, 2 * pad + lh * (len(shown) + cut))
        self.box(x, y, w, h, self.theme.surface)
        x = self.mx(x, w)
        f = T.font(self.theme.asset_path(self.theme.font_mono), int(size * self.s))  # floor: never wider than measured
        colours = _highlight("\n".join(shown), highlight, self.theme) if highlight else None
        lx, maxw = self.px(x + pad), self.px(w - 2 * pad)
        for i, line in enumerate(shown):
            ly = round((y + pad + i * lh) * self.sy)
            if colours:
                cx = lx
                for tok, colour in colours[i]:
                    room = lx + maxw - cx
                    if T.width(tok, f) > room:
                        self.draw.text((cx, ly), T.clip_line(tok, f, room), font=f, fill=colour)
                        break
                    self.draw.text((cx, ly), tok, font=f, fill=colour)
                    cx += T.width(tok, f)
            elif prompt and line.lstrip().startswith("$"):
                self.draw.text((lx, ly), "$", font=f, fill=self.accent)
                self.draw.text((lx + T.width("$ ", f), ly), T.clip_line(line.lstrip()[1:].lstrip(), f, maxw), font=f,
                               fill=self.theme.text)
            else:
                fill = self.theme.muted if prompt and line.lstrip().startswith(("#", "→", "✓")) else self.theme.text
                self.draw.text((lx, ly), T.clip_line(line, f, maxw), font=f, fill=fill)
        if cut:
            ly = round((y + pad + len(shown) * lh) * self.sy)
            self.draw.text((lx, ly), f"⋯ {len(lines) - len(shown)} more lines", font=f, fill=self.accent)


def _highlight(code: str, language: str, theme: Theme) -> list[list[tuple[str, str]]]:
    """Per line of `code`, (text, colour) runs from Pygments. Colours are placed by character offset
    in the code as given (`get_tokens_unprocessed`), because a lexer's own preprocessing may drop
    or add blank lines: the runs of line i always spell exactly line i."""
    from pygments.lexers import TextLexer, get_lexer_by_name
    from pygments.styles import get_style_by_name
    from pygments.util import ClassNotFound

    try:
        lexer = get_lexer_by_name(language or "text")
    except ClassNotFound:
        lexer = TextLexer()
    try:
        style = get_style_by_name(theme.code_style)
    except ClassNotFound:
        style = get_style_by_name("monokai")
    colour = [theme.text] * len(code)
    try:
        for index, ttype, value in lexer.get_tokens_unprocessed(code):
            found = _token_colour(style, ttype)
            if found and 0 <= index < len(code):
                colour[index:index + len(value)] = [f"#{found}"] * min(len(value), len(code) - index)
    except Exception:  # noqa: BLE001 - a lexer bug costs the colours, never the slide
        log.debug("highlighting %s failed; drawing plain text", language, exc_info=True)
        colour = [theme.text] * len(code)
    lines: list[list[tuple[str, str]]] = []
    at = 0
    for line in code.split("\n"):
        runs: list[tuple[str, str]] = []
        for i, ch in enumerate(line):
            c = colour[at + i]
            if runs and runs[-1][1] == c:
                runs[-1] = (runs[-1][0] + ch, c)
            else:
                runs.append((ch, c))
        lines.append(runs)
        at += len(line) + 1
    return lines


@lru_cache(maxsize=8)
def _logo(path: str, height: int) -> Image.Image:
    with Image.open(path) as im:
        im = im.convert("RGBA")
        return im.resize((max(1, round(im.width * height / im.height)), height), Image.Resampling.LANCZOS)


def _token_colour(style: Any, ttype: Any) -> str | None:
    """The style's colour for a token type; lexers may invent types a style lacks, so walk up."""
    while True:
        try:
            return style.style_for_token(ttype).get("color")
        except KeyError:
            if ttype.parent is None:
                return None
            ttype = ttype.parent


def _code_lines(code: str) -> list[str]:
    return code.rstrip("\n").replace("\t", "    ").split("\n")


# --- one function per scene type -------------------------------------------------------------

def _title(c: Canvas, f: dict[str, Any], state: dict[str, Any]) -> None:
    c.frame()
    y = c.text(f["title"], c.m, 300, W - 2 * c.m, 330, size=c.theme.title_size, font="font_bold", align="center",
               max_lines=3)
    c.draw.rectangle([c.px(W / 2 - 100), round((y + 30) * c.sy), c.px(W / 2 + 100), round((y + 40) * c.sy)],
                     fill=c.accent)
    c.text(f.get("subtitle", ""), c.m, y + 80, W - 2 * c.m, 200, size=56, fill=c.theme.muted, align="center",
           max_lines=2)


def _list(c: Canvas, f: dict[str, Any], state: dict[str, Any]) -> None:
    y = c.header(f["header"], f.get("description", ""))
    c.bullets(f["items"], y, state.get("reveal", len(f["items"])))


def _command(c: Canvas, f: dict[str, Any], state: dict[str, Any]) -> None:
    y = c.header(f.get("header") or "Run", f.get("description", ""))
    c.mono(f["commands"], c.m, y, W - 2 * c.m, 1010 - y, prompt=True)


def _quote(c: Canvas, f: dict[str, Any], state: dict[str, Any]) -> None:
    c.frame()
    c.text("“", c.m, 90, 300, 300, size=260, font="font_bold", fill=c.accent, max_lines=1)
    y = c.text(f["quote_text"], c.m + 80, 330, W - 2 * c.m - 160, 460, size=76, font="font_italic", align="center",
               max_lines=5)
    if f.get("attribution"):
        c.text(f"— {f['attribution']}", c.m, y + 40, W - 2 * c.m, 80, size=44, fill=c.theme.muted, align="center",
               max_lines=1)


def _code_comparison(c: Canvas, f: dict[str, Any], state: dict[str, Any]) -> None:
    y = c.header(f.get("header") or "Before and after")
    gap = 48
    w = (W - 2 * c.m - gap) / 2
    for i, (label, code) in enumerate(((f["before_label"], f["before_code"]), (f["after_label"], f["after_code"]))):
        x = c.m + i * (w + gap)
        c.text(label, x, y, w, 60, size=40, font="font_bold", fill=c.accent if i else c.theme.muted, max_lines=1)
        c.mono(_code_lines(code), x, y + 70, w, 1010 - y - 70, highlight=f.get("language", "python"))


def _outro(c: Canvas, f: dict[str, Any], state: dict[str, Any]) -> None:
    c.frame()
    r = 70
    c.draw.ellipse([c.px(W / 2 - r), round(200 * c.sy), c.px(W / 2 + r), round((200 + 2 * r) * c.sy)],
                   outline=c.accent, width=max(2, c.px(12)))
    y = c.text(f["main_text"], c.m, 420, W - 2 * c.m, 260, size=96, font="font_bold", align="center", max_lines=2)
    c.text(f.get("sub_text", ""), c.m, y + 40, W - 2 * c.m, 160, size=50, fill=c.theme.muted, align="center",
           max_lines=2)


def _objectives(c: Canvas, f: dict[str, Any], state: dict[str, Any]) -> None:
    y = c.header(f["lesson_title"], "Learning objectives")
    bottom = 930 if f.get("lesson_info") else 1010
    c.bullets(f["objectives"], y, state.get("reveal", len(f["objectives"])), marker=lambda i: f"{i + 1}.",
              bottom=bottom)
    c.text(f.get("lesson_info", ""), c.m, 950, W - 2 * c.m, 60, size=36, fill=c.theme.muted, max_lines=1)


def _pill(c: Canvas, label: str, x: float, y: float, fill: str) -> float:
    path = c.theme.asset_path(c.theme.font_bold)
    w = T.width(label, T.font(path, c.px(34))) / c.s + 56
    c.box(x, y, w, 64, fill, radius=32)
    c.text(label, x + 28, y + 10, w, 50, size=34, font="font_bold", fill=c.theme.background, max_lines=1)
    return x + w + 20


def _problem(c: Canvas, f: dict[str, Any], state: dict[str, Any]) -> None:
    c.frame()
    x = _pill(c, f"Problem {f['problem_number']}", c.m, 90, c.accent)
    _pill(c, str(f["difficulty"]).title(), x, 90, c.theme.muted)
    y = c.text(f["title"], c.m, 200, W - 2 * c.m, 170, size=c.theme.header_size, font="font_bold", max_lines=2)
    c.text(f["problem_text"], c.m, y + 40, W - 2 * c.m, 1000 - y - 40, size=c.theme.body_size)


def _solution(c: Canvas, f: dict[str, Any], state: dict[str, Any]) -> None:
    y = c.header(f.get("title") or "Solution")
    bottom = 850 if f.get("explanation") else 1010
    c.mono(_code_lines(f["solution_code"]), c.m, y, W - 2 * c.m, bottom - y, highlight=f.get("language", "python"))
    c.text(f.get("explanation", ""), c.m, 875, W - 2 * c.m, 150, size=38, fill=c.theme.muted, max_lines=3)


def _quiz(c: Canvas, f: dict[str, Any], state: dict[str, Any]) -> None:
    c.frame()
    y = c.text(f["question"], c.m, 90, W - 2 * c.m, 220, size=64, font="font_bold", max_lines=3) + 40
    options = f["options"]
    answer = f["correct_answer"]
    correct = answer if isinstance(answer, int) and not isinstance(answer, bool) else None
    if correct is None:
        text = str(answer).strip()
        for i, opt in enumerate(options):
            if opt == text or (len(text) == 1 and text.upper() == "ABCDEFGH"[i]):
                correct = i
    shown = state.get("reveal", len(options))
    step = min((1010 - y) / len(options), 150)
    for i, opt in enumerate(options[:shown]):
        oy = y + i * step
        right = state.get("answer") and i == correct
        c.box(c.m, oy, W - 2 * c.m, step - 24, c.accent if right else c.theme.surface)
        label = f"{'ABCDEFGH'[i]}.  {opt}" + ("   ✓" if right else "")
        c.text(label, c.m + 36, oy + (step - 24) / 2 - 30, W - 2 * c.m - 72, 64, size=44,
               font="font_bold" if right else "font", max_lines=1, min_size=26)


def _checkpoint(c: Canvas, f: dict[str, Any], state: dict[str, Any]) -> None:
    y = c.header(f"Checkpoint {f['checkpoint_number']}")
    cols = [("Completed", "✓", f.get("completed_topics", [])), ("Review", "?", f.get("review_questions", [])),
            ("Next", "→", f.get("next_topics", []))]
    cols = [col for col in cols if col[2]] or cols[:1]
    gap = 40
    w = (W - 2 * c.m - gap * (len(cols) - 1)) / len(cols)
    budget = state.get("reveal", 10**6)
    for i, (label, mark, items) in enumerate(cols):
        x = c.m + i * (w + gap)
        c.box(x, y, w, 1010 - y, c.theme.surface)
        c.text(label, x + 30, y + 24, w - 60, 60, size=44, font="font_bold", fill=c.accent, max_lines=1)
        n = min(len(items), max(0, budget))
        budget -= len(items)
        c.bullets(items, y + 110, n, marker=lambda _i, m=mark: m, x=x + 24, w=w - 48, bottom=990, size=36)


def _exercise(c: Canvas, f: dict[str, Any], state: dict[str, Any]) -> None:
    c.frame()
    x = _pill(c, "Exercise", c.m, 90, c.accent)
    x = _pill(c, str(f.get("difficulty", "")).title() or "Practice", x, 90, c.theme.muted)
    if f.get("estimated_time"):
        _pill(c, str(f["estimated_time"]), x, 90, c.theme.muted)
    y = c.text(f["title"], c.m, 200, W - 2 * c.m, 170, size=c.theme.header_size, font="font_bold", max_lines=2)
    c.bullets(f["instructions"], y + 40, state.get("reveal", len(f["instructions"])), marker=lambda i: f"{i + 1}.")


def _code(c: Canvas, f: dict[str, Any], state: dict[str, Any]) -> None:
    y = c.header(f.get("header") or "Code", f.get("caption", ""))
    c.mono(_code_lines(f["code"]), c.m, y, W - 2 * c.m, 1010 - y, highlight=f.get("language") or "text")


def _image(c: Canvas, f: dict[str, Any], state: dict[str, Any]) -> None:
    c.frame()
    bottom = 930 if f.get("caption") else 1010
    path = f.get("_path")
    if path and Path(path).is_file():
        with Image.open(path) as im:
            im.draft("RGB", (c.img.width, c.img.height))
            im = im.convert("RGB")
            box_w, box_h = c.px(W - 2 * c.m), round((bottom - 70) * c.sy)
            im.thumbnail((box_w, box_h), Image.Resampling.LANCZOS)
            if im.width < box_w and im.height < box_h:  # small images grow to the box too
                k = min(box_w / im.width, box_h / im.height)
                im = im.resize((max(1, int(im.width * k)), max(1, int(im.height * k))), Image.Resampling.LANCZOS)
            c.img.paste(im, ((c.img.width - im.width) // 2, round(70 * c.sy) + (box_h - im.height) // 2))
    else:
        c.box(c.m, 70, W - 2 * c.m, bottom - 70, c.theme.surface)
        c.text(f.get("alt") or f.get("src", ""), c.m, 480, W - 2 * c.m, 100, size=48, fill=c.theme.muted,
               align="center", max_lines=1)
    c.text(f.get("caption", ""), c.m, 950, W - 2 * c.m, 60, size=40, fill=c.theme.muted, align="center", max_lines=1)


def _markdown(c: Canvas, f: dict[str, Any], state: dict[str, Any]) -> None:
    y = c.header(f["header"]) if f.get("header") else (c.frame() or 110)
    c.text(f["text"], c.m, y, W - 2 * c.m, 1010 - y, size=round(c.theme.body_size * 1.3), min_size=28)


DRAW: dict[str, Callable[[Canvas, dict[str, Any], dict[str, Any]], None]] = {
    "title": _title, "list": _list, "command": _command, "quote": _quote, "code_comparison": _code_comparison,
    "outro": _outro, "learning_objectives": _objectives, "problem": _problem, "solution": _solution,
    "quiz": _quiz, "checkpoint": _checkpoint, "exercise": _exercise, "code": _code, "image": _image,
    "markdown": _markdown,
}


def render(scene_type: str, fields: dict[str, Any], state: dict[str, Any], theme: Theme, accent: str,
           width: int, height: int, rtl: bool = False) -> Image.Image:
    canvas = Canvas(width, height, theme, accent, rtl)
    DRAW[scene_type](canvas, _drawable(fields), state)
    return canvas.img


_UNDRAWABLE = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\ud800-\udfff]")  # controls (not \t \n), lone surrogates


def _drawable(value: Any) -> Any:
    """Field text without what no font can draw and text layout rejects (control characters make
    raqm fail); everything else is drawn as written."""
    if isinstance(value, str):
        return _UNDRAWABLE.sub("", value)
    if isinstance(value, list):
        return [_drawable(v) for v in value]
    if isinstance(value, dict):
        return {k: _drawable(v) for k, v in value.items()}
    return value
