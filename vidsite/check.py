"""`vidsite check`: parse and narrate every page, estimate how long each scene shows and measure how much
of each page's source reaches its video; no speech, no video, no media libraries (it stays fast).

Durations follow the build's own rules: narration split into sentences and pauses by `units` (the
pauses the build adds), pronunciations applied as the speaker applies them, each sentence's length
from the [tts] rate, and the scene spans laid out by `build_timeline` itself (minimum and maximum
durations, answer holds, whole frames). Only the sentence length is a model, measured against the
offline voice: at `rate` words per minute a "word" is 5.5 letters, a spoken digit or symbol, or
about 1.4 Chinese characters or kanji, 3 kana or 2 Hangul syllables. Scripts without spaces are
counted by characters, never by spaces.
"""

from __future__ import annotations

import json
import logging
import re
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from vidsite.config import SiteConfig, TTSConfig, load_config, load_pronunciations
from vidsite.content.discover import discover, includer_for
from vidsite.content.includes import Note
from vidsite.models import Page, Scene, Voiceover
from vidsite.narrate.templates import narrate
from vidsite.render.theme import load_theme
from vidsite.speech.speak import rewrite, units
from vidsite.timeline import build_timeline

# What one sentence costs, in words at the [tts] rate; fitted to espeak-ng's en, cmn, ja and ko voices
# on the corpus pages' narration (median error per sentence 6%, the pages' totals within 3%).
_WEIGHTS = (
    (re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]"), 0.7),  # Han: a syllable (a kanji: ~2 morae)
    (re.compile(r"[\u3040-\u30ff\uff66-\uff9f]"), 0.35),  # kana: a mora
    (re.compile(r"[\uac00-\ud7af]"), 0.5),  # a Hangul syllable block
    (re.compile(r"(?![\u3040-\u30ff\u3400-\u9fff\uac00-\ud7af\uf900-\ufaff\uff66-\uff9f])[^\W\d_]"), 1 / 5.5),
    (re.compile(r"\d"), 1.0),  # digits are read one word each
    (re.compile(r"[#$%&*+/<=>@\\^_|~{}\[\]]"), 1.25),  # symbols are read as words ("slash", "percent")
    (re.compile(r"(?<=\w)[.:](?=\w)"), 1.0),  # "dot", "colon" inside a name
    (re.compile(r"[,;:](?=\s)|[，、；：]"), 0.8),  # the breath a comma gets inside one clip
)
SENTENCE = 0.7  # a clip's own lead-in and tail


def spoken_words(sentence: str) -> float:
    """How long one sentence takes to say, in words at the [tts] rate."""
    return SENTENCE + sum(weight * len(pattern.findall(sentence)) for pattern, weight in _WEIGHTS)


def estimate(text: str, tts: TTSConfig, pronunciations: dict[str, str] | None = None) -> float:
    """Seconds of speech: each sentence as the speaker says it (pronunciations applied) at [tts] rate,
    plus the pauses the build adds between sentences and paragraphs."""
    seconds = 0.0
    for unit in units(text, tts.sentence_pause, tts.paragraph_pause):
        if isinstance(unit, float):
            seconds += unit
        else:
            seconds += spoken_words(rewrite(unit, pronunciations or {})[0]) * 60 / tts.rate
    return seconds


# -- how much of the source reaches the video -----------------------------------------------------

_SCRIPTS = re.compile(r"<(script|style)\b.*?</\1\s*>", re.DOTALL | re.IGNORECASE)
_TAGS = re.compile(r"<!--.*?-->|<[^>]+>", re.DOTALL)
_CJK_CHAR = re.compile(r"[\u3040-\u30ff\u3400-\u9fff\uac00-\ud7af]")
_WORD = re.compile(r"[^\W\d_]{3,}")


def words(text: str) -> Counter[str]:
    """Prose words as fidelity counts them (../shared/tools/coverage.py): words of three letters or
    more, lower-cased, and each CJK character on its own."""
    text = text.lower()
    return Counter(_WORD.findall(_CJK_CHAR.sub(" ", text))) + Counter(_CJK_CHAR.findall(text))


@dataclass(frozen=True)
class Reach:
    """How much of a page's source its video carries: (in the video, in the source) for prose words
    outside code, tables (header cells in a table scene), code blocks (every line on a slide) and
    images (an image scene), and the constructs dropped with a note."""

    words: tuple[int, int]
    tables: tuple[int, int]
    code: tuple[int, int]
    images: tuple[int, int]
    dropped: tuple[Note, ...]

    def __str__(self) -> str:
        said, prose = self.words
        parts = [f"{said}/{prose} prose words" + (f" ({said / prose:.0%})" if prose else "")]
        parts += [f"{k}/{n} {name}" for (k, n), name in ((self.tables, "tables"), (self.code, "code blocks"),
                                                          (self.images, "images")) if n]
        return ", ".join(parts) + (f"; {len(self.dropped)} not carried (below)" if self.dropped else "")


@dataclass
class _Source:
    """What a page's own Markdown holds, read from markdown-it tokens after includes and dialects."""

    prose: list[str]
    tables: list[list[str]]
    code: list[str]
    images: list[str]


def _inline(tok: Any, out: _Source) -> None:
    for child in tok.children or []:
        if child.type == "text":
            out.prose.append(child.content)
        elif child.type == "image":
            out.prose.append(child.content)
            out.images.append(str(child.attrs.get("src", "")))


def _source(page: Page, config: SiteConfig, root: Path) -> _Source:
    from vidsite.content.dialects import rewrite as dialect
    from vidsite.content.includes import Source
    from vidsite.content.markdown import parse
    from vidsite.content.parse import split_frontmatter
    from vidsite.errors import ContentError
    from vidsite.fsutil import read_text

    body = split_frontmatter(read_text(page.source, ContentError), page.source)[2]
    with _quiet("vidsite.content.includes", "vidsite.content.dialects"):  # discover warned already
        src = dialect(includer_for(root, config).expand(Source.of(body), page.source), page.source)
    out = _Source([], [], [], [])
    tokens = parse(src.text)
    for n, tok in enumerate(tokens):
        if tok.type in ("fence", "code_block") and not tok.info.strip().startswith("scene"):
            out.code.append(tok.content)
        elif tok.type == "table_open":
            out.tables.append([])
        elif tok.type == "html_block":  # its words, as a wrapper's text is shown (scripts and styles are not prose)
            out.prose.append(_TAGS.sub(" ", _SCRIPTS.sub(" ", tok.content)))
        elif tok.type == "inline":
            if tokens[n - 1].type == "th_open":
                out.tables[-1].append(tok.content)
            _inline(tok, out)
    return out


@contextmanager
def _quiet(*names: str) -> Iterator[None]:
    """Reading a page a second time, without saying its warnings twice."""
    loggers = [logging.getLogger(name) for name in names]
    was = [log.disabled for log in loggers]
    for log in loggers:
        log.disabled = True
    try:
        yield
    finally:
        for log, disabled in zip(loggers, was):
            log.disabled = disabled


def _text(value: Any) -> str:
    """Every string a scene's fields hold, one per line."""
    if isinstance(value, dict):
        return "\n".join(_text(v) for k, v in value.items() if not str(k).startswith("_"))
    if isinstance(value, (list, tuple)):
        return "\n".join(_text(v) for v in value)
    return value if isinstance(value, str) else json.dumps(value)


def reach(page: Page, said: list[str], source: _Source, notes: list[Note]) -> Reach:
    """What of `source` the page's scenes carry, by narration (`said`) or on their slides."""
    shown = [_text(s.fields) for s in page.scenes]
    have = words(" ".join(said) + " " + " ".join(shown))
    want = words(" ".join(source.prose))
    tables = "\n".join(f for f, s in zip(shown, page.scenes) if s.type == "table")
    table_words = words(tables)
    lines = {line.strip() for f in shown for line in f.split("\n")}
    images = "\n".join(f for f, s in zip(shown, page.scenes) if s.type == "image")

    def in_table(cell: str) -> bool:
        return all(table_words[w] for w in words(cell)) if words(cell) else cell.strip() in tables

    return Reach(
        (sum(min(n, have[w]) for w, n in want.items()), sum(want.values())),
        (sum(all(in_table(c) for c in t) for t in source.tables), len(source.tables)),
        (sum(all(line.strip() in lines for line in block.splitlines() if line.strip()) for block in source.code),
         len(source.code)),
        (sum(bool(src) and src in images for src in source.images), len(source.images)),
        tuple(n for n in notes if Path(n.path) == page.source),
    )


@dataclass(frozen=True)
class PageCheck:
    """One page as `vidsite check` sees it: each scene with its narration and estimated seconds, and
    how much of the source reaches the video."""

    page: Page
    scenes: list[tuple[Scene, str, float]]
    reach: Reach

    @property
    def seconds(self) -> float:
        return sum(s for _, _, s in self.scenes)


def check_site(root: Path, drafts: bool = False, notes: list[Note] | None = None,
               strict: bool = False) -> list[PageCheck]:
    """Every page (drafts with `drafts`), each scene with its narration and estimated length. `notes`
    collects every construct a page holds that its video cannot carry (include not found, unknown
    shortcode, HTML dropped); `strict`: an error."""
    config = load_config(root)
    load_theme(config.theme, root / "layouts")
    notes = [] if notes is None else notes
    pages, _ = discover(root, config, drafts=drafts, strict=strict, notes=notes)
    pronunciations = load_pronunciations(root)
    out = []
    for page in pages:
        said = [narrate(scene, page.language) for scene in page.scenes]  # as the build narrates them
        heard = [Voiceover(text, (), estimate(text, config.tts, pronunciations), (), "", "") for text in said]
        timeline = build_timeline(page.scenes, heard, config.video, page.transition)
        seconds = [span.frames / timeline.fps for span in timeline.spans]
        out.append(PageCheck(page, list(zip(page.scenes, said, seconds)), reach(page, said, _source(page, config, root), notes)))
    return out
