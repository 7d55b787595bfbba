"""The engine interface and registry. An engine turns text into PCM plus word timings."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

from vidsite.models import Word


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


class Engine(Protocol):
    """Override points: `version` (in cache keys), `voice_id`, `synthesize`. Online engines set
    `online = True` and add `synthesize_async` (concurrent prefetch) and `probe` (the cheap
    "does it speak again?" check); both raise Unreachable or ServiceDown when the service fails."""

    name: str
    online: bool

    @property
    def version(self) -> str: ...

    def voice_id(self, voice: str, language: str) -> str:
        """Engine voice id for an alias, an engine id, or (voice empty) the language default."""
        ...

    def synthesize(self, text: str, voice: str, rate: int, pitch: int) -> Speech: ...


_ENGINES: dict[str, type] = {}


def register(name: str):  # type: ignore[no-untyped-def]
    def deco(cls: type) -> type:
        _ENGINES[name] = cls
        cls.name = name
        return cls

    return deco


def get_engine(name: str) -> Engine:
    if name == "espeak":
        from vidsite.speech import espeak  # noqa: F401  registers itself
    elif name == "edge":
        from vidsite.speech import edge  # noqa: F401  registers itself
    engine = _ENGINES.get(name)
    if engine is None:
        from vidsite.errors import SpeechError

        raise SpeechError(f"unknown speech engine `{name}`; use one of: auto, edge, espeak")
    return engine()
