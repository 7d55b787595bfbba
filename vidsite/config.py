"""The site's config.toml as a declared schema: every option has a type, a default and a doc."""

from __future__ import annotations

import logging
import re
import tomllib
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from vidsite.errors import ConfigError
from vidsite.fsutil import read_text

log = logging.getLogger(__name__)

ACCENTS = ("blue", "orange", "purple", "green", "pink", "cyan")


class _Section(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class VideoConfig(_Section):
    width: int = Field(1920, ge=64, le=7680, description="Frame width in pixels (even).")
    height: int = Field(1080, ge=64, le=4320, description="Frame height in pixels (even).")
    fps: int = Field(30, ge=1, le=120, description="Frame rate, declared and delivered.")
    encoder: Literal["auto", "nvenc", "x264"] = Field(
        "auto", description="auto: h264_nvenc when a GPU answers, else libx264."
    )
    crf: int = Field(23, ge=0, le=51, description="x264 quality (lower is better, bigger).")
    preset: str = Field("veryfast", description="x264 preset.")
    pad: float = Field(0.6, ge=0, le=10, description="Seconds of silence after each scene's narration.")
    min_duration: float = Field(2.0, ge=0, description="Shortest scene, in seconds.")
    max_duration: float = Field(120.0, gt=0, description="Longest scene, in seconds (narration is never cut).")
    code_seconds_per_line: float = Field(0.6, ge=0, le=10, description="Reading time a code or command slide "
                                         "gets per non-blank line it shows (10 lines: at least 6 s); 0 = none.")
    transition: float = Field(0.2, ge=0, le=2, description="Crossfade between scenes, in seconds (0 = cut); it plays in the pause after the narration.")

    @field_validator("width", "height")
    @classmethod
    def _even(cls, v: int) -> int:
        if v % 2:
            raise ValueError(f"must be even ({v - 1} or {v + 1}): H.264 in 4:2:0 colour stores one colour sample "
                             "per 2×2 pixels")
        return v


class TTSConfig(_Section):
    engine: Literal["auto", "edge", "espeak"] = Field(
        "auto", description="auto: edge-tts neural voices, falling back to offline espeak per clip."
    )
    voice: str = Field("male", description="Voice alias (male, male_warm, female, female_friendly) or engine voice id.")
    rate: int = Field(175, ge=80, le=450, description="Words per minute.")
    pitch: int = Field(50, ge=0, le=99, description="Base pitch, 0-99.")
    concurrency: int = Field(4, ge=1, le=32, description="Online requests at a time.")
    retries: int = Field(4, ge=0, le=10, description="Retries of a failed online request (exponential backoff).")
    retry_backoff: float = Field(0.5, ge=0, le=30, description="Seconds before the first retry; doubles each time.")
    timeout: int = Field(15, ge=1, le=300, description="Seconds to wait for the online service.")
    edge_url: str = Field("", description="edge-tts WebSocket endpoint (empty: Microsoft's); for proxies and tests.")
    sentence_pause: float = Field(0.4, ge=0, le=5, description="Seconds of silence added between sentences "
                                  "(clips are spoken one sentence at a time); `[pause Nms]` replaces it where it stands.")
    paragraph_pause: float = Field(0.7, ge=0, le=5, description="Seconds of silence at a blank line in a narration.")
    degraded_voice: bool = Field(False, description="Let the offline voice speak a language it cannot read (it "
                                 "spells each character out, e.g. a kanji as \"Chinese letter\") instead of failing.")
    loudness: float = Field(-16.0, ge=-40, le=-5, description="Integrated loudness of every page's audio, LUFS "
                            "(ITU-R BS.1770; web video sits at -16 to -14); true peak is limited to -1.5 dBTP.")


class NarrationConfig(_Section):
    ai: bool = Field(False, description="Claude writes narration for scenes that have none (extra vidsite[ai]).")
    model: str = Field("claude-haiku-4-5", description="Anthropic model for AI narration.")
    base_url: str = Field("", description="Messages API endpoint (empty: the SDK's, or ANTHROPIC_BASE_URL).")
    timeout: float = Field(30.0, gt=0, le=600, description="Seconds to wait for one AI answer.")
    max_words: int = Field(60, ge=10, le=400, description="Longest AI narration per scene, in words.")


class BuildConfig(_Section):
    scheduler: str = Field("", description="Dask scheduler address (tcp://host:8786); empty = local processes.")
    jobs: int = Field(0, ge=0, le=256, description="Local worker processes (0 = one per core).")


class LimitsConfig(_Section):
    """Bounds a page must stay within (a page over one fails, naming the limit; nothing is shortened)."""

    scenes: int = Field(5000, ge=1, description="Scenes per page.")
    scene_narration: int = Field(10_000, ge=100, description="Characters of narration per scene.")
    page_narration: int = Field(1_000_000, ge=1000, description="Characters of narration per page.")
    code_lines: int = Field(2000, ge=10, description="Lines per code field (long code pages over several slides).")


class CacheConfig(_Section):
    dir: str = Field(".vidsite/cache", description="Cache folder, relative to the site root or absolute (a shared "
                     "path for Dask workers). CI keeps it.")
    url: str = Field("", description="Shared cache at an fsspec URL (s3://…, gs://…, file:///…): entries are "
                     "fetched from it on a miss and published to it when made.")


LANG_CODE = r"^[a-z]{2,3}(-[A-Za-z0-9]+)?$"


class LanguageConfig(_Section):
    title: str | None = Field(None, description="Site title in this language (default: the site's).")
    voice: str | None = Field(None, description="Voice for this language (default: its entry in `vidsite voices`).")
    weight: int = Field(0, description="Order in the language switcher (lower first).")
    name: str | None = Field(None, description="Name shown in the language switcher (default: its own name).")


class SiteConfig(_Section):
    title: str = Field("vidsite", description="Site title, shown on the index page.")
    base_url: str = Field("/", description="Where the site is served from; used for absolute links.")
    language: str = Field("en", pattern=LANG_CODE, description="Default language code (single-language sites).")
    default_language: str | None = Field(None, pattern=LANG_CODE, description="Default language of a multilingual site.")
    default_language_in_subdir: bool = Field(False, description="Put the default language under /<code>/ too.")
    translation_fallback: Literal["skip", "default"] = Field(
        "skip", description="A page missing in a language: skip it, or show the default-language video with a notice."
    )
    languages: dict[str, LanguageConfig] = Field(default_factory=dict, description="[languages.<code>] tables.")
    theme: str = Field("default", description="Built-in theme name.")
    hashed_names: bool = Field(False, description="Name videos, posters and captions by content hash (CDN-cacheable forever).")
    content_dir: str = Field("content", description="Folder of the pages, relative to config.toml (`docs` in an "
                             "MkDocs repository, `src` in an mdBook); output/, the cache and layouts/ stay beside config.toml.")
    include_paths: list[str] = Field(default_factory=list, description="Folders outside the site folder that include "
                                     "directives may read from (relative to config.toml), inside the repository: one "
                                     "outside the git work tree holding config.toml, or hidden, is ignored with a warning.")
    video: VideoConfig = VideoConfig()
    tts: TTSConfig = TTSConfig()
    narration: NarrationConfig = NarrationConfig()
    build: BuildConfig = BuildConfig()
    cache: CacheConfig = CacheConfig()
    limits: LimitsConfig = LimitsConfig()

    @field_validator("content_dir")
    @classmethod
    def _inside(cls, v: str) -> str:
        parts = Path(v).parts
        if Path(v).is_absolute() or ".." in parts or any(p.startswith(".") and p != "." for p in parts):
            raise ValueError("must be a folder inside the site folder, like \"docs\" or \"src\"")
        return v

    @property
    def default_lang(self) -> str:
        return self.default_language or self.language

    @property
    def lang_codes(self) -> list[str]:
        """Configured languages, default first, then by weight."""
        codes = sorted(self.languages, key=lambda c: (c != self.default_lang, self.languages[c].weight, c))
        return codes if self.default_lang in codes else [self.default_lang, *codes]

    def url_prefix(self, lang: str) -> str:
        """Output folder of a language: "" (the root) for the default one, unless configured otherwise.
        Without [languages], a page's `language:` changes its voice and captions, not its place."""
        if not self.languages:
            return ""
        return "" if lang == self.default_lang and not self.default_language_in_subdir else lang

    def title_for(self, lang: str) -> str:
        conf = self.languages.get(lang)
        return conf.title if conf and conf.title else self.title


_TOML_KEY = r"""(?:[A-Za-z0-9_-]+|"(?:[^"\\]|\\.)*"|'[^']*')"""
_TOML_DOTTED = rf"{_TOML_KEY}(?:\s*\.\s*{_TOML_KEY})*"
_TOML_HEADER = re.compile(rf"^\s*\[\[?\s*({_TOML_DOTTED})\s*\]\]?\s*(?:#.*)?$")
_TOML_ASSIGN = re.compile(rf"^\s*({_TOML_DOTTED})\s*=")


def _toml_parts(dotted: str) -> tuple[str, ...]:
    return tuple(p[1:-1] if p[0] in "\"'" else p for p in re.findall(_TOML_KEY, dotted))


def key_line(text: str, loc: tuple[Any, ...]) -> int | None:
    """Line of a key in TOML text, so every error can point at it. Knows `[table]` and `[[array]]`
    headers (with a trailing comment), dotted and quoted keys (`video.width = …`), and inline tables
    (`video = { width = … }` points at that line). None for a key the file does not hold (a default,
    or a command-line option)."""
    want = tuple(str(p) for p in loc)
    table: tuple[str, ...] = ()
    inline = None
    for no, raw in enumerate(text.splitlines(), 1):
        if header := _TOML_HEADER.match(raw):
            table = _toml_parts(header.group(1))
            if table == want:
                return no
        elif assign := _TOML_ASSIGN.match(raw):
            path = table + _toml_parts(assign.group(1))
            if path == want:
                return no
            if inline is None and path == want[: len(path)]:
                inline = no  # the key sits inside this line's inline table or array
    return inline



def toml_error(exc: tomllib.TOMLDecodeError, path: Path) -> ConfigError:
    """tomllib's message ends in `(at line N, column M)`: the error points at that line."""
    line = re.search(r"line (\d+)", str(exc))
    return ConfigError(f"not valid TOML: {exc}", path=path, line=int(line.group(1)) if line else None)


# Renamed and retired keys keep working, with a warning, while unknown keys stay errors (as mkdocs'
# `Deprecated(moved_to=...)`): "old.dotted.key" -> "new.dotted.key", or None for a key that no longer
# does anything.
DEPRECATED: dict[str, str | None] = {}


def _apply_deprecations(data: dict[str, Any], text: str, path: Path) -> None:
    for old, new in DEPRECATED.items():
        *parents, leaf = old.split(".")
        node: Any = data
        for part in parents:
            node = node.get(part) if isinstance(node, dict) else None
        if not isinstance(node, dict) or leaf not in node:
            continue
        value = node.pop(leaf)
        line = key_line(text, tuple(old.split(".")))
        where = f"{path}:{line}" if line else str(path)
        if new is None:
            log.warning("%s: `%s` no longer does anything; remove it", where, old)
            continue
        *new_parents, new_leaf = new.split(".")
        target = data
        for part in new_parents:
            target = target.setdefault(part, {})
        if new_leaf in target:
            raise ConfigError(f"`{old}` was renamed `{new}`, and both are set; keep only `{new}`", path=path, line=line)
        target[new_leaf] = value
        log.warning("%s: `%s` is now `%s`; it still works, but rename it", where, old, new)


def load_config(root: Path, **overrides: Any) -> SiteConfig:
    """Read root/config.toml; options given as overrides (not None) win over the file."""
    path = root / "config.toml"
    text = ""
    data: dict[str, Any] = {}
    if path.exists():
        text = read_text(path, ConfigError)
        try:
            data = tomllib.loads(text)
        except tomllib.TOMLDecodeError as exc:
            raise toml_error(exc, path) from None
    _apply_deprecations(data, text, path)
    for dotted, value in overrides.items():
        if value is None:
            continue
        *parents, leaf = dotted.split(".")
        node = data
        for p in parents:
            node = node.setdefault(p, {})
        node[leaf] = value
    try:
        config = SiteConfig.model_validate(data)
    except ValidationError as exc:
        problems = []
        for err in exc.errors():
            key = ".".join(str(p) for p in err["loc"])
            line = key_line(text, err["loc"])
            where = f"{path}:{line}" if line else str(path)
            msg = "unknown key (check the spelling; see the README for every option)" if err["type"] == "extra_forbidden" else err["msg"].removeprefix("Value error, ")
            problems.append(f"{where}: {key}: {msg}")
        raise ConfigError("\n".join(problems)) from None
    bad = [code for code in config.languages if not re.match(LANG_CODE, code)]
    if bad:
        raise ConfigError(f"languages.{bad[0]}: not a language code (like en, es, pt-BR)", path=path,
                          line=key_line(text, ("languages", bad[0])))
    if config.languages and config.default_lang not in config.languages:
        key = "default_language" if config.default_language else "language"
        raise ConfigError(f"{key}: `{config.default_lang}` has no [languages.{config.default_lang}] table",
                          path=path, line=key_line(text, (key,)))
    return config


def load_pronunciations(root: Path) -> dict[str, str]:
    """pronunciations.toml: `word = "how it is said"`, applied before synthesis, never to captions."""
    path = root / "pronunciations.toml"
    if not path.is_file():
        return {}
    text = read_text(path, ConfigError)
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise toml_error(exc, path) from None
    bad = [k for k, v in data.items() if not isinstance(v, str)]
    if bad:
        raise ConfigError(f"`{bad[0]}` must be a string: {bad[0]} = \"how it is said\"", path=path,
                          line=key_line(text, (bad[0],)))
    return data
