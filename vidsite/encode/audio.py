"""A page's narration track: clips laid out sample-exactly, mixed block by block, encoded to AAC.

Mixing streams in blocks, so memory does not grow with video length: only the clips that
overlap the current block are held.
"""

from __future__ import annotations

import math
import wave
from fractions import Fraction
from pathlib import Path

import numpy as np

from vidsite.encode.integrity import seal
from vidsite.fsutil import replacing

AUDIO_RATE = 24000  # the voices are 22-24 kHz speech; 48 kHz would only double the AAC work
AAC_FRAME = 1024  # samples; a decoder pads the last AAC frame to this
BLOCK = AAC_FRAME * 16
LEVEL_STEPS = 6  # make-up steps after limiting; speech converges in 3-4


def frame_alignment(fps: int, rate: int = AUDIO_RATE) -> int:
    """Video length granule (frames) that makes the audio a whole number of AAC frames, so the
    decoded audio ends exactly with the video (30 fps: 32 frames). 1 where that would hold the last
    picture for over two seconds."""
    per_frame = rate / fps
    if per_frame != int(per_frame):
        return 1
    granule = AAC_FRAME // math.gcd(AAC_FRAME, int(per_frame))
    return granule if granule <= 2 * fps else 1


def read_clip(path: Path, rate: int) -> np.ndarray:
    with wave.open(str(path), "rb") as w:
        pcm = np.frombuffer(w.readframes(w.getnframes()), dtype=np.int16)
        src = w.getframerate()
    if src == rate:
        return pcm
    # Linear resampling is enough for speech and keeps the length exact, so timings stay exact.
    n = int(round(len(pcm) * rate / src))
    x = np.linspace(0, len(pcm) - 1, n)
    return np.interp(x, np.arange(len(pcm)), pcm.astype(np.float32)).astype(np.int16)


def levelled(pcm: np.ndarray, rate: int, gain: float) -> np.ndarray:
    """The clip at its gain (dB, from the loudness measured when it was synthesised), true peak
    limited. Limiting costs speech loudness (its peaks sit high above its average), so the gain
    is raised by what the limiter took until the clip lands within 0.2 LU of its target."""
    from vidsite.encode.loudness import MAX_GAIN, SILENT, integrated, limit

    x = pcm.astype(np.float64) / 32768.0
    if not gain or not len(x):
        return limit(x, rate) * 32768.0
    target = integrated(x, rate) + gain
    y, applied = limit(x * 10 ** (gain / 20), rate), gain
    for _ in range(LEVEL_STEPS):
        short = target - integrated(y, rate)
        if target <= SILENT or short < 0.2 or applied >= MAX_GAIN:
            break
        applied = min(MAX_GAIN, applied + short)
        y = limit(x * 10 ** (applied / 20), rate)
    return y * 32768.0


def mixed_blocks(placements: tuple[tuple[int, str, float], ...], total: int, rate: int):  # type: ignore[no-untyped-def]
    """Yield (first sample, int16 block) covering [0, total)."""
    order = sorted(placements)
    live: list[tuple[int, np.ndarray]] = []
    nxt = 0
    for start in range(0, total, BLOCK):
        end = min(total, start + BLOCK)
        while nxt < len(order) and order[nxt][0] < end:
            at, wav, gain = order[nxt]
            live.append((at, levelled(read_clip(Path(wav), rate), rate, gain)))
            nxt += 1
        block = np.zeros(end - start, dtype=np.float64)
        for at, pcm in live:
            a, b = max(start, at), min(end, at + len(pcm))
            if a < b:
                block[a - start : b - start] += pcm[a - at : b - at]
        live = [(at, pcm) for at, pcm in live if at + len(pcm) > end]
        yield start, np.clip(np.round(block), -32768, 32767).astype(np.int16)


def encode_audio(path: Path, placements: tuple[tuple[int, str, float], ...], total: int, rate: int = AUDIO_RATE) -> None:
    import av

    with replacing(path) as tmp:
        with av.open(str(tmp), "w", format="mp4") as out:
            stream = out.add_stream("aac", rate=rate, layout="mono", options={"aac_coder": "fast", "b": "96k"})
            stream.time_base = Fraction(1, rate)
            for start, block in mixed_blocks(placements, total, rate):
                frame = av.AudioFrame.from_ndarray(block.reshape(1, -1), format="s16", layout="mono")
                frame.sample_rate, frame.pts, frame.time_base = rate, start, Fraction(1, rate)
                out.mux(stream.encode(frame))
            out.mux(stream.encode(None))
    seal(path)
