"""The edge engine's real client code against a fake edge-tts server on 127.0.0.1."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import numpy as np
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


# --- word boundaries against the audio (issue 18) ------------------------------------------------

FPS = 30


def _onset(pcm: np.ndarray, rate: int, near: float) -> float:
    """Where the tone that starts near `near` seconds is first heard (a tenth of its amplitude)."""
    lo = max(0, int((near - 0.12) * rate))
    loud = np.flatnonzero(np.abs(pcm[lo : lo + int(0.24 * rate)].astype(np.int32)) > 0.025 * 32767)
    assert len(loud), f"no tone near {near:.3f}s"
    return (lo + loud[0]) / rate


def _timed(words: str, gap: float = 0.12) -> list[tuple[str, float, float]]:
    """Scripted word boundaries: each word 0.16 s a character after a gap, from 0.2 s."""
    out, t = [], 0.2
    for word in words.split():
        out.append((word, t, t + 0.16 * len(word)))
        t += 0.16 * len(word) + gap
    return out


def test_word_boundaries_land_where_the_words_are_heard(fake) -> None:
    """A streamed MP3 decodes with 1105 samples of codec delay first: taken off, each word starts
    in the audio where its boundary says (left in, 46 ms later: more than a frame). The service's
    silence around the voice is cut to MARGIN, and the words move with the audio."""
    from vidsite.config import TTSConfig
    from vidsite.speech.base import get_engine
    from vidsite.speech.edge import MARGIN

    text = "Captions help everyone watch."
    scripted = fake.script[text] = _timed("Captions help everyone watch")
    speech = get_engine("edge", TTSConfig(engine="edge", edge_url=fake.url)).synthesize(text, "en-US-AriaNeural", 175, 50)
    pcm, rate = np.frombuffer(speech.pcm, dtype=np.int16), speech.sample_rate
    assert [w.text for w in speech.words] == text.rstrip(".").split()
    shift = scripted[0][1] - speech.words[0].start
    for word, (_, start, _) in zip(speech.words, scripted):
        assert word.start == pytest.approx(start - shift, abs=1e-6)  # as far apart as the service said
        assert abs(_onset(pcm, rate, word.start) - word.start) < 0.003, word
    heard = np.flatnonzero(np.abs(pcm.astype(np.int32)) > 0.025 * 32767)
    assert heard[0] / rate <= MARGIN + 0.01 and (len(pcm) - heard[-1]) / rate <= MARGIN + 0.02


def _quiet_end(pcm: np.ndarray, rate: int, tail: bool) -> float:
    """Seconds of silence (below -40 dBFS over 10 ms) at the start of `pcm`, or at its end."""
    win = rate // 100
    frames = pcm[: len(pcm) // win * win].reshape(-1, win).astype(np.float64) / 32768
    loud = np.flatnonzero(20 * np.log10(np.maximum(np.sqrt((frames**2).mean(axis=1)), 1e-9)) > -40)
    return (len(frames) - 1 - loud[-1] if tail else loud[0]) / 100


def test_sentences_from_the_online_voice_are_as_far_apart_as_from_the_offline_one(fake, tmp_path: Path) -> None:
    """The service leaves 0.17 s before and 0.8 s after each utterance; kept, its sentences would
    be 1.4 s apart where espeak's are at the [tts] pause of 0.4 s."""
    import wave

    from vidsite.config import TTSConfig
    from vidsite.speech.cache import ClipCache
    from vidsite.speech.speak import Speaker

    narration = "Captions help everyone. They carry the words when the sound is off."
    gaps = {}
    for engine in ("edge", "espeak"):
        speaker = Speaker(TTSConfig(engine=engine, edge_url=fake.url), ClipCache(tmp_path / engine))
        (first, _), (second, at) = speaker.speak(narration, None, "en").parts
        pcm = []
        for clip in (first, second):
            with wave.open(str(clip.wav)) as w:
                pcm.append((np.frombuffer(w.readframes(w.getnframes()), dtype=np.int16), w.getframerate()))
        gaps[engine] = _quiet_end(*pcm[0], tail=True) + (at - first.duration) + _quiet_end(*pcm[1], tail=False)
    assert fake.connections == 2
    assert abs(gaps["edge"] - gaps["espeak"]) <= 0.08 and 0.4 <= gaps["edge"] <= 0.5, gaps


LISTS = {  # narration sentences with their scripted words, the items, and the word that starts each
    "zh": ({"我们去买水果。": "我们 去 买 水果", "先买苹果，再买香蕉，最后买西瓜。": "先 买 苹果 再 买 香蕉 最后 买 西瓜"},
           ["苹果", "香蕉", "西瓜"], ["苹果", "香蕉", "西瓜"]),
    "ja": ({"果物を三つ買います。": "果物を 三つ 買います", "りんごと、バナナと、メロンです。": "りんごと バナナと メロンです"},
           ["りんご", "バナナ", "メロン"], ["りんごと", "バナナと", "メロンです"]),
}


@pytest.mark.parametrize("language", sorted(LISTS))
def test_a_cjk_list_is_revealed_on_the_frame_its_word_is_heard(fake, tmp_path: Path, language: str) -> None:
    """espeak gives no word events for Chinese or Japanese: the edge client against scripted word
    boundaries shows that item k appears within one frame after its word is heard, never before."""
    import wave

    from vidsite.config import TTSConfig
    from vidsite.speech.cache import ClipCache
    from vidsite.speech.speak import Speaker
    from vidsite.timeline import reveal_frame, reveal_times

    sentences, items, starts = LISTS[language]
    for sentence, words in sentences.items():
        fake.script[sentence] = _timed(words)
    speaker = Speaker(TTSConfig(engine="edge", edge_url=fake.url), ClipCache(tmp_path))
    vo = speaker.speak("".join(sentences), None, language)
    assert vo.engine == "edge" and len(vo.parts) == 2
    clip, at = vo.parts[1]
    with wave.open(str(clip.wav)) as w:
        pcm, rate = np.frombuffer(w.readframes(w.getnframes()), dtype=np.int16), w.getframerate()
    script = fake.script[list(sentences)[1]]
    shift = script[0][1] - clip.words[0].start  # the service's silence before the voice, cut
    scripted = {word: start - shift for word, start, _ in script}
    for k, t in enumerate(reveal_times(items, vo.words, vo.duration)):
        heard = at + _onset(pcm, rate, scripted[starts[k]])
        shown = reveal_frame(t, FPS) / FPS
        assert 0 <= shown - heard + 0.001 < 1 / FPS, (items[k], shown, heard)
