"""vidsite's own words (narration filler, default slide headers) in the page's language.

The words come from gettext catalogs under `vidsite/locale/<lang>/LC_MESSAGES/vidsite.po`,
compiled to `.mo` and read with the stdlib `gettext` (a few milliseconds: `vidsite check`
narrates every scene and must stay fast). English is the message ids themselves.

A Spanish page that says "Run this command in your terminal" in a Spanish voice is worse than
one that says nothing: in a language without a reviewed catalog, a filler sentence is left
out, a message that carries the page's words keeps only those words, and the build warns once
naming the language.

Scene templates and draw functions take only the scene's fields, so the language travels in a
context variable that `speaking()` sets around them (SceneType.narrate, the renderer).
"""

from __future__ import annotations

import gettext
import logging
import re
import string
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from functools import cache, lru_cache
from pathlib import Path

log = logging.getLogger(__name__)

LOCALE_DIR = Path(__file__).parent / "locale"
DOMAIN = "vidsite"
SOURCE = "en"  # the language of the message ids

_language: ContextVar[str] = ContextVar("vidsite_language", default=SOURCE)


@contextmanager
def speaking(language: str | None) -> Iterator[None]:
    """Within the block, `_()` answers in `language` (None: English)."""
    token = _language.set(language or SOURCE)
    try:
        yield
    finally:
        _language.reset(token)


def current() -> str:
    """The language `_()` answers in now."""
    return _language.get()


def N_(message: str) -> str:
    """Marks a message kept in a table (callout labels) for the catalog check, as gettext's N_ does;
    `_()` translates it where it is used."""
    return message


def _(message: str, **values: object) -> str:
    """`message` in the current language, its `{name}` placeholders filled from `values`.

    Where the language has no reviewed catalog: "" for a message of vidsite's own words, and
    only the page's words (the values, comma-separated) for one that carries them."""
    catalog = _catalog(current())
    if catalog is None:
        return ", ".join(str(values[name]) for name in placeholders(message) if str(values[name]).strip())
    text = catalog.gettext(message)
    return text.format(**values) if values else text


def n_(singular: str, plural: str, count: int, **values: object) -> str:
    """`_()` for a message that counts (`{count} more lines`): the language's plural form for `count`."""
    catalog = _catalog(current())
    if catalog is None:
        return _(singular, count=count, **values)
    return catalog.ngettext(singular, plural, count).format(count=count, **values)


def placeholders(message: str) -> list[str]:
    """The `{name}`s of a message, in order."""
    return [name for _text, name, _spec, _conv in string.Formatter().parse(message) if name]


def locales(language: str) -> list[str]:
    """Catalog names to try for a page language, most specific first: `pt-BR` → pt_BR, pt."""
    parts = re.split(r"[-_]", language)
    base = parts[0].lower()
    return [f"{base}_{parts[1]}", base] if len(parts) > 1 else [base]


def reviewed() -> list[str]:
    """Languages with a compiled catalog shipped in the package, plus English."""
    return sorted({SOURCE} | {p.parent.parent.name for p in LOCALE_DIR.glob(f"*/LC_MESSAGES/{DOMAIN}.mo")})


@lru_cache(maxsize=64)
def _catalog(language: str) -> gettext.NullTranslations | None:
    """The language's translations (for English, the ids themselves); None where none was reviewed."""
    names = locales(language)
    if names[-1] == SOURCE:
        return gettext.NullTranslations()
    found = gettext.find(DOMAIN, str(LOCALE_DIR), languages=names)
    if found is None:
        return None
    with open(found, "rb") as fp:
        return gettext.GNUTranslations(fp)


def check_language(language: str | None) -> None:
    """Warn once per language that vidsite has no reviewed words for (its filler is left out)."""
    if language and _catalog(language) is None:
        _warn_unreviewed(locales(language)[-1])


@cache
def _warn_unreviewed(base: str) -> None:
    log.warning("language `%s`: vidsite has no reviewed catalog of its own sentences for it, so built-in "
                "narration (\"Run this command…\", \"Thanks for watching\") and default slide headers are left "
                "out; only the page's words are used. Reviewed: %s", base, ", ".join(reviewed()))
