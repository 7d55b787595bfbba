"""Japanese for the offline voice: kanji rewritten as kana, which espeak-ng's `ja` voice reads.

The `ja` voice reads kana but says every kanji as the English words "Chinese letter" (a
24-character title lasted 8.6 s). pykakasi ships its dictionary in its wheel (2.4 MB, pure
Python), so the reading works offline; it is imported only when a Japanese sentence holds
kanji, and its dictionary loads once per process (about 1.5 s).
"""

from __future__ import annotations

import re
from functools import lru_cache
from typing import Any

from vidsite.errors import SpeechError

_KANJI = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\u3005]")  # 々 repeats the kanji before it
# After a word in kanji, a lone は or へ is the topic or direction particle, said "wa" and "e".
_PARTICLES = {"は": "わ", "へ": "え"}


@lru_cache(maxsize=1)
def _converter() -> Any:
    try:
        import pykakasi
    except ImportError:  # pragma: no cover - a declared dependency
        raise SpeechError("reading Japanese offline needs pykakasi: pip install --upgrade vidsite") from None
    return pykakasi.kakasi()


@lru_cache(maxsize=4096)
def reading(text: str) -> tuple[str, tuple[tuple[int, int, int, int], ...]]:
    """`text` with each word in kanji spelled in hiragana and preceded by a space (a phrase
    boundary the voice reports as a word; it has no other use for a space), and the rewritten
    spans as (said start, said end, written start, written end), the form `speak.rewrite` gives,
    so the words the voice reports map back onto what the page shows. Kana, Latin letters and
    punctuation are kept as written."""
    if not _KANJI.search(text):
        return text, ()
    said: list[str] = []
    spans: list[tuple[int, int, int, int]] = []
    pos = out = 0
    previous_kanji = False
    for part in _converter().convert(text):
        written = part["orig"]
        spoken = written
        kanji = bool(_KANJI.search(written))
        if kanji:
            spoken = part["hira"]
            if said and said[-1][-1:].isalnum():
                said.append(" ")  # a word boundary: espeak then reports one word per phrase, not per clause
                spans.append((out, out + 1, pos, pos))
                out += 1
        elif previous_kanji and written in _PARTICLES:
            spoken = _PARTICLES[written]
        if spoken != written:
            spans.append((out, out + len(spoken), pos, pos + len(written)))
        previous_kanji = kanji
        said.append(spoken)
        pos += len(written)
        out += len(spoken)
    if pos != len(text):  # never seen; the words would no longer map onto the text
        raise SpeechError(f"pykakasi split {text[:40]!r} into pieces that do not add up to it")
    return "".join(said), tuple(spans)
