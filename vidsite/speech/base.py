"""The engine interface and registry. An engine turns text into PCM plus word timings."""

from __future__ import annotations

from abc import ABC, abstractmethod
from dataclasses import dataclass
from typing import TYPE_CHECKING

from vidsite.models import Word

if TYPE_CHECKING:
    from vidsite.config import TTSConfig


@dataclass(frozen=True)
class Speech:
    """What an engine returns: mono int16 PCM and the words it spoke, timed."""

    pcm: bytes
    sample_rate: int
    words: tuple[Word, ...]


class Unreachable(Exception):
    """Nothing answers at the service's address (no DNS, connection refused). Finding that out
    costs milliseconds, so it is asked again freely: the engine is skipped for this build only."""


class ServiceDown(Exception):
    """The service was reached but failed in a way each further request would repeat at a cost (a
    timeout, a 5xx, retries used up): the circuit breaker opens. The engine is skipped for the rest
    of the build and the failure is recorded, so the next builds do not ask again for a while."""


class Engine(ABC):
    """A speech engine, made once per build with its settings (`Engine(tts, fallback=...)`).

    Override points: `version` (part of every clip's cache key), `voice_id` (alias or engine id →
    the engine's voice), `synthesize`, and for an offline engine `said` (the text a voice is given,
    in a spelling it can read) and `reads` (whether a voice reads a language at all). Online
    engines also set `online = True` and override `synthesize_async` (concurrent prefetch) and
    `probe` (the cheap "does it speak again?" check); both raise Unreachable or ServiceDown when
    the service fails. The defaults suit an offline engine: it always speaks, so it is never
    probed and prefetching it gains nothing."""

    name: str = ""
    online: bool = False

    def __init__(self, tts: TTSConfig, *, fallback: bool = False) -> None:
        """`fallback`: another engine stands behind this one in the chain (so a failing service may be
        given up on at once instead of retried)."""
        self.tts, self.fallback = tts, fallback

    @property
    @abstractmethod
    def version(self) -> str: ...

    @abstractmethod
    def voice_id(self, voice: str | None, language: str) -> str:
        """Engine voice id for an alias, an engine id, or (voice empty) the language default."""

    @abstractmethod
    def synthesize(self, text: str, voice: str, rate: int, pitch: int) -> Speech: ...

    def said(self, text: str, voice: str) -> tuple[str, tuple[tuple[int, int, int, int], ...]]:
        """What `voice` is given to say `text`, and the rewritten spans as (said start, said end,
        written start, written end): the clip's cache key is over the said text, and its words are
        mapped back onto `text`."""
        return text, ()

    def reads(self, voice: str, language: str) -> bool:
        """Whether `voice` reads `language`'s script, rather than spelling it letter by letter."""
        return True

    async def synthesize_async(self, text: str, voice: str, rate: int, pitch: int) -> Speech:
        return self.synthesize(text, voice, rate, pitch)

    def probe(self, deadline: float) -> None:
        """Return if the engine speaks now, within `deadline` seconds; raise otherwise."""


_ENGINES: dict[str, type[Engine]] = {}
MODULES = {"espeak": "vidsite.speech.espeak", "edge": "vidsite.speech.edge"}


def register(name: str):  # type: ignore[no-untyped-def]
    def deco(cls: type[Engine]) -> type[Engine]:
        _ENGINES[name] = cls
        cls.name = name
        return cls

    return deco


def get_engine(name: str, tts: TTSConfig, *, fallback: bool = False) -> Engine:
    """The engine `name`, made with its settings; its module is imported (and registers it) on first use."""
    from vidsite.errors import SpeechError

    if name in MODULES and name not in _ENGINES:
        import importlib

        try:
            importlib.import_module(MODULES[name])
        except ImportError as exc:
            raise SpeechError(f"the `{name}` speech engine needs {exc.name}: pip install --upgrade vidsite") from None
    engine = _ENGINES.get(name)
    if engine is None:
        raise SpeechError(f"unknown speech engine `{name}`; use one of: auto, {', '.join(sorted(MODULES))}")
    return engine(tts, fallback=fallback)
