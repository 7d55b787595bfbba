"""Segments + the audio track → the page MP4, by stream copy only (no re-encode), faststart.

Packets are read segment by segment and interleaved with the audio by time as they are
written, so memory stays flat however long the video is.
"""

from __future__ import annotations

from fractions import Fraction
from pathlib import Path
from typing import Iterator

from vidsite.fsutil import replacing


def _video_packets(segments: list[tuple[Path, int]], end_frame: int, fps: int) -> Iterator[tuple[float, object]]:
    """(time, packet) of every segment in order, moved to its scene's start, durations to the next."""
    import av

    tb = Fraction(1, fps)
    held = None
    for seg_path, start in segments:
        with av.open(str(seg_path)) as seg:
            src = seg.streams.video[0]
            for packet in seg.demux(src):
                if packet.size == 0 or packet.pts is None:
                    continue
                pts = start + int(round(packet.pts * src.time_base / tb))
                out = av.Packet(bytes(packet))
                out.pts = out.dts = pts
                out.time_base = tb
                out.is_keyframe = packet.is_keyframe
                if held is not None:
                    held.duration = max(1, pts - held.pts)
                    yield float(held.pts * tb), held
                held = out
    if held is not None:
        held.duration = max(1, end_frame - held.pts)
        yield float(held.pts * tb), held


def _audio_packets(path: Path) -> Iterator[tuple[float, object]]:
    import av

    with av.open(str(path)) as src:
        stream = src.streams.audio[0]
        for packet in src.demux(stream):
            if packet.size == 0 or packet.pts is None:
                continue
            yield float(packet.pts * stream.time_base), packet


def join(path: Path, segments: list[tuple[Path, int]], end_frame: int, fps: int, audio: Path) -> None:
    """Write `path`: segments[k] = (segment file, first frame of scene k); `audio` = the AAC track."""
    import av

    with replacing(path) as tmp:
        with av.open(str(segments[0][0])) as first, av.open(str(audio)) as sound, \
                av.open(str(tmp), "w", format="mp4", options={"movflags": "+faststart"}) as out:
            vstream = out.add_stream_from_template(first.streams.video[0])
            vstream.time_base = Fraction(1, fps)
            astream = out.add_stream_from_template(sound.streams.audio[0])
            astream.time_base = sound.streams.audio[0].time_base
            video, sound_packets = _video_packets(segments, end_frame, fps), _audio_packets(audio)
            v, a = next(video, None), next(sound_packets, None)
            while v is not None or a is not None:
                if a is None or (v is not None and v[0] <= a[0]):
                    v[1].stream = vstream
                    out.mux(v[1])
                    v = next(video, None)
                else:
                    a[1].stream = astream
                    out.mux(a[1])
                    a = next(sound_packets, None)
