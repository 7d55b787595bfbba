"""Loudness as ITU-R BS.1770-4 measures it, and a true-peak limiter, in numpy alone.

Espeak narration measures about -21.5 LUFS integrated and peaks near -0.5 dBTP; web video sits
at -16 to -14 LUFS. Each clip's loudness is measured once, when it is synthesised, and kept in
its cache sidecar, so a page's gain is known without reading audio and an edit re-gains only
the clips that changed. The mix applies gain and then limits the true peak.
"""

from __future__ import annotations

import logging
import math
from functools import lru_cache, reduce

import numpy as np

log = logging.getLogger(__name__)

TRUE_PEAK = -1.5  # dBTP, the ceiling the decoded page must keep
CEILING = -2.0  # dBTP the limiter aims at: AAC encoding overshoots by a few tenths of a dB
MAX_GAIN = 24.0  # dB; a near-silent clip is not blown up into noise
OVERSAMPLE = 4
SILENT = -70.0  # LUFS: BS.1770's absolute gate


@lru_cache(maxsize=8)
def _k_weighting(rate: int) -> np.ndarray:
    """Impulse response of the K-weighting filter (high shelf, then high pass) at `rate`, from
    the analogue prototype (libebur128's parameters), long enough for the tail to have died out.
    Filtering by FFT convolution with it keeps this numpy-only (no scipy)."""
    k = math.tan(math.pi * 1681.974450955533 / rate)
    vh = 10 ** (3.999843853973347 / 20)
    vb = vh**0.4996667741545416
    q = 0.7071752369554196
    a0 = 1 + k / q + k * k
    shelf_b = ((vh + vb * k / q + k * k) / a0, 2 * (k * k - vh) / a0, (vh - vb * k / q + k * k) / a0)
    shelf_a = (2 * (k * k - 1) / a0, (1 - k / q + k * k) / a0)
    k = math.tan(math.pi * 38.13547087602444 / rate)
    q = 0.5003270373238773
    d = 1 + k / q + k * k
    pass_b = (1.0, -2.0, 1.0)
    pass_a = (2 * (k * k - 1) / d, (1 - k / q + k * k) / d)
    # The response sampled on `size` frequencies and transformed back, `size` over twice the length
    # kept: what wraps around from past it has decayed by e**-200 (the high pass's double pole sits
    # 2*pi*38/rate inside the unit circle).
    size = 1 << (rate // 2).bit_length() + 1
    response = np.ones(size // 2 + 1, dtype=np.complex128)
    for b, a in ((shelf_b, shelf_a), (pass_b, pass_a)):
        response *= np.fft.rfft(b, size) / np.fft.rfft((1.0, *a), size)
    return np.fft.irfft(response, size)[: rate // 2]


@lru_cache(maxsize=16)
def _spectrum(rate: int, size: int) -> np.ndarray:
    """The K-weighting's transform at `size` points, in single precision (see k_weighted)."""
    return np.fft.rfft(_k_weighting(rate), size).astype(np.complex64)


def k_weighted(pcm: np.ndarray, rate: int) -> np.ndarray:
    """`pcm` K-weighted, by FFT convolution in single precision (numpy 2 keeps float32 as such): half
    the time of double, reading the same to the hundredth of a dB a loudness is given in. Levelling a
    clip measures it at several gains, and each new clip is measured once when it is synthesised."""
    h = _k_weighting(rate)
    size = 1 << (len(pcm) + len(h) - 1).bit_length()
    x = np.asarray(pcm, dtype=np.float32)
    return np.fft.irfft(np.fft.rfft(x, size) * _spectrum(rate, size), size)[: len(pcm)].astype(np.float64)


def integrated(pcm: np.ndarray, rate: int) -> float:
    """Integrated loudness in LUFS of mono float samples in [-1, 1] (BS.1770-4: 400 ms blocks with
    75 % overlap, absolute gate -70 LUFS, relative gate -10 LU). A clip shorter than one block is
    measured as one block; silence is SILENT."""
    if len(pcm) == 0:
        return SILENT
    y = k_weighted(pcm, rate) ** 2
    block, step = int(0.4 * rate), int(0.1 * rate)
    if len(y) < block:
        powers = np.array([y.sum() / block])
    else:
        cums = np.concatenate(([0.0], np.cumsum(y)))
        starts = np.arange(0, len(y) - block + 1, step)
        powers = (cums[starts + block] - cums[starts]) / block
    return _gated(powers)


def _gated(powers: np.ndarray) -> float:
    """BS.1770 integrated loudness from the mean square of each 400 ms block."""
    with np.errstate(divide="ignore"):
        loud = -0.691 + 10 * np.log10(powers)
    gated = powers[loud > SILENT]
    if not len(gated):
        return SILENT
    relative = -0.691 + 10 * math.log10(gated.mean()) - 10
    gated = powers[(loud > SILENT) & (loud > relative)]
    return float(-0.691 + 10 * math.log10(gated.mean()))


class Meter:
    """Integrated loudness and true peak of a track fed in blocks, as `integrated` and `true_peak`
    measure a whole one, in memory that does not grow with the track (a page may last hours): the
    K-weighting runs by overlap-save, 100 ms energies are kept, and each block is oversampled with
    CONTEXT samples of its neighbours so its edges do not ring.

    Each block, with the filter's memory before it, fills one 2**16-point transform exactly, and
    the transforms run in single precision (numpy 2 keeps float32 as such): a page's measurement
    is on an edit's critical path, and this takes it from 65 to about 30 ms a minute of audio,
    reading the same to the hundredth of a dB it is given in."""

    CONTEXT = 64
    SIZE = 1 << 16  # points of each transform (2**18 oversampled)

    def __init__(self, rate: int, step: int = 0) -> None:
        """`step`: samples per kept energy (100 ms unless given; a divisor of 100 ms)."""
        self.rate, self.step = rate, step or int(0.1 * rate)
        self.h = _k_weighting(rate)
        self.block = max(self.SIZE - len(self.h) + 1, self.SIZE // 2)  # new samples measured at a time
        self.size = 1 << (self.block + len(self.h) - 2).bit_length()  # SIZE unless the filter is very long
        self.spectrum = _spectrum(rate, self.size)
        self.history = np.zeros(len(self.h) - 1, dtype=np.float32)  # the input the filter still remembers
        self.pending = np.zeros(0)  # filtered, squared samples short of a whole 100 ms
        self.energies: list[np.ndarray] = []  # per 100 ms
        self.raw = np.zeros(2 * self.CONTEXT, dtype=np.float32)  # the last samples, for the next block's true peak
        self.peak = 0.0
        self.queued: list[np.ndarray] = []  # added, not yet measured
        self.count = 0

    def add(self, pcm: np.ndarray) -> None:
        self.queued.append(np.asarray(pcm, dtype=np.float32))
        self.count += len(pcm)
        if self.count >= self.block:
            self._measure(whole=True)

    def _measure(self, whole: bool = False) -> None:
        """Measure what was added, in blocks; with `whole`, only whole blocks (the rest stays queued)."""
        pcm = np.concatenate(self.queued) if self.queued else np.zeros(0, dtype=np.float32)
        end = len(pcm) // self.block * self.block if whole else len(pcm)
        for at in range(0, end, self.block):
            self._block(pcm[at : at + self.block])
        self.queued, self.count = ([pcm[end:]], len(pcm) - end) if end < len(pcm) else ([], 0)

    def _block(self, pcm: np.ndarray) -> None:
        x = np.concatenate((self.history, pcm))
        y = np.fft.irfft(np.fft.rfft(x, self.size) * self.spectrum, self.size)[len(self.h) - 1 : len(x)]
        self.history = x[len(x) - len(self.h) + 1 :]
        squares = np.concatenate((self.pending, y.astype(np.float64) ** 2))
        whole = len(squares) // self.step * self.step
        self.energies.append(squares[:whole].reshape(-1, self.step).sum(axis=1))
        self.pending = squares[whole:]
        self._peak(np.concatenate((self.raw, pcm)), end=False)

    def _peak(self, x: np.ndarray, end: bool) -> None:
        """Peak of the oversampled `x`, leaving out its first CONTEXT samples (counted last time) and,
        unless this is the `end`, its last CONTEXT (counted next time, with what follows them)."""
        c = self.CONTEXT
        # In single precision: three times faster than double, and a peak off by a millionth of itself
        # reads the same to the hundredth of a dB it is given in.
        up = np.abs(oversampled(x.astype(np.float32)))[c * OVERSAMPLE : None if end else (len(x) - c) * OVERSAMPLE]
        self.peak = max(self.peak, float(up.max()) if len(up) else 0.0)
        self.raw = x[len(x) - 2 * c :]

    def readings(self) -> tuple[np.ndarray, float]:
        """(energy of each `step` samples, the last one partial; true peak as a linear magnitude) of
        everything added: tracks measured apart, each on a `step` boundary of one timeline, add up
        to the loudness of all of them (`loudness`)."""
        self._measure()
        self._peak(np.concatenate((self.raw, np.zeros(self.CONTEXT, dtype=np.float32))), end=True)
        return np.concatenate(self.energies + [np.array([self.pending.sum()])]), self.peak

    def result(self) -> tuple[float, float]:
        """(integrated loudness in LUFS, true peak in dBTP) of everything added."""
        return loudness(*self.readings(), self.step, self.rate)


def loudness(energies: np.ndarray, peak: float, step: int, rate: int) -> tuple[float, float]:
    """(LUFS, dBTP) from a Meter's readings: energies of `step` samples each (the last may be partial)."""
    hundred = int(0.1 * rate)
    per = hundred // step
    whole = (len(energies) - 1) // per * per  # whole 100 ms: the rest, partial, is left out as BS.1770 does
    energies = np.concatenate((energies[:whole].reshape(-1, per).sum(axis=1), [energies[whole:].sum()]))
    block = 4 * hundred
    if len(energies) < 5:
        powers = np.array([energies.sum() / block])
    else:
        powers = np.convolve(energies[:-1], np.ones(4), "valid") / block  # 400 ms, 75 % overlap
    return _gated(powers), 20 * math.log10(peak) if peak > 0 else -math.inf


def oversampled(pcm: np.ndarray, factor: int = OVERSAMPLE) -> np.ndarray:
    """`pcm` at `factor` times the rate (band-limited, by FFT), where inter-sample peaks show."""
    n = len(pcm)
    if n < 2:
        return np.asarray(pcm, dtype=np.float64)
    size = 1 << (n + 64).bit_length()  # a fast FFT size; the zeros also keep the ends from wrapping
    return np.fft.irfft(np.fft.rfft(pcm, size), size * factor)[: n * factor] * factor


def true_peak(pcm: np.ndarray) -> float:
    """dBTP of float samples (4x oversampling, as BS.1770 Annex 2)."""
    peak = float(np.max(np.abs(oversampled(pcm)))) if len(pcm) else 0.0
    return 20 * math.log10(peak) if peak > 0 else -math.inf


def sample_peaks(pcm: np.ndarray) -> np.ndarray:
    """Each sample's true peak: the largest magnitude among its OVERSAMPLE oversampled values. The
    oversampling is linear, so `pcm` scaled by g has g times these peaks: levelling a clip at one
    gain after another oversamples it once. (The maximum is taken column by column: numpy's
    `max(axis=1)` over rows of four is several times slower.)"""
    return reduce(np.maximum, np.abs(oversampled(pcm)).reshape(-1, OVERSAMPLE).T)


def limit(pcm: np.ndarray, rate: int, ceiling: float = CEILING, peaks: np.ndarray | None = None) -> np.ndarray:
    """`pcm` with its true peak brought to `ceiling` dBTP. The gain each millisecond needs is held
    for 20 ms and looked ahead 6 ms (a min filter), then smoothed over ±5 ms: every sample of the
    smoothing window saw the peak, so the peak is never exceeded and the gain never jumps. Speech
    peaks are short, so this leaves the loudness all but unchanged. `peaks`: `sample_peaks(pcm)`,
    when the caller has them."""
    level = 10 ** (ceiling / 20)
    if len(pcm) < 2:
        return np.clip(pcm, -level, level)
    if peaks is None:
        peaks = sample_peaks(pcm)
    if peaks.max() <= level:
        return pcm
    ms = max(1, rate // 1000)
    blocks = -(-len(pcm) // ms)
    padded = np.concatenate((peaks, np.zeros(blocks * ms - len(pcm)))).reshape(blocks, ms).max(axis=1)
    need = np.minimum(1.0, level / np.maximum(padded, 1e-12))
    hold, ahead = 20, 6
    window = np.concatenate((np.ones(hold), need, np.ones(ahead)))
    held = np.lib.stride_tricks.sliding_window_view(window, hold + ahead + 1).min(axis=1)
    gain = np.repeat(held, ms)[: len(pcm)]
    half = 5 * ms
    sums = np.concatenate(([0.0], np.cumsum(np.concatenate((np.ones(half), gain, np.ones(half))))))
    smooth = (sums[2 * half + 1 :] - sums[: -2 * half - 1]) / (2 * half + 1)
    return pcm * smooth[: len(pcm)]


def gain_db(lufs: float | None, target: float) -> float:
    """The gain that brings a clip measured at `lufs` to `target`, rounded (it is part of a cache
    key) and bounded; 0 for a silent or unmeasured clip."""
    if lufs is None or lufs <= SILENT:
        return 0.0
    return round(max(-MAX_GAIN, min(MAX_GAIN, target - lufs)), 2)
