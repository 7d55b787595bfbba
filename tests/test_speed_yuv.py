"""A slide's conversion to yuv420p reads its pixels through a view (`from_numpy_buffer`): every plane
comes out as Pillow → `VideoFrame.from_image` → `reformat` made it, for slides of every mode and
size, one after another, and a segment encoded from them is byte for byte the segment the reference
frames make. Its rounding is swscale's default, within a level of the exact one."""

from __future__ import annotations

from pathlib import Path

import av
import numpy as np
from av.video.reformatter import ColorRange, Colorspace, Interpolation
from PIL import Image

from vidsite.encode.encoders import EncoderChoice
from vidsite.encode.segments import INTERPOLATION, _to_yuv, encode_segment, yuv420


def _reference(image: Image.Image, interpolation: object = INTERPOLATION) -> np.ndarray:
    """The conversion as it was made before: Pillow's bytes copied into a frame, a converter per call."""
    frame = av.VideoFrame.from_image(image if image.mode == "RGB" else image.convert("RGB"))
    return frame.reformat(format="yuv420p", src_colorspace=Colorspace.ITU709, dst_colorspace=Colorspace.ITU709,
                          src_color_range=ColorRange.JPEG, dst_color_range=ColorRange.MPEG,
                          interpolation=interpolation).to_ndarray()


def _slides() -> list[Image.Image]:
    rng = np.random.default_rng(7)
    noisy = Image.fromarray(rng.integers(0, 256, (1080, 1920, 3), dtype=np.uint8))  # every bit counts
    drawn = Image.new("RGB", (1280, 720), "#0F172A")
    drawn.paste((16, 185, 129), (0, 0, 12, 720))  # an accent bar: the green BT.601 got wrong
    drawn.paste((248, 250, 252), (200, 300, 900, 340))
    rgba = Image.fromarray(rng.integers(0, 256, (540, 960, 4), dtype=np.uint8), "RGBA")
    grey = Image.fromarray(rng.integers(0, 256, (360, 640), dtype=np.uint8), "L")
    return [noisy, drawn, rgba, grey, noisy.resize((1280, 720)), drawn]


def test_each_slide_converts_to_the_planes_the_reference_conversion_makes() -> None:
    for image in _slides():
        got, want = yuv420(image), _reference(image)
        assert got.shape == want.shape == (image.height * 3 // 2, image.width)
        assert np.array_equal(got, want), f"{image.mode} {image.size}"
        exact = _reference(image, Interpolation.BILINEAR | Interpolation.ACCURATE_RND)
        assert np.abs(got.astype(int) - exact).max() <= 1, f"{image.mode} {image.size}"


def test_a_segment_from_the_kept_converter_is_the_reference_segment_byte_for_byte(tmp_path: Path) -> None:
    rng = np.random.default_rng(3)
    stills = [Image.fromarray(rng.integers(0, 256, (360, 640, 3), dtype=np.uint8)) for _ in range(3)]
    encoder = EncoderChoice("libx264", (("preset", "veryfast"), ("crf", "23"), ("threads", "1")), "")
    ours, theirs = tmp_path / "ours.mp4", tmp_path / "theirs.mp4"
    encode_segment(ours, [(i * 15, s) for i, s in enumerate(stills)], fps=30, width=640, height=360, encoder=encoder,
                   closing_frame=60)
    encode_segment(theirs, [(i * 15, _reference(s)) for i, s in enumerate(stills)], fps=30, width=640, height=360,
                   encoder=encoder, closing_frame=60)
    assert ours.read_bytes() == theirs.read_bytes()
    with av.open(str(ours)) as got:  # and it is a real video: every still a decoded frame
        assert sum(1 for _ in got.decode(video=0)) == 4
    frame = _to_yuv(stills[0])
    assert (frame.width, frame.height, frame.format.name) == (640, 360, "yuv420p")
