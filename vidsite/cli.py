"""The `vidsite` command. Heavy modules are imported inside commands so --help is instant."""

from __future__ import annotations

import logging
import sys
import time
from pathlib import Path
from typing import Any

import click

from vidsite import __version__


class _Progress:
    """One updating status line on a terminal; when piped (CI logs), a plain line at most every
    EVERY seconds, so a long build shows it is alive without flooding the log; nothing with --quiet."""

    EVERY = 5.0

    def __init__(self, enabled: bool) -> None:
        self.enabled, self.tty = enabled, sys.stderr.isatty()
        self.done = 0
        self.last = time.monotonic()

    def __call__(self, event: str, page: Any, stats: Any) -> None:
        if event == "page":
            self.done += 1
        if not self.enabled or (not self.tty and time.monotonic() - self.last < self.EVERY):
            return
        self.last = time.monotonic()
        if page is not None:
            doing = f"wrote {page.url}"
        elif stats.tasks:
            doing = f"rendering and encoding {stats.tasks_done}/{stats.tasks}"
        else:
            doing = "speaking and timing"
        line = (f"  pages {self.done}/{stats.pages} · segments encoded {stats.segments_encoded}, "
                f"reused {stats.segments_reused} · {stats.video_seconds:.1f}s of video · {doing}")
        if self.tty:
            click.echo("\r\x1b[2K" + line[:156], nl=False, err=True)
        else:
            click.echo(line, err=True)

    def close(self) -> None:
        if self.enabled and self.tty:
            click.echo("\r\x1b[2K", nl=False, err=True)


class _Vidsite(click.Group):
    """The command group; called as the console script, it ends the process as soon as the command is
    done, instead of tearing the interpreter down (40-60 ms once the media stack is imported: the
    second slowest stage of a one-scene edit's build). Tests run commands through `main.main`
    (CliRunner), which returns as before."""

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        try:
            return self.main(*args, **kwargs)
        except SystemExit as exc:
            code = exc.code
        import atexit
        import os

        if code is not None and not isinstance(code, int):  # sys.exit("message"), as Python prints it
            print(code, file=sys.stderr)
            code = 1
        atexit._run_exitfuncs()  # what was registered still runs (logging's flush, multiprocessing's cleanup)
        for stream in (sys.stdout, sys.stderr):
            try:
                stream.flush()
            except (OSError, ValueError):  # a closed pipe: nothing more can reach it
                pass
        os._exit(code or 0)


@click.group(cls=_Vidsite, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="vidsite")
def main() -> None:
    """vidsite turns Markdown pages into narrated videos and a static site.

    \b
    Quick start:
      vidsite new site docs      a new site in docs/ (config.toml, content/, example pages)
      vidsite new site --here    or: make the MkDocs, mdBook, Hugo, VitePress or
                                 Docusaurus repository in this folder a site
      vidsite check              validate pages and show their scenes, without building
      vidsite build              build every page into output/
      vidsite serve              preview at http://127.0.0.1:1313/, rebuilt as you edit
    """


def _jobs(n: int) -> str:
    return f"{n} job" if n == 1 else f"{n} jobs"


@main.command()
@click.argument("site_dir", type=click.Path(file_okay=False, path_type=Path), default=".")
@click.option("-o", "--output", type=click.Path(file_okay=False, path_type=Path), help="Output folder (default: SITE_DIR/output).")
@click.option("--drafts", is_flag=True, help="Also build pages with `draft: true`.")
@click.option("--encoder", type=click.Choice(["auto", "nvenc", "x264"]), help="Override [video] encoder.")
@click.option("--engine", type=click.Choice(["auto", "edge", "espeak"]), help="Override [tts] engine.")
@click.option("--strict", is_flag=True, help="Fail on what a video cannot carry (an include not found, an unknown "
              "shortcode) and instead of falling back to the offline voice (for publishing CI).")
@click.option("-j", "--jobs", type=click.IntRange(1, 256), help="Worker processes for rendering and encoding (default: all cores).")
@click.option("--quality", type=click.Choice(["final", "draft"]), default="final", show_default=True,
              help="draft: half the frame size and the fastest preset, for previews.")
@click.option("--scheduler", metavar="ADDRESS", help="Run rendering and encoding on a Dask cluster (tcp://host:8786).")
@click.option("--hashed-names/--plain-names", default=None,
              help="Name videos, posters and captions by content hash, for CDNs (default: config hashed_names).")
@click.option("--force", is_flag=True,
              help="Build into a non-empty output folder that holds no vidsite site (files with the names vidsite "
                   "writes are replaced; nothing else is deleted).")
@click.option("-q", "--quiet", is_flag=True, help="Print errors only.")
@click.option("-v", "--verbose", is_flag=True, help="Log every stage.")
def build(site_dir: Path, output: Path | None, drafts: bool, encoder: str | None, engine: str | None, strict: bool,
          jobs: int | None, quality: str, scheduler: str | None, hashed_names: bool | None, force: bool, quiet: bool,
          verbose: bool) -> None:
    """Build every page in SITE_DIR's content folder (content/, or content_dir in config.toml) into
    videos and a site in output/.

    Only what changed is redone: clips are cached by content hash in .vidsite/cache,
    and a page whose scenes did not change keeps its video.
    """
    logging.basicConfig(level=logging.WARNING if quiet else logging.INFO,
                        format="%(levelname)s %(name)s: %(message)s" if verbose else "%(message)s")
    if verbose:  # vidsite's own debug lines; the libraries' (markdown-it logs every rule) stay at INFO
        logging.getLogger("vidsite").setLevel(logging.DEBUG)
    from vidsite.build import build as run_build
    from vidsite.executor import jobs_for
    from vidsite.options import BuildOptions, load

    options = BuildOptions(output=output, drafts=drafts, strict=strict, force=force, jobs=jobs, quality=quality,
                           encoder=encoder, engine=engine, hashed_names=hashed_names, scheduler=scheduler)
    config = load(site_dir, options)
    progress = _Progress(not quiet)
    started = time.perf_counter()
    try:
        stats = run_build(site_dir, config, options, progress)
    finally:
        progress.close()
    if stats.ai_fallback:
        click.echo(f"warning: {stats.ai_fallback} scenes use template narration because AI narration failed "
                   f"({stats.ai_problem}).", err=True)
    if stats.clips_fallback:
        down = "; ".join(f"{k}: {v}" for k, v in stats.engines_down.items())
        click.echo(f"warning: {stats.clips_fallback} clips fell back to the offline espeak voice ({down}). "
                   "Use --strict to make this an error.", err=True)
    if quiet:
        return
    if stats.nothing_to_do:
        click.echo(f"nothing to do: {stats.pages} pages up to date ({time.perf_counter() - started:.2f}s)")
        return
    click.echo(
        f"built {stats.pages_built}/{stats.pages} pages, {stats.scenes} scenes, {stats.video_seconds:.1f}s of video "
        f"in {stats.wall:.2f}s"
    )
    click.echo(f"  speech: {stats.clips_synthesised} clips synthesised ({stats.clips_fallback} by fallback), "
               f"{stats.clips_cached} from cache"
               + ("  (nothing synthesised)" if stats.clips_synthesised == 0 else ""))
    if stats.encoder:
        click.echo(f"  video: {stats.segments_encoded} segments encoded, {stats.segments_reused} reused, "
                   f"{stats.frames_encoded} frames encoded ({stats.distinct_frames} distinct), "
                   f"audio {stats.takes_encoded} takes encoded, {stats.takes_reused} reused, "
                   f"{('Dask at ' + config.build.scheduler) if config.build.scheduler else _jobs(jobs_for(options, config))}; "
                   f"encoder {stats.encoder} ({stats.encoder_reason})")
    click.echo(f"  output: {(output or site_dir / 'output')}")


@main.command()
@click.argument("site_dir", type=click.Path(file_okay=False, path_type=Path), default=".")
@click.option("--drafts", is_flag=True, help="Include pages with `draft: true`.")
@click.option("--strict", is_flag=True, help="What a video cannot carry (include not found, unknown shortcode, "
              "HTML dropped) is an error, not a warning.")
def check(site_dir: Path, drafts: bool, strict: bool) -> None:
    """Validate every page and show the scenes it will make, with estimated durations, and how
    much of each page's source reaches its video.

    Nothing is synthesised or encoded: durations follow the build's timing rules, with each
    sentence's length estimated at the configured speaking rate (scripts without spaces by
    characters). Per page: prose words outside code spoken or shown, tables, code blocks and
    images carried. Every construct a page holds that its video cannot carry is listed with its
    file and line. Exits 1 on the first error.
    """
    from vidsite.check import check_site

    notes: list = []
    pages = check_site(site_dir, drafts=drafts, notes=notes, strict=strict)
    for checked in pages:
        page = checked.page
        click.echo(f"{page.rel}  →  {page.url}/  ({len(checked.scenes)} scenes, ~{checked.seconds:.0f}s)")
        click.echo(f"  reaches the video: {checked.reach}")
        for scene, text, est in checked.scenes:
            words = text if len(text) <= 70 else text[:67] + "..."
            click.echo(f"  {scene.line:>4}  {scene.type:<20} ~{est:4.1f}s  {words}")
    for note in notes:
        click.echo(f"not carried: {note}")
    from vidsite.config import load_config
    from vidsite.plan import voice_for
    from vidsite.speech.espeak import offline_voices

    config = load_config(site_dir)
    click.echo(offline_voices({(c.page.language, voice_for(s, c.page, config)) for c in pages for s, _, _ in c.scenes},
                              config.tts))
    total = sum(c.seconds for c in pages)
    click.echo(f"ok: {len(pages)} pages, {sum(len(c.scenes) for c in pages)} scenes, ~{total:.0f}s of video"
               + (f"; {len(notes)} construct(s) not carried (--strict makes them errors)" if notes else ""))


@main.command()
@click.argument("site_dir", type=click.Path(file_okay=False, path_type=Path), default=".")
@click.option("--port", "-p", type=click.IntRange(1, 65535), default=1313, show_default=True, help="Port to listen on.")
@click.option("--bind", default="127.0.0.1", show_default=True, help="Address to listen on (loopback only by default).")
@click.option("--watch/--no-watch", default=True, show_default=True, help="Rebuild when content, layouts, static or config change.")
@click.option("--drafts", is_flag=True, help="Also build pages with `draft: true`.")
@click.option("--quality", type=click.Choice(["draft", "final"]), default="draft", show_default=True,
              help="draft: half-size, fastest encode, for previews.")
@click.option("-j", "--jobs", type=click.IntRange(1, 256), help="Worker processes (default: all cores).")
@click.option("-o", "--output", type=click.Path(file_okay=False, path_type=Path),
              help="Preview folder (default: SITE/.vidsite/preview; never output/, which `vidsite deploy` publishes).")
@click.option("--force", is_flag=True,
              help="Build into the preview folder even though it is not empty and holds no vidsite site (files with "
                   "the names vidsite writes are replaced; nothing else is deleted).")
def serve(site_dir: Path, port: int, bind: str, watch: bool, drafts: bool, quality: str, jobs: int | None,
          output: Path | None, force: bool) -> None:
    """Build a preview into .vidsite/preview/, serve it at http://127.0.0.1:1313/, rebuild on save and
    reload the pages whose files changed.

    Only pages whose inputs changed are rebuilt. A failed rebuild shows its error (file:line)
    over the page in the browser and keeps serving the last good output; saving a fix clears it.
    """
    logging.basicConfig(level=logging.INFO, format="%(message)s")
    logging.getLogger("watchdog").setLevel(logging.WARNING)
    from vidsite.options import BuildOptions
    from vidsite.safety import check_output
    from vidsite.serve import PREVIEW
    from vidsite.serve import serve as run_serve

    options = BuildOptions(drafts=drafts, quality=quality, jobs=jobs, force=force,
                           output=output or site_dir.resolve() / PREVIEW)  # a preview is never a product
    from vidsite.config import load_config

    content = load_config(site_dir).content_dir
    check_output(site_dir.resolve(), options.output_for(site_dir.resolve()), force=force, content=content)
    if bind not in ("127.0.0.1", "localhost", "::1"):
        click.echo(f"warning: serving on {bind}: other machines can reach this preview server", err=True)
    try:
        run_serve(site_dir, options, port=port, bind=bind, watch=watch)
    except KeyboardInterrupt:  # uvicorn re-raises Ctrl-C once it has shut down cleanly
        click.echo("stopped")


@main.command()
@click.argument("target")
@click.option("--site", "site_dir", type=click.Path(file_okay=False, path_type=Path), default=".",
              help="Site folder whose output/ is deployed.")
@click.option("-o", "--output", type=click.Path(file_okay=False, path_type=Path), help="Built folder (default: SITE/output).")
@click.option("--dry-run", is_flag=True, help="Only list what would be uploaded and deleted.")
@click.option("--max-deletes", type=click.IntRange(0), default=256, show_default=True,
              help="Stop, changing nothing, if more files than this would be deleted.")
@click.option("--workers", type=click.IntRange(1, 64), default=8, show_default=True, help="Uploads at a time.")
@click.option("--keep", type=click.FloatRange(0), default=3600, show_default=True,
              help="Seconds a file that left the site stays for cached pages and viewers mid-video; a later deploy "
                   "deletes it (never the deploy that replaced it).")
@click.option("--endpoint-url", help="S3-compatible store (MinIO, Cloudflare R2, Ceph) for s3:// targets, e.g. "
              "https://minio.local:9000 (default: $AWS_ENDPOINT_URL, read for s3:// targets only).")
@click.option("--force", is_flag=True, help="Publish even a draft-quality build or a local/relative base_url.")
def deploy(target: str, site_dir: Path, output: Path | None, dry_run: bool, max_deletes: int, workers: int,
           keep: float, endpoint_url: str | None, force: bool) -> None:
    """Upload the built site to TARGET, sending only files whose hash changed.

    TARGET is an fsspec URL: file:///srv/www, s3://bucket/prefix (pip install 'vidsite[s3]'),
    gs://bucket/prefix (pip install 'vidsite[gcs]'). Credentials come from the backend's usual
    environment variables and profiles, never from vidsite's config. Files that left the site are
    deleted by a later deploy, --keep seconds after, so a cached page never asks for a deleted video.
    A build made by `vidsite serve` (draft quality) or with a localhost base_url is refused.
    """
    from vidsite.deploy import deploy as run_deploy

    out = output or site_dir / "output"
    todo = run_deploy(out, target, dry_run=dry_run, max_deletes=max_deletes, workers=workers, keep=keep,
                      force=force, endpoint_url=endpoint_url or None)
    if todo.replaced_in_place:
        click.echo(f"warning: {len(todo.replaced_in_place)} media file(s) get new bytes under the same URL (e.g. "
                   f"{todo.replaced_in_place[0]}): cached pages may meet the new video. Set hashed_names = true in "
                   "config.toml when a CDN serves the site.", err=True)
    verb = "would upload" if dry_run else "uploaded"
    for name in todo.upload if dry_run else []:
        click.echo(f"  upload {name}")
    for name in todo.delete if dry_run else []:
        click.echo(f"  delete {name}")
    for name in todo.retire if dry_run else []:
        click.echo(f"  retire {name}")
    click.echo(f"{verb} {len(todo.upload)} files, {'would delete' if dry_run else 'deleted'} {len(todo.delete)}, "
               f"{'would retire' if dry_run else 'retired'} {len(todo.retire)} (deleted by a later deploy, "
               f"{keep:g}s on), {todo.unchanged} unchanged")


@main.group()
def cache() -> None:
    """Inspect or prune the content-addressed cache (.vidsite/cache by default)."""


@cache.command("stats")
@click.argument("site_dir", type=click.Path(file_okay=False, path_type=Path), default=".")
def cache_stats(site_dir: Path) -> None:
    """Entries and sizes in the cache, by kind and engine."""
    from vidsite.cachetool import stats

    for line in stats(site_dir):
        click.echo(line)


@cache.command("prune")
@click.argument("site_dir", type=click.Path(file_okay=False, path_type=Path), default=".")
@click.option("--dry-run", is_flag=True, help="Only say what would be removed.")
def cache_prune(site_dir: Path, dry_run: bool) -> None:
    """Remove cache entries that no current page uses (clips, segments, AI text)."""
    from vidsite.cachetool import prune

    removed, freed = prune(site_dir, dry_run=dry_run)
    verb = "would remove" if dry_run else "removed"
    click.echo(f"{verb} {removed} entries, {freed / 1e6:.1f} MB")


@main.command()
@click.argument("base")
@click.argument("head", required=False)
@click.option("--site", "site_dir", type=click.Path(file_okay=False, path_type=Path), default=".", help="Site folder.")
@click.option("--engine", type=click.Choice(["auto", "edge", "espeak"]), help="Override [tts] engine.")
@click.option("--quality", type=click.Choice(["final", "draft"]), default="final", show_default=True,
              help="draft: half the frame size and the fastest preset (does not share the cache with final builds).")
@click.option("-j", "--jobs", type=click.IntRange(1, 256), help="Worker processes (default: all cores).")
def review(base: str, head: str | None, site_dir: Path, engine: str | None, quality: str, jobs: int | None) -> None:
    """Show what a change did to the videos: pages and scenes changed between git refs BASE and HEAD.

    HEAD defaults to the working tree. Both are built through the shared cache (only changed
    scenes are synthesised and encoded; unchanged pages are not rebuilt) and the review is
    written to SITE/.vidsite/review/: index.html (stills before/after, narration word diff, links
    into both videos), review.md (for a pull-request comment) and review.json. Changes are not
    errors: the exit status is 0 unless the review itself fails.
    """
    logging.basicConfig(level=logging.WARNING, format="%(message)s")
    from vidsite.options import BuildOptions
    from vidsite.review import review as run_review

    options = BuildOptions(engine=engine, quality=quality, jobs=jobs)
    done = run_review(site_dir, base, head, options)
    scenes = sum(len(p.scenes) for p in done.changes)
    click.echo(f"{len(done.changes)} page(s) changed, {scenes} scene(s); {len(done.unchanged)} unchanged; "
               f"HEAD build: {done.head_stats.clips_synthesised} clips synthesised, "
               f"{done.head_stats.segments_encoded} segments encoded")
    for name in ("index.html", "review.md", "review.json"):
        click.echo(f"  {done.folder / name}")


from vidsite.authoring import import_, new, schema, translate, voices  # noqa: E402 - registered below

for _command in (translate, voices, import_, new, schema):
    main.add_command(_command)

if __name__ == "__main__":  # pragma: no cover
    main()
