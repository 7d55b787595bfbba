"""espeak-ng in-process through ctypes: the offline engine, no system install (espeakng-loader).

espeak-ng keeps global state, so one process speaks one clip at a time (a lock guards it),
each with a freshly loaded library (see _library).
"""

from __future__ import annotations

import _ctypes
import ctypes
import threading
from contextlib import contextmanager
from functools import cached_property
from typing import Iterator

from vidsite.errors import SpeechError
from vidsite.models import Word
from vidsite.speech import voices
from vidsite.speech.base import Engine, Speech, register

_AUDIO_OUTPUT_SYNCHRONOUS = 2
_INITIALIZE_DONT_EXIT = 0x8000
_CHARS_UTF8 = 1
_POS_CHARACTER = 1
_RATE, _PITCH = 1, 3
_EVENT_WORD, _EVENT_LIST_TERMINATED = 1, 0


class _EventId(ctypes.Union):
    _fields_ = [("number", ctypes.c_int), ("name", ctypes.c_char_p), ("string", ctypes.c_char * 8)]


class _Event(ctypes.Structure):
    _fields_ = [
        ("type", ctypes.c_int),
        ("unique_identifier", ctypes.c_uint),
        ("text_position", ctypes.c_int),  # 1-based, in characters
        ("length", ctypes.c_int),  # characters
        ("audio_position", ctypes.c_int),  # ms
        ("sample", ctypes.c_int),  # samples since the start of this synthesis
        ("user_data", ctypes.c_void_p),
        ("id", _EventId),
    ]


_Callback = ctypes.CFUNCTYPE(ctypes.c_int, ctypes.POINTER(ctypes.c_short), ctypes.c_int, ctypes.POINTER(_Event))
_lock = threading.Lock()
_version: str | None = None


@contextmanager
def _library() -> Iterator[tuple[ctypes.CDLL, int]]:
    """A freshly loaded, initialised espeak-ng, unloaded afterwards.

    espeak-ng keeps synthesis state in library globals (echo buffer, flutter phase) that
    espeak_Terminate does not reset, so the same sentence spoken twice in one process differs by
    a few samples. Loading it fresh for each sentence (about 2 ms) makes synthesis a pure function
    of its inputs: the same clip in every process, worker and machine."""
    try:
        import espeakng_loader
    except ImportError:  # pragma: no cover - a declared dependency
        raise SpeechError("espeak engine needs the espeakng-loader package: pip install espeakng-loader") from None
    lib = ctypes.CDLL(espeakng_loader.get_library_path())
    try:
        rate = lib.espeak_Initialize(
            _AUDIO_OUTPUT_SYNCHRONOUS, 0, espeakng_loader.get_data_path().encode(), _INITIALIZE_DONT_EXIT
        )
        if rate <= 0:
            raise SpeechError("espeak-ng failed to initialise (espeak-ng-data not found)")
        yield lib, rate
        lib.espeak_Terminate()
    finally:
        _ctypes.dlclose(lib._handle)


def _library_version() -> str:
    global _version
    if _version is None:
        with _lock, _library() as (lib, _):
            lib.espeak_Info.restype = ctypes.c_char_p
            _version = (lib.espeak_Info(None) or b"?").decode()
    return _version


@register("espeak")
class EspeakEngine(Engine):
    name = "espeak"
    online = False

    @cached_property
    def version(self) -> str:
        return _library_version()

    def voice_id(self, voice: str | None, language: str) -> str:
        return voices.resolve(voice, language, "espeak")

    def synthesize(self, text: str, voice: str, rate: int, pitch: int) -> Speech:
        chunks: list[bytes] = []
        events: list[tuple[int, int, int]] = []

        def on_audio(wav: ctypes._Pointer, count: int, ev: ctypes._Pointer) -> int:
            if count > 0:
                chunks.append(ctypes.string_at(wav, count * 2))
            i = 0
            while ev[i].type != _EVENT_LIST_TERMINATED:
                if ev[i].type == _EVENT_WORD:
                    events.append((ev[i].text_position - 1, ev[i].length, ev[i].sample))
                i += 1
            return 0

        data = text.encode("utf-8")
        with _lock, _library() as (lib, sample_rate):
            callback = _Callback(on_audio)  # kept alive until synthesis returns
            lib.espeak_SetSynthCallback(callback)
            if lib.espeak_SetVoiceByName(voice.encode()) != 0:
                raise SpeechError(f"espeak has no voice `{voice}`; run `vidsite voices` to list them")
            lib.espeak_SetParameter(_RATE, rate, 0)
            lib.espeak_SetParameter(_PITCH, pitch, 0)
            if lib.espeak_Synth(data, len(data) + 1, 0, _POS_CHARACTER, 0, _CHARS_UTF8, None, None) != 0:
                raise SpeechError(f"espeak could not speak: {text[:60]!r}")
            lib.espeak_Synchronize()
        pcm = b"".join(chunks)
        total = len(pcm) // 2
        words: list[Word] = []
        for n, (char, length, sample) in enumerate(events):
            end = events[n + 1][2] if n + 1 < len(events) else total
            word = text[char : char + length]
            if word.strip():
                words.append(Word(word, sample / sample_rate, max(sample, end) / sample_rate, char))
        return Speech(pcm, sample_rate, tuple(words))
