"""`vidsite serve` against clients that are careless or hostile: folder URLs without their slash,
open-redirect attempts, half-sent headers, tabs holding the live-reload stream at shutdown, and
static pages that are not UTF-8."""

from __future__ import annotations

import select
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import urljoin, urlsplit

import pytest

from conftest import free_port, make_site, secs
from test_serve import _get, _status

PAGE = "```scene title\ntitle: Welcome\nnarration: Hello.\n```\n"
LATIN1 = '<html><head><meta charset="iso-8859-1"></head><body><p>café crème</p></body></html>'.encode("latin-1")
HEADER_BOUND = 5.0 + 2.0  # vidsite.serve.HEADER_TIMEOUT plus slack for a loaded machine


def _start(tmp: Path) -> tuple[subprocess.Popen, Path, int]:
    """`vidsite serve` on a one-page site with a Latin-1 static page, once its first build is done."""
    site = make_site(tmp / "site", {"content/welcome.md": PAGE})
    (site / "static").mkdir()
    (site / "static/old.html").write_bytes(LATIN1)
    port = free_port()
    proc = subprocess.Popen([sys.executable, "-m", "vidsite.cli", "serve", "--port", str(port), str(site)],
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    deadline = time.monotonic() + secs(60)
    while time.monotonic() < deadline and proc.poll() is None:
        try:
            if _status(port)["builds"] >= 1:
                return proc, site, port
        except OSError:
            time.sleep(0.1)  # polling for the port to open
    proc.kill()
    pytest.fail("vidsite serve did not start:\n" + (proc.stdout.read() if proc.stdout else ""))


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory):
    proc, site, port = _start(tmp_path_factory.mktemp("hardening"))
    yield site, port
    proc.send_signal(signal.SIGINT)
    try:
        proc.wait(timeout=secs(10))
    except subprocess.TimeoutExpired:
        proc.kill()
        pytest.fail("vidsite serve did not stop on Ctrl-C")


def _closed_within(socks: list[socket.socket], seconds: float, *, trickle: socket.socket | None = None) -> float:
    """Seconds until the server closed every socket in socks (failing after `seconds`); meanwhile
    one more header byte is sent on `trickle` every half second, as a slowloris client does."""
    started, open_ = time.monotonic(), list(socks)
    while open_:
        left = started + seconds - time.monotonic()
        assert left > 0, f"{len(open_)} connection(s) still open after {seconds:.0f}s"
        readable, _, _ = select.select(open_, [], [], min(left, 0.5))
        for s in readable:
            try:
                data = s.recv(4096)
            except ConnectionResetError:
                data = b""
            if not data:
                open_.remove(s)
        if not readable and trickle is not None and trickle in open_:
            try:
                trickle.sendall(b"X")
            except OSError:
                pass  # closed under us: recv reports it next round
    return time.monotonic() - started


def test_a_page_folder_without_its_slash_redirects_to_the_folder(server) -> None:
    site, port = server
    status, headers, _ = _get(port, "/welcome")
    assert status in (301, 308) and headers["location"] == "/welcome/"
    assert _get(port, "/welcome?t=12&q=a%20b")[1]["location"] == "/welcome/?t=12&q=a%20b"
    # where the redirect leads, the page's relative video.mp4 resolves
    status, _, html = _get(port, "/welcome/")
    assert status == 200 and b'src="video.mp4"' in html
    assert _get(port, urljoin("/welcome/", "video.mp4"))[0] == 200
    assert _get(port, "/welcome/index.html")[0] == 200 and _get(port, "/welcome/video.mp4")[0] == 200
    assert _get(port, "/nowhere")[0] == 404


@pytest.mark.parametrize("path", ["//evil.com", "/\\evil.com", "/%2F%2Fevil.com", "//evil.com?x=1",
                                  "/%5Cevil.com", "///evil.com"])
def test_the_redirect_never_leads_to_another_host(server, path: str) -> None:
    site, port = server
    for name in ("evil.com", "\\evil.com"):  # folders a request for another host could name
        (site / ".vidsite/preview" / name).mkdir(exist_ok=True)
        (site / ".vidsite/preview" / name / "index.html").write_text("<body>here</body>")
    status, headers, _ = _get(port, path)
    assert status in (301, 308), path
    location = headers["location"]
    assert location.startswith("/") and location[1:2] not in ("/", "\\"), location
    base = f"http://127.0.0.1:{port}{path}"
    assert urlsplit(urljoin(base, location)).netloc == f"127.0.0.1:{port}", location


def test_static_html_in_any_encoding_is_served_as_its_bytes(server) -> None:
    site, port = server
    status, headers, body = _get(port, "/old.html")
    assert status == 200
    assert body == LATIN1.replace(b"</body>", b'<script src="/_vidsite/live.js"></script></body>')
    assert "utf-8" not in headers["content-type"].lower()  # the page's own <meta charset> decides
    status, headers, _ = _get(port, "/welcome/")
    assert headers["content-type"] == "text/html; charset=utf-8"


def test_a_client_that_never_finishes_its_headers_is_disconnected(server) -> None:
    site, port = server
    stream = socket.create_connection(("127.0.0.1", port), timeout=10)  # a live-reload tab, for contrast
    stream.sendall(b"GET /_vidsite/events HTTP/1.1\r\nHost: x\r\n\r\n")
    assert b"event: hello" in _read_until(stream, b"event: hello")
    partial, silent, trickle = (socket.create_connection(("127.0.0.1", port), timeout=10) for _ in range(3))
    partial.sendall(b"GET / HTTP/1.1\r\nHost: x\r\n")
    trickle.sendall(b"GET / HTTP/1.1\r\nHost: x\r\nX-Slow: ")
    try:
        took = _closed_within([partial, silent, trickle], HEADER_BOUND, trickle=trickle)
        assert took >= 1.0  # a deadline of seconds, not an instant refusal
        # the stream, whose headers came whole, outlived the deadline; so does a whole request
        stream.setblocking(False)
        with pytest.raises(BlockingIOError):  # nothing left to read, and not closed (b"")
            while stream.recv(4096):
                pass
        assert _get(port, "/welcome/")[0] == 200
    finally:
        for s in (partial, silent, trickle, stream):
            s.close()


def _read_until(sock: socket.socket, marker: bytes) -> bytes:
    data = b""
    while marker not in data:
        chunk = sock.recv(4096)
        if not chunk:
            break
        data += chunk
    return data


@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGINT], ids=["SIGTERM", "SIGINT"])
def test_shutdown_is_quick_with_live_reload_tabs_open(tmp_path: Path, sig: signal.Signals) -> None:
    proc, site, port = _start(tmp_path)
    tabs = [socket.create_connection(("127.0.0.1", port), timeout=10) for _ in range(3)]
    try:
        for tab in tabs:  # what a browser tab's EventSource holds open
            tab.sendall(b"GET /_vidsite/events HTTP/1.1\r\nHost: x\r\nAccept: text/event-stream\r\n\r\n")
            assert b"event: hello" in _read_until(tab, b"event: hello")
        proc.send_signal(sig)
        started = time.monotonic()
        try:
            code = proc.wait(timeout=secs(2))
        except subprocess.TimeoutExpired:
            proc.kill()
            pytest.fail(f"vidsite serve still running 2s after {sig.name} with live-reload clients")
        assert time.monotonic() - started < 2
        assert code in (0, -sig), proc.stdout.read() if proc.stdout else ""
    finally:
        for tab in tabs:
            tab.close()
        if proc.poll() is None:
            proc.kill()
