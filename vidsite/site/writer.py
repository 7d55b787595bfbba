"""The output site: HTML from Jinja2 templates (layouts/ first, then the theme), manifests, files
written atomically and only when their bytes change."""

from __future__ import annotations

import logging
import pickle
from pathlib import Path
from typing import Any
from urllib.parse import quote

import jinja2
import jinja2.bccache

from vidsite import __version__
from vidsite.fsutil import atomic_write, file_sha256
from vidsite.render.theme import THEMES_DIR

log = logging.getLogger(__name__)


class _Compiled(jinja2.FileSystemBytecodeCache):
    """Jinja's cache of compiled templates (each entry checks its source's checksum), which spares every
    build compiling them again; one that cannot be written is only compiled again next time."""

    def load_bytecode(self, bucket: jinja2.bccache.Bucket) -> None:
        try:
            super().load_bytecode(bucket)
        except (OSError, EOFError, ValueError, pickle.UnpicklingError) as exc:  # damaged: a miss
            log.debug("compiled template %s unreadable (%s); compiling it again", bucket.key, exc)
            bucket.reset()

    def dump_bytecode(self, bucket: jinja2.bccache.Bucket) -> None:
        try:
            Path(self.directory).mkdir(parents=True, exist_ok=True)
            super().dump_bytecode(bucket)
        except OSError as exc:
            log.debug("cannot keep the compiled template %s: %s", bucket.key, exc)


def environment(layouts: Path, theme: str, compiled: Path | None = None) -> jinja2.Environment:
    """Autoescaping is on for every template whatever its name (content is untrusted), and
    `urlpath` percent-encodes a path from the site for an href or src. `compiled`: where compiled
    templates are kept between builds (the cache's `templates/`)."""
    search = [str(layouts)] if layouts.is_dir() else []
    search += [str(THEMES_DIR / theme), str(THEMES_DIR / "default")]
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(search), autoescape=True, undefined=jinja2.StrictUndefined,
        keep_trailing_newline=True, bytecode_cache=_Compiled(str(compiled)) if compiled else None,
    )
    env.globals["version"] = __version__
    env.filters["urlpath"] = url_path
    return env


_TYPES = {".vtt": "text/vtt", ".srt": "application/x-subrip", ".mp4": "video/mp4", ".json": "application/json"}


def content_type(name: str) -> str:
    """The Content-Type a built file is served and uploaded with (the same for `serve` and `deploy`)."""
    import mimetypes

    if name.endswith("feed.json"):
        return "application/feed+json"
    suffix = "." + name.rsplit(".", 1)[-1].lower() if "." in name else ""
    return _TYPES.get(suffix) or mimetypes.guess_type(name)[0] or "application/octet-stream"


def url_path(path: str) -> str:
    """A path as the output folder spells it (`日本語/index.html`), percent-encoded for a URL
    (RFC 3986: UTF-8, everything but letters, digits, `-._~` and `/` as %XX). Manifests keep the
    readable path; every href, src, <loc>, feed link and OG tag goes through here."""
    return quote(path, safe="/")


def absolute(base_url: str, path: str) -> str:
    """`path` (from the site root, unencoded) under base_url, percent-encoded: absolute when
    base_url is, else root-relative. base_url is config (trusted) and taken as written."""
    return base_url.rstrip("/") + "/" + url_path(path.lstrip("/"))


def write_if_changed(path: Path, data: bytes | str) -> bool:
    """Atomic write, skipped when the file already holds these bytes. True when written."""
    blob = data.encode("utf-8") if isinstance(data, str) else data
    try:
        if path.stat().st_size == len(blob) and path.read_bytes() == blob:
            return False
    except FileNotFoundError:
        pass
    atomic_write(path, blob)
    return True


def would_change(path: Path, data: bytes | str) -> bool:
    """What write_if_changed would do, without writing."""
    blob = data.encode("utf-8") if isinstance(data, str) else data
    try:
        return not (path.stat().st_size == len(blob) and path.read_bytes() == blob)
    except FileNotFoundError:
        return True


def file_entry(path: Path) -> dict[str, Any]:
    return {"size": path.stat().st_size, "sha256": file_sha256(path)}


def clock(seconds: float) -> str:
    s = int(round(seconds))
    return f"{s // 60}:{s % 60:02d}"
