"""What saves an edit's build its last tenths of a second keeps every answer the same: the console
script ends its process without tearing the interpreter down (its output and exit status intact,
atexit handlers run); NVENC is not asked for where no NVIDIA device exists; the loudness meter
reads a long track, fed in uneven pieces, as one whole measurement does; a track measured while it
is encoded reads as its written file decoded afresh."""

from __future__ import annotations

import subprocess
import sys

import numpy as np
from conftest import ESPEAK, secs

# The console script as `vidsite` runs it (`main()`), with an atexit handler and an object that
# only an interpreter teardown would finalise.
SCRIPT = """
import atexit, sys
from vidsite.cli import main

class Torn:
    def __del__(self):
        print("torn down", flush=True)

kept = Torn()
atexit.register(lambda: print("atexit ran"))
main(sys.argv[1:])
"""


def _vidsite(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-c", SCRIPT, *args], check=False, capture_output=True, text=True,
                          timeout=secs(120))


def test_the_console_script_exits_at_once_with_its_output_and_status(site_factory) -> None:
    site = site_factory({"content/p.md": "```scene title\ntitle: T\nnarration: Hello there.\n```\n"}, ESPEAK)
    built = _vidsite("build", str(site))
    assert built.returncode == 0, built.stderr
    assert "built 1/1 pages" in built.stdout and "output:" in built.stdout  # flushed before the process ended
    assert "atexit ran" in built.stdout and "torn down" not in built.stdout
    again = _vidsite("build", str(site))
    assert again.returncode == 0 and "nothing to do" in again.stdout
    failed = _vidsite("build", str(site / "missing"))
    assert failed.returncode == 1 and "Error:" in failed.stderr and "atexit ran" in failed.stdout
    usage = _vidsite("build", "--jobs", "0", str(site))
    assert usage.returncode == 2 and "Invalid value" in usage.stderr


def test_nvenc_is_not_asked_for_without_an_nvidia_device(monkeypatch) -> None:
    from vidsite.encode import encoders

    asked: list[str] = []
    monkeypatch.setattr(encoders.sys, "platform", "linux")
    monkeypatch.setattr(encoders.os, "listdir", lambda path: asked.append(path) or ["null", "tty", "kvm"])
    encoders.probe_nvenc.cache_clear()
    try:
        choice = encoders.choose_encoder("auto", 23, "veryfast")
        assert choice.codec == "libx264" and choice.reason == "no NVENC: no NVIDIA device in /dev"
        assert asked == ["/dev"]
        for device in ("nvidia0", "nvidiactl", "dxg"):  # a GPU (WSL 2: dxg): libavcodec is asked, as before
            monkeypatch.setattr(encoders.os, "listdir", lambda path, d=device: ["null", d])
            encoders.probe_nvenc.cache_clear()
            assert encoders._no_nvidia_device() is None
            assert encoders.probe_nvenc() != "no NVIDIA device in /dev"
    finally:
        encoders.probe_nvenc.cache_clear()


def test_the_meter_reads_a_long_track_in_uneven_pieces_as_a_whole_measurement() -> None:
    from vidsite.encode import loudness

    rng = np.random.default_rng(11)
    rate = 24000
    meter = loudness.Meter(rate)
    n = 4 * meter.block + 12345  # several whole transforms and a part
    t = np.arange(n) / rate
    pcm = 0.3 * np.sin(2 * np.pi * 440 * t) * (1 + 0.3 * rng.standard_normal(n).clip(-1, 1))
    pcm[meter.block // 3 : 2 * meter.block] *= 0.01  # a quiet stretch across a boundary: gated out
    pcm[2 * meter.block - 2 : 2 * meter.block + 2] = [0.2, 0.9, -0.9, 0.2]  # the peak, on a block edge
    at = 0
    for size in rng.integers(1, 5000, 10_000):
        meter.add(pcm[at : at + size])
        at += size
        if at >= n:
            break
    assert at >= n
    lufs, peak = meter.result()
    assert round(lufs, 2) == round(loudness.integrated(pcm, rate), 2)
    assert abs(peak - loudness.true_peak(pcm)) < 0.01
    assert peak > 20 * np.log10(0.9)  # the edge peak was seen, oversampled


def test_the_track_measured_while_it_is_encoded_reads_as_its_decoded_file(tmp_path) -> None:
    import json

    from vidsite.config import TTSConfig
    from vidsite.encode.audio import AUDIO_RATE, encode_audio, loudness_file, measured
    from vidsite.speech.cache import ClipCache
    from vidsite.speech.speak import Speaker

    speaker = Speaker(TTSConfig(engine="espeak"), ClipCache(tmp_path / "cache"))
    clip = speaker.speak("Loudness is measured as the track is made.", None, "en").parts[0][0]
    for total in (AUDIO_RATE * 4, AUDIO_RATE * 4 + 777):  # whole AAC frames, and not
        track = tmp_path / f"t{total}.m4a"
        encode_audio(track, ((AUDIO_RATE // 3, str(clip.wav), 4.5),), total)
        kept = json.loads(loudness_file(track).read_text())
        loudness_file(track).unlink()
        assert measured(track) == kept  # the written file, decoded and metered afresh
        assert -18 < kept["lufs"] < -10 and kept["true_peak"] <= -1.5
