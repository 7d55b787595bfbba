"""A small fake of the edge-tts WebSocket protocol on 127.0.0.1, for testing the real client code.

It speaks with espeak (so audio and word timings are real), or, for a text in `script`, plays a
tone during each scripted word (so where a word starts in the audio is known to the sample);
either way with silence before and after, as the service leaves (HEAD, TAIL). It sends MP3 in
binary `Path:audio` frames, as a live stream without a gapless header (the decoder then outputs
the codec delay first, as for any streamed MP3), and WordBoundary events in `Path:audio.metadata`
text frames, then `Path:turn.end`. Failure modes: answer the handshake with an HTTP status, or
drop the connection mid-stream.
"""

from __future__ import annotations

import asyncio
import io
import json
import re
from dataclasses import dataclass, field
from html import unescape

from aiohttp import web
from fakes import Served


def _mp3(pcm: bytes, rate: int) -> bytes:
    import av
    import numpy as np

    buf = io.BytesIO()
    with av.open(buf, "w", format="mp3", options={"write_xing": "0"}) as out:
        stream = out.add_stream("libmp3lame", rate=24000, layout="mono", options={"b": "48k"})
        samples = np.frombuffer(pcm, dtype=np.int16)
        resampler = av.AudioResampler(format="s16p", layout="mono", rate=24000)
        frame = av.AudioFrame.from_ndarray(samples.reshape(1, -1), format="s16", layout="mono")
        frame.sample_rate = rate
        for f in resampler.resample(frame) + resampler.resample(None):
            out.mux(stream.encode(f))
        out.mux(stream.encode(None))
    return buf.getvalue()


TONE_RATE = 24000
HEAD, TAIL = 0.17, 0.8  # seconds of silence the service puts before and after each utterance


def tones(words: list[tuple[str, float, float]], rate: int = TONE_RATE) -> bytes:
    """Silence with a 330 Hz tone from each word's start to its end (3 ms ramps), then TAIL more."""
    import numpy as np

    pcm = np.zeros(int((max(end for _, _, end in words) + TAIL) * rate))
    ramp = int(0.003 * rate)
    for _, start, end in words:
        a, b = round(start * rate), round(end * rate)
        burst = 0.25 * np.sin(2 * np.pi * 330 * np.arange(b - a) / rate)
        burst[:ramp] *= np.linspace(0, 1, ramp)
        burst[-ramp:] *= np.linspace(1, 0, ramp)
        pcm[a:b] = burst
    return (pcm * 32767).astype(np.int16).tobytes()


@dataclass
class FakeEdge:
    fail: list[int | str] = field(default_factory=list)  # per connection, in order: HTTP status or "drop"
    connections: int = 0
    active: int = 0
    max_active: int = 0
    texts: list[str] = field(default_factory=list)
    delay: float = 0.0
    port: int = 0
    script: dict[str, list[tuple[str, float, float]]] = field(default_factory=dict)  # text → (word, start, end)

    @property
    def url(self) -> str:
        return f"ws://127.0.0.1:{self.port}/edge/v1?TrustedClientToken=test"

    async def handler(self, request: web.Request) -> web.StreamResponse:
        self.connections += 1
        failure = self.fail.pop(0) if self.fail else None
        if isinstance(failure, int):
            return web.Response(status=failure, text="fake failure")
        ws = web.WebSocketResponse()
        await ws.prepare(request)
        self.active += 1
        self.max_active = max(self.max_active, self.active)
        try:
            text = None
            async for msg in ws:
                if "Path:ssml" in msg.data:
                    text = unescape(re.search(r"<prosody[^>]*>(.*)</prosody>", msg.data, re.DOTALL).group(1))
                    break
            self.texts.append(text)
            await asyncio.sleep(self.delay)
            from vidsite.config import TTSConfig
            from vidsite.models import Word
            from vidsite.speech.base import get_engine

            if text in self.script:
                words = [Word(w, start, end, 0) for w, start, end in self.script[text]]
                pcm, rate = tones(self.script[text]), TONE_RATE
            else:
                speech = get_engine("espeak", TTSConfig()).synthesize(text, "en-us", 175, 50)
                rate = speech.sample_rate
                words = [Word(w.text, w.start + HEAD, w.end + HEAD, w.char) for w in speech.words]
                pcm = bytes(2 * round(HEAD * rate)) + speech.pcm + bytes(2 * round(TAIL * rate))
            audio = _mp3(pcm, rate)
            await ws.send_str("X-RequestId:1\r\nContent-Type:application/json; charset=utf-8\r\nPath:turn.start\r\n\r\n{}")
            for w in words:
                meta = {"Metadata": [{"Type": "WordBoundary", "Data": {
                    "Offset": round(w.start * 1e7), "Duration": round((w.end - w.start) * 1e7),
                    "text": {"Text": w.text, "Length": len(w.text), "BoundaryType": "WordBoundary"}}}]}
                await ws.send_str("X-RequestId:1\r\nContent-Type:application/json; charset=utf-8\r\n"
                                  f"Path:audio.metadata\r\n\r\n{json.dumps(meta)}")
            chunks = [audio[i : i + 4096] for i in range(0, len(audio), 4096)]
            if failure == "drop":
                chunks = chunks[: max(1, len(chunks) // 3)]
            for chunk in chunks:
                header = b"X-RequestId:1\r\nContent-Type:audio/mpeg\r\nPath:audio\r\n"
                await ws.send_bytes(len(header).to_bytes(2, "big") + header + chunk)
            if failure == "drop":
                request.transport.close()  # no turn.end, no close frame
                return ws
            await ws.send_str("X-RequestId:1\r\nContent-Type:application/json; charset=utf-8\r\nPath:turn.end\r\n\r\n{}")
            await ws.close()
            return ws
        finally:
            self.active -= 1

    def start(self) -> FakeEdge:
        app = web.Application()
        app.router.add_get("/edge/v1", self.handler)
        self._server = Served(app, self.port)
        self.port = self._server.port
        return self

    def stop(self) -> None:
        self._server.stop()
