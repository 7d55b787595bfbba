"""Audio first: scene spans from measured narration, reveals from word timings, captions.

Every span starts on a whole frame and narration k starts at a fixed sample near span k's first
frame (on it, or on the audio codec's next frame boundary), so audio and slides cannot drift
apart however long the video gets.
"""

from __future__ import annotations

import logging
import math
import re
from dataclasses import dataclass
from typing import Callable

from vidsite.config import VideoConfig
from vidsite.models import Scene, Span, Still, Timeline, Voiceover, Word
from vidsite.scenes import get as scene_type
from vidsite.scenes.code import reading_lines
from vidsite.speech.align import reveal_times

log = logging.getLogger(__name__)
__all__ = ["build_timeline", "captions", "reveal_items", "reveal_times"]


def reveal_items(scene: Scene) -> list[str]:
    """The items the scene's type reveals one by one (empty: all shown at once)."""
    return scene_type(scene.type).reveal_items(scene.fields)


def reveal_frame(t: float, fps: int) -> int:
    """The first frame that starts at or after `t`: an item never shows before its word is said."""
    return math.ceil(round(t * fps, 6))


def scene_seconds(scene: Scene, speech: float, video: VideoConfig, extra: float = 0.0) -> float:
    """How long a scene shows: its narration plus the pause, within the scene's (else the site's)
    minimum and maximum, and no shorter than the code on it takes to read (up to the maximum);
    narration is never cut, so a longer one wins over the maximum."""
    lo = scene.min_duration if scene.min_duration is not None else video.min_duration
    hi = scene.max_duration if scene.max_duration is not None else video.max_duration
    lo = max(lo, min(hi, reading_lines(scene.fields) * video.code_seconds_per_line))  # time to read the code
    return max(speech, max(lo, min(hi, speech + video.pad + extra)))


def scene_frames(scene: Scene, speech: float, video: VideoConfig, extra: float = 0.0) -> int:
    fps = video.fps
    seconds = scene_seconds(scene, speech, video, extra)
    return max(math.ceil(speech * fps) + 1, math.ceil(round(seconds * fps, 6)))  # narration is never cut


def still_states(scene: Scene) -> list[dict]:
    """The pictures a scene shows, in order, as draw states: everything at once, or its items revealed
    one by one from none, then a quiz's answer. The timeline gives each at least a frame, and every
    scene but the page's last its whole crossfade, so a scene's pictures are known before its
    narration is spoken (plan.plan_pictures)."""
    items = reveal_items(scene)
    states: list[dict] = [{"reveal": k} for k in range(len(items) + 1)] if items else [{}]
    hold = scene_type(scene.type).answer
    if hold is not None and scene.fields.get(hold.flag, True):
        states.append({"reveal": len(items), "answer": True})
    return states


def fade_frames(video: VideoConfig, transition: float | None = None) -> int:
    """Frames of the crossfade from one scene into the next (the page's `transition`, else the site's)."""
    return round((video.transition if transition is None else transition) * video.fps)


def build_timeline(scenes: tuple[Scene, ...], voiceovers: list[Voiceover], video: VideoConfig,
                   transition: float | None = None, align: int = 1,
                   voice_delay: Callable[[int], float] = lambda frame: 0.0) -> Timeline:
    """Spans on whole frames; the video's length is rounded up to a multiple of `align` frames
    (the last picture is held a little longer) so the audio can end exactly with it. A scene
    starting on frame f is narrated from `voice_delay(f)` seconds into it (the audio track starts
    each scene's narration on a codec frame: see encode.audio.voice_start); its reveals and its
    length follow the narration as heard."""
    fps = video.fps
    fade = fade_frames(video, transition)
    spans: list[Span] = []
    start = 0
    for index, (scene, vo) in enumerate(zip(scenes, voiceovers)):
        delay = voice_delay(start)
        heard = delay + vo.duration  # from the scene's first frame to the narration's end
        states = still_states(scene)
        items = reveal_items(scene)
        at = [0]  # the frame each state shows from; one said on the frame of the one before shows a frame later
        for t in reveal_times(items, vo.words, vo.duration) if items else ():
            at.append(max(reveal_frame(delay + t, fps), at[-1] + 1))
        extra = 0.0
        hold = scene_type(scene.type).answer
        if len(states) > len(at):  # think, then the answer shows and stays
            at.append(max(round((heard + hold.think) * fps), at[-1] + 1))
            extra = hold.think + hold.hold - video.pad
        last = index == len(scenes) - 1
        # the fade plays after the narration and after the last reveal; the page's last picture holds a
        # frame of its own before the end (see plan.frame_times)
        said = max(math.ceil(heard * fps), at[-1] + 1)
        frames = max(scene_frames(scene, heard, video, extra), said + (1 if last else fade))
        spans.append(Span(index, start, start + frames, tuple(map(Still, at, states)), 0 if last else fade, delay))
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


def _wrap(text: str) -> str:
    """Lines as the cue's script wants them: words for Latin, Cyrillic and Arabic; characters for
    CJK, broken after CJK punctuation where one is near the end of the line; each right-to-left
    line starts with a RIGHT-TO-LEFT MARK, so a line opening with a Latin word is still laid out
    right to left."""
    rule = script_rule(text)
    if not rule.cjk:
        lines = _lines(text, rule.width)
        return "\n".join(RLM + line for line in lines.split("\n")) if rule.rtl and lines else lines
    rest, lines = "".join(text.split("\n")).strip(), []
    while len(rest) > rule.width:
        head = rest[: rule.width + 1]
        cut = max((i + 1 for i, ch in enumerate(head[:-1]) if ch in _CJK_BREAK), default=0)
        if cut <= rule.width // 2:  # no CJK punctuation late in the line: a space, else a full line
            cut = max((i for i, ch in enumerate(head) if ch.isspace()), default=0) or rule.width
        while 0 < cut < len(rest) and _latin(rest[cut - 1]) and _latin(rest[cut]):
            cut -= 1  # never inside a Latin word
        cut = cut or rule.width
        lines.append(rest[:cut].strip())
        rest = rest[cut:].strip()
    lines.append(rest)
    return "\n".join(line for line in lines if line)


@dataclass(frozen=True)
class ScriptRule:
    """Timed-text limits for one script (Netflix's timed-text style guides): characters per line,
    reading speed in characters per second, and how lines break."""

    width: int
    cps: float
    cjk: bool = False
    rtl: bool = False


RULES = {"latin": ScriptRule(42, 20), "rtl": ScriptRule(42, 17, rtl=True), "zh": ScriptRule(16, 9, cjk=True),
         "ja": ScriptRule(13, 4, cjk=True)}
RLM = "\u200f"
MIN_CUE = 5 / 6  # seconds: shorter cues flash past; they are merged with a neighbour
_KANA = re.compile(r"[\u3040-\u30ff\uff66-\uff9f]")
_HAN = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]")
_RTL = re.compile(r"[\u0590-\u08ff\ufb1d-\ufdff\ufe70-\ufeff]")
_CJK_BREAK = "。！？，、；：）」』】"
_CJK_STOP = "。！？"
_STOP = (".", "!", "?", "…")


def script_rule(text: str) -> ScriptRule:
    """The rule for the script most of the text's letters are in (a few stray letters do not count)."""
    letters = [ch for ch in text if ch.isalpha()]
    if len(letters) < 4:
        return RULES["latin"]
    han, kana = len(_HAN.findall(text)), len(_KANA.findall(text))
    if han + kana >= 2 and (han + kana) * 3 >= len(letters):  # a CJK character is worth a Latin word
        return RULES["ja"] if kana else RULES["zh"]
    if len(_RTL.findall(text)) * 5 >= len(letters) * 3:
        return RULES["rtl"]
    return RULES["latin"]


def _latin(ch: str) -> bool:
    return ch.isascii() and ch.isalnum()


def _inside(text: str, char: int) -> bool:
    return char > 0 and _latin(text[char - 1]) and _latin(text[char : char + 1])


def _cut_text(text: str, starts: list[int]) -> list[str]:
    """The text between consecutive cue starts: every character in exactly one cue, none twice."""
    ends = starts[1:] + [len(text)]
    return [text[a:b].strip() for a, b in zip(starts, ends)]


def _balance(text: str, first: list[Word], second: list[Word]) -> tuple[list[Word], list[Word]]:
    """Two cues' words cut where the shorter of them lasts longest, each still two lines at most
    and never cut inside a word spoken in parts (a sentence just over two lines is said in two
    even halves, not as two lines and a flash of its last word)."""
    def fits(part: list[Word]) -> bool:
        return len(_wrap(text[part[0].char : part[-1].char + len(part[-1].text)]).split("\n")) <= 2

    words = first + second
    best, shortest = len(first), min(first[-1].end - first[0].start, second[-1].end - second[0].start)
    for k in range(1, len(words)):
        if _inside(text, words[k].char):
            continue
        head, tail = words[:k], words[k:]
        length = min(head[-1].end - head[0].start, tail[-1].end - tail[0].start)
        if length > shortest and fits(head) and fits(tail):
            best, shortest = k, length
    return words[:best], words[best:]


def captions(timeline: Timeline, voiceovers: list[Voiceover], source: str = "captions") -> list[Cue]:
    """Cues of at most two lines of the script's width, split at sentences and clauses, timed by
    words, verbatim: each character of the narration shows in one cue. Cues shorter than 5/6 s are
    merged with the next where the two still fit; where speech outruns the script's reading
    speed the cue stays in sync and a warning naming `source` (the page) says so (captions are
    never condensed)."""
    cues: list[Cue] = []
    fast: list[float] = []
    for span, vo in zip(timeline.spans, voiceovers):
        if not vo.words:
            continue
        offset = span.start / timeline.fps + span.voice
        rule = script_rule(vo.text)
        stops = _CJK_STOP if rule.cjk else _STOP
        pauses = "，、；：" if rule.cjk else (",", ";", ":")
        groups: list[list[Word]] = [[]]
        for word in vo.words:
            group = groups[-1]
            if group and len(_wrap(vo.text[group[0].char : word.char + len(word.text)]).split("\n")) > 2:
                run = len(group)  # a cue never starts inside a word the engine spoke in parts ("Web" "VTT")
                while run and _inside(vo.text, group[run].char if run < len(group) else word.char):
                    run -= 1
                if 0 < run < len(group) or not _inside(vo.text, word.char):
                    groups.append(group[run:])
                    del group[run:]
            groups[-1].append(word)
            after = word.char + len(word.text)
            tail = vo.text[after : after + 1]
            beyond = vo.text[after + 1 : after + 2]
            ends = rule.cjk or beyond in ("", " ", "\n")  # "index.html" and "3.5" do not end a sentence
            length = after - groups[-1][0].char
            if ends and (tail in stops or (tail in pauses and length > rule.width * 1.2)):
                groups.append([])
        groups = [g for g in groups if g]
        merged: list[list[Word]] = []
        for g in groups:
            if merged and merged[-1][-1].end - merged[-1][0].start < MIN_CUE:
                joined = merged[-1] + g
                if len(_wrap(vo.text[joined[0].char : joined[-1].char + len(joined[-1].text)]).split("\n")) <= 2:
                    merged[-1] = joined
                    continue
            merged.append(g)
        if len(merged) > 1 and merged[-1][-1].end - merged[-1][0].start < MIN_CUE:
            joined = merged[-2] + merged[-1]
            if len(_wrap(vo.text[joined[0].char : joined[-1].char + len(joined[-1].text)]).split("\n")) <= 2:
                merged[-2:] = [joined]
        for i in range(1, len(merged)):  # a short cue that two cues cannot absorb: share the words out
            if merged[i][-1].end - merged[i][0].start < MIN_CUE:
                merged[i - 1], merged[i] = _balance(vo.text, merged[i - 1], merged[i])
        texts = _cut_text(vo.text, [g[0].char for g in merged])
        texts[0] = vo.text[: merged[0][0].char].strip() + texts[0] if merged else ""
        for g, text in zip(merged, texts):
            start, end = offset + g[0].start, offset + g[-1].end
            if len(text) > rule.cps * max(end - start, 1e-3):
                fast.append(start)
            cues.append(Cue(start, end, text))
    for i in range(len(cues) - 1):  # cues never overlap
        if cues[i].end > cues[i + 1].start:
            cues[i] = Cue(cues[i].start, cues[i + 1].start, cues[i].text)
    if fast:
        log.warning("%s: %d caption cue(s) go by faster than viewers read them (the first at %s); captions stay "
                    "verbatim and in sync: slow the voice ([tts] rate) or shorten the narration", source, len(fast),
                    _ts(fast[0])[3:8] if fast[0] < 3600 else _ts(fast[0])[:8])
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
    wrapped = [(c, _wrap(clean(c.text))) for c in cues]
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
