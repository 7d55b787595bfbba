"""Themes: a built-in theme.toml, overridden key by key by the site's layouts/theme.toml."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

from pydantic import BaseModel, ConfigDict, ValidationError, field_validator

from vidsite.config import key_line, toml_error
from vidsite.errors import ConfigError
from vidsite.fsutil import read_text

THEMES_DIR = Path(__file__).resolve().parent.parent / "themes"
FONTS_DIR = Path(__file__).resolve().parent.parent / "fonts"
_COLOUR = re.compile(r"^#[0-9a-fA-F]{6}$")


def _colour(value: str) -> str:
    if not _COLOUR.match(value):
        raise ValueError("must be a colour like #1E293B")
    return value


def luminance(colour: str) -> float:
    """WCAG relative luminance of #RRGGBB."""
    def lin(c: int) -> float:
        v = c / 255
        return v / 12.92 if v <= 0.04045 else ((v + 0.055) / 1.055) ** 2.4

    r, g, b = (int(colour[i:i + 2], 16) for i in (1, 3, 5))
    return 0.2126 * lin(r) + 0.7152 * lin(g) + 0.0722 * lin(b)


def contrast(a: str, b: str) -> float:
    """WCAG contrast ratio between two colours (1 to 21)."""
    la, lb = sorted((luminance(a), luminance(b)), reverse=True)
    return (la + 0.05) / (lb + 0.05)


class Theme(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
    background: str
    surface: str
    text: str
    muted: str
    code_style: str = "monokai"
    font: str
    font_bold: str
    font_italic: str
    font_mono: str
    font_cjk: str = "DroidSansFallbackFull.ttf"
    # tried in order for characters the face lacks: every script gets a face that has its glyphs
    fallback: tuple[str, ...] = ()
    fallback_bold: tuple[str, ...] = ()
    # faces a site adds (font files in layouts/), tried after the theme's own fallbacks: a site covers
    # another script by naming its font here, without restating the whole `fallback` list
    extra_fallback: tuple[str, ...] = ()
    margin: int = 120
    accent_bar: int = 24
    title_size: int = 112
    header_size: int = 72
    body_size: int = 46
    code_size: int = 36
    logo: str = ""
    accents: dict[str, str]
    font_dirs: tuple[str, ...] = ()  # where font and logo files are looked up, first match wins

    _check = field_validator("background", "surface", "text", "muted")(lambda cls, v: _colour(v))

    def accent(self, name: str) -> str:
        if _COLOUR.match(name):
            return name
        return self.accents.get(name, self.accents.get("blue", "#3B82F6"))

    @property
    def scheme(self) -> str:
        """`light` or `dark` by the background's luminance: the page's CSS color-scheme."""
        return "light" if luminance(self.background) > 0.4 else "dark"

    def chain(self, style: str) -> tuple[str, ...]:
        """Font files for a style (`font`, `font_bold`, `font_italic`, `font_mono`): the face,
        then its fallbacks, then the CJK face."""
        rest = self.fallback_bold if style == "font_bold" and self.fallback_bold else self.fallback
        names = (getattr(self, style), *rest, *self.extra_fallback, self.font_cjk)
        return tuple(dict.fromkeys(self.asset_path(n) for n in names if n))

    def asset_path(self, name: str) -> str:
        for d in self.font_dirs:
            p = Path(d) / name
            if p.is_file():
                return str(p)
        raise ConfigError(f"theme file `{name}` not found in layouts/ or vidsite's fonts ({FONTS_DIR})")


def load_theme(name: str, layouts: Path | None) -> Theme:
    base = THEMES_DIR / name / "theme.toml"
    if not base.is_file():
        known = ", ".join(sorted(p.name for p in THEMES_DIR.iterdir() if (p / "theme.toml").is_file()))
        raise ConfigError(f"unknown theme `{name}`; built-in themes: {known}", path="config.toml")
    data = tomllib.loads(base.read_text(encoding="utf-8"))
    override = layouts / "theme.toml" if layouts else None
    text = ""
    if override and override.is_file():
        text = read_text(override, ConfigError)
        try:
            extra = tomllib.loads(text)
        except tomllib.TOMLDecodeError as exc:
            raise toml_error(exc, override) from None
        accents = {**data.get("accents", {}), **extra.pop("accents", {})}
        data.update(extra)
        data["accents"] = accents
    data["font_dirs"] = tuple(str(d) for d in ([layouts] if layouts else []) + [FONTS_DIR])
    try:
        theme = Theme.model_validate(data)
    except ValidationError as exc:
        err = exc.errors()[0]
        where = override if override and override.is_file() else base
        key = ".".join(str(p) for p in err["loc"])
        msg = "unknown key" if err["type"] == "extra_forbidden" else err["msg"].removeprefix("Value error, ")
        raise ConfigError(f"{key}: {msg}", path=where, line=key_line(text, err["loc"]) if text else None) from None
    for font in (theme.font, theme.font_bold, theme.font_italic, theme.font_mono, theme.font_cjk, theme.logo,
                 *theme.fallback, *theme.fallback_bold, *theme.extra_fallback):
        if not font:
            continue
        theme.asset_path(font)
    return theme
