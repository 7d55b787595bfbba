"""Offline Japanese (issue 18): espeak-ng's `ja` voice read every kanji as the English words
"Chinese letter", so a Japanese page lasted 2.9 times its Spanish version. Kanji now reach the
voice as kana (pykakasi); a language no offline voice reads fails clearly instead of becoming
noise. Real espeak, real builds, no stubs."""

from __future__ import annotations

import re

import numpy as np
from conftest import ESPEAK, decode, free_port, manifest, run

from vidsite.config import TTSConfig
from vidsite.speech.cache import ClipCache, clip_key
from vidsite.speech.espeak import phonemes, said
from vidsite.speech.speak import Speaker

# The same content twice; the Japanese in ordinary kanji-and-kana writing.
JA = """---
language: ja
---
# 字幕の作り方

字幕は聴覚に障害のある人にも動画を見やすくします。字幕ファイルには開始時刻と終了時刻と本文が書かれています。
再生装置はその時刻に合わせて文字を画面に重ねて表示します。
"""
ES = """---
language: es
---
# Cómo hacer subtítulos

Los subtítulos hacen que los vídeos sean accesibles también para las personas con discapacidad auditiva. Un archivo
de subtítulos contiene la hora de inicio, la hora de fin y el texto. El reproductor superpone el texto en la pantalla
a esas horas.
"""
LETTER = re.compile(r"\([a-z-]+\)|tʃˈaɪniːz")  # a switch to English rules, or "Chinese" said in English


def voiced(audio: np.ndarray, rate: int) -> float:
    """Seconds of the decoded audio above -40 dBFS (RMS over 10 ms): how long the voice speaks."""
    win = rate // 100
    rms = np.sqrt(np.mean(audio[: len(audio) // win * win].reshape(-1, win).astype(np.float64) ** 2, axis=1))
    return float(np.sum(20 * np.log10(np.maximum(rms, 1e-9)) > -40)) / 100


def test_a_japanese_page_with_kanji_built_offline_is_spoken_not_spelled(site_factory) -> None:
    site = site_factory({"content/ja.md": JA, "content/es.md": ES}, ESPEAK)
    result = run("build", str(site))
    assert result.exit_code == 0, result.output
    ja, es = (decode(site / f"output/{p}/video.mp4") for p in ("ja", "es"))
    ja_voice, es_voice = voiced(ja.audio, ja.audio_rate), voiced(es.audio, es.audio_rate)
    assert ja_voice <= 1.5 * es_voice, (ja_voice, es_voice)  # spelled out, it was 2.9 times as long
    sentences = [s for scene in manifest(site, "ja")["scenes"] for s in re.split(r"(?<=。)", scene["narration"]) if s]
    assert any(re.search(r"[\u4e00-\u9fff]", s) for s in sentences)
    for sentence in sentences:
        assert LETTER.search(phonemes(sentence, "ja")) or not re.search(r"[\u4e00-\u9fff]", sentence)  # as written: noise
        assert not LETTER.search(phonemes(said(sentence, "ja")[0], "ja")), sentence  # as said: no letter names


def test_the_words_heard_map_back_onto_the_kanji_shown(tmp_path) -> None:
    sentence = "字幕は聴覚に障害のある人にも動画を見やすくします。"
    speaker = Speaker(TTSConfig(engine="espeak"), ClipCache(tmp_path))
    vo = speaker.speak(sentence, None, "ja")
    assert vo.text == sentence  # captions and slides show the kanji
    assert "".join(w.text for w in vo.words) == sentence.rstrip("。")  # every character timed, in order
    starts = [w.start for w in vo.words]
    assert starts == sorted(starts) and vo.words[-1].end > 0.9 * vo.duration
    # the clip is named by what the voice was given, so a clip cached when kanji were spelled is not reused
    key, voice = speaker.key("espeak", sentence, None, "ja")
    assert key != clip_key("espeak", speaker.engine("espeak").version, voice, 175, 50, sentence)


THAI = """---
language: th
---
# ภาษาไทย

สวัสดีครับ นี่คือหน้าภาษาไทย
"""
KHMER = """---
language: km
---
# ភាសាខ្មែរ

សួស្តី នេះជាទំព័រភាសាខ្មែរ
"""


def test_a_language_no_offline_voice_reads_is_a_clear_error_not_a_video_of_noise(site_factory) -> None:
    """espeak-ng has Thai (not in vidsite's table of defaults: its own voice is used) but no Khmer,
    which its English voice would spell letter by letter."""
    site = site_factory({"content/th.md": THAI, "content/km.md": KHMER}, ESPEAK)
    result = run("build", str(site))
    assert result.exit_code == 1
    assert "no offline voice reads language `km`" in result.output and "degraded_voice" in result.output
    assert "Traceback" not in result.output
    assert not (site / "output/km/video.mp4").exists()
    checked = run("check", str(site))
    assert "reads th (th); cannot read km (en-us)" in checked.output and "fail to build" in checked.output, checked.output
    (site / "config.toml").write_text(ESPEAK + "degraded_voice = true\n", encoding="utf-8")  # the author opts in
    result = run("build", str(site))
    assert result.exit_code == 0, result.output
    assert (site / "output/km/video.mp4").exists()
    assert {s["voice"] for p in ("th", "km") for s in manifest(site, p)["scenes"]} == {"th", "en-us"}


def test_with_the_online_engine_unreachable_the_error_says_why_and_what_to_do(site_factory) -> None:
    url = f"ws://127.0.0.1:{free_port()}/edge/v1?TrustedClientToken=x"  # nothing listens there
    site = site_factory({"content/km.md": KHMER}, ESPEAK.replace('"espeak"', f'"auto"\nedge_url = "{url}"'))
    result = run("build", str(site))
    assert result.exit_code == 1 and "Traceback" not in result.output
    assert "no offline voice reads language `km`" in result.output and "cannot connect to 127.0.0.1" in result.output


def test_voices_and_check_say_which_languages_an_offline_voice_reads(site_factory) -> None:
    listed = run("voices").output
    rows = {line.split()[0]: line for line in listed.splitlines() if re.match(r"[a-z]{2,3} .*Neural", line)}
    assert "yes, kanji as kana" in rows["ja"] and rows["zh"].endswith("yes") and rows["ar"].endswith("yes")
    site = site_factory({"content/ja.md": JA, "content/es.md": ES}, ESPEAK)
    checked = run("check", str(site))
    assert checked.exit_code == 0, checked.output
    assert "offline voice (espeak-ng): reads es (es), ja (ja, kanji read as kana)" in checked.output
