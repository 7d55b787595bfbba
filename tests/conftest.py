"""Test helpers: sites built from a dict of files, and decoders for what a build writes."""

from __future__ import annotations

import json
import os
import textwrap
from dataclasses import dataclass
from fractions import Fraction
from pathlib import Path

import numpy as np
import pytest
from click.testing import CliRunner

from vidsite.cli import main

FIXTURES = Path(__file__).parent / "fixtures"
BENCH_SITE = Path(__file__).parent.parent / "bench" / "site"  # the benchmark page, as in ../shared/bench/site
SMALL = """
title = "Test site"
[video]
width = 320
height = 180
fps = 30
"""
ESPEAK = SMALL + '[tts]\nengine = "espeak"\n'  # the offline voice, never a network attempt
# Every wait on a server, a browser or a child process is an event with a timeout; a busy CI machine
# stretches them all with VIDSITE_TEST_TIMEOUT_FACTOR=3 (or more), never a test's own sleep.
FACTOR = float(os.environ.get("VIDSITE_TEST_TIMEOUT_FACTOR", "1"))


def ms(seconds: float) -> float:
    """A timeout for playwright (milliseconds), scaled by FACTOR."""
    return seconds * FACTOR * 1000


def secs(seconds: float) -> float:
    """A timeout in seconds, scaled by FACTOR."""
    return seconds * FACTOR


SHARED = Path(__file__).resolve().parents[2] / "shared"  # real pages and repositories beside the project


def docs_repo(name: str, tmp_path: Path) -> Path:
    """A copy in tmp_path of ../shared/docs-repos/NAME (nothing is written under shared/): skipped
    where shared/ is absent, a failure under CI."""
    import shutil

    source = SHARED / "docs-repos" / name
    if not source.is_dir():
        if os.environ.get("CI") == "true":
            pytest.fail(f"{source} is missing")
        pytest.skip(f"{source} is not here")
    return Path(shutil.copytree(source, tmp_path / name))


def make_site(root: Path, files: dict[str, str], config: str = SMALL) -> Path:
    """Write a site: config.toml plus `files` (paths relative to the site root)."""
    root.mkdir(parents=True, exist_ok=True)
    (root / "config.toml").write_text(textwrap.dedent(config), encoding="utf-8")
    (root / "content").mkdir(exist_ok=True)
    for rel, text in files.items():
        p = root / rel
        p.parent.mkdir(parents=True, exist_ok=True)
        p.write_text(textwrap.dedent(text).lstrip("\n"), encoding="utf-8")
    return root


def free_port() -> int:
    """A TCP port nothing listens on (for fake services and servers on 127.0.0.1)."""
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def run(*args: str) -> "CliRunner.invoke":
    result = CliRunner().invoke(main, list(args), catch_exceptions=False)
    return result


def manifest(site: Path, url: str) -> dict:
    return json.loads((site / "output" / url / "manifest.json").read_text(encoding="utf-8"))


@dataclass
class Decoded:
    frame_times: list[float]  # presentation time of each decoded frame
    frames: list[np.ndarray]  # RGB
    video_end: float  # last frame's pts + duration
    audio: np.ndarray  # float mono
    audio_rate: int
    audio_start: float
    rate: Fraction  # declared frame rate (from the stream)
    width: int
    height: int
    codec: str
    pix_fmt: str

    @property
    def audio_end(self) -> float:
        return self.audio_start + len(self.audio) / self.audio_rate

    def frame_at(self, t: float) -> np.ndarray:
        """The picture a player shows at time t."""
        idx = max(i for i, ft in enumerate(self.frame_times) if ft <= t + 1e-6)
        return self.frames[idx]


def decode(path: Path) -> Decoded:
    import av

    with av.open(str(path)) as c:
        v = c.streams.video[0]
        rate, codec, pix_fmt = v.guessed_rate, v.codec_context.name, v.codec_context.pix_fmt
        packets = [(p.pts * p.time_base, p.duration * p.time_base) for p in c.demux(v) if p.pts is not None]
        end = float(max(pts + dur for pts, dur in packets))
    with av.open(str(path)) as c:
        times, frames = [], []
        for f in c.decode(video=0):
            times.append(float(f.time))
            frames.append(f.to_ndarray(format="rgb24"))
        w, h = frames[0].shape[1], frames[0].shape[0]
    with av.open(str(path)) as c:
        chunks, start, sr = [], None, 48000
        for f in c.decode(audio=0):
            if start is None:
                start = float(f.time)
            sr = f.sample_rate
            chunks.append(f.to_ndarray().reshape(-1))
    return Decoded(times, frames, end, np.concatenate(chunks), sr, start or 0.0, rate, w, h, codec, pix_fmt)


@pytest.fixture
def site_factory(tmp_path: Path):
    def factory(files: dict[str, str], config: str = SMALL, name: str = "site") -> Path:
        return make_site(tmp_path / name, files, config)

    return factory


@pytest.fixture
def api(monkeypatch):
    """A fake Anthropic Messages API on 127.0.0.1, with a key in the environment."""
    from fakes import FakeMessagesAPI

    fake = FakeMessagesAPI()
    monkeypatch.setenv("ANTHROPIC_API_KEY", "sk-test")
    yield fake
    fake.stop()


@pytest.fixture
def s3(monkeypatch):
    """A moto S3 server on 127.0.0.1 with a `docs` bucket: (boto3 client, endpoint URL)."""
    moto_server = pytest.importorskip("moto.server")
    import urllib.request

    port = free_port()
    server = moto_server.ThreadedMotoServer(ip_address="127.0.0.1", port=port)
    server.start()
    endpoint = f"http://127.0.0.1:{port}"
    for key, value in {"AWS_ACCESS_KEY_ID": "testing", "AWS_SECRET_ACCESS_KEY": "testing",
                       "AWS_DEFAULT_REGION": "us-east-1", "AWS_ENDPOINT_URL": endpoint}.items():
        monkeypatch.setenv(key, value)
    import boto3

    client = boto3.client("s3", endpoint_url=endpoint)
    client.create_bucket(Bucket="docs")
    yield client, endpoint
    urllib.request.urlopen(urllib.request.Request(f"{endpoint}/moto-api/reset", method="POST"), timeout=10)
    server.stop()  # moto keeps buckets per process: the reset leaves none for the next test in this worker


CHROMIUM = __import__("shutil").which("chromium") or "/usr/bin/chromium"


@pytest.fixture
def browser():
    """Headless Debian chromium through playwright; skipped locally without it, a failure under CI."""
    import os

    if not Path(CHROMIUM).exists():
        if os.environ.get("CI"):
            pytest.fail("chromium is missing: .ci/run installs it with apt-get")
        pytest.skip("chromium is not installed (apt-get install chromium)")
    sync_api = pytest.importorskip("playwright.sync_api") if not os.environ.get("CI") else __import__(
        "playwright.sync_api", fromlist=["sync_playwright"])
    with sync_api.sync_playwright() as p:
        chrome = p.chromium.launch(executable_path=CHROMIUM, args=[
            "--no-sandbox", "--disable-gpu", "--autoplay-policy=no-user-gesture-required", "--disable-quic",
            "--force-color-profile=srgb", "--disable-background-networking", "--disable-component-update",
            "--disable-sync", "--no-first-run"])
        yield chrome
        chrome.close()
