"""What saves an edit's build its last tenths of a second keeps every answer the same: the console
script ends its process without tearing the interpreter down (its output and exit status intact,
atexit handlers run); NVENC is not asked for where no NVIDIA device exists; the loudness meter
reads a long track, fed in uneven pieces, as one whole measurement does; a track measured while it
is encoded reads as its written file decoded afresh."""

from __future__ import annotations

import subprocess
import sys

import numpy as np
import pytest
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
    from vidsite.config import TTSConfig
    from vidsite.encode.audio import AUDIO_RATE, encode_audio, energy_file, measured
    from vidsite.speech.cache import ClipCache
    from vidsite.speech.speak import Speaker

    speaker = Speaker(TTSConfig(engine="espeak"), ClipCache(tmp_path / "cache"))
    clip = speaker.speak("Loudness is measured as the track is made.", None, "en").parts[0][0]
    for total in (AUDIO_RATE * 4, AUDIO_RATE * 4 + 777):  # whole AAC frames, and not
        track = tmp_path / f"t{total}.m4a"
        encode_audio(track, ((AUDIO_RATE // 3, str(clip.wav), 4.5),), total)
        kept = measured(track)  # from the readings kept while it was encoded
        energy_file(track).unlink()
        assert measured(track) == kept  # the written file, decoded and metered afresh
        assert -18 < kept["lufs"] < -10 and kept["true_peak"] <= -1.5


def test_a_track_laid_out_in_takes_decodes_as_the_track_encoded_whole(tmp_path) -> None:
    """The join lays takes, each encoded on its own, on one AAC frame grid with silence packets between:
    decoded, the track matches its mix as closely as one encoding of the whole track does, with no
    click at a seam, and the takes' kept meter readings add up to the whole track's loudness."""
    import av

    from vidsite.config import TTSConfig
    from vidsite.encode.audio import (AAC_FRAME, AUDIO_RATE, encode_audio, lay_takes, measured, mixed_blocks,
                                      takes_loudness, voice_start)
    from vidsite.encode.encoders import choose_encoder
    from vidsite.encode.join import join
    from vidsite.encode.segments import encode_segment
    from vidsite.speech.cache import ClipCache
    from vidsite.speech.speak import Speaker

    speaker = Speaker(TTSConfig(engine="espeak"), ClipCache(tmp_path / "cache"))
    said = ["Each scene is a take of its own.", "Its narration starts on a codec frame.", "Then two frames of silence."]
    clips = [speaker.speak(text, None, "en").parts[0][0] for text in said]
    samples = [round(c.samples * AUDIO_RATE / c.sample_rate) for c in clips]
    frames = [0, 97]  # scene starts, at 30 fps; the third follows the second too closely to part from it
    frames.append(-(-(voice_start(frames[1], 30) + samples[1]) * 30 // AUDIO_RATE))  # the frame the second ends in
    scenes = [(voice_start(f, 30), [(0, str(c.wav), 3.0, n)]) for f, c, n in zip(frames, clips, samples)]
    takes = lay_takes(scenes)
    assert [t.first for t in takes] == [0, scenes[1][0]] and len(takes[1].placements) == 2
    total = AAC_FRAME * 282  # a page's track is whole AAC frames long (encode.audio.frame_alignment)
    parts = []
    for k, take in enumerate(takes):
        encode_audio(tmp_path / f"take{k}.m4a", take.placements, take.length)
        parts.append((tmp_path / f"take{k}.m4a", take.first))
    placed = tuple((take.first + at, wav, gain) for take in takes for at, wav, gain in take.placements)
    encode_audio(tmp_path / "whole.m4a", placed, total)
    mix = np.concatenate([block for _, block in mixed_blocks(placed, total, AUDIO_RATE)]) / 32768.0

    encode_segment(tmp_path / "seg.mp4", [(0, np.full((96, 64), 128, np.uint8))], fps=30, width=64, height=64,
                   encoder=choose_encoder("x264", 23, "veryfast"))
    join(tmp_path / "page.mp4", [(tmp_path / "seg.mp4", 0, (0,))], total * 30 // AUDIO_RATE, 30, parts, total)

    def decoded(path):
        with av.open(str(path)) as c:
            return np.concatenate([f.to_ndarray().reshape(-1) for f in c.decode(audio=0)])

    def snr(x):
        return 10 * np.log10((mix**2).sum() / ((x[: len(mix)] - mix) ** 2).sum())

    laid, whole = decoded(tmp_path / "page.mp4"), decoded(tmp_path / "whole.m4a")
    assert len(laid) == len(whole) == total
    assert snr(laid) > 20 and snr(laid) > snr(whole) - 1.5, (snr(laid), snr(whole))
    for first in (t.first for t in takes[1:]):  # a seam: what precedes a take is silence, as in the mix
        assert np.abs(laid[first - 2048 : first]).max() < 0.01 + np.abs(mix[first - 2048 : first]).max()
    stated, measured_whole = takes_loudness(parts, total), measured(tmp_path / "whole.m4a")
    assert stated["lufs"] == pytest.approx(measured_whole["lufs"], abs=0.1)
    assert stated["true_peak"] == pytest.approx(measured_whole["true_peak"], abs=0.2)
