"""Which H.264 encoder runs: NVENC when a GPU answers a real test frame, libx264 otherwise."""

from __future__ import annotations

import logging
import os
import sys
from dataclasses import dataclass
from fractions import Fraction
from functools import lru_cache

from vidsite.errors import EncodeError

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class EncoderChoice:
    codec: str  # "libx264" | "h264_nvenc"
    options: tuple[tuple[str, str], ...]
    reason: str

    @property
    def name(self) -> str:
        return "nvenc" if self.codec == "h264_nvenc" else "x264"


def _no_nvidia_device() -> str | None:
    """Why NVENC cannot run on this Linux machine without asking libavcodec, whose search for
    libcuda costs 60 ms of every build: no NVIDIA device node (/dev/nvidia*, or /dev/dxg, through
    which WSL 2 reaches the GPU). None where there is one, or on another system: then it is asked."""
    if sys.platform != "linux":
        return None
    try:
        names = os.listdir("/dev")
    except OSError:
        return None
    if any(name.startswith("nvidia") or name == "dxg" for name in names):
        return None
    return "no NVIDIA device in /dev"


@lru_cache(maxsize=None)
def probe_nvenc() -> str | None:
    """None when h264_nvenc encodes a test frame here; else why not (one line)."""
    absent = _no_nvidia_device()
    if absent:
        return absent
    import av

    try:
        ctx = av.CodecContext.create("h264_nvenc", "w")
        ctx.width, ctx.height, ctx.pix_fmt = 256, 144, "yuv420p"
        ctx.time_base = Fraction(1, 30)
        ctx.open()
        frame = av.VideoFrame(256, 144, "yuv420p")
        frame.pts = 0
        ctx.encode(frame)
        ctx.encode(None)
        return None
    except Exception as exc:  # noqa: BLE001 - any failure to open or encode means "no NVENC here"
        return f"{type(exc).__name__}: {exc}".splitlines()[0][:160]


def choose_encoder(wanted: str, crf: int, preset: str) -> EncoderChoice:
    # Slides do not move: full-pel motion search and one reference lose nothing and halve encode time.
    # One thread per encoder (parallelism comes from worker processes) keeps output identical for any --jobs.
    x264 = (("preset", preset), ("crf", str(crf)), ("bf", "0"), ("g", "100000"), ("sc_threshold", "0"),
            ("threads", "1"), ("x264-params", "subme=0:me=dia:ref=1:trellis=0:rc-lookahead=1"))
    nvenc = (("preset", "p4"), ("rc", "vbr"), ("cq", str(crf)), ("bf", "0"), ("g", "100000"))
    if wanted == "x264":
        return EncoderChoice("libx264", x264, "x264 requested in config")
    failure = probe_nvenc()
    if failure is None:
        return EncoderChoice("h264_nvenc", nvenc, "NVENC answered a test frame")
    if wanted == "nvenc":
        raise EncodeError(f"encoder = \"nvenc\" but h264_nvenc is not usable here ({failure}); "
                          "use encoder = \"auto\" or \"x264\"", path="config.toml")
    return EncoderChoice("libx264", x264, f"no NVENC: {failure}")
