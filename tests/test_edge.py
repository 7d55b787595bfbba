"""The edge engine's real client code against a fake edge-tts server on 127.0.0.1."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from conftest import BENCH_SITE, free_port, manifest, run
from fake_edge import FakeEdge

PAGE = {"content/p.md": """
    ---
    title: Edge
    voice: female
    ---

    ```scene title
    title: Neural
    narration: Hello from the neural voice.
    ```
"""}


def _config(url: str, engine: str = "edge", concurrency: int = 4) -> str:
    return f"""
title = "edge"
[video]
width = 160
height = 90
[tts]
engine = "{engine}"
edge_url = "{url}"
retry_backoff = 0.01
concurrency = {concurrency}
"""


@pytest.fixture
def fake():
    server = FakeEdge().start()
    yield server
    server.stop()


def _closed_port_url() -> str:
    return f"ws://127.0.0.1:{free_port()}/edge/v1?TrustedClientToken=x"


def test_audio_and_word_timings_land_in_the_cache(fake, site_factory) -> None:
    site = site_factory(PAGE, _config(fake.url))
    result = run("build", str(site))
    assert result.exit_code == 0, result.output
    scene = manifest(site, "p")["scenes"][0]
    assert (scene["engine"], scene["voice"]) == ("edge", "en-US-AriaNeural")
    assert fake.texts == ["Hello from the neural voice."]
    entry = json.loads(next((site / ".vidsite/cache/clips").glob("*.json")).read_text())
    assert entry["engine"] == "edge" and entry["sample_rate"] == 24000 and entry["samples"] > 24000
    assert [w["text"] for w in entry["words"]][:2] == ["Hello", "from"]
    assert all(0 <= w["start"] < w["end"] <= entry["samples"] / 24000 + 1e-6 for w in entry["words"])
    vtt = (site / "output/p/captions.en.vtt").read_text()
    assert "Hello from the neural voice." in vtt


def test_503_then_success_is_retried(fake, site_factory) -> None:
    fake.fail = [503]
    site = site_factory(PAGE, _config(fake.url))
    result = run("build", str(site))
    assert result.exit_code == 0 and "fell back" not in result.output
    assert fake.connections == 2
    assert manifest(site, "p")["scenes"][0]["engine"] == "edge"


@pytest.mark.parametrize("failure", [403, 429, "drop"])
def test_transient_failures_are_retried(fake, site_factory, failure) -> None:
    fake.fail = [failure, failure]
    site = site_factory(PAGE, _config(fake.url))
    assert run("build", str(site)).exit_code == 0
    assert fake.connections == 3 and manifest(site, "p")["scenes"][0]["engine"] == "edge"


def test_a_cache_hit_makes_no_connection(fake, site_factory) -> None:
    site = site_factory(PAGE, _config(fake.url))
    assert run("build", str(site)).exit_code == 0
    shutil.rmtree(site / "output")
    assert run("build", str(site)).exit_code == 0
    assert fake.connections == 1


def test_refused_connection_falls_back_once_with_a_warning(site_factory) -> None:
    site = site_factory(PAGE, _config(_closed_port_url(), engine="auto"))
    result = run("build", str(site))
    assert result.exit_code == 0
    assert result.output.count("fell back") == 1 and "1 clips fell back" in result.output
    scene = manifest(site, "p")["scenes"][0]
    assert scene["engine"] == "espeak" and scene["voice"] == "en-us+f3"


def test_strict_refuses_to_fall_back(site_factory) -> None:
    site = site_factory(PAGE, _config(_closed_port_url(), engine="auto"))
    result = run("build", "--strict", str(site))
    assert result.exit_code == 1
    assert "edge-tts" in result.output and "could not be reached" in result.output and "Traceback" not in result.output
    assert not (site / "output").exists()


def test_service_errors_that_persist_fall_back(fake, site_factory) -> None:
    fake.fail = [503] * 10
    site = site_factory(PAGE, _config(fake.url, engine="auto").replace("retry_backoff = 0.01", "retry_backoff = 0.01\nretries = 2"))
    result = run("build", str(site))
    assert result.exit_code == 0 and "fell back" in result.output
    assert fake.connections == 1  # the circuit breaker: the first 5xx sends the rest to the fallback at once


def test_concurrency_is_bounded(fake, site_factory) -> None:
    fake.delay = 0.2
    sentences = " ".join(f"Sentence number {i}." for i in range(8))
    page = {"content/p.md": f"```scene title\ntitle: Many\nnarration: {sentences}\n```\n"}
    site = site_factory(page, _config(fake.url, concurrency=2))
    assert run("build", str(site)).exit_code == 0
    assert fake.connections == 8 and fake.max_active == 2


def test_bench_site_offline_default_engine_warns_once(tmp_path: Path) -> None:
    """This machine cannot reach edge-tts: the default engine builds anyway, and says so once."""
    site = tmp_path / "bench"
    shutil.copytree(BENCH_SITE, site)
    (site / "config.toml").write_text(f'title = "b"\n[video]\nwidth = 160\nheight = 90\n[tts]\nedge_url = "{_closed_port_url()}"\n')
    result = run("build", str(site))
    assert result.exit_code == 0 and result.output.count("warning:") == 1
    assert run("build", "--strict", str(site)).exit_code == 1


def test_fallback_pages_are_revoiced_when_the_service_answers_again(site_factory) -> None:
    port = free_port()
    url = f"ws://127.0.0.1:{port}/edge/v1?TrustedClientToken=test"
    site = site_factory(PAGE, _config(url, engine="auto"))
    assert "fell back" in run("build", str(site)).output  # nothing listens yet
    assert manifest(site, "p")["scenes"][0]["engine"] == "espeak"
    assert "nothing to do" in run("build", str(site)).output  # still offline: a no-op stays a no-op
    server = FakeEdge(port=port).start()
    try:
        result = run("build", str(site))
        assert result.exit_code == 0 and "fell back" not in result.output
        assert manifest(site, "p")["scenes"][0]["engine"] == "edge" and server.connections == 2  # the probe, then the sentence
        assert "nothing to do" in run("build", str(site)).output
    finally:
        server.stop()
