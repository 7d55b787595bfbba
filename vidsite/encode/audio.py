"""A page's narration track: clips laid out sample-exactly, mixed block by block, encoded to AAC.

Mixing streams in blocks, so memory does not grow with video length: only the clips that
overlap the current block are held.
"""

from __future__ import annotations

import json
import math
import threading
import wave
from fractions import Fraction
from pathlib import Path

import numpy as np

from vidsite.encode.integrity import seal
from vidsite.fsutil import atomic_write, replacing

AUDIO_RATE = 24000  # the voices are 22-24 kHz speech; 48 kHz would only double the AAC work
AAC_FRAME = 1024  # samples; a decoder pads the last AAC frame to this
BLOCK = AAC_FRAME * 16
LEVEL_STEPS = 6  # make-up steps after limiting; speech converges in 2-3
LEVELLING = 2  # revision of `levelled()`, in a kept clip's key: a new method levels clips again


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
    n = round(len(pcm) * rate / src)
    x = np.linspace(0, len(pcm) - 1, n)
    return np.interp(x, np.arange(len(pcm)), pcm.astype(np.float32)).astype(np.int16)


def levelled(pcm: np.ndarray, rate: int, gain: float) -> np.ndarray:
    """The clip at its gain (dB, from the loudness measured when it was synthesised), true peak
    limited. Limiting costs speech loudness (its peaks sit high above its average), so the gain
    is raised until the clip lands within 0.2 LU of its target: at first by what the limiter took,
    then by that over the loudness each dB bought last time (the limiter takes more as the gain
    grows; this secant step lands in two or three tries where adding the shortfall took five).
    The clip is oversampled once: its peaks at any gain are its peaks at 0 dB, scaled."""
    from vidsite.encode.loudness import MAX_GAIN, SILENT, integrated, limit, sample_peaks

    x = pcm.astype(np.float64) / 32768.0
    if len(x) < 2:
        return limit(x, rate) * 32768.0
    peaks = sample_peaks(x)
    if not gain:
        return limit(x, rate, peaks=peaks) * 32768.0

    def at(db: float) -> np.ndarray:
        scale = 10 ** (db / 20)
        return limit(x * scale, rate, peaks=peaks * scale)

    target = integrated(x, rate) + gain
    y, applied, before = at(gain), gain, None  # before: (gain, shortfall) of the previous try
    for _ in range(LEVEL_STEPS):
        short = target - integrated(y, rate)
        if target <= SILENT or short < 0.2 or applied >= MAX_GAIN:
            break
        bought = (before[1] - short) / (applied - before[0]) if before else 1.0  # LU per dB
        before = (applied, short)
        applied = min(MAX_GAIN, applied + short / min(1.0, max(0.1, bought)))
        y = at(applied)
    return y * 32768.0


def levelled_clip(wav: Path, rate: int, gain: float) -> np.ndarray:
    """`levelled()` of a clip, rounded to int16 and kept beside the clip: a page's track is mixed again
    whenever any of its scenes changes, and levelling is most of that work, the same each time for
    every clip that did not change. A kept file of the wrong length is a miss."""
    from vidsite.cache import levelled_clip as kept_at
    from vidsite.encode.loudness import CEILING, OVERSAMPLE
    from vidsite.fsutil import atomic_write

    pcm = read_clip(wav, rate)
    kept = kept_at(wav, {"gain": gain, "rate": rate, "ceiling": CEILING, "oversample": OVERSAMPLE,
                         "steps": LEVEL_STEPS, "method": LEVELLING})
    try:
        out = np.fromfile(kept, dtype=np.int16)
        if len(out) == len(pcm):
            return out
    except (OSError, ValueError):
        pass
    out = np.clip(np.round(levelled(pcm, rate, gain)), -32768, 32767).astype(np.int16)
    atomic_write(kept, out.tobytes())
    return out


def mixed_blocks(placements: tuple[tuple[int, str, float], ...], total: int, rate: int):  # type: ignore[no-untyped-def]
    """Yield (first sample, int16 block) covering [0, total)."""
    order = sorted(placements)
    live: list[tuple[int, np.ndarray]] = []
    nxt = 0
    for start in range(0, total, BLOCK):
        end = min(total, start + BLOCK)
        while nxt < len(order) and order[nxt][0] < end:
            at, wav, gain = order[nxt]
            live.append((at, levelled_clip(Path(wav), rate, gain)))
            nxt += 1
        block = np.zeros(end - start, dtype=np.float64)
        for at, pcm in live:
            a, b = max(start, at), min(end, at + len(pcm))
            if a < b:
                block[a - start : b - start] += pcm[a - at : b - at]
        live = [(at, pcm) for at, pcm in live if at + len(pcm) > end]
        yield start, np.clip(np.round(block), -32768, 32767).astype(np.int16)


def encode_audio(path: Path, placements: tuple[tuple[int, str, float], ...], total: int, rate: int = AUDIO_RATE) -> None:
    """Mix, encode to AAC, and measure the track as a viewer's decoder plays it (kept beside it, see
    `measured`). The measuring decodes each packet as it is made, on a second thread: the AAC encoder
    and the FFTs of the meter both run without the GIL, so on a free core the measurement costs the
    track's critical path (an edit's page waits on it) almost nothing; the samples it reads are
    those a decoder of the written file returns."""
    import av

    measuring = _Measuring(rate, total)
    try:
        with replacing(path) as tmp, av.open(str(tmp), "w", format="mp4") as out:
            stream = out.add_stream("aac", rate=rate, layout="mono", options={"aac_coder": "fast", "b": "96k"})
            stream.time_base = Fraction(1, rate)
            for start, block in mixed_blocks(placements, total, rate):
                frame = av.AudioFrame.from_ndarray(block.reshape(1, -1), format="s16", layout="mono")
                frame.sample_rate, frame.pts, frame.time_base = rate, start, Fraction(1, rate)
                packets = stream.encode(frame)
                measuring.feed(stream.codec_context, packets)
                out.mux(packets)
            packets = stream.encode(None)
            measuring.feed(stream.codec_context, packets)
            out.mux(packets)
        data = measuring.result()
    finally:
        measuring.stop()
    seal(path)
    atomic_write(loudness_file(path), json.dumps(data, sort_keys=True))


class _Measuring:
    """A thread that decodes the encoder's packets as they come and meters the decoded samples: the
    encoder's priming (the first packet's negative timestamp) is left out and the track ends at its
    `total` samples, as a decoder of the MP4 plays it."""

    def __init__(self, rate: int, total: int) -> None:
        import queue

        self.rate, self.total = rate, total
        self.packets: queue.SimpleQueue[tuple[bytes, int] | None] = queue.SimpleQueue()
        self.thread: threading.Thread | None = None
        self.failure: BaseException | None = None
        self.figures: dict[str, float] = {}

    def feed(self, codec: object, packets: list) -> None:  # type: ignore[type-arg]
        if self.thread is None and packets:  # the encoder is open: its extradata configures the decoder
            self.thread = threading.Thread(target=self._run, args=(bytes(codec.extradata or b""),),  # type: ignore[attr-defined]
                                           name="measure-track", daemon=True)
            self.thread.start()
        for packet in packets:
            self.packets.put((bytes(packet), packet.pts if packet.pts is not None else 0))

    def _run(self, extradata: bytes) -> None:
        import av

        from vidsite.encode.loudness import Meter

        try:
            decoder = av.CodecContext.create("aac", "r")
            decoder.extradata, decoder.sample_rate, decoder.layout = extradata, self.rate, "mono"
            meter, skip, left = Meter(self.rate), None, self.total
            item = self.packets.get()
            while True:
                data, pts = item if item is not None else (b"", 0)
                if skip is None:
                    skip = max(0, -pts)  # the encoder's priming, before the track's first sample
                for frame in decoder.decode(av.Packet(data) if item is not None else None):
                    pcm = frame.to_ndarray()[0]
                    cut = min(skip, len(pcm))
                    skip -= cut
                    pcm = pcm[cut : cut + left]
                    left -= len(pcm)
                    if len(pcm):
                        meter.add(pcm)
                if item is None:
                    break
                item = self.packets.get()
            lufs, peak = meter.result()
            self.figures = {"lufs": round(lufs, 2), "true_peak": round(peak, 2) if math.isfinite(peak) else -99.0}
        except BaseException as exc:  # noqa: BLE001 - re-raised by result(), in the task's own thread
            self.failure = exc

    def result(self) -> dict[str, float]:
        self.stop()
        if self.failure is not None:
            raise self.failure
        if not self.figures:
            raise RuntimeError("the track was not measured (no packets were encoded)")
        return self.figures

    def stop(self) -> None:
        if self.thread is not None and self.thread.is_alive():
            self.packets.put(None)
            self.thread.join()


def loudness_file(path: Path) -> Path:
    """Where a track's measured loudness is kept: beside it, a sidecar like its `.sha256`."""
    return path.with_name(path.name + ".loudness.json")


def measured(path: Path) -> dict[str, float]:
    """The track's integrated loudness (LUFS) and true peak (dBTP) as a viewer's decoder plays it
    (AAC decoded, so its overshoot counts), for the page manifest. Measured once and kept beside
    the track; a missing or unreadable record (an older cache, a track made on another worker) is
    measured again."""
    import av

    from vidsite.encode.loudness import Meter

    record = loudness_file(path)
    try:
        data = json.loads(record.read_text(encoding="utf-8"))
        return {"lufs": float(data["lufs"]), "true_peak": float(data["true_peak"])}
    except (OSError, ValueError, KeyError, TypeError):
        pass
    with av.open(str(path)) as container:
        stream = container.streams.audio[0]
        meter = Meter(stream.rate)
        for frame in container.decode(stream):
            meter.add(frame.to_ndarray()[0])
    lufs, peak = meter.result()
    data = {"lufs": round(lufs, 2), "true_peak": round(peak, 2) if math.isfinite(peak) else -99.0}
    atomic_write(record, json.dumps(data, sort_keys=True))
    return data
