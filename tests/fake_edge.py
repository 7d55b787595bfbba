"""A small fake of the edge-tts WebSocket protocol on 127.0.0.1, for testing the real client code.

It speaks with espeak (so audio and word timings are real), sends MP3 in binary `Path:audio`
frames and WordBoundary events in `Path:audio.metadata` text frames, then `Path:turn.end`.
Failure modes: answer the handshake with an HTTP status, or drop the connection mid-stream.
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
    with av.open(buf, "w", format="mp3") as out:
        stream = out.add_stream("libmp3lame", rate=24000, layout="mono", options={"b": "48k"})
        samples = np.frombuffer(pcm, dtype=np.int16)
        resampler = av.AudioResampler(format="s16p", layout="mono", rate=24000)
        frame = av.AudioFrame.from_ndarray(samples.reshape(1, -1), format="s16", layout="mono")
        frame.sample_rate = rate
        for f in resampler.resample(frame) + resampler.resample(None):
            out.mux(stream.encode(f))
        out.mux(stream.encode(None))
    return buf.getvalue()


@dataclass
class FakeEdge:
    fail: list[int | str] = field(default_factory=list)  # per connection, in order: HTTP status or "drop"
    connections: int = 0
    active: int = 0
    max_active: int = 0
    texts: list[str] = field(default_factory=list)
    delay: float = 0.0
    port: int = 0

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
                    text = unescape(re.search(r"<prosody[^>]*>(.*)</prosody>", msg.data, re.S).group(1))
                    break
            self.texts.append(text)
            await asyncio.sleep(self.delay)
            from vidsite.config import TTSConfig
            from vidsite.speech.base import get_engine

            speech = get_engine("espeak", TTSConfig()).synthesize(text, "en-us", 175, 50)
            audio = _mp3(speech.pcm, speech.sample_rate)
            await ws.send_str("X-RequestId:1\r\nContent-Type:application/json; charset=utf-8\r\nPath:turn.start\r\n\r\n{}")
            for w in speech.words:
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

    def start(self) -> "FakeEdge":
        app = web.Application()
        app.router.add_get("/edge/v1", self.handler)
        self._server = Served(app, self.port)
        self.port = self._server.port
        return self

    def stop(self) -> None:
        self._server.stop()
