"""A page's storyboard: each scene's final frame as a thumbnail under its start time, in one JPEG.

A reader sees the whole video at a glance, and a reviewer can check every slide without playing it.
The frames are decoded from the encoded segments (what a viewer's player shows, colours included),
not redrawn: a segment holds only its scene's changed stills, so finding its final one is a short decode.
"""

from __future__ import annotations

import io
from pathlib import Path

from PIL import Image, ImageDraw

from vidsite.render import text as T
from vidsite.render.theme import Theme

TILE_W, GAP, COLUMNS = 320, 16, 4


def final_frame(segment: Path, until: float) -> Image.Image:
    """The last frame the segment shows before `until` seconds into it (where its crossfade into the
    next scene begins), converted from BT.709 limited range as the stream is tagged."""
    import av
    from av.video.reformatter import ColorRange, Colorspace

    frame = None
    with av.open(str(segment)) as container:
        for found in container.decode(video=0):
            if frame is not None and found.time is not None and found.time >= until - 1e-6:
                break
            frame = found
    if frame is None:
        raise ValueError(f"{segment}: no video frames")
    return frame.reformat(format="rgb24", src_colorspace=Colorspace.ITU709, src_color_range=ColorRange.MPEG,
                          dst_color_range=ColorRange.JPEG).to_image()


def storyboard(frames: list[Image.Image], clocks: list[str], theme: Theme, accent: str) -> bytes:
    """The sheet as JPEG bytes: up to COLUMNS thumbnails a row, each with its start time below it
    in the theme's text face, on the theme's background."""
    aspect = frames[0].height / frames[0].width
    tile_h = round(TILE_W * aspect)
    face = T.Face(theme.chain("font_bold"), 22)
    label = face.line_height + 8
    cols = min(COLUMNS, len(frames))
    rows = -(-len(frames) // cols)
    sheet = Image.new("RGB", (GAP + cols * (TILE_W + GAP), GAP + rows * (tile_h + label + GAP)), theme.background)
    draw = ImageDraw.Draw(sheet)
    for i, (frame, clock) in enumerate(zip(frames, clocks)):
        x = GAP + (i % cols) * (TILE_W + GAP)
        y = GAP + (i // cols) * (tile_h + label + GAP)
        sheet.paste(frame.resize((TILE_W, tile_h), Image.Resampling.LANCZOS), (x, y))
        T.draw_line(draw, x, y + tile_h + 6, f"{i + 1} · {clock}", face, theme.text)
        draw.rectangle([x, y + tile_h, x + TILE_W - 1, y + tile_h + 2], fill=theme.accent(accent))
    buf = io.BytesIO()
    sheet.save(buf, "JPEG", quality=85, optimize=True)
    return buf.getvalue()
