"""The Python API: load and build sites, and generate pages from code.

>>> page = Page("Release 2.0", accent="green").add(Scene.title(title="Release 2.0", subtitle="What changed"))
>>> "```scene title" in page.to_markdown()
True
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from pydantic import ValidationError

from vidsite.content.scenes import SCENE_TYPES
from vidsite.errors import ContentError

__all__ = ["Page", "Scene", "Site"]


class Scene:
    """One scene, validated against its type's schema when made: `Scene.list(header=..., items=[...])`.

    Every scene type has a constructor of the same name (`Scene.title`, `Scene.command`, …, and
    `Scene.of("quiz", ...)` for any); each also takes `narration`, `voice`, `min_duration`, `max_duration`.
    """

    def __init__(self, type: str, **fields: Any) -> None:
        model = SCENE_TYPES.get(type)
        if model is None:
            raise ContentError(f"unknown scene type `{type}`; use one of: {', '.join(sorted(SCENE_TYPES))}")
        try:
            model.model_validate(fields)
        except ValidationError as exc:
            err = exc.errors()[0]
            raise ContentError(f"scene `{type}`: {'.'.join(map(str, err['loc']))}: {err['msg']}") from None
        self.type, self.fields = type, {k: v for k, v in fields.items() if v is not None}

    @classmethod
    def of(cls, type: str, **fields: Any) -> Scene:
        return cls(type, **fields)

    def __repr__(self) -> str:
        return f"Scene.{self.type}({', '.join(f'{k}={v!r}' for k, v in self.fields.items())})"


def _constructor(kind: str) -> Any:
    def make(cls: type[Scene], **fields: Any) -> Scene:
        return cls(kind, **fields)

    fields = ", ".join(k for k in SCENE_TYPES[kind].model_fields if k not in ("narration", "voice", "min_duration",
                                                                             "max_duration"))
    make.__name__ = kind
    make.__doc__ = f"A `{kind}` scene. Fields: {fields}; and narration, voice, min_duration, max_duration."
    return classmethod(make)


for _kind in SCENE_TYPES:
    setattr(Scene, _kind, _constructor(_kind))


class Page:
    """A page made by code; `write()` saves it as Markdown with scene blocks under content/."""

    def __init__(self, title: str, *, description: str = "", voice: str | None = None, accent: str = "blue",
                 language: str | None = None, weight: int = 0, draft: bool = False) -> None:
        self.meta: dict[str, Any] = {"title": title, "description": description, "voice": voice, "accent": accent,
                                     "language": language, "weight": weight or None, "draft": draft or None}
        self.scenes: list[Scene] = []

    def add(self, *scenes: Scene) -> Page:
        """Append scenes; returns the page, so calls chain."""
        self.scenes.extend(scenes)
        return self

    def to_markdown(self) -> str:
        from vidsite.content.importers import write_page

        return write_page(self.meta, [(s.type, s.fields) for s in self.scenes])

    def write(self, path: str | Path) -> Path:
        from vidsite.fsutil import atomic_write

        path = Path(path)
        atomic_write(path, self.to_markdown())
        return path


class Site:
    """A site folder: `Site.load("docs").build()` is `vidsite build docs`."""

    def __init__(self, root: Path, config: Any) -> None:
        self.root, self.config = root, config

    @classmethod
    def load(cls, path: str | Path = ".") -> Site:
        from vidsite.config import load_config

        root = Path(path).resolve()
        return cls(root, load_config(root))

    def pages(self, *, drafts: bool = False) -> list[Any]:
        """The parsed pages (vidsite.models.Page), as the build sees them."""
        from vidsite.content.discover import discover

        return discover(self.root, self.config, drafts=drafts)[0]

    def build(self, **options: Any) -> Any:
        """Build with the options of `vidsite build` (see vidsite.options.BuildOptions: output, drafts,
        strict, force, jobs, quality, encoder, engine, hashed_names, scheduler); returns the BuildStats.
        An unknown option is an error naming it."""
        from vidsite.build import build
        from vidsite.options import BuildOptions, with_quality

        opts = BuildOptions.of(**options)
        if any(v is not None for v in opts.overrides().values()):
            from vidsite.options import load

            config = load(self.root, opts)
        else:
            config = with_quality(self.config, opts.quality)
        return build(self.root, config, opts)

    def deploy(self, target: str, *, output: str | Path | None = None, dry_run: bool = False,
               max_deletes: int = 256, workers: int = 8, keep: float | None = None, force: bool = False,
               endpoint_url: str | None = None) -> Any:
        """`vidsite deploy TARGET`: publish the built site (default SITE/output) to an fsspec URL
        (`s3://bucket/prefix`, `gs://…`, `file:///srv/www`); returns the vidsite.deploy.Plan it carried
        out (`upload`, `delete`, `retire`, `unchanged`, `replaced_in_place`). Files that leave the site
        stay `keep` seconds (default an hour) for cached pages; `endpoint_url` names an S3-compatible
        store (default $AWS_ENDPOINT_URL). Raises vidsite.deploy.DeployError when refused or stopped."""
        from vidsite.deploy import KEEP, deploy

        out = Path(output) if output is not None else self.root / "output"
        return deploy(out, target, dry_run=dry_run, max_deletes=max_deletes, workers=workers,
                      keep=KEEP if keep is None else keep, force=force,
                      endpoint_url=endpoint_url)
