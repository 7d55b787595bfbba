"""How one build runs, as one typed object made by the CLI, the Python API and the dev server.

Options say how to build (where to, how many workers, which quality); `config.toml` says what
the site is. A few options override config keys for one run (`--encoder`, `--engine`,
`--hashed-names`, `--scheduler`); `load(root, options)` applies them, as mkdocs' `load_config`
applies its command-line overrides.
"""

from __future__ import annotations

from dataclasses import dataclass, fields
from pathlib import Path
from typing import Any, Literal

from vidsite.config import SiteConfig, load_config
from vidsite.errors import VidsiteError

QUALITY = {"final": {}, "draft": {"scale": 2, "preset": "ultrafast", "crf": 28}}


@dataclass(frozen=True)
class BuildOptions:
    """One build's options; None means "as config.toml says"."""

    output: Path | None = None  # default: SITE/output
    drafts: bool = False  # also pages with `draft: true`
    strict: bool = False  # a fallback voice is an error (for publishing CI)
    force: bool = False  # build into a non-empty folder that holds no vidsite site
    jobs: int | None = None  # local worker processes (default: [build] jobs, else one per core)
    quality: Literal["final", "draft"] = "final"  # draft: half size, fastest preset (previews)
    start_method: str | None = None  # multiprocessing start method for workers (the dev server: forkserver)
    encoder: Literal["auto", "nvenc", "x264"] | None = None  # overrides [video] encoder
    engine: Literal["auto", "edge", "espeak"] | None = None  # overrides [tts] engine
    hashed_names: bool | None = None  # overrides hashed_names
    scheduler: str | None = None  # overrides [build] scheduler (a Dask address)
    limit: int | None = None  # build at most this many stale pages now, `first` first; the rest wait (dev server)
    first: frozenset[str] = frozenset()  # urls of pages to build before any other (the ones a browser asked for)
    in_place: bool = False  # write the output folder file by file, not into a clone swapped in (the dev server's preview)

    @classmethod
    def of(cls, **kwargs: Any) -> "BuildOptions":
        """Options from keyword arguments (the Python API); an unknown one is an error naming it."""
        known = {f.name for f in fields(cls)}
        unknown = sorted(set(kwargs) - known)
        if unknown:
            raise VidsiteError(f"unknown build option `{unknown[0]}`; options are: {', '.join(sorted(known))}")
        if kwargs.get("quality", "final") not in QUALITY:
            raise VidsiteError(f"quality must be one of {', '.join(QUALITY)}, not {kwargs['quality']!r}")
        return cls(**kwargs)

    def overrides(self) -> dict[str, Any]:
        """Config keys this run overrides (None: not given, the file wins)."""
        return {"video.encoder": self.encoder, "tts.engine": self.engine, "hashed_names": self.hashed_names,
                "build.scheduler": self.scheduler}

    def output_for(self, root: Path) -> Path:
        return (self.output or root / "output").resolve()


def load(root: Path, options: BuildOptions) -> SiteConfig:
    """config.toml with this run's overrides and quality applied."""
    return with_quality(load_config(root, **options.overrides()), options.quality)


def with_quality(config: SiteConfig, quality: str) -> SiteConfig:
    """--quality draft: half the frame size, the fastest preset (for the dev server)."""
    if quality == "final":
        return config
    q, v = QUALITY[quality], config.video
    video = v.model_copy(update={"width": v.width // q["scale"] // 2 * 2, "height": v.height // q["scale"] // 2 * 2,
                                 "preset": q["preset"], "crf": q["crf"]})
    return config.model_copy(update={"video": video})
