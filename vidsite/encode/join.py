"""Segments + narration → the page MP4: video by stream copy, audio mixed and encoded to AAC.

The audio is laid out sample-exactly: narration k starts at the first sample of scene k's
first frame, and the track is padded with silence to the video's last frame.
"""

from __future__ import annotations

import math
import wave
from fractions import Fraction
from pathlib import Path

import numpy as np

from vidsite.fsutil import temp_path
from vidsite.models import Timeline, Voiceover

AUDIO_RATE = 48000
AAC_FRAME = 1024  # samples; a decoder pads the last AAC frame to this


def frame_alignment(fps: int, rate: int = AUDIO_RATE) -> int:
    """Video length granule (frames) that makes the audio a whole number of AAC frames, so the
    decoded audio ends exactly with the video. 1 where that would hold the last slide over a second."""
    per_frame = rate / fps
    if per_frame != int(per_frame):
        return 1
    granule = AAC_FRAME // math.gcd(AAC_FRAME, int(per_frame))
    return granule if granule <= fps else 1


def _read_clip(path: Path, rate: int) -> np.ndarray:
    with wave.open(str(path), "rb") as w:
        pcm = np.frombuffer(w.readframes(w.getnframes()), dtype=np.int16)
        src = w.getframerate()
    if src == rate:
        return pcm
    # Band-limited enough for speech; exact length, so timings stay exact.
    n = int(round(len(pcm) * rate / src))
    x = np.linspace(0, len(pcm) - 1, n)
    return np.interp(x, np.arange(len(pcm)), pcm.astype(np.float32)).astype(np.int16)


def mix_audio(timeline: Timeline, voiceovers: list[Voiceover], rate: int = AUDIO_RATE) -> np.ndarray:
    total = int(round(timeline.frames * rate / timeline.fps))
    track = np.zeros(total, dtype=np.int16)
    for span, vo in zip(timeline.spans, voiceovers):
        scene_start = span.start * rate / timeline.fps
        for clip, at in vo.parts:
            pcm = _read_clip(clip.wav, rate)
            start = int(round(scene_start + at * rate))
            end = min(total, start + len(pcm))
            track[start:end] = pcm[: end - start]
    return track


def join(path: Path, segments: list[tuple[Path, int]], end_frame: int, fps: int, audio: np.ndarray) -> None:
    """Write `path` (faststart MP4): segments[k] = (segment file, first frame of scene k)."""
    import av

    tmp = temp_path(path)
    tb = Fraction(1, fps)
    try:
        with av.open(str(tmp), "w", format="mp4", options={"movflags": "+faststart"}) as out:
            vstream = None
            packets = []
            for seg_path, start in segments:
                with av.open(str(seg_path)) as seg:
                    src = seg.streams.video[0]
                    if vstream is None:
                        vstream = out.add_stream_from_template(src)
                        vstream.time_base = tb
                    for packet in seg.demux(src):
                        if packet.size == 0 or packet.pts is None:
                            continue
                        pts = start + int(round(packet.pts * src.time_base / tb))
                        packets.append((pts, bytes(packet), packet.is_keyframe))
            packets.sort(key=lambda p: p[0])
            astream = out.add_stream("aac", rate=AUDIO_RATE, layout="mono", options={"aac_coder": "fast", "b": "96k"})
            astream.time_base = Fraction(1, AUDIO_RATE)
            for i, (pts, data, key) in enumerate(packets):
                nxt = packets[i + 1][0] if i + 1 < len(packets) else end_frame
                packet = av.Packet(data)
                packet.pts = packet.dts = pts
                packet.duration = max(1, nxt - pts)
                packet.time_base = tb
                packet.is_keyframe = key
                packet.stream = vstream
                out.mux(packet)
            step = 1024 * 8
            for i in range(0, len(audio), step):
                chunk = audio[i : i + step]
                frame = av.AudioFrame.from_ndarray(chunk.reshape(1, -1), format="s16", layout="mono")
                frame.sample_rate, frame.pts, frame.time_base = AUDIO_RATE, i, Fraction(1, AUDIO_RATE)
                out.mux(astream.encode(frame))
            out.mux(astream.encode(None))
        tmp.replace(path)
    finally:
        tmp.unlink(missing_ok=True)
