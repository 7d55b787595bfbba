"""Shared plumbing for fake services: an aiohttp app served on 127.0.0.1 from a thread."""

from __future__ import annotations

import asyncio
import json
import threading
from typing import Any

from aiohttp import web


class Served:
    """`app` on 127.0.0.1 at a free port until stop()."""

    def __init__(self, app: web.Application, port: int = 0) -> None:
        ready = threading.Event()
        self.port = port

        def serve() -> None:
            loop = asyncio.new_event_loop()
            runner = web.AppRunner(app)
            loop.run_until_complete(runner.setup())
            site = web.TCPSite(runner, "127.0.0.1", self.port)
            loop.run_until_complete(site.start())
            self.port = site._server.sockets[0].getsockname()[1]
            self.loop, self.runner = loop, runner
            ready.set()
            loop.run_forever()
            loop.run_until_complete(runner.cleanup())  # close connections and handlers before the loop goes
            loop.close()

        self.thread = threading.Thread(target=serve, daemon=True)
        self.thread.start()
        if not ready.wait(10):
            raise RuntimeError("fake server did not start")

    def stop(self) -> None:
        self.loop.call_soon_threadsafe(self.loop.stop)
        self.thread.join(timeout=10)


class FakeMessagesAPI:
    """The Anthropic Messages API, as far as vidsite uses it: POST /v1/messages."""

    def __init__(self) -> None:
        self.requests: list[dict[str, Any]] = []
        self.headers: list[dict[str, str]] = []
        self.fail: list[int | str] = []  # per request: HTTP status, or "slow"
        app = web.Application()
        app.router.add_post("/v1/messages", self.messages)
        self.server = Served(app)
        self.url = f"http://127.0.0.1:{self.server.port}"

    async def messages(self, request: web.Request) -> web.Response:
        body = await request.json()
        self.requests.append(body)
        self.headers.append(dict(request.headers))
        failure = self.fail.pop(0) if self.fail else None
        if failure == "slow":
            await asyncio.sleep(5)
        elif isinstance(failure, int):
            return web.json_response({"type": "error", "error": {"type": "api_error", "message": "fake"}},
                                     status=failure)
        prompt = body["messages"][0]["content"]
        if prompt.startswith("Translate each string"):  # vidsite translate: tag every string with the language
            code = prompt.split("code `")[1].split("`")[0]
            strings = json.loads(prompt.split("\n\n", 1)[1])
            text = json.dumps([f"[{code}] {s}" for s in strings], ensure_ascii=False)
            return self._reply(body, text)
        slide = prompt.split("Slide type: ")[1].split("\n")[0]
        text = f"Here is a **friendly** narration for the {slide} slide. See https://example.com for more."
        return self._reply(body, text)

    def _reply(self, body: dict[str, Any], text: str) -> web.Response:
        return web.json_response({
            "id": f"msg_{len(self.requests)}", "type": "message", "role": "assistant", "model": body["model"],
            "content": [{"type": "text", "text": text}], "stop_reason": "end_turn", "stop_sequence": None,
            "usage": {"input_tokens": 10, "output_tokens": 20},
        })

    def stop(self) -> None:
        self.server.stop()
