"""The output site's own words per language, and dates and numbers formatted by Babel (CLDR)."""

from __future__ import annotations

import datetime
from typing import Any

from vidsite.speech.voices import RTL_LANGUAGES, base_language

STRINGS: dict[str, dict[str, str]] = {
    "en": {"transcript": "Transcript", "chapters": "Chapters", "scenes": "scenes", "captions": "captions",
           "languages": "Languages", "untranslated": "This page is not translated yet; here it is in {language}.",
           "empty": "No pages yet: add Markdown files under content/."},
    "es": {"transcript": "Transcripción", "chapters": "Capítulos", "scenes": "escenas", "captions": "subtítulos",
           "languages": "Idiomas", "untranslated": "Esta página aún no está traducida; aquí está en {language}.",
           "empty": "Todavía no hay páginas."},
    "fr": {"transcript": "Transcription", "chapters": "Chapitres", "scenes": "scènes", "captions": "sous-titres",
           "languages": "Langues", "untranslated": "Cette page n’est pas encore traduite ; la voici en {language}.",
           "empty": "Pas encore de pages."},
    "de": {"transcript": "Transkript", "chapters": "Kapitel", "scenes": "Szenen", "captions": "Untertitel",
           "languages": "Sprachen", "untranslated": "Diese Seite ist noch nicht übersetzt; hier ist sie auf {language}.",
           "empty": "Noch keine Seiten."},
    "pt": {"transcript": "Transcrição", "chapters": "Capítulos", "scenes": "cenas", "captions": "legendas",
           "languages": "Idiomas", "untranslated": "Esta página ainda não foi traduzida; aqui está em {language}.",
           "empty": "Ainda não há páginas."},
    "it": {"transcript": "Trascrizione", "chapters": "Capitoli", "scenes": "scene", "captions": "sottotitoli",
           "languages": "Lingue", "untranslated": "Questa pagina non è ancora tradotta; eccola in {language}.",
           "empty": "Ancora nessuna pagina."},
    "ja": {"transcript": "文字起こし", "chapters": "チャプター", "scenes": "シーン", "captions": "字幕",
           "languages": "言語", "untranslated": "このページはまだ翻訳されていません。{language}版を表示しています。",
           "empty": "まだページがありません。"},
    "zh": {"transcript": "文字稿", "chapters": "章节", "scenes": "个场景", "captions": "字幕",
           "languages": "语言", "untranslated": "此页面尚未翻译；以下为{language}版本。", "empty": "还没有页面。"},
    "ko": {"transcript": "스크립트", "chapters": "챕터", "scenes": "장면", "captions": "자막",
           "languages": "언어", "untranslated": "이 페이지는 아직 번역되지 않았습니다. {language} 버전입니다.",
           "empty": "아직 페이지가 없습니다."},
    "ar": {"transcript": "النص", "chapters": "الفصول", "scenes": "مشاهد", "captions": "ترجمة",
           "languages": "اللغات", "untranslated": "لم تُترجم هذه الصفحة بعد؛ إليك نسختها باللغة {language}.",
           "empty": "لا توجد صفحات بعد."},
    "he": {"transcript": "תמליל", "chapters": "פרקים", "scenes": "סצנות", "captions": "כתוביות",
           "languages": "שפות", "untranslated": "הדף עדיין לא תורגם; הנה הוא ב{language}.", "empty": "אין עדיין דפים."},
}


def language_name(code: str, in_language: str | None = None) -> str:
    """`es` → "español" (in its own language by default), from CLDR."""
    try:
        from babel import Locale

        name = Locale.parse(code.replace("-", "_")).get_display_name(
            Locale.parse((in_language or code).replace("-", "_")))
        return name or code
    except Exception:  # noqa: BLE001 - an unknown code still gets a name: itself
        return code


def context(lang: str) -> dict[str, Any]:
    """What templates need to speak `lang`: strings, direction, name, formatters."""
    base = base_language(lang)
    return {
        "lang": lang, "dir": "rtl" if base in RTL_LANGUAGES else "ltr", "lang_name": language_name(lang),
        "t": STRINGS.get(base, STRINGS["en"]) | {},
        "format_date": lambda value: format_date(value, lang), "format_number": lambda n: format_number(n, lang),
    }


def format_date(value: str | None, lang: str) -> str:
    if not value:
        return ""
    from babel.dates import format_date as babel_date

    try:
        return babel_date(datetime.date.fromisoformat(str(value)), "long", locale=lang.replace("-", "_"))
    except Exception:  # noqa: BLE001 - an unknown locale falls back to ISO, never fails a build
        return str(value)


def format_number(n: float, lang: str) -> str:
    from babel.numbers import format_decimal

    try:
        return format_decimal(n, locale=lang.replace("-", "_"))
    except Exception:  # noqa: BLE001
        return str(n)
