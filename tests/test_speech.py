"""Speech: the espeak engine, the clip cache, pauses."""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np

from conftest import decode, manifest, run
from vidsite.config import TTSConfig
from vidsite.speech.base import get_engine
from vidsite.speech.cache import ClipCache
from vidsite.speech.speak import Speaker, units


def test_espeak_speaks_with_word_timings() -> None:
    speech = get_engine("espeak", TTSConfig()).synthesize("Narration starts here, café.", "en-us", 175, 50)
    seconds = len(speech.pcm) / 2 / speech.sample_rate
    assert 1.0 < seconds < 4.0
    assert [w.text for w in speech.words] == ["Narration", "starts", "here", "café"]
    starts = [w.start for w in speech.words]
    assert starts == sorted(starts) and starts[-1] < seconds


def test_units_split_sentences_and_pauses() -> None:
    assert units("One. Two? [pause 250ms] Three! [pause 1.5s]") == ["One.", "Two?", 0.25, "Three!", 1.5]


def test_shared_sentence_is_synthesised_once_and_damaged_entries_are_misses(tmp_path: Path) -> None:
    speaker = Speaker(TTSConfig(), ClipCache(tmp_path))
    speaker.speak("Welcome to the guide. Page one.", None, "en")
    speaker.speak("Welcome to the guide. Page two.", None, "en")
    assert (speaker.synthesised, speaker.cached) == (3, 1)
    wav = next(p for p in (tmp_path / "clips").glob("welcome*.wav"))
    wav.write_bytes(wav.read_bytes()[: wav.stat().st_size // 2])
    again = Speaker(TTSConfig(), ClipCache(tmp_path))
    vo = again.speak("Welcome to the guide.", None, "en")
    assert again.synthesised == 1 and vo.duration > 0.5


def test_pause_lengthens_the_audio(site_factory) -> None:
    scene = "```scene title\ntitle: T\nnarration: {}\nmin_duration: 0\n```\n"
    plain = site_factory({"content/p.md": scene.format("Hello. Goodbye.")}, name="plain")
    paused = site_factory({"content/p.md": scene.format("Hello. [pause 800ms] Goodbye.")}, name="paused")
    for site in (plain, paused):
        assert run("build", str(site)).exit_code == 0
    a, b = decode(plain / "output/p/video.mp4"), decode(paused / "output/p/video.mp4")
    speech_end = lambda d: np.nonzero(np.abs(d.audio) > 0.02)[0][-1] / d.audio_rate  # noqa: E731
    # the explicit pause replaces the automatic one between the sentences ([tts] sentence_pause, 0.4 s)
    assert abs((speech_end(b) - speech_end(a)) - (0.8 - 0.4)) <= 1 / 30
    assert abs(b.audio_end - b.video_end) <= 1 / 30
    # the caption ends with the sentence after the pause ("Hello." alone would flash by for under 5/6 s,
    # so both sentences share one cue)
    cues_a = (plain / "output/p/captions.en.vtt").read_text().split("\n\n")
    cues_b = (paused / "output/p/captions.en.vtt").read_text().split("\n\n")
    end = lambda cue: float(cue.split("\n")[1].split(" --> ")[1].split(":")[-1])  # noqa: E731
    assert abs(end(cues_b[-2]) - end(cues_a[-2]) - (0.8 - 0.4)) < 0.002
    assert "[pause" not in manifest(paused, "p")["scenes"][0]["narration"]


def test_every_language_and_alias_has_a_working_espeak_voice() -> None:
    from vidsite.speech.voices import ALIASES, LANGUAGES, resolve

    engine = get_engine("espeak", TTSConfig())
    voices = {resolve(None, lang, "espeak") for lang in LANGUAGES} | {ids["espeak"] for ids in ALIASES.values()}
    voices |= {resolve(alias, lang, "espeak") for alias in ALIASES for lang in ("es", "ja")}
    assert len(LANGUAGES) >= 29
    for voice in sorted(voices):
        speech = engine.synthesize("ok", voice, 175, 50)
        assert len(speech.pcm) > 1000, voice
    assert all(re.fullmatch(r"[a-z]{2,3}-[A-Z]{2}-\w+Neural", edge) for edge, _ in LANGUAGES.values())
