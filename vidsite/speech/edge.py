"""edge-tts: Microsoft's neural voices over a WebSocket (online; extra-free, edge-tts is a dependency).

We ask for WordBoundary events explicitly (the library defaults to sentence boundaries). Short
hiccups (403, 429, a dropped stream) are retried with exponential backoff and jitter. A service
that cannot be reached, times out or answers 5xx opens the circuit breaker at once when there is
an engine to fall back to (`breaker`), so an offline or hung endpoint costs one timeout per
build, not one per clip; with nothing to fall back to, timeouts and 5xx are retried too.
"""

from __future__ import annotations

import asyncio
import logging
import random
import time

from vidsite.config import TTSConfig
from vidsite.models import Word
from vidsite.speech import voices
from vidsite.speech.base import Engine, ServiceDown, Speech, Unreachable, register

log = logging.getLogger(__name__)

TICKS = 10_000_000  # edge offsets are in 100-ns ticks
SAMPLE_RATE = 24_000  # audio-24khz-48kbitrate-mono-mp3
PROTOCOL = "edge-v2-24khz-mp3"  # in cache keys: a new client release must not re-speak every clip
# v2: the MP3 delay and the service's silence around each utterance are taken off the audio, so
# clips of v1 (words 46 ms early, sentences 1.4 s apart) are spoken again.
# A streamed MP3 has no gapless header saying how many leading samples are codec delay, so a decoder
# outputs them: the encoder's delay (LAME's, the usual, 576) and its own (529, the Layer III
# synthesis filterbank). The word offsets count from the first sample the service spoke, so left in,
# every word would sound 46 ms after its boundary and items would appear before they are said.
MP3_DELAY = 576 + 529
SILENCE = -55.0  # dBFS (RMS over 10 ms): quieter than this, the service is not speaking
MARGIN = 0.03  # seconds of its silence kept before and after the voice, as espeak leaves
PROBE_TEXT = "Hi."
__all__ = ["EdgeEngine", "ServiceDown", "Transient", "Unreachable"]


class Transient(Exception):
    """Worth retrying: 403/429, dropped connections, no audio; with `breaker` off, timeouts and 5xx too."""


class EdgeEngine(Engine):
    """Settings from [tts]: `edge_url`, `retries`, `retry_backoff`, `timeout`; `fallback` arms the breaker."""

    name = "edge"
    online = True

    def __init__(self, tts: TTSConfig, *, fallback: bool = False) -> None:
        super().__init__(tts, fallback=fallback)
        self.url = tts.edge_url  # WebSocket endpoint; empty = Microsoft's
        self.retries = tts.retries
        self.backoff = tts.retry_backoff  # seconds before the first retry; doubles each time, plus jitter
        self.timeout = tts.timeout  # seconds of silence from the service (connect, handshake, between messages)
        self.breaker = fallback  # a timeout or 5xx gives up at once when another engine stands behind
        self._checked = False

    @property
    def version(self) -> str:
        return PROTOCOL

    def voice_id(self, voice: str | None, language: str) -> str:
        return voices.resolve(voice, language, "edge")

    def synthesize(self, text: str, voice: str, rate: int, pitch: int) -> Speech:
        return asyncio.run(self.synthesize_async(text, voice, rate, pitch))

    def reachable(self, timeout: float | None = None) -> str | None:
        """None if the endpoint's host resolves and accepts TCP; else why not. Costs milliseconds, and
        spares an offline build the client's imports and TLS set-up."""
        import socket
        from urllib.parse import urlsplit

        parts = urlsplit(self.url or "wss://speech.platform.bing.com/")
        port = parts.port or (443 if parts.scheme == "wss" else 80)
        try:
            with socket.create_connection((parts.hostname, port), timeout=timeout or min(self.timeout, 5)):
                return None
        except OSError as exc:
            return f"cannot connect to {parts.hostname}:{port}: {exc.strerror or exc}"

    def probe(self, deadline: float) -> None:
        """Speak one tiny sentence within `deadline` seconds, connection included, or raise
        Unreachable (nothing listens) / ServiceDown (anything else). No retries: this is the
        check for whether pages that fell back can be voiced again."""
        started = time.monotonic()
        why = self.reachable(timeout=deadline)
        if why:
            raise Unreachable(why)
        left = max(0.1, deadline - (time.monotonic() - started))
        voice = self.voice_id("", "en")

        async def speak() -> None:
            await asyncio.wait_for(self._once(PROBE_TEXT, voice, 175, 50), left)

        try:
            asyncio.run(speak())
        except TimeoutError:
            raise ServiceDown(f"no answer within {deadline:g}s") from None
        except Transient as exc:
            raise ServiceDown(str(exc)) from None

    async def synthesize_async(self, text: str, voice: str, rate: int, pitch: int) -> Speech:
        if not self._checked:
            why = await asyncio.get_running_loop().run_in_executor(None, self.reachable)
            if why:
                raise Unreachable(why)
            self._checked = True
        for attempt in range(self.retries + 1):
            try:
                return await self._once(text, voice, rate, pitch)
            except Transient as exc:
                if attempt == self.retries:
                    raise ServiceDown(f"gave up after {attempt + 1} tries: {exc}") from None
                delay = self.backoff * 2**attempt * (1 + random.random())
                log.debug("edge-tts: %s; retrying in %.2fs", exc, delay)
                await asyncio.sleep(delay)
        raise AssertionError("unreachable")  # pragma: no cover

    def _down(self, why: str) -> Exception:
        """A timeout or 5xx: the breaker opens (ServiceDown), or, with no fallback, it is retried."""
        return ServiceDown(why) if self.breaker else Transient(why)

    async def _once(self, text: str, voice: str, rate: int, pitch: int) -> Speech:
        import aiohttp
        import edge_tts
        from edge_tts import communicate as edge_communicate
        from edge_tts.exceptions import (
            NoAudioReceived,
            UnexpectedResponse,
            WebSocketError,
        )

        # The library builds its URL from this module constant; it is the only seam for another endpoint.
        edge_communicate.WSS_URL = self.url or edge_tts.constants.WSS_URL
        speed = round((rate / 175 - 1) * 100)
        comm = edge_tts.Communicate(
            text, voice, rate=f"{speed:+d}%", pitch=f"{pitch - 50:+d}Hz", boundary="WordBoundary",
            connect_timeout=self.timeout, receive_timeout=self.timeout,
        )
        mp3 = bytearray()
        boundaries: list[tuple[int, int, str]] = []
        try:
            async for chunk in comm.stream():
                if chunk["type"] == "audio":
                    mp3 += chunk["data"]
                elif chunk["type"] == "WordBoundary":
                    boundaries.append((chunk["offset"], chunk["duration"], chunk["text"]))
        except aiohttp.ClientConnectorError as exc:
            why = f"cannot connect to {exc.host}:{exc.port}: {exc.os_error.strerror or exc.os_error}"
            if isinstance(exc, aiohttp.ClientConnectorDNSError) or isinstance(exc.os_error, ConnectionRefusedError):
                raise Unreachable(why) from None
            raise Transient(why) from None
        except aiohttp.WSServerHandshakeError as exc:
            if exc.status >= 500:
                raise self._down(f"HTTP {exc.status}") from None
            if exc.status in (403, 429):
                raise Transient(f"HTTP {exc.status}") from None
            raise Unreachable(f"HTTP {exc.status}: {exc.message}") from None
        except TimeoutError:  # aiohttp's socket timeouts are TimeoutErrors too
            raise self._down(f"no answer within {self.timeout}s") from None
        except (NoAudioReceived, WebSocketError, UnexpectedResponse, aiohttp.ClientError, ConnectionError) as exc:
            raise Transient(f"{type(exc).__name__}: {exc}") from None
        if not mp3:
            raise Transient("no audio received")
        pcm = _decode_mp3(bytes(mp3))
        seconds = len(pcm) // 2 / SAMPLE_RATE
        if boundaries and seconds + 0.1 < boundaries[-1][0] / TICKS:
            raise Transient(f"stream ended early ({seconds:.2f}s of audio, words up to "
                            f"{boundaries[-1][0] / TICKS:.2f}s)")
        return _trimmed(Speech(pcm, SAMPLE_RATE, tuple(_words(text, boundaries, seconds))))


def _trimmed(speech: Speech) -> Speech:
    """The clip with the service's own silence cut to MARGIN at each end. Each utterance comes with
    about 0.17 s of silence before it and 0.8 s after; left in, sentences would sit 1.4 s apart
    where espeak's sit at the [tts] pause (0.4 s): the pauses are vidsite's, the same for every
    engine. Words move with the audio; none is cut (the voice is heard down to SILENCE dBFS)."""
    import numpy as np

    pcm = np.frombuffer(speech.pcm, dtype=np.int16)
    win = SAMPLE_RATE // 100
    frames = pcm[: len(pcm) // win * win].reshape(-1, win).astype(np.float64) / 32768
    heard = np.flatnonzero(np.sqrt((frames**2).mean(axis=1)) > 10 ** (SILENCE / 20))
    if not len(heard):
        return speech
    keep = round(MARGIN * SAMPLE_RATE)
    first = max(0, heard[0] * win - keep)
    last = min(len(pcm), (heard[-1] + 1) * win + keep)
    if speech.words:
        last = max(last, min(len(pcm), round(speech.words[-1].end * SAMPLE_RATE)))
    shift, total = first / SAMPLE_RATE, (last - first) / SAMPLE_RATE
    words = tuple(Word(w.text, max(0.0, w.start - shift), min(total, max(0.0, w.end - shift)), w.char)
                  for w in speech.words)
    return Speech(pcm[first:last].tobytes(), SAMPLE_RATE, words)


def _words(text: str, boundaries: list[tuple[int, int, str]], total: float) -> list[Word]:
    """WordBoundary events → Words with character offsets into `text` (found in order)."""
    out: list[Word] = []
    pos = 0
    for offset, duration, word in boundaries:
        at = text.find(word, pos)
        if at < 0:
            continue
        pos = at + len(word)
        start = offset / TICKS
        out.append(Word(word, start, min(total, max(start, (offset + duration) / TICKS)), at))
    return out


def _decode_mp3(data: bytes) -> bytes:
    """Mono 16-bit PCM at SAMPLE_RATE, starting at the first sample the service spoke: the codec
    delay is taken off (MP3_DELAY) unless a gapless header told FFmpeg to skip it already (then its
    first frame starts after 0)."""
    import io

    import av

    out = bytearray()
    delay = None
    with av.open(io.BytesIO(data), format="mp3") as container:
        resampler = av.AudioResampler(format="s16", layout="mono", rate=SAMPLE_RATE)
        for frame in container.decode(audio=0):
            if delay is None:
                delay = 0 if frame.pts else round(MP3_DELAY * SAMPLE_RATE / frame.sample_rate)
            for converted in resampler.resample(frame):
                out += bytes(converted.planes[0])[: converted.samples * 2]
        for converted in resampler.resample(None):
            out += bytes(converted.planes[0])[: converted.samples * 2]
    return bytes(out[2 * (delay or 0) :])


register("edge")(EdgeEngine)
