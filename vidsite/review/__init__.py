"""`vidsite review BASE [HEAD]`: what a change did to the videos, scene by scene, for a pull request.

BASE (a git ref) is exported with `git archive` into `.vidsite/review/src/base/`, once per commit;
HEAD is another ref, exported the same way, or the working tree as it is. Both are built through the
working tree's cache, so only what changed is synthesised and encoded. HEAD's build starts from a
hard-linked copy of BASE's output (or from the previous review's HEAD, which builds bring up to date
the same way): a page whose inputs did not change is up to date there and never rebuilt. Everything
goes under `.vidsite/review/` (never output/, which is deployed), and stays there, so reviewing
again costs little more than the change itself.
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

from vidsite.config import SiteConfig
from vidsite.errors import VidsiteError
from vidsite.options import BuildOptions, load

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
    cache = (root / load(root, options).cache.dir).resolve()
    refs = (base, head or "working tree")
    base_root = _tree(repo, _commit(repo, base), folder / "src" / "base") / site_rel
    head_root = root if head is None else _tree(repo, _commit(repo, head), folder / "src" / "head") / site_rel
    if not (base_root / "config.toml").is_file():
        raise VidsiteError(f"{base} has no {site_rel / 'config.toml'}: there is no site to compare against")
    base_config, head_config = _config(base_root, cache, options), _config(head_root, cache, options)
    base_stats = _build(base_root, base_config, folder / "base", options)
    if not (folder / "head" / "manifest.json").is_file():
        _seed(folder / "base", folder / "head")
    head_stats = _build(head_root, head_config, folder / "head", options)
    before = {(rel, msg) for rel, msg, _ in _notes(base_root, base_config, options)}
    warnings = [text for rel, msg, text in _notes(head_root, head_config, options) if (rel, msg) not in before]
    old, new = _manifests(folder / "base"), _manifests(folder / "head")
    changes, unchanged = compare_sites(old, new)
    extract_stills(changes, folder)
    extra = {"base": base, "head": refs[1], "base_build": asdict(base_stats), "head_build": asdict(head_stats),
             "warnings": warnings}
    write_report(folder, changes, unchanged, warnings, refs, extra)
    return Review(folder, changes, unchanged, warnings, base_stats, head_stats)


def _tree(repo: Path, commit: str, into: Path) -> Path:
    """`commit`'s files in `into`, exported once: a commit never changes, and a tree that stays where it
    was lets the builds recall its pages' parses (their states name the files' paths) instead of parsing
    every page again. The commit is noted after the export, so an interrupted one is made again."""
    done = into.with_name(into.name + ".commit")
    try:
        if done.read_text(encoding="utf-8") == commit and into.is_dir():
            return into
    except OSError:
        pass  # never exported here
    done.unlink(missing_ok=True)
    shutil.rmtree(into, ignore_errors=True)
    export(repo, commit, into)
    done.write_text(commit, encoding="utf-8")
    return into


def _config(site: Path, cache: Path, options: BuildOptions) -> SiteConfig:
    """That side's config.toml, with the working tree's cache whatever that side's config says."""
    config = load(site, options)
    return config.model_copy(update={"cache": config.cache.model_copy(update={"dir": str(cache)})})


def _build(site: Path, config: SiteConfig, out: Path, options: BuildOptions) -> Any:
    """One side, built into `out`."""
    from dataclasses import replace

    from vidsite.build import build

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


def _notes(site: Path, config: SiteConfig, options: BuildOptions) -> list[tuple[str, str, str]]:
    """Fidelity warnings (dropped content, missing includes) as (page, message, `path:line: message`):
    HEAD's count as new when BASE had not the same message on the same page (line numbers move when
    lines are added above, so they do not count). Read through the page states the side's build just
    kept: a page with notes is never kept, so only those pages are parsed again."""
    from vidsite.cache import PageStates
    from vidsite.content.discover import discover, fingerprint
    from vidsite.content.includes import Note

    found: list[Note] = []
    states = PageStates(Path(config.cache.dir) / "state", fingerprint(site, config))
    discover(site, config, drafts=options.drafts, notes=found, states=states)
    out = []
    for n in found:
        path = Path(n.path)
        rel = path.relative_to(site).as_posix() if path.is_absolute() and path.is_relative_to(site) else str(path)
        out.append((rel, n.message, f"{rel}:{n.line}: {n.message}"))
    return out
