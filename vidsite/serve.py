"""`vidsite serve`: build, serve output/ on loopback, rebuild on change, reload the browser.

- Files are served only from inside output/ (after resolving `..`, encodings and symlinks);
  video is served with HTTP Range so players can seek.
- Every HTML page gets a small script that listens to /_vidsite/events (server-sent events):
  it reloads when its page was rebuilt (keeping the video's time when the video is unchanged up
  to there) and shows build errors as an overlay while the last good output stays served.
- /_vidsite/status reports the current build's stage and progress and the last error.
- A page folder asked for without its slash (`/guide`) is redirected to `/guide/`, so the
  page's relative links (`video.mp4`) resolve; the redirect is always a path on this server.
- A client has HEADER_TIMEOUT seconds to send a request's headers, and a shutdown ends the
  live-reload streams first, so Ctrl-C or SIGTERM stops the server at once with tabs open.
"""

from __future__ import annotations

import asyncio
import json
import logging
import re
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, AsyncIterator
from urllib.parse import quote

import h11
import uvicorn
from uvicorn.protocols.http.h11_impl import H11Protocol

from vidsite.errors import VidsiteError

log = logging.getLogger(__name__)

WATCHED_FILES = ("config.toml", "pronunciations.toml")
WATCHED_DIRS = ("content", "layouts", "static")
DEBOUNCE = 0.2  # seconds of quiet before a rebuild
LIVE_JS = (Path(__file__).parent / "site" / "live.js").read_text(encoding="utf-8")
LIVE_TAG = b'<script src="/_vidsite/live.js"></script>'
HEADER_TIMEOUT = 5.0  # seconds from connecting (or from a request's first byte) to its last header
SHUTDOWN_GRACE = 1  # seconds a shutdown waits for responses still being sent (a paused video)


def safe_path(root: Path, rel: str) -> Path | None:
    """The file or folder `rel` names inside root, or None if it resolves anywhere else (..,
    symlinks) or does not exist."""
    if "\x00" in rel:
        return None
    base = root.resolve()
    target = (base / rel.lstrip("/")).resolve()
    if target != base and base not in target.parents:
        return None
    return target if target.exists() else None


def folder_url(root: Path, folder: Path) -> str:
    """The URL path of a folder inside root, built from its resolved name, never from the request:
    it starts with exactly one `/` and is percent-encoded (`\\` too), so a request such as
    `//evil.com` or `/\\evil.com` can never become a redirect to another host."""
    rel = folder.relative_to(root.resolve()).as_posix()
    return "/" if rel == "." else "/" + quote(rel, safe="/") + "/"


@dataclass
class State:
    """What the status endpoint reports, and who to tell when it changes."""

    stage: str = "starting"
    pages_done: int = 0
    pages_total: int = 0
    builds: int = 0
    last_error: str | None = None
    last_build: dict[str, Any] = field(default_factory=dict)
    listeners: list[tuple[asyncio.AbstractEventLoop, asyncio.Queue]] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def status(self) -> dict[str, Any]:
        return {"stage": self.stage, "pages_done": self.pages_done, "pages_total": self.pages_total,
                "builds": self.builds, "last_error": self.last_error, "last_build": self.last_build}

    def publish(self, event: dict[str, Any]) -> None:
        with self.lock:
            for loop, queue in list(self.listeners):
                loop.call_soon_threadsafe(queue.put_nowait, event)

    def close_streams(self) -> None:
        """End every live-reload stream: a browser tab holds its stream open forever, and the
        server waits for open responses before it exits."""
        self.publish({"type": "closing"})


def _unchanged_until(old: dict[str, Any] | None, new: dict[str, Any]) -> float:
    """Seconds from the start of the new video that show and sound as before (0 = all changed)."""
    if not old or old.get("audio") == new.get("audio") and old.get("video_key") == new.get("video_key"):
        return new.get("duration", 0.0) if old else 0.0
    until = 0.0
    for a, b in zip(old.get("scenes", []), new.get("scenes", [])):
        same = (a.get("segment"), a.get("start_frame"), a.get("narration")) == (b.get("segment"), b.get("start_frame"), b.get("narration"))
        if not same:
            break
        until = b["end"]
    return until


class Builder:
    """Runs builds one at a time in a thread; a change during a build queues one more."""

    def __init__(self, root: Path, out: Path, state: State, build_args: dict[str, Any]) -> None:
        self.root, self.out, self.state, self.args = root, out, state, build_args
        self._pending = threading.Event()
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._loop, name="vidsite-builder", daemon=True)

    def start(self) -> None:
        self._pending.set()
        self._thread.start()

    def request(self) -> None:
        self._pending.set()

    def stop(self) -> None:
        self._stop.set()
        self._pending.set()
        self._thread.join(timeout=30)

    def _loop(self) -> None:
        while not self._stop.is_set():
            self._pending.wait()
            if self._stop.is_set():
                return
            time.sleep(DEBOUNCE)  # let bursts (editor saves, git checkout) settle
            self._pending.clear()
            self.build_once()

    def _manifests(self) -> dict[str, dict[str, Any]]:
        out = {}
        for path in self.out.rglob("manifest.json"):
            if path.parent == self.out:
                continue
            try:
                out[path.parent.relative_to(self.out).as_posix()] = json.loads(path.read_text(encoding="utf-8"))
            except (OSError, ValueError):
                continue
        return out

    def build_once(self) -> None:
        from vidsite.build import build

        state = self.state
        before = self._manifests()
        state.stage, state.pages_done = "building", 0

        def progress(event: str, page: Any, stats: Any) -> None:
            state.pages_total = stats.pages
            if event == "page":
                state.pages_done += 1
            elif event != "task":
                state.stage = event

        started = time.perf_counter()
        try:
            stats = build(self.root, output=self.out, progress=progress, start_method="forkserver", **self.args)
        except VidsiteError as exc:
            state.stage, state.last_error = "failed", exc.format_message()
            log.error("build failed: %s", state.last_error)
            state.publish({"type": "error", "message": state.last_error})
            return
        except Exception as exc:  # noqa: BLE001 - a crash in one rebuild must not stop the server
            log.exception("build crashed")
            state.stage, state.last_error = "failed", f"internal error: {type(exc).__name__}: {exc}"
            state.publish({"type": "error", "message": state.last_error})
            return
        state.builds += 1
        state.stage, state.last_error = "idle", None
        state.last_build = {"pages": stats.pages, "pages_built": stats.pages_built, "built": stats.built,
                            "clips_synthesised": stats.clips_synthesised, "segments_encoded": stats.segments_encoded,
                            "wall": round(time.perf_counter() - started, 3)}
        after = self._manifests()
        pages = {url: {"unchanged_until": _unchanged_until(before.get(url), after[url])}
                 for url in stats.built if url in after}
        log.info("rebuilt %d page(s) in %.2fs%s", stats.pages_built, state.last_build["wall"],
                 (": " + ", ".join(stats.built)) if stats.built else "")
        state.publish({"type": "built", "pages": pages, "files_written": stats.files_written})


def _watch(root: Path, builder: Builder) -> Any:
    from watchdog.events import FileSystemEventHandler
    from watchdog.observers import Observer

    ignored_suffixes = ("~", ".swp", ".swx", ".tmp", ".part")

    class Handler(FileSystemEventHandler):
        def on_any_event(self, event: Any) -> None:
            if event.event_type in ("opened", "closed_no_write"):
                return
            for raw in (event.src_path, getattr(event, "dest_path", "")):
                if not raw:
                    continue
                path = Path(raw)
                if path.name.endswith(ignored_suffixes) or path.name.startswith((".#", ".~")):
                    continue
                rel = path.relative_to(root) if path.is_relative_to(root) else path
                if rel.parts and (rel.parts[0] in WATCHED_DIRS or rel.as_posix() in WATCHED_FILES):
                    builder.request()
                    return

    observer = Observer()
    handler = Handler()
    observer.schedule(handler, str(root), recursive=False)
    for name in WATCHED_DIRS:
        if (root / name).is_dir():
            observer.schedule(handler, str(root / name), recursive=True)
    observer.start()
    return observer


def _stream_file(request: Any, path: Path) -> Any:
    """The file, or the byte range asked for, read from one open file: a rebuild that swaps output/
    meanwhile cannot mix two versions into one response."""
    import os

    from starlette.responses import PlainTextResponse, StreamingResponse

    handle = open(path, "rb")
    size = os.fstat(handle.fileno()).st_size
    start, end, status = 0, size - 1, 200
    asked = request.headers.get("range", "")
    m = re.fullmatch(r"bytes=(\d*)-(\d*)", asked.strip())
    if asked and m and (m.group(1) or m.group(2)):
        if m.group(1):
            start, end = int(m.group(1)), min(int(m.group(2)) if m.group(2) else size - 1, size - 1)
        else:
            start = max(0, size - int(m.group(2)))
        if start > end or start >= size:
            handle.close()
            return PlainTextResponse("range not satisfiable", status_code=416,
                                     headers={"Content-Range": f"bytes */{size}"})
        status = 206

    def chunks() -> Any:
        try:
            handle.seek(start)
            left = end - start + 1
            while left > 0:
                data = handle.read(min(1 << 16, left))
                if not data:
                    break
                left -= len(data)
                yield data
        finally:
            handle.close()

    headers = {"Accept-Ranges": "bytes", "Content-Length": str(max(0, end - start + 1)), "Cache-Control": "no-cache"}
    if status == 206:
        headers["Content-Range"] = f"bytes {start}-{end}/{size}"
    from vidsite.site.writer import content_type

    kind = content_type(path.name)
    if kind.startswith("text/") or kind == "application/json":
        kind += "; charset=utf-8"
    return StreamingResponse(chunks(), status_code=status, headers=headers, media_type=kind)


def _page(path: Path) -> Any:
    """An HTML file with the live-reload script added, as bytes: a static page in any encoding
    is served as it is (labelled UTF-8 only when it is UTF-8; otherwise the browser reads its
    `<meta charset>`)."""
    from starlette.responses import Response

    body = path.read_bytes()
    at = body.lower().rfind(b"</body>")
    body = body + LIVE_TAG if at < 0 else body[:at] + LIVE_TAG + body[at:]
    try:
        body.decode("utf-8")
        kind = "text/html; charset=utf-8"
    except UnicodeDecodeError:
        kind = "text/html"
    return Response(body, headers={"Content-Type": kind, "Cache-Control": "no-store"})


class HeaderDeadline(H11Protocol):
    """uvicorn's HTTP/1.1 protocol with a deadline for each request's headers. uvicorn times out
    only idle keep-alive connections, so a client that connects and sends nothing, or half a
    request a byte at a time (slowloris), would hold its connection forever."""

    _deadline: asyncio.TimerHandle | None = None

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        super().connection_made(transport)
        self._deadline = self.loop.call_later(HEADER_TIMEOUT, self._headers_too_slow)

    def data_received(self, data: bytes) -> None:
        super().data_received(data)
        # h11 leaves the client IDLE until a request's headers are complete; the deadline runs
        # from the first byte of a request and is not moved by the bytes that follow
        waiting = self.conn.their_state is h11.IDLE
        if waiting and self._deadline is None:
            self._deadline = self.loop.call_later(HEADER_TIMEOUT, self._headers_too_slow)
        elif not waiting:
            self._cancel_deadline()

    def connection_lost(self, exc: Exception | None) -> None:
        self._cancel_deadline()
        super().connection_lost(exc)

    def _cancel_deadline(self) -> None:
        if self._deadline is not None:
            self._deadline.cancel()
            self._deadline = None

    def _headers_too_slow(self) -> None:
        self._deadline = None
        if self.conn.their_state is h11.IDLE and not self.transport.is_closing():
            self.transport.close()


class DevServer(uvicorn.Server):
    """uvicorn's server, ending the live-reload streams when it shuts down: otherwise it waits
    for them, which is forever while a browser tab is open."""

    def __init__(self, config: uvicorn.Config, state: State) -> None:
        super().__init__(config)
        self.state = state

    async def shutdown(self, sockets: Any = None) -> None:
        self.state.close_streams()
        await super().shutdown(sockets)


def make_server(out: Path, state: State, *, bind: str, port: int) -> DevServer:
    """The server `serve` runs, with the header deadline and a bounded graceful shutdown."""
    config = uvicorn.Config(make_app(out, state), host=bind, port=port, http=HeaderDeadline,
                            timeout_graceful_shutdown=SHUTDOWN_GRACE, log_level="warning", access_log=False)
    return DevServer(config, state)


def make_app(out: Path, state: State) -> Any:
    from starlette.applications import Starlette
    from starlette.requests import Request
    from starlette.responses import JSONResponse, PlainTextResponse, Response, StreamingResponse
    from starlette.routing import Route

    async def status(request: Request) -> Response:
        return JSONResponse(state.status(), headers={"Cache-Control": "no-store"})

    async def live_js(request: Request) -> Response:
        return Response(LIVE_JS, media_type="text/javascript", headers={"Cache-Control": "no-store"})

    async def events(request: Request) -> Response:
        queue: asyncio.Queue = asyncio.Queue()
        entry = (asyncio.get_running_loop(), queue)
        with state.lock:
            state.listeners.append(entry)

        async def stream() -> AsyncIterator[str]:
            try:
                yield f"event: hello\ndata: {json.dumps(state.status())}\n\n"
                while True:
                    try:
                        event = await asyncio.wait_for(queue.get(), timeout=15)
                    except asyncio.TimeoutError:
                        yield ": keep-alive\n\n"
                        continue
                    if event["type"] == "closing":
                        return
                    yield f"event: {event['type']}\ndata: {json.dumps(event)}\n\n"
            finally:
                with state.lock:
                    state.listeners.remove(entry)

        return StreamingResponse(stream(), media_type="text/event-stream", headers={"Cache-Control": "no-store"})

    async def files(request: Request) -> Response:
        rel = request.path_params.get("path", "")
        target = safe_path(out, rel)
        if target is not None and target.is_dir():
            if rel and not rel.endswith("/"):  # `/guide` → `/guide/`, or video.mp4 resolves to /video.mp4
                query = request.url.query
                return Response(status_code=301, headers={
                    "Location": folder_url(out, target) + (f"?{query}" if query else ""),
                    "Cache-Control": "no-store"})
            target = safe_path(out, f"{rel}/index.html")  # resolved again: it may be a symlink
        if target is None or not target.is_file():
            return PlainTextResponse("404 not found", status_code=404)
        if target.suffix == ".html":
            return _page(target)
        return _stream_file(request, target)

    return Starlette(routes=[
        Route("/_vidsite/status", status),
        Route("/_vidsite/events", events),
        Route("/_vidsite/live.js", live_js),
        Route("/{path:path}", files),
    ])


def serve(root: Path, *, port: int = 1313, bind: str = "127.0.0.1", watch: bool = True,
          **build_args: Any) -> None:
    import multiprocessing

    # Rebuild workers come from a forkserver (this process has threads, so it must not fork);
    # the forkserver imports the media stack once, so each rebuild's workers start warm.
    multiprocessing.set_forkserver_preload(["vidsite.tasks", "vidsite.encode.segments", "vidsite.encode.audio",
                                            "vidsite.render.slides", "av", "numpy", "PIL.Image"])
    root = root.resolve()
    out = root / "output"
    state = State()
    builder = Builder(root, out, state, build_args)
    builder.build_once()  # before serving: the first page load has something to show (or the error)
    if state.last_error:
        log.warning("serving the last good output; fix the error and save to rebuild")
    observer = _watch(root, builder) if watch else None
    builder._pending.clear()
    builder._thread.start()
    server = make_server(out, state, bind=bind, port=port)
    log.info("serving %s at http://%s:%d/ (Ctrl-C to stop)", out, bind, port)
    try:
        server.run()
    finally:
        if observer is not None:
            observer.stop()
            observer.join(timeout=5)
        builder.stop()
