"""Online speech has a circuit breaker per build, and the "speaks again?" check is one tiny real
synthesis with a short deadline, made at most once per 10 minutes."""

from __future__ import annotations

import asyncio
import json
import time
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from aiohttp import web

from conftest import manifest, run
from fake_edge import FakeEdge

PAGES = {"content/p.md": """
    ---
    title: Breaker
    ---

    ```scene title
    title: One
    narration: The first sentence. The second sentence.
    ```

    ```scene title
    title: Two
    narration: A third sentence. A fourth sentence.
    ```
"""}


def _config(url: str, timeout: int = 2) -> str:
    return f"""
title = "breaker"
[video]
width = 160
height = 90
[tts]
engine = "auto"
edge_url = "{url}"
timeout = {timeout}
retry_backoff = 0.5
"""


@dataclass
class Flaky(FakeEdge):
    """The fake edge-tts service, with a mode: "hang" (accepts the connection, never answers),
    an HTTP status (answers every handshake with it), or "ok"."""

    mode: str | int = "ok"
    hung: int = 0
    _release: list = field(default_factory=list)

    async def handler(self, request: web.Request) -> web.StreamResponse:
        if self.mode == "hang":
            self.connections += 1
            self.hung += 1
            released = asyncio.Event()
            self._release.append(released)
            await released.wait()  # until stop(): the client gives up first
            return web.Response(status=503)
        if isinstance(self.mode, int):
            self.connections += 1
            return web.Response(status=self.mode, text="fake failure")
        return await super().handler(request)

    def stop(self) -> None:
        for released in self._release:
            self._server.loop.call_soon_threadsafe(released.set)
        super().stop()


@pytest.fixture
def flaky():
    server = Flaky().start()
    yield server
    server.stop()


def _timed_build(site: Path) -> tuple[float, object]:
    started = time.perf_counter()
    result = run("build", str(site))
    return time.perf_counter() - started, result


def _probe_record(site: Path) -> Path:
    return site / ".vidsite/cache/speech/probe-edge.json"


def _age_record(site: Path, seconds: float) -> None:
    path = _probe_record(site)
    record = json.loads(path.read_text())
    record["checked"] = time.time() - seconds
    path.write_text(json.dumps(record))


def _engines(site: Path) -> set[str]:
    return {s["engine"] for s in manifest(site, "p")["scenes"]}


@pytest.mark.parametrize("mode", ["hang", 503])
def test_first_timeout_or_5xx_opens_the_breaker_and_no_op_builds_stay_fast(flaky, site_factory, mode) -> None:
    flaky.mode = mode
    site = site_factory(PAGES, _config(flaky.url))
    cold, result = _timed_build(site)
    assert result.exit_code == 0, result.output
    assert flaky.connections == 1  # one request; the other three clips fell back without asking
    assert result.output.count("warning:") == 1 and "4 clips fell back" in result.output
    assert _engines(site) == {"espeak"}
    assert cold < 15, cold
    assert json.loads(_probe_record(site).read_text())["answered"] is False

    noop, result = _timed_build(site)
    assert "nothing to do" in result.output and "re-voicing" not in result.output
    assert flaky.connections == 1  # the failure was recorded: no probe within 10 minutes
    assert noop < 2.5, noop
    print(f"\n{mode}: cold build {cold:.2f}s, no-op rebuild {noop:.2f}s")


def test_pages_are_revoiced_when_the_service_speaks_again_after_ten_minutes(flaky, site_factory, caplog) -> None:
    flaky.mode = 503
    site = site_factory(PAGES, _config(flaky.url))
    assert run("build", str(site)).exit_code == 0 and _engines(site) == {"espeak"}

    flaky.mode = "ok"
    assert "nothing to do" in run("build", str(site)).output  # asked 503 seconds ago: not again yet
    assert flaky.connections == 1

    _age_record(site, 601)
    caplog.set_level("INFO")
    result = run("build", str(site))
    assert result.exit_code == 0 and "fell back" not in result.output
    assert "edge speaks again: re-voicing 1 page(s)" in caplog.text
    assert _engines(site) == {"edge"}
    assert flaky.texts[0] == "Hi." and len(flaky.texts) == 5  # the probe, then the page's four sentences
    assert json.loads(_probe_record(site).read_text())["answered"] is True
    assert "nothing to do" in run("build", str(site)).output


def test_the_probe_of_a_hung_service_keeps_its_deadline_and_is_recorded(flaky, site_factory) -> None:
    flaky.mode = 503
    site = site_factory(PAGES, _config(flaky.url, timeout=60))  # a patient timeout for real syntheses
    assert run("build", str(site)).exit_code == 0 and _engines(site) == {"espeak"}

    flaky.mode = "hang"
    _age_record(site, 3600)
    probing, result = _timed_build(site)
    assert "nothing to do" in result.output and flaky.hung == 1
    assert probing < 3 + 2.5, probing  # the 3 s deadline, not the 60 s timeout
    record = json.loads(_probe_record(site).read_text())
    assert record["answered"] is False and "3s" in record["why"]

    noop, result = _timed_build(site)
    assert "nothing to do" in result.output and flaky.hung == 1 and noop < 2.5
    print(f"\nprobe of a hung service: {probing:.2f}s; next no-op {noop:.2f}s")


def test_without_a_fallback_a_503_is_still_retried(flaky, site_factory) -> None:
    flaky.mode = 503
    site = site_factory(PAGES, _config(flaky.url).replace('"auto"', '"edge"').replace("0.5", "0.01")
                        + "retries = 2\n")
    result = run("build", str(site))
    assert result.exit_code == 1 and "Traceback" not in result.output
    assert flaky.connections == 3  # nothing to fall back to: retried before giving up
