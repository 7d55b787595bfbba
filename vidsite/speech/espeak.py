"""espeak-ng in-process through ctypes: the offline engine, no system install (espeakng-loader).

espeak-ng keeps global state, so one process speaks one clip at a time (a lock guards it),
each with a freshly loaded library (see _library).
"""

from __future__ import annotations

import _ctypes
import ctypes
import re
import threading
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from difflib import SequenceMatcher
from functools import cached_property, lru_cache
from typing import TYPE_CHECKING

from vidsite.errors import SpeechError
from vidsite.models import Word
from vidsite.speech import voices
from vidsite.speech.base import Engine, Speech, register

if TYPE_CHECKING:
    from vidsite.config import TTSConfig

_AUDIO_OUTPUT_SYNCHRONOUS = 2
_INITIALIZE_DONT_EXIT = 0x8000
_CHARS_UTF8 = 1
_POS_CHARACTER = 1
_RATE, _PITCH = 1, 3
_PHONEMES_IPA = 0x02
_SWITCH = re.compile(r"\([a-z-]+\)")  # espeak marks a word it hands to another language's rules: "(en)"
_STRESS = re.compile(r"[\sˈˌ]")
SPELLED = 0.8  # a name that sounds this much like its letters said one by one is being spelled
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


def phonemes(text: str, voice: str) -> str:
    """What `voice` says for `text`, in IPA, with espeak's "(en)" where it switches language."""
    out: list[str] = []
    with _lock, _library() as (lib, _):
        if lib.espeak_SetVoiceByName(voice.encode()) != 0:
            raise SpeechError(f"espeak has no voice `{voice}`; run `vidsite voices` to list them")
        lib.espeak_TextToPhonemes.restype = ctypes.c_char_p
        data = ctypes.create_string_buffer(text.encode("utf-8"))
        cursor = ctypes.c_char_p(ctypes.addressof(data))  # espeak moves it clause by clause, to NULL
        while cursor.value:
            out.append((lib.espeak_TextToPhonemes(ctypes.byref(cursor), _CHARS_UTF8, _PHONEMES_IPA) or b"").decode())
    return " ".join(out)


@lru_cache(maxsize=64)
def has_voice(name: str) -> bool:
    """Whether espeak-ng has a voice of this name (it has about 130 languages, more than
    voices.LANGUAGES lists: Thai, Tamil, Swahili...)."""
    with _lock, _library() as (lib, _):
        return lib.espeak_SetVoiceByName(name.encode()) == 0


def said(text: str, voice: str) -> tuple[str, tuple[tuple[int, int, int, int], ...]]:
    """Japanese with its kanji in kana (vidsite/speech/kana.py): the `ja` voice reads kana only."""
    if _language_of(voice) != "ja":
        return text, ()
    from vidsite.speech.kana import reading

    return reading(text)


def _language_of(voice: str) -> str:
    code = voices.base_language(voice.partition("+")[0])
    return {"cmn": "zh", "yue": "zh"}.get(code, code)


@lru_cache(maxsize=128)
def reads(voice: str, language: str) -> bool:
    """Whether `voice` reads `language`, tried on the language's own name in its own script (日本語,
    ไทย, русский). A voice that cannot read a script spells it: each kanji as "Chinese letter"
    (marked as a switch to English), Thai or Cyrillic in an English voice letter by letter, so the
    name sounds the same as its characters said one at a time. A language babel does not know
    cannot be tried and counts as read."""
    code = voices.base_language(language)
    if _language_of(voice) == code:
        return True  # its own language (Chinese is read a syllable per character, which is not spelling)
    from babel import Locale, UnknownLocaleError

    try:
        sample = Locale.parse(code).get_display_name(code) or ""
    except (UnknownLocaleError, ValueError):
        return True
    spoken = said(sample, voice)[0]
    whole = phonemes(spoken, voice)
    if _SWITCH.search(whole):
        return False
    letters = "".join(phonemes(ch, voice) for ch in spoken if ch.strip())
    return SequenceMatcher(None, _STRESS.sub("", whole), _STRESS.sub("", letters)).ratio() < SPELLED


def offline_voices(wanted: Iterable[tuple[str, str | None]], tts: TTSConfig) -> str:
    """One line for `vidsite check`: which of the site's (language, voice) pairs the offline voice
    reads, and what a page in one it cannot read needs."""
    engine = EspeakEngine(tts)
    read, spelled = [], []
    for language, voice in sorted(set(wanted), key=str):
        voice_id = engine.voice_id(voice or tts.voice, language)
        how = ", kanji read as kana" if _language_of(voice_id) == "ja" else ""
        (read if reads(voice_id, language) else spelled).append(f"{language} ({voice_id}{how})")
    line = f"offline voice (espeak-ng): reads {', '.join(read) or 'none of them'}"
    if spelled:
        if tts.degraded_voice:
            need = "spoken letter by letter ([tts] degraded_voice)"
        else:
            need = ("its pages fail to build" if tts.engine == "espeak" else "its pages build only while edge-tts "
                    "answers") + " unless given a voice that reads them or [tts] degraded_voice = true"
        line += f"; cannot read {', '.join(spelled)}: {need}"
    return line


@register("espeak")
class EspeakEngine(Engine):
    name = "espeak"
    online = False

    @cached_property
    def version(self) -> str:
        return _library_version()

    def voice_id(self, voice: str | None, language: str) -> str:
        code = voices.base_language(language)
        return voices.resolve(voice, language, "espeak", code if has_voice(code) else None)

    def said(self, text: str, voice: str) -> tuple[str, tuple[tuple[int, int, int, int], ...]]:
        return said(text, voice)

    def reads(self, voice: str, language: str) -> bool:
        return reads(voice, language)

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
