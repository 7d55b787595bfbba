"""Audio first: scene spans from measured narration, reveals from word timings, captions.

Every span starts on a whole frame and narration k starts on span k's first frame, so audio
and slides cannot drift apart however long the video gets.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from typing import Callable

from vidsite.config import VideoConfig
from vidsite.models import Scene, Span, Still, Timeline, Voiceover, Word
from vidsite.scenes import get as scene_type
_WORD = re.compile(r"\w+", re.U)


def _norm(s: str) -> str:
    return "".join(_WORD.findall(s.lower()))


def reveal_items(scene: Scene) -> list[str]:
    """The items the scene's type reveals one by one (empty: all shown at once)."""
    return scene_type(scene.type).reveal_items(scene.fields)


def reveal_times(items: list[str], words: tuple[Word, ...], speech: float) -> list[float]:
    """When each item should appear: when its first word is spoken, in order; else evenly spread."""
    times: list[float] = []
    pos = 0
    for item in items:
        first = next((_norm(w) for w in _WORD.findall(item) if _norm(w)), "")
        hit = next((i for i in range(pos, len(words)) if _norm(words[i].text) == first), None)
        if hit is None:
            break
        times.append(words[hit].start)
        pos = hit + 1
    if len(times) == len(items):
        return times
    n = len(items)
    return [speech * k / (n + 1) for k in range(n)]  # narration does not name them: pace them out


def scene_seconds(scene: Scene, speech: float, video: VideoConfig, extra: float = 0.0) -> float:
    """How long a scene shows: its narration plus the pause, within the scene's (else the site's)
    minimum and maximum; narration is never cut, so a longer one wins over the maximum."""
    lo = scene.min_duration if scene.min_duration is not None else video.min_duration
    hi = scene.max_duration if scene.max_duration is not None else video.max_duration
    return max(speech, max(lo, min(hi, speech + video.pad + extra)))


def scene_frames(scene: Scene, speech: float, video: VideoConfig, extra: float = 0.0) -> int:
    fps = video.fps
    seconds = scene_seconds(scene, speech, video, extra)
    return max(math.ceil(speech * fps) + 1, math.ceil(round(seconds * fps, 6)))  # narration is never cut


def build_timeline(scenes: tuple[Scene, ...], voiceovers: list[Voiceover], video: VideoConfig,
                   transition: float | None = None, align: int = 1) -> Timeline:
    """Spans on whole frames; the video's length is rounded up to a multiple of `align` frames
    (the last picture is held a little longer) so the audio can end exactly with it."""
    fps = video.fps
    fade_frames = round((video.transition if transition is None else transition) * fps)
    spans: list[Span] = []
    start = 0
    for index, (scene, vo) in enumerate(zip(scenes, voiceovers)):
        stills: dict[int, dict] = {0: {}}
        items = reveal_items(scene)
        extra = 0.0
        if items:
            stills = {0: {"reveal": 0}}
            for k, t in enumerate(reveal_times(items, vo.words, vo.duration)):
                stills[round(t * fps)] = {"reveal": k + 1}
        hold = scene_type(scene.type).answer
        if hold is not None and scene.fields.get(hold.flag, True):  # think, then the answer shows and stays
            answer_at = round((vo.duration + hold.think) * fps)
            stills[answer_at] = {"reveal": len(items), "answer": True}
            extra = hold.think + hold.hold - video.pad
        frames = scene_frames(scene, vo.duration, video, extra)
        ordered = tuple(Still(f, s) for f, s in sorted(stills.items()) if f < frames)
        fade = 0
        if index < len(scenes) - 1:  # the fade plays after the narration and after the last reveal
            quiet = frames - max(math.ceil(vo.duration * fps), ordered[-1].frame + 1)
            fade = max(0, min(fade_frames, quiet))
        spans.append(Span(index, start, start + frames, ordered, fade))
        start += frames
    # The padding is held by the join, not encoded into the last segment, so an edit elsewhere
    # that changes the total length does not re-encode the last scene.
    return Timeline(fps, tuple(spans), -start % align)


@dataclass(frozen=True)
class Cue:
    start: float
    end: float
    text: str


def _lines(text: str, width: int = 42) -> str:
    words, lines, line = text.split(), [], ""
    for w in words:
        if line and len(line) + 1 + len(w) > width:
            lines.append(line)
            line = w
        else:
            line = f"{line} {w}" if line else w
    lines.append(line)
    return "\n".join(lines)


def captions(timeline: Timeline, voiceovers: list[Voiceover], max_chars: int = 84) -> list[Cue]:
    """Cues of at most two 42-character lines, split at sentences and clauses, timed by words."""
    cues: list[Cue] = []
    for span, vo in zip(timeline.spans, voiceovers):
        offset = span.start / timeline.fps
        group: list[Word] = []

        def flush() -> None:
            if not group:
                return
            a, b = group[0].char, group[-1].char + len(group[-1].text)
            while b < len(vo.text) and not vo.text[b].isspace():
                b += 1  # keep trailing punctuation
            cues.append(Cue(offset + group[0].start, offset + group[-1].end, vo.text[a:b].strip()))
            group.clear()

        for word in vo.words:
            if group:
                a = group[0].char
                b = word.char + len(word.text)
                if b - a > max_chars:
                    flush()
            group.append(word)
            after = word.char + len(word.text)
            tail, beyond = vo.text[after : after + 1], vo.text[after + 1 : after + 2]
            ends = beyond in ("", " ", "\n")  # "index.html" and "3.5" do not end a sentence
            length = after - group[0].char
            if ends and (tail in (".", "!", "?", "…") or (tail in (",", ";", ":") and length > max_chars * 0.6)):
                flush()
        flush()
    for i in range(len(cues) - 1):  # cues never overlap
        if cues[i].end > cues[i + 1].start:
            cues[i] = Cue(cues[i].start, cues[i + 1].start, cues[i].text)
    return [c for c in cues if c.end > c.start and c.text]


def _ts(t: float, sep: str = ".") -> str:
    ms = int(round(t * 1000))
    h, rem = divmod(ms, 3_600_000)
    m, rem = divmod(rem, 60_000)
    s, ms = divmod(rem, 1000)
    return f"{h:02d}:{m:02d}:{s:02d}{sep}{ms:03d}"


_CONTROL = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f]")
_JOINER = "\u2060"  # WORD JOINER: invisible, and breaks what an SRT reader would take for a tag or a timing
_NUMBER_LINE = re.compile(r"^[0-9-]", re.M)


def cue_text(text: str) -> str:
    """Cue text with control characters dropped (a parser turns NUL into U+FFFD; XML tools reject
    the rest); whitespace is collapsed by the line wrapping, so no blank line can end a cue."""
    return _CONTROL.sub("", text)


def vtt_text(text: str) -> str:
    """Cue text as WebVTT wants it: &, < and > escaped (WebVTT decodes them as HTML does), so
    content can neither add markup nor make a `-->` timing line."""
    return cue_text(text).replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def srt_text(text: str) -> str:
    """SRT has no escapes, and readers take `<font>`/`<i>` for markup and any `-->` line for a new
    cue: a WORD JOINER goes after every `<`, before every `>` and before a line that starts like a
    cue number or a timing, so none can be read as a tag, an arrow, a number or a time. The
    joiner is invisible; joiners already in the text are dropped so a reader can remove ours."""
    text = _srt_clean(text).replace("<", "<" + _JOINER).replace(">", _JOINER + ">")
    return _NUMBER_LINE.sub(lambda m: _JOINER + m.group(0), text)


def _srt_clean(text: str) -> str:
    return cue_text(text).replace(_JOINER, "")


def _shown(cues: list[Cue], clean: Callable[[str], str] = cue_text) -> list[tuple[Cue, str]]:
    """Cues with their text cleaned and wrapped (cleaned first: a line of only control characters
    would otherwise become the blank line that ends a cue); cues left with no text are dropped."""
    wrapped = [(c, _lines(clean(c.text))) for c in cues]
    return [(c, text) for c, text in wrapped if text]


def webvtt(cues: list[Cue]) -> str:
    body = "".join(f"{i}\n{_ts(c.start)} --> {_ts(c.end)}\n{vtt_text(text)}\n\n"
                   for i, (c, text) in enumerate(_shown(cues), 1))
    return "WEBVTT\n\n" + body


def srt(cues: list[Cue]) -> str:
    return "".join(f"{i}\n{_ts(c.start, ',')} --> {_ts(c.end, ',')}\n{srt_text(text)}\n\n"
                   for i, (c, text) in enumerate(_shown(cues, _srt_clean), 1))


def chapters_vtt(timeline: Timeline, titles: list[str]) -> str:
    """One cue per scene; a title is one line (a blank line in it would end the cue)."""
    ends = [s.end for s in timeline.spans[:-1]] + [timeline.frames]
    body = "".join(
        f"{i}\n{_ts(s.start / timeline.fps)} --> {_ts(end / timeline.fps)}\n{vtt_text(title)}\n\n"
        for i, (s, end, title) in enumerate(zip(timeline.spans, ends, (" ".join(cue_text(t).split()) for t in titles)), 1)
    )
    return "WEBVTT\n\n" + body
