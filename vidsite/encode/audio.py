"""A page's narration track: clips laid out sample-exactly, mixed block by block, encoded to AAC.

Mixing streams in blocks, so memory does not grow with video length: only the clips that
overlap the current block are held.

A page's track is encoded in parts ("takes"): the narration of one scene, or of scenes that follow
each other too closely to part, from an AAC frame boundary to two frames of silence after it. The
join lays the takes' packets on the track's frame grid with the silence packet between them. An
AAC packet decodes on its own but for its overlap with the previous one, which at every seam is
silence, so the track decodes as if it had been encoded whole; and since each scene's narration
starts on a frame boundary (`voice_start`), a take is the same wherever its scene lands: an edit
encodes the scene it changed, not the page.
"""

from __future__ import annotations

import math
import threading
import wave
from dataclasses import dataclass
from fractions import Fraction
from itertools import chain
from pathlib import Path

import numpy as np

from vidsite.encode.integrity import seal
from vidsite.fsutil import atomic_write, replacing

AUDIO_RATE = 24000  # the voices are 22-24 kHz speech; 48 kHz would only double the AAC work
AAC_FRAME = 1024  # samples; a decoder pads the last AAC frame to this
BLOCK = AAC_FRAME * 16
LEVEL_STEPS = 6  # make-up steps after limiting; speech converges in 2-3
LEVELLING = 2  # revision of `levelled()`, in a kept clip's key: a new method levels clips again
WARM = 0.5  # seconds of a track the encoder hears before it (see encode_audio)
ENERGY = "<f4"  # a take's kept meter readings: single precision reads the same to the hundredth of a dB, in half the space


def voice_start(frame: int, fps: int, rate: int = AUDIO_RATE) -> int:
    """The sample a scene starting on video frame `frame` is narrated from: the first AAC frame
    boundary at or after the frame (at most 43 ms into the scene, at 24 kHz)."""
    return -(-frame * rate // (fps * AAC_FRAME)) * AAC_FRAME


def voice_delay(frame: int, fps: int, rate: int = AUDIO_RATE) -> float:
    """Seconds from a scene's first frame to its narration (`voice_start`)."""
    return float(Fraction(voice_start(frame, fps, rate), rate) - Fraction(frame, fps))


@dataclass(frozen=True)
class Take:
    """A part of a page's track, encoded on its own (see the module's docstring)."""

    first: int  # the track's sample it starts on: an AAC frame boundary
    length: int  # samples: its clips, then two AAC frames of silence
    placements: tuple[tuple[int, str, float], ...]  # (first sample within the take, clip wav, gain in dB)


def lay_takes(scenes: list[tuple[int, list[tuple[int, str, float, int]]]]) -> list[Take]:
    """Takes of a page's narration, from each scene's (voice start, [(sample from it, clip wav, gain,
    clip samples)]): a scene's own, or the one before it where that one's closing silence would reach
    into this one. The first starts at sample 0 (the track's first packet comes from it)."""
    laid: list[tuple[int, list[tuple[int, str, float]], int]] = []  # (first, placements, end of the last clip)
    for start, clips in scenes:
        if laid and not clips:
            continue  # silence: the join fills it
        if not laid or start < laid[-1][0] + _closed(laid[-1][2]):
            first, placed, end = laid.pop() if laid else (0, [], 0)
        else:
            first, placed, end = start, [], 0
        for at, wav, gain, samples in clips:
            placed.append((start - first + at, wav, gain))
            end = max(end, start - first + at + samples)
        laid.append((first, placed, end))
    return [Take(first, _closed(end), tuple(placed)) for first, placed, end in laid]


def _closed(end: int) -> int:
    """A take's length whose clips end at `end`: to the next AAC frame, then two frames of silence."""
    return -(-end // AAC_FRAME) * AAC_FRAME + 2 * AAC_FRAME


def frame_alignment(fps: int, rate: int = AUDIO_RATE) -> int:
    """Video length granule (frames) that makes the audio a whole number of AAC frames, so the
    decoded audio ends exactly with the video (30 fps: 32 frames). 1 where that would hold the last
    picture for over two seconds."""
    per_frame = rate / fps
    if per_frame != int(per_frame):
        return 1
    granule = AAC_FRAME // math.gcd(AAC_FRAME, int(per_frame))
    return granule if granule <= 2 * fps else 1


def resampled_length(samples: int, src: int, rate: int = AUDIO_RATE) -> int:
    """Samples of a clip of `samples` at `src` Hz once read at `rate` (`read_clip`)."""
    return samples if src == rate else round(samples * rate / src)


def read_clip(path: Path, rate: int) -> np.ndarray:
    with wave.open(str(path), "rb") as w:
        pcm = np.frombuffer(w.readframes(w.getnframes()), dtype=np.int16)
        src = w.getframerate()
    if src == rate:
        return pcm
    # Linear resampling is enough for speech and keeps the length exact, so timings stay exact.
    n = resampled_length(len(pcm), src, rate)
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
    `energy_file`). The measuring decodes each packet as it is made, on a second thread: the AAC encoder
    and the FFTs of the meter both run without the GIL, so on a free core the measurement costs the
    track's critical path (an edit's page waits on it) almost nothing; the samples it reads are
    those a decoder of the written file returns.

    The encoder first hears the track's own first WARM seconds and two frames of silence, and what it
    makes of them is left out: its rate control and psychoacoustic model start settled, as midway
    through a longer track, so a take sounds as it would in one encoding of its page (untried, the
    encoder spends its first second's frames worse: 2.5 dB less signal to noise on espeak speech)."""
    import av

    primer = np.zeros(0, dtype=np.int16)
    if placements:
        head = np.concatenate([b for _, b in mixed_blocks(placements, min(total, round(WARM * rate)), rate)])
        primer = np.concatenate((head, np.zeros(-len(head) % AAC_FRAME + 2 * AAC_FRAME, dtype=np.int16)))
    shift = len(primer)  # the track's first sample, in what the encoder hears
    measuring = _Measuring(rate, total)
    try:
        with replacing(path) as tmp, av.open(str(tmp), "w", format="mp4") as out:
            stream = out.add_stream("aac", rate=rate, layout="mono", options={"aac_coder": "fast", "b": "96k"})
            stream.time_base = Fraction(1, rate)

            def encode(frame: av.AudioFrame | None) -> None:
                # packets that decode the primer (all before the one whose window starts in its silence) go
                kept = [p for p in stream.encode(frame) if p.pts is None or p.pts >= shift - AAC_FRAME]
                for packet in kept:
                    if packet.pts is not None:
                        packet.pts -= shift
                        packet.dts -= shift
                measuring.feed(stream.codec_context, kept)
                out.mux(kept)

            for start, block in chain([(-shift, primer)] if shift else [], mixed_blocks(placements, total, rate)):
                frame = av.AudioFrame.from_ndarray(block.reshape(1, -1), format="s16", layout="mono")
                frame.sample_rate, frame.pts, frame.time_base = rate, start + shift, Fraction(1, rate)
                encode(frame)
            encode(None)
        energies, peak = measuring.result()
    finally:
        measuring.stop()
    seal(path)
    _keep_readings(path, rate, measuring.step, energies, peak)


def _keep_readings(path: Path, rate: int, step: int, energies: np.ndarray, peak: float) -> None:
    """Keep a track's meter readings beside it: the energies its loudness adds up from, and its peak."""
    atomic_write(energy_file(path), np.concatenate(([rate, step, peak], energies)).astype(ENERGY).tobytes())


class _Measuring:
    """A thread that decodes the encoder's packets as they come and meters the decoded samples: the
    encoder's priming (the first packet's negative timestamp) is left out and the track ends at its
    `total` samples, as a decoder of the MP4 plays it."""

    def __init__(self, rate: int, total: int) -> None:
        import queue

        self.rate, self.total = rate, total
        self.step = meter_step(rate)
        self.packets: queue.SimpleQueue[tuple[bytes, int] | None] = queue.SimpleQueue()
        self.thread: threading.Thread | None = None
        self.failure: BaseException | None = None
        self.readings: tuple[np.ndarray, float] | None = None

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
            meter, skip, left = Meter(self.rate, self.step), None, self.total
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
            self.readings = meter.readings()
        except BaseException as exc:  # noqa: BLE001 - re-raised by result(), in the task's own thread
            self.failure = exc

    def result(self) -> tuple[np.ndarray, float]:
        self.stop()
        if self.failure is not None:
            raise self.failure
        if self.readings is None:
            raise RuntimeError("the track was not measured (no packets were encoded)")
        return self.readings

    def stop(self) -> None:
        if self.thread is not None and self.thread.is_alive():
            self.packets.put(None)
            self.thread.join()


def meter_step(rate: int) -> int:
    """Samples per kept energy: a divisor of both 100 ms (BS.1770's step) and an AAC frame (where
    takes start), so the readings of a page's takes add up to the page's."""
    return math.gcd(AAC_FRAME, rate // 10)


def energy_file(path: Path) -> Path:
    """Where a track's meter readings are kept (as ENERGY): rate, step, true peak (linear), then the
    K-weighted energy of each `step` samples (the last partial)."""
    return path.with_name(path.name + ".energy")


def _readings(path: Path) -> tuple[int, int, np.ndarray, float]:
    """(rate, step, energies, peak) of a track, kept beside it, or measured again from its file where
    that record is missing or unreadable (an older cache, a take made on another worker)."""
    import av

    from vidsite.encode.loudness import Meter

    try:
        kept = np.fromfile(energy_file(path), dtype=ENERGY).astype(np.float64)
        if len(kept) > 3:
            return int(kept[0]), int(kept[1]), kept[3:], float(kept[2])
    except (OSError, ValueError):
        pass
    with av.open(str(path)) as container:
        stream = container.streams.audio[0]
        rate, step = stream.rate, meter_step(stream.rate)
        meter = Meter(rate, step)
        for frame in container.decode(stream):
            meter.add(frame.to_ndarray()[0])
    energies, peak = meter.readings()
    _keep_readings(path, rate, step, energies, peak)
    return rate, step, energies, peak


def takes_loudness(takes: list[tuple[Path, int]], total: int) -> dict[str, float]:
    """Integrated loudness (LUFS) and true peak (dBTP) of the track the join lays `takes` out in,
    (take, first sample), `total` samples long: their meter readings added up on the track's grid
    (between takes there is silence only, so this is what a meter of the decoded track reads)."""
    from vidsite.encode.loudness import loudness

    grid = peak_all = None
    rate = step = 0
    for path, first in takes:
        rate, step, energies, peak = _readings(path)
        if grid is None:
            grid, peak_all = np.zeros(total // step + 1), 0.0
        at = first // step
        whole = energies[:-1][: len(grid) - 1 - at]  # the take's last reading is partial: only silence
        grid[at : at + len(whole)] += whole
        peak_all = max(peak_all, peak)
    if grid is None:
        return {"lufs": -70.0, "true_peak": -99.0}
    return _figures(*loudness(grid, peak_all, step, rate))


def measured(path: Path) -> dict[str, float]:
    """The track's integrated loudness (LUFS) and true peak (dBTP) as a viewer's decoder plays it
    (AAC decoded, so its overshoot counts), from its kept meter readings (`_readings`)."""
    from vidsite.encode.loudness import loudness

    rate, step, energies, peak = _readings(path)
    return _figures(*loudness(energies, peak, step, rate))


def _figures(lufs: float, dbtp: float) -> dict[str, float]:
    return {"lufs": round(lufs, 2), "true_peak": round(dbtp, 2) if math.isfinite(dbtp) else -99.0}
