"""Voice aliases and the language → default voice map, per engine."""

from __future__ import annotations

# The reference system's four voices (edge ids), and what espeak uses in their place.
ALIASES: dict[str, dict[str, str]] = {
    "male": {"edge": "en-US-AndrewNeural", "espeak": "en-us"},
    "male_warm": {"edge": "en-US-BrandonNeural", "espeak": "en-us+m3"},
    "female": {"edge": "en-US-AriaNeural", "espeak": "en-us+f3"},
    "female_friendly": {"edge": "en-US-AvaNeural", "espeak": "en-us+f4"},
}

# language → (edge voice, espeak voice)
LANGUAGES: dict[str, tuple[str, str]] = {
    "en": ("en-US-AndrewNeural", "en-us"),
    "es": ("es-ES-AlvaroNeural", "es"),
    "fr": ("fr-FR-HenriNeural", "fr"),
    "de": ("de-DE-ConradNeural", "de"),
    "it": ("it-IT-DiegoNeural", "it"),
    "pt": ("pt-BR-AntonioNeural", "pt-br"),
    "nl": ("nl-NL-MaartenNeural", "nl"),
    "sv": ("sv-SE-MattiasNeural", "sv"),
    "da": ("da-DK-JeppeNeural", "da"),
    "nb": ("nb-NO-FinnNeural", "nb"),
    "fi": ("fi-FI-HarriNeural", "fi"),
    "pl": ("pl-PL-MarekNeural", "pl"),
    "cs": ("cs-CZ-AntoninNeural", "cs"),
    "sk": ("sk-SK-LukasNeural", "sk"),
    "hu": ("hu-HU-TamasNeural", "hu"),
    "ro": ("ro-RO-EmilNeural", "ro"),
    "bg": ("bg-BG-BorislavNeural", "bg"),
    "el": ("el-GR-NestorasNeural", "el"),
    "ru": ("ru-RU-DmitryNeural", "ru"),
    "uk": ("uk-UA-OstapNeural", "uk"),
    "tr": ("tr-TR-AhmetNeural", "tr"),
    "ar": ("ar-SA-HamedNeural", "ar"),
    "he": ("he-IL-AvriNeural", "he"),
    "fa": ("fa-IR-FaridNeural", "fa"),
    "hi": ("hi-IN-MadhurNeural", "hi"),
    "bn": ("bn-IN-BashkarNeural", "bn"),
    "ur": ("ur-PK-AsadNeural", "ur"),
    "ja": ("ja-JP-KeitaNeural", "ja"),
    "zh": ("zh-CN-YunxiNeural", "cmn"),
    "ko": ("ko-KR-InJoonNeural", "ko"),
    "vi": ("vi-VN-NamMinhNeural", "vi"),
    "id": ("id-ID-ArdiNeural", "id"),
    "ms": ("ms-MY-OsmanNeural", "ms"),
    "ca": ("ca-ES-EnricNeural", "ca"),
}

RTL_LANGUAGES = {"ar", "he", "fa", "ur"}


def base_language(code: str) -> str:
    return code.split("-")[0].lower()


def resolve(voice: str | None, language: str, engine: str, native: str | None = None) -> str:
    """Engine voice id: alias → id, explicit id kept, nothing → the language's default.

    An English alias on a non-English page means "that gender, in this language" for espeak.
    `native`: the engine's own voice for a language the table lacks (else English stands in).
    """
    lang = base_language(language)
    index = 0 if engine == "edge" else 1
    default = LANGUAGES[lang][index] if lang in LANGUAGES else native or LANGUAGES["en"][index]
    if not voice:
        return default
    if voice in ALIASES:
        if lang != "en":
            if engine == "espeak":
                variant = ALIASES[voice]["espeak"].partition("+")[2]
                return f"{default}+{variant}" if variant else default
            return default
        return ALIASES[voice][engine]
    return voice
