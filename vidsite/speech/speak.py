"""Narration text → Voiceover: split into sentences and pauses, each sentence a cached clip.

Engines are tried in order (`auto` = edge, then espeak). An engine that cannot be reached, times
out or fails is skipped for the rest of the build (a circuit breaker: its remaining clips fall
back at once), and for ten minutes of builds after it where finding that out cost time (see
`Speaker._give_up`); every fallback is counted, and `strict` turns a fallback into an error.
Pronunciations rewrite what is said, never what captions show.
"""

from __future__ import annotations

import asyncio
import logging
import re
import time
from collections.abc import Iterator
from dataclasses import dataclass, field, replace

from vidsite.config import TTSConfig
from vidsite.errors import SpeechError
from vidsite.models import Clip, Voiceover, Word
from vidsite.speech.base import Engine, ServiceDown, Unreachable, get_engine
from vidsite.speech.cache import ClipCache, clip_key
from vidsite.speech.health import PROBE_DEADLINE, PROBE_EVERY, Health

log = logging.getLogger(__name__)

_PAUSE = re.compile(r"\[pause\s+(\d+(?:\.\d+)?)\s*(ms|s)?\s*\]", re.IGNORECASE)
_SENTENCE = re.compile(r"(?<=[.!?…])\s+|(?<=[。！？])\s*")
_PARAGRAPH = re.compile(r"\n[ \t]*\n\s*")
_CJK = re.compile(r"[\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\uff66-\uff9f\u3000-\u303f\uff01-\uff0f\uff1a-\uff20]")
_CJK_DOT = re.compile(r"(?<=[\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff])\.(?=\s|$)")
MAX_PAUSE = 10.0
CHAINS = {"auto": ("edge", "espeak"), "edge": ("edge",), "espeak": ("espeak",)}
SERVICE = {"edge": "edge-tts (Microsoft neural voices, speech.platform.bing.com)"}
SLOW_FAILURE = 0.5  # seconds: a service that took this long to turn out unreachable is not asked again for a while


def _reason(exc: Exception) -> str:
    return (str(exc).splitlines()[0][:200] if str(exc) else "") or type(exc).__name__


class Pause(float):
    """A pause the author wrote (`[pause 800ms]`), as opposed to the automatic one between sentences."""


def _sentences(text: str, sentence_pause: float, paragraph_pause: float) -> list[str | float]:
    out: list[str | float] = []
    for n, para in enumerate(p for p in _PARAGRAPH.split(text) if p.strip()):
        for k, s in enumerate(s for s in _SENTENCE.split(para.strip()) if s.strip()):
            if n or k:
                out.append(paragraph_pause if n and not k else sentence_pause)
            out.append(" ".join(s.split()))
    return out


def units(text: str, sentence_pause: float = 0.0, paragraph_pause: float = 0.0) -> list[str | float]:
    """Sentences (str) and pauses (float seconds), in order.

    Clips are synthesised one sentence at a time and butted together, which leaves 0–55 ms
    between sentences (a comma inside one clip gets ~245 ms): the voice would rush through full
    stops. So every engine gets the same prosody here: `sentence_pause` between sentences,
    `paragraph_pause` at a blank line. An explicit `[pause Nms]` (a `Pause`) replaces the
    automatic pause where it stands, exactly; none is added before the first sentence or after
    the last (the scene's own pad follows)."""
    text = _CJK_DOT.sub("。", text)  # an ASCII full stop after CJK (templates add one) is shown and said as 。
    raw: list[str | float] = []
    pos = 0
    for m in _PAUSE.finditer(text):
        raw.extend(_sentences(text[pos : m.start()], sentence_pause, paragraph_pause))
        value = float(m.group(1)) / (1000 if (m.group(2) or "ms").lower() == "ms" else 1)
        raw.append(Pause(min(value, MAX_PAUSE)))
        pos = m.end()
    raw.extend(_sentences(text[pos:], sentence_pause, paragraph_pause))
    return [u for u in raw if isinstance(u, str) or u > 0]


def joiner(before: str, after: str) -> str:
    """What separates two sentences in the shown text: nothing between CJK ones (no spaces there)."""
    return "" if before and after and _CJK.match(before[-1]) and _CJK.match(after[0]) else " "


def by_character(words: list[Word], text: str) -> list[Word]:
    """A word that spans several CJK characters becomes one word per character, timed by character
    share: Chinese and Japanese have no spaces, so a list item or a caption may start inside what
    the engine reported as one word."""
    out: list[Word] = []
    for w in words:
        chars = [i for i, ch in enumerate(w.text) if _CJK.match(ch) and not ch.isspace()]
        if len(chars) < 2 or len(w.text) < 2:
            out.append(w)
            continue
        step = (w.end - w.start) / len(w.text)
        for i, ch in enumerate(w.text):
            if ch.strip():
                out.append(Word(ch, w.start + i * step, w.start + (i + 1) * step, w.char + i))
    return out


def rewrite(sentence: str, pronunciations: dict[str, str]) -> tuple[str, list[tuple[int, int, int, int]]]:
    """Spoken text, and the replaced spans as (spoken start, spoken end, written start, written end)."""
    if not pronunciations:
        return sentence, []
    pattern = re.compile(r"\b(" + "|".join(re.escape(k) for k in sorted(pronunciations, key=len, reverse=True)) + r")\b",
                         re.IGNORECASE)
    lookup = {k.lower(): v for k, v in pronunciations.items()}
    spoken, spans, pos, shift = [], [], 0, 0
    for m in pattern.finditer(sentence):
        said = lookup[m.group(0).lower()]
        spoken.append(sentence[pos : m.start()])
        s0 = m.start() + shift
        spans.append((s0, s0 + len(said), m.start(), m.end()))
        spoken.append(said)
        shift += len(said) - (m.end() - m.start())
        pos = m.end()
    spoken.append(sentence[pos:])
    return "".join(spoken), spans


def _written_at(pos: int, spans: list[tuple[int, int, int, int]] | tuple[tuple[int, int, int, int], ...],
                end: bool = False) -> int:
    """Where position `pos` of the spoken text falls in the written one: inside a replaced span, at
    the span's start (or, for an `end`, its end); elsewhere shifted by the replacements before it."""
    for s0, s1, w0, w1 in spans:
        if (s0 < pos <= s1) if end else (s0 <= pos < s1):
            return w1 if end else w0
    return pos + sum((w1 - w0) - (s1 - s0) for s0, s1, w0, w1 in spans if s1 <= pos)


def written_words(words: tuple[Word, ...] | list[Word], written: str,
                  spans: list[tuple[int, int, int, int]] | tuple[tuple[int, int, int, int], ...]) -> list[Word]:
    """Map spoken words back onto the written sentence; words of one replacement become one word,
    and a word that runs past a replacement (Japanese: a clause said as one word) keeps its end."""
    out: list[Word] = []
    for w in words:
        char = _written_at(w.char, spans)
        stop = max(char, _written_at(w.char + len(w.text), spans, end=True))
        text = written[char:stop] or w.text
        if out and out[-1].char == char:
            out[-1] = Word(out[-1].text, out[-1].start, w.end, char)
        else:
            out.append(Word(text, w.start, w.end, char))
    return out


@dataclass
class Speaker:
    """Speaks narrations through the engine chain and the clip cache; counts what it did."""

    tts: TTSConfig
    cache: ClipCache
    pronunciations: dict[str, str] = field(default_factory=dict)
    strict: bool = False
    synthesised: int = 0
    cached: int = 0
    fallbacks: int = 0
    down: dict[str, str] = field(default_factory=dict)  # engine → why it was given up on
    _engines: dict[str, Engine] = field(default_factory=dict, repr=False)

    def engine(self, name: str) -> Engine:
        if name not in self._engines:
            fallback = self.chain.index(name) < len(self.chain) - 1 and not self.strict
            self._engines[name] = get_engine(name, self.tts, fallback=fallback)
        return self._engines[name]

    @property
    def chain(self) -> tuple[str, ...]:
        return CHAINS[self.tts.engine]

    def key(self, name: str, spoken: str, voice: str | None, language: str) -> tuple[str, str]:
        """The cache key of `spoken` by engine `name` in this voice, and the engine's voice id. The key
        is over what the voice is given (Japanese kanji as kana for espeak), so a better reading
        is a new clip."""
        engine = self.engine(name)
        voice_id = engine.voice_id(voice or self.tts.voice, language)
        said = engine.said(spoken, voice_id)[0]
        return clip_key(name, engine.version, voice_id, self.tts.rate, self.tts.pitch, said), voice_id

    def readable(self, name: str, voice_id: str, language: str) -> bool:
        """Whether engine `name` may speak `language` in this voice: it reads the language's
        script, or the author accepted a voice that spells it ([tts] degraded_voice). A voice
        that cannot read a page is never used silently."""
        return self.tts.degraded_voice or self.engine(name).reads(voice_id, language)

    def sentences(self, narration: str) -> Iterator[str | float | tuple[str, str, list[tuple[int, int, int, int]]]]:
        """The narration as said: pauses (float seconds) and sentences as (written, spoken, spans)."""
        for unit in units(narration, self.tts.sentence_pause, self.tts.paragraph_pause):
            if isinstance(unit, float):
                yield unit
            else:
                yield (unit, *rewrite(unit, self.pronunciations))

    def clip_keys(self, narration: str, voice: str | None, language: str) -> set[str]:
        """Keys of every clip this narration may be spoken from, by any engine of the chain."""
        return {self.key(name, said[1], voice, language)[0] for said in self.sentences(narration)
                if isinstance(said, tuple) for name in self.chain}

    def clip(self, sentence: str, voice: str | None, language: str = "en") -> Clip:
        """One spoken sentence (already rewritten), from the cache or the first engine that answers."""
        chain = self.chain[:1] if self.strict else self.chain  # strict: no fallback, cached or not
        spells = None  # (engine, voice) that would spell this language out
        for n, name in enumerate(chain):
            key, voice_id = self.key(name, sentence, voice, language)
            if not self.readable(name, voice_id, language):
                spells = (name, voice_id)
                continue
            hit = self.cache.get(key, sentence)
            if hit is not None:
                self.cached += 1
                return hit
            if name in self.down or self._failed_lately(name):
                continue
            engine = self.engine(name)
            said, spans = engine.said(sentence, voice_id)
            asked = time.monotonic()
            try:
                speech = engine.synthesize(said, voice_id, self.tts.rate, self.tts.pitch)
            except SpeechError:
                raise
            except Exception as exc:  # noqa: BLE001 - an engine failing is a reason to fall back, reported below
                self._give_up(name, exc, time.monotonic() - asked)
                continue
            if spans:  # by character first: a kanji word takes the time its kana take
                spoken_chars = by_character(list(speech.words), said)
                speech = replace(speech, words=tuple(written_words(spoken_chars, sentence, spans)))
            self.fallbacks += n > 0
            self.synthesised += 1
            return self.cache.put(key, sentence, speech, name, voice_id)
        if spells:
            raise self._cannot_read(sentence, language, *spells)
        first = chain[0]
        service = SERVICE.get(first, first)
        if self.strict and len(self.chain) > 1:
            raise SpeechError(f"{service} could not be reached ({self.down.get(first)}); --strict forbids "
                              f"falling back to {self.chain[-1]}")
        raise SpeechError("no speech engine could speak " + repr(sentence[:60]) + ": "
                          + "; ".join(f"{SERVICE.get(k, k)}: {v}" for k, v in self.down.items()))

    def _cannot_read(self, sentence: str, language: str, name: str, voice_id: str) -> SpeechError:
        """What to do when the only voice left would spell the page out letter by letter."""
        online = [f"{SERVICE.get(k, k)}: {v}" for k, v in self.down.items()]
        return SpeechError(
            f"no offline voice reads language `{language}`: {name}'s `{voice_id}` would spell {sentence[:40]!r} "
            "letter by letter. Connect the online engine ([tts] engine = \"auto\" or \"edge\""
            + (f"; {'; '.join(online)}" if online else "") + "), choose a voice that reads it (`voice:` in "
            "the page or [tts] voice; `vidsite voices` lists them), or accept the spelling voice with "
            "[tts] degraded_voice = true")

    def _give_up(self, name: str, exc: Exception, took: float = 0.0) -> None:
        """Open the breaker: `name` is not asked again in this build, and, when finding that out
        cost time (ServiceDown, or an address that took `took` >= SLOW_FAILURE seconds to refuse),
        not asked again for a while either (`_failed_lately`). A refusal that costs milliseconds is
        not kept: the next build asks again, so a service that is back is used at once."""
        if name in self.down:
            return
        self.down[name] = _reason(exc)
        log.debug("%s is unavailable (%s, %.2fs)", name, self.down[name], took)
        if isinstance(exc, ServiceDown) or took >= SLOW_FAILURE:
            self.health.record(name, self.down[name])

    def _failed_lately(self, name: str) -> bool:
        """Whether `name`, an online engine with a fallback behind it, failed expensively within the
        last PROBE_EVERY (recorded by `_give_up` or a probe): then this build does not ask it either,
        as a no-op would not; its pages are re-voiced once a probe finds it speaking again."""
        if self.strict or self.chain.index(name) == len(self.chain) - 1 or not self.engine(name).online:
            return False
        recent = self.health.recent(name)
        if recent is None or recent["answered"]:
            return False
        self.down[name] = f"{recent['why']} ({recent['age']:.0f}s ago; asked again after {PROBE_EVERY:.0f}s)"
        return True

    @property
    def health(self) -> Health:
        return Health(self.cache.root)

    def speaks_again(self, name: str) -> bool:
        """Whether the online engine `name` speaks now: one tiny real synthesis within PROBE_DEADLINE,
        made at most once per PROBE_EVERY (a recent failure or probe is taken as the answer). A
        connection refused is found in milliseconds and never recorded. Not speaking opens the
        breaker for this build."""
        engine = self.engine(name)
        if not engine.online or name in self.down:
            return False
        recent = self.health.recent(name)
        if recent is not None:
            log.debug("%s %s %.0fs ago; not asking again yet", name,
                      "spoke" if recent["answered"] else f"failed ({recent['why']})", recent["age"])
            return recent["answered"]
        asked = time.monotonic()
        try:
            engine.probe(PROBE_DEADLINE)
        except Unreachable as exc:
            self._give_up(name, exc, time.monotonic() - asked)
            return False
        except Exception as exc:  # noqa: BLE001 - whatever stops the probe means "not yet"
            self._give_up(name, ServiceDown(f"probe: {_reason(exc)}"))
            return False
        self.health.record(name, None)
        return True

    def prefetch(self, requests: list[tuple[str, str | None, str]]) -> None:
        """Synthesise cache misses for the first engine concurrently (bounded), before pages ask for them.

        Only engines with `synthesize_async` (online ones) gain from this; failures are left for
        `clip()` to handle one by one, with fallback."""
        name = self.chain[0]
        engine = self.engine(name)
        if not engine.online or name in self.down or self._failed_lately(name):
            return
        todo: dict[str, tuple[str, str]] = {}
        for narration, voice, language in requests:
            for said in self.sentences(narration):
                if isinstance(said, tuple):
                    key, voice_id = self.key(name, said[1], voice, language)
                    if key not in todo and self.cache.get(key, said[1]) is None:
                        todo[key] = (said[1], voice_id)
        if len(todo) < 2:
            return

        async def run() -> None:
            gate = asyncio.Semaphore(self.tts.concurrency)

            async def one(key: str, spoken: str, voice_id: str) -> None:
                async with gate:
                    if name in self.down:  # given up while this one waited
                        return
                    asked = time.monotonic()
                    try:
                        speech = await engine.synthesize_async(spoken, voice_id, self.tts.rate, self.tts.pitch)
                    except Exception as exc:  # noqa: BLE001 - clip() retries this one with fallback
                        self._give_up(name, exc, time.monotonic() - asked)
                        return
                self.cache.put(key, spoken, speech, name, voice_id)
                self.synthesised += 1
                self.cached -= 1  # clip() will count the hit it now finds

            items = list(todo.items())
            await one(items[0][0], *items[0][1])  # a probe: an unreachable service costs one request, not many
            await asyncio.gather(*(one(k, s, v) for k, (s, v) in items[1:]))

        asyncio.run(run())

    def speak(self, narration: str, voice: str | None, language: str) -> Voiceover:
        parts: list[tuple[Clip, float]] = []
        words: list[Word] = []
        shown: list[str] = []
        t = 0.0
        offset = 0
        engines, voices = set(), set()
        for said in self.sentences(narration):
            if isinstance(said, float):
                t += said
                continue
            unit, spoken, spans = said
            clip = self.clip(spoken, voice, language)
            if shown:
                sep = joiner(shown[-1], unit)
                shown.append(sep)
                offset += len(sep)
            parts.append((clip, t))
            words.extend(Word(w.text, t + w.start, t + w.end, offset + w.char)
                         for w in by_character(written_words(clip.words, unit, spans), unit))
            shown.append(unit)
            engines.add(clip.engine)
            voices.add(clip.voice)
            offset += len(unit)
            t += clip.duration
        engine = "+".join(sorted(engines)) or self.chain[-1]
        voice_id = "+".join(sorted(voices)) or ""
        return Voiceover("".join(shown), tuple(parts), t, tuple(words), engine, voice_id)
