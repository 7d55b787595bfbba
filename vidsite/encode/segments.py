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


def yuv420(image: Image.Image) -> np.ndarray:
    import av

    return av.VideoFrame.from_image(image).reformat(format="yuv420p").to_ndarray()


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
            last: av.VideoFrame | None = None
            last_pts = -1
            for offset, image in stills:
                if isinstance(image, np.ndarray):
                    frame = av.VideoFrame.from_ndarray(image, format="yuv420p")
                else:
                    frame = av.VideoFrame.from_image(image).reformat(format="yuv420p")
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
