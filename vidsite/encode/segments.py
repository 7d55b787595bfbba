"""A scene's stills → one H.264 segment (MP4, video only), variable frame rate.

A still held for five seconds is one encoded frame with a five-second duration: encode cost
follows distinct pictures, not seconds. Timestamps are in 1/fps units, so every frame sits on
the declared frame grid.
"""

from __future__ import annotations

from fractions import Fraction
from pathlib import Path
from typing import Iterable, Iterator, Union

import numpy as np
from PIL import Image

from vidsite.encode.encoders import EncoderChoice
from vidsite.encode.integrity import seal
from vidsite.fsutil import replacing


Picture = Union[Image.Image, np.ndarray]  # an RGB image, or a yuv420p plane array (h * 3/2, w)


# BT.709 (ITU-R BT.709: matrix, primaries and transfer 1), limited range (MPEG, 16-235). Browsers
# decode untagged HD video as BT.709, while swscale's default RGB->YUV is BT.601: converting with
# 601 shifted green (16,185,130) to (2,165,128) on Play. Convert with 709 and tag the stream so
# every player decodes it as it was made.
BT709 = 1
LIMITED = 1
TRC = 1


def yuv420(image: Image.Image) -> np.ndarray:
    return _to_yuv(image).to_ndarray()


# Chroma is downsampled bilinearly, with swscale's default rounding: its exact rounding (ACCURATE_RND)
# cost half as much again (5.4 against 3.6 ms a 1080p slide) to move a sample by one level at most.
INTERPOLATION = "BILINEAR"


def _to_yuv(image: Image.Image):  # type: ignore[no-untyped-def]
    import av
    from av.video.reformatter import ColorRange, Colorspace

    # The slide's pixels as an array the frame only points at: a third faster than `from_image`,
    # which copies them into the frame row by row after Pillow has already copied them out.
    rgb = np.asarray(image if image.mode == "RGB" else image.convert("RGB"))
    frame = av.VideoFrame.from_numpy_buffer(rgb, format="rgb24")
    return frame.reformat(format="yuv420p", src_colorspace=Colorspace.ITU709, dst_colorspace=Colorspace.ITU709,
                          src_color_range=ColorRange.JPEG, dst_color_range=ColorRange.MPEG,
                          interpolation=INTERPOLATION)


def _tag(frame):  # type: ignore[no-untyped-def]
    frame.colorspace, frame.color_range = BT709, LIMITED
    frame.color_primaries, frame.color_trc = BT709, TRC
    return frame


def crossfade(a: np.ndarray, b: np.ndarray, frames: int) -> Iterator[np.ndarray]:
    """`frames` pictures strictly between two yuv420p pictures, blended by Pillow over the three
    planes at once (they are one 8-bit array)."""
    la, lb = Image.fromarray(a), Image.fromarray(b)
    for i in range(frames):
        yield np.asarray(Image.blend(la, lb, (i + 1) / (frames + 1)))


def encode_segment(path: Path, stills: Iterable[tuple[int, Picture]], *, fps: int, width: int, height: int,
                   encoder: EncoderChoice, closing_frame: int | None = None) -> int:
    """Encode (frame offset, picture) pairs; returns frames encoded. `closing_frame` repeats the
    last picture there so the track ends exactly one frame later (players give the last frame
    one frame's duration)."""
    import av

    encoded = 0
    with replacing(path) as tmp:
        with av.open(str(tmp), "w", format="mp4") as out:
            stream = out.add_stream(encoder.codec, rate=fps, options=dict(encoder.options))
            stream.width, stream.height, stream.pix_fmt = width, height, "yuv420p"
            stream.time_base = Fraction(1, fps)
            stream.codec_context.time_base = Fraction(1, fps)
            ctx = stream.codec_context
            ctx.colorspace, ctx.color_range, ctx.color_primaries, ctx.color_trc = BT709, LIMITED, BT709, TRC
            last: av.VideoFrame | None = None
            last_pts = -1
            for offset, image in stills:
                if isinstance(image, np.ndarray):
                    frame = av.VideoFrame.from_ndarray(image, format="yuv420p")
                else:
                    frame = _to_yuv(image)
                _tag(frame)
                frame.pts, frame.time_base = offset, Fraction(1, fps)
                out.mux(stream.encode(frame))
                encoded += 1
                last, last_pts = frame, offset
            if closing_frame is not None and last is not None and closing_frame > last_pts:
                last.pts = closing_frame
                out.mux(stream.encode(last))
                encoded += 1
            out.mux(stream.encode(None))
    seal(path)
    return encoded
