"""Segments + the audio track → the page MP4, by stream copy only (no re-encode), faststart.

Packets are read segment by segment and interleaved with the audio by time as they are
written, so memory stays flat however long the video is.
"""

from __future__ import annotations

from fractions import Fraction
from pathlib import Path
from typing import Iterator

from vidsite.encode.audio import AAC_FRAME
from vidsite.fsutil import replacing

Segment = tuple[Path, int, tuple[int, ...]]


def _video_packets(segments: list[Segment], end_frame: int, fps: int) -> Iterator[tuple[float, object]]:
    """(time, packet) of every segment in order: its k-th picture at its scene's start + times[k],
    each lasting until the next."""
    import av

    tb = Fraction(1, fps)
    held = None
    for seg_path, start, times in segments:
        with av.open(str(seg_path)) as seg:
            packets = [p for p in seg.demux(seg.streams.video[0]) if p.size and p.pts is not None]
            if len(packets) != len(times):
                raise ValueError(f"{seg_path}: {len(packets)} pictures, but its scene times {len(times)}")
            for packet, at in zip(packets, times):
                pts = start + at
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


def _audio_packets(takes: list[tuple[Path, int]], total: int) -> Iterator[tuple[float, object]]:
    """(time, packet) of the track the takes make: packet k decodes samples [(k-1)*F, (k+1)*F) of
    it (F: an AAC frame), so take t's packets go from slot first/F on; the slots no take fills get
    the silence packet (any take's last one: it encodes only its closing silence)."""
    import av

    slots = -(-total // AAC_FRAME) + 1  # as many as one encoder of the whole track makes
    silence, slot, rate = b"", 0, 0
    for path, first in takes:
        with av.open(str(path)) as src:
            stream = src.streams.audio[0]
            rate, packets = stream.rate, [bytes(p) for p in src.demux(stream) if p.size]
        silence = silence or packets[-1]
        for data in [silence] * (first // AAC_FRAME - slot) + packets[:-1]:
            if slot < slots:
                yield _packet(data, slot, rate, total)
            slot += 1
    while slot < slots:
        yield _packet(silence, slot, rate, total)
        slot += 1


def _packet(data: bytes, slot: int, rate: int, total: int) -> tuple[float, object]:
    import av

    packet = av.Packet(data)
    packet.pts = packet.dts = (slot - 1) * AAC_FRAME  # the first is the encoder's priming, before 0
    packet.duration = min(AAC_FRAME, total - packet.pts)  # the last is played up to the track's end only
    packet.time_base = Fraction(1, rate)
    return packet.pts / rate, packet


def join(path: Path, segments: list[Segment], end_frame: int, fps: int, audio: list[tuple[Path, int]],
         samples: int) -> None:
    """Write `path`: segments[k] = (segment file, first frame of scene k, where each of its pictures
    shows from that frame on); `audio`: the takes of the AAC track (file, first sample), `samples` long."""
    import av

    with replacing(path) as tmp:
        with av.open(str(segments[0][0])) as first, av.open(str(audio[0][0])) as sound, \
                av.open(str(tmp), "w", format="mp4", options={"movflags": "+faststart"}) as out:
            vstream = out.add_stream_from_template(first.streams.video[0])
            vstream.time_base = Fraction(1, fps)
            astream = out.add_stream_from_template(sound.streams.audio[0])
            astream.time_base = sound.streams.audio[0].time_base
            video, sound_packets = _video_packets(segments, end_frame, fps), _audio_packets(audio, samples)
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
