"""`vidsite serve`: build a preview, serve it on loopback, rebuild on change, reload the browser.

- The preview is built into .vidsite/preview/, never output/: draft-quality video and a
  localhost base_url there could otherwise be published by the next `vidsite deploy`.
- Files are served only from inside the preview folder (after resolving `..`, encodings and symlinks);
  video is served with HTTP Range so players can seek.
- Every HTML page gets a small script that listens to /_vidsite/events (server-sent events):
  it reloads only when its own page (or, for an index, its listing) changed, keeping the
  video's time and playing state when the video is unchanged up to there, and shows build
  errors as an overlay while the last good output stays served.
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
from pathlib import Path
from typing import Any, AsyncIterator
from urllib.parse import quote

import h11
import uvicorn
from uvicorn.protocols.http.h11_impl import H11Protocol

from vidsite.options import BuildOptions
from vidsite.rebuild import Builder, State, watch_site, watched_folders

log = logging.getLogger(__name__)

LIVE_JS = (Path(__file__).parent / "site" / "live.js").read_text(encoding="utf-8")
LIVE_TAG = b'<script src="/_vidsite/live.js"></script>'
PREVIEW = Path(".vidsite") / "preview"  # relative to the site root
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


def _stream_file(request: Any, path: Path) -> Any:
    """The file, or the byte range asked for, read from one open file: a rebuild that swaps the folder
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


PROGRESS = """<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Building…</title></head>
<body style="margin:0;padding:48px;background:#0F172A;color:#F8FAFC;font:18px/1.5 system-ui,sans-serif">
<h1 style="font-size:28px">Building this page…</h1><p id="vidsite-progress">starting</p>
<script>
(function () {
  var page = %s, box = document.getElementById("vidsite-progress");
  function tick() {
    fetch("/_vidsite/status?page=" + encodeURIComponent(page)).then(function (r) { return r.json(); })
      .then(function (s) {
        if (s.page !== "waiting") { location.reload(); return; }  // built (or not a page after all)
        box.textContent = s.last_error ? "the last build failed: " + s.last_error :
          s.stage + ": slides " + s.tasks_done + "/" + s.tasks + " · pages still waiting: " + s.waiting;
        setTimeout(tick, 300);
      }, function () { setTimeout(tick, 1000); });
  }
  tick();
})();
</script></body></html>
"""


def _progress_page(url: str) -> Any:
    """What a page not built yet shows: how far its build is, until it is there (then it reloads)."""
    from starlette.responses import HTMLResponse

    return HTMLResponse(PROGRESS % json.dumps(url).replace("<", "\\u003c"), headers={"Cache-Control": "no-store"})


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
        report = state.status()
        if "page" in request.query_params:  # what a progress page waits for
            url = request.query_params["page"].strip("/")
            ready = safe_path(out, f"{url}/index.html") is not None
            report["page"] = "ready" if ready else "waiting" if state.want(url) else "unknown"
        return JSONResponse(report, headers={"Cache-Control": "no-store"})

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
            url = rel.strip("/").removesuffix("index.html").strip("/")
            leaf = rel.rstrip("/").rpartition("/")[2]
            if ("." not in leaf or leaf == "index.html") and state.want(url):  # a page not built yet
                return _progress_page(url)
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


def serve(root: Path, options: BuildOptions, *, port: int = 1313, bind: str = "127.0.0.1", watch: bool = True) -> None:
    """Serve the preview folder at once while it is built (the pages browsers ask for first), and (with
    `watch`) rebuild on every change."""
    import multiprocessing

    # Rebuild workers come from a forkserver (this process has threads, so it must not fork);
    # the forkserver imports the media stack once, so each rebuild's workers start warm.
    multiprocessing.set_forkserver_preload(["vidsite.tasks", "vidsite.encode.segments", "vidsite.encode.audio",
                                            "vidsite.render.slides", "av", "numpy", "PIL.Image"])
    root = root.resolve()
    state = State()
    builder = Builder(root, state, options)
    out = builder.out
    observer = watch_site(root, builder, watched_folders(root, options)) if watch else None
    builder.start()
    builder.request()  # served at once: a page not built yet shows its progress, and is built first
    server = make_server(out, state, bind=bind, port=port)
    log.info("serving %s at http://%s:%d/ (Ctrl-C to stop)", out, bind, port)
    try:
        server.run()
    finally:
        if observer is not None:
            observer.stop()
            observer.join(timeout=5)
        builder.stop()
