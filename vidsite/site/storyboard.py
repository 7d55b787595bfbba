"""A page's storyboard: each scene's final frame as a thumbnail under its start time, in one JPEG.

A reader sees the whole video at a glance, and a reviewer can check every slide without playing it.
The task that draws and encodes a scene's segment also keeps its final slide at tile size beside it
(`thumbnail`), so a page's storyboard is pasted together from small PNGs, not decoded from every
segment and scaled down again each time the page is published. A segment without one (made by an
older vidsite and fetched from a shared cache) has its final frame decoded (`final_frame`).
"""

from __future__ import annotations

import io
from pathlib import Path

from PIL import Image, ImageDraw

from vidsite.render import text as T
from vidsite.render.theme import Theme

TILE_W, GAP, COLUMNS = 320, 16, 4


def final_frame(segment: Path, stills: int) -> Image.Image:
    """The segment's last still (its pictures are its `stills`, then its crossfade), converted from
    BT.709 limited range as the stream is tagged."""
    import av
    from av.video.reformatter import ColorRange, Colorspace

    frame = None
    with av.open(str(segment)) as container:
        for k, found in enumerate(container.decode(video=0)):
            if k == stills:
                break
            frame = found
    if frame is None:
        raise ValueError(f"{segment}: no video frames")
    return frame.reformat(format="rgb24", src_colorspace=Colorspace.ITU709, src_color_range=ColorRange.MPEG,
                          dst_color_range=ColorRange.JPEG).to_image()


def tile_size(width: int, height: int) -> tuple[int, int]:
    return TILE_W, round(TILE_W * height / width)


def thumbnail(image: Image.Image) -> bytes:
    """A slide at tile size, as PNG bytes (lossless: the sheet is compressed once, as JPEG). Pillow
    shrinks by whole factors first (`reducing_gap`), then resamples with Lanczos."""
    rgb = image if image.mode == "RGB" else image.convert("RGB")
    tile = rgb.resize(tile_size(*image.size), Image.Resampling.LANCZOS, reducing_gap=3.0)
    buf = io.BytesIO()
    tile.save(buf, "PNG", compress_level=1)
    return buf.getvalue()


def storyboard(frames: list[Image.Image], clocks: list[str], theme: Theme, accent: str) -> bytes:
    """The sheet as JPEG bytes: up to COLUMNS thumbnails a row (frames at tile size are pasted as
    they are, others scaled), each with its start time below it in the theme's text face, on the
    theme's background."""
    tile_h = tile_size(frames[0].width, frames[0].height)[1]
    face = T.Face(theme.chain("font_bold"), 22)
    label = face.line_height + 8
    cols = min(COLUMNS, len(frames))
    rows = -(-len(frames) // cols)
    sheet = Image.new("RGB", (GAP + cols * (TILE_W + GAP), GAP + rows * (tile_h + label + GAP)), theme.background)
    draw = ImageDraw.Draw(sheet)
    for i, (frame, clock) in enumerate(zip(frames, clocks)):
        x = GAP + (i % cols) * (TILE_W + GAP)
        y = GAP + (i // cols) * (tile_h + label + GAP)
        if frame.size != (TILE_W, tile_h):
            frame = frame.resize((TILE_W, tile_h), Image.Resampling.LANCZOS, reducing_gap=3.0)
        sheet.paste(frame, (x, y))
        T.draw_line(draw, x, y + tile_h + 6, f"{i + 1} · {clock}", face, theme.text)
        draw.rectangle([x, y + tile_h, x + TILE_W - 1, y + tile_h + 2], fill=theme.accent(accent))
    buf = io.BytesIO()
    sheet.save(buf, "JPEG", quality=85, optimize=True)
    return buf.getvalue()
