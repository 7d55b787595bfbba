"""`vidsite review BASE [HEAD]`: what a change did to the videos, scene by scene, for a pull request.

BASE (a git ref) is exported with `git archive` into a temporary folder; HEAD is another ref, or
the working tree as it is. Both are built through the working tree's cache, so only what changed
is synthesised and encoded. HEAD's build starts from a hard-linked copy of BASE's output: a page
whose inputs did not change is up to date there and never rebuilt. Everything goes under
`.vidsite/review/` (never output/, which is deployed).
"""

from __future__ import annotations

import logging
import shutil
import subprocess
import tarfile
import tempfile
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from vidsite.errors import VidsiteError
from vidsite.options import BuildOptions

log = logging.getLogger(__name__)

REVIEW_DIR = Path(".vidsite/review")


@dataclass
class Review:
    """A finished review: where it was written, and what it found."""

    folder: Path
    changes: list[Any]  # PageChange
    unchanged: list[str]
    warnings: list[str]
    base_stats: Any  # BuildStats
    head_stats: Any


def _git(repo: Path, *args: str) -> bytes:
    try:
        done = subprocess.run(["git", "-C", str(repo), *args], capture_output=True, check=False)
    except FileNotFoundError:
        raise VidsiteError("`git` was not found; vidsite review compares git refs, so install git") from None
    if done.returncode:
        raise VidsiteError(f"git {' '.join(args)}: {done.stderr.decode(errors='replace').strip()}")
    return done.stdout


def _commit(repo: Path, ref: str) -> str:
    if ref.startswith("-"):
        raise VidsiteError(f"`{ref}` is not a git ref")
    try:
        return _git(repo, "rev-parse", "--verify", "--quiet", f"{ref}^{{commit}}").decode().strip()
    except VidsiteError:
        raise VidsiteError(f"`{ref}` is not a commit in {repo}; with a shallow CI checkout, fetch it "
                           "(actions/checkout with fetch-depth: 0)") from None


def export(repo: Path, commit: str, into: Path) -> None:
    """The tree of `commit` into `into`, without touching the repository's worktrees or index.
    Members that would land outside `into` (links, absolute names) are refused by tarfile's data filter."""
    with tempfile.TemporaryFile() as tar:
        tar.write(_git(repo, "archive", "--format=tar", commit))
        tar.seek(0)
        with tarfile.open(fileobj=tar) as archive:
            archive.extractall(into, filter="data")


def review(root: Path, base: str, head: str | None = None, options: BuildOptions | None = None) -> Review:
    """Build BASE and HEAD (None: the working tree) of the site at `root` and write the review under
    root/.vidsite/review/. Changes are findings, never errors."""
    from vidsite.review.compare import compare_sites
    from vidsite.review.report import extract_stills, write_report

    options = options or BuildOptions()
    root = root.resolve()
    repo = Path(_git(root, "rev-parse", "--show-toplevel").decode().strip()).resolve()
    site_rel = root.relative_to(repo)
    folder = root / REVIEW_DIR
    folder.mkdir(parents=True, exist_ok=True)
    cache = _cache_dir(root, options)
    refs = (base, head or "working tree")
    with tempfile.TemporaryDirectory(prefix="vidsite-review-") as tmp:
        base_root = Path(tmp) / "base"
        export(repo, _commit(repo, base), base_root)
        head_root = root
        if head is not None:
            head_root = Path(tmp) / "head"
            export(repo, _commit(repo, head), head_root)
            head_root = head_root / site_rel
        base_root = base_root / site_rel
        if not (base_root / "config.toml").is_file():
            raise VidsiteError(f"{base} has no {site_rel / 'config.toml'}: there is no site to compare against")
        base_stats = _build(base_root, folder / "base", cache, options)
        _seed(folder / "base", folder / "head")
        head_stats = _build(head_root, folder / "head", cache, options)
        warnings = _new_notes(base_root, head_root, options)
    old, new = _manifests(folder / "base"), _manifests(folder / "head")
    changes, unchanged = compare_sites(old, new)
    extract_stills(changes, folder)
    extra = {"base": base, "head": refs[1], "base_build": asdict(base_stats), "head_build": asdict(head_stats),
             "warnings": warnings}
    write_report(folder, changes, unchanged, warnings, refs, extra)
    return Review(folder, changes, unchanged, warnings, base_stats, head_stats)


def _cache_dir(root: Path, options: BuildOptions) -> Path:
    from vidsite.options import load

    config = load(root, options)
    return (root / config.cache.dir).resolve()


def _build(site: Path, out: Path, cache: Path, options: BuildOptions) -> Any:
    """One side, built into `out` through the working tree's cache (whatever that side's config says)."""
    from dataclasses import replace

    from vidsite.build import build
    from vidsite.options import load

    config = load(site, options)
    config = config.model_copy(update={"cache": config.cache.model_copy(update={"dir": str(cache)})})
    log.info("review: building %s", site)
    return build(site, config, replace(options, output=out, force=False))


def _seed(base_out: Path, head_out: Path) -> None:
    """HEAD's output starts as BASE's (hard links: no bytes copied), so unchanged pages are up to date."""
    from vidsite.safety import _link

    shutil.rmtree(head_out, ignore_errors=True)
    shutil.copytree(base_out, head_out, copy_function=_link, symlinks=True)


def _manifests(out: Path) -> dict[str, dict[str, Any]]:
    """Each built page's manifest by url, as the site manifest lists them."""
    import json

    site = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    pages = {}
    for video in site.get("videos", []):
        url = video["url"]
        pages[url] = json.loads((out / url / "manifest.json").read_text(encoding="utf-8"))
    return pages


def _new_notes(base_root: Path, head_root: Path, options: BuildOptions) -> list[str]:
    """Fidelity warnings (dropped content, missing includes) HEAD has and BASE had not, by page and
    message (line numbers move when lines are added above, so they do not count)."""
    from vidsite.check import check_site
    from vidsite.content.includes import Note

    def notes(site: Path) -> list[tuple[str, str, str]]:
        found: list[Note] = []
        check_site(site, drafts=options.drafts, notes=found)
        out = []
        for n in found:
            path = Path(n.path)
            rel = path.relative_to(site).as_posix() if path.is_absolute() and path.is_relative_to(site) else str(path)
            out.append((rel, n.message, f"{rel}:{n.line}: {n.message}"))
        return out

    before = {(rel, msg) for rel, msg, _ in notes(base_root)}
    return [text for rel, msg, text in notes(head_root) if (rel, msg) not in before]
