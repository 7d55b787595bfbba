"""The dev server's rebuilds: watch the site, run one build at a time in a thread, and tell the
browsers what changed (which pages, and how far into each video nothing did)."""

from __future__ import annotations

import asyncio
import json
import logging
import threading
import time
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from vidsite.errors import VidsiteError
from vidsite.options import BuildOptions

log = logging.getLogger(__name__)

WATCHED_FILES = ("config.toml", "pronunciations.toml")
WATCHED_DIRS = ("layouts", "static")  # and the configured content_dir and include_paths
QUIET = 0.08  # seconds without a change before a rebuild: an editor's save (write, rename) takes microseconds
SETTLE = 1.0  # at most this long waiting for quiet: a file that never stops changing does not stall rebuilds
BATCH = 8  # stale pages per pass once the pages browsers asked for are built: a new request waits one pass


@dataclass
class State:
    """What the status endpoint reports, and who to tell when it changes."""

    stage: str = "starting"
    pages_done: int = 0
    pages_total: int = 0
    tasks_done: int = 0  # slides and tracks rendered and encoded in this pass
    tasks: int = 0
    builds: int = 0  # complete builds (every page current)
    discovered: bool = False  # the first pass has found the pages (until then any page may be one)
    waiting: set[str] = field(default_factory=set)  # urls of pages not built yet
    wanted: set[str] = field(default_factory=set)  # urls browsers asked for that wait: built first
    last_error: str | None = None
    last_build: dict[str, Any] = field(default_factory=dict)
    listeners: list[tuple[asyncio.AbstractEventLoop, asyncio.Queue]] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def status(self) -> dict[str, Any]:
        return {"stage": self.stage, "pages_done": self.pages_done, "pages_total": self.pages_total,
                "tasks_done": self.tasks_done, "tasks": self.tasks, "waiting": len(self.waiting),
                "builds": self.builds, "last_error": self.last_error, "last_build": self.last_build}

    def want(self, url: str) -> bool:
        """A browser asks for the page at `url`: True if it is (or may be, before the first pass) on its
        way, and then it is built before the pages nobody asked for."""
        with self.lock:
            if url in self.waiting or not self.discovered:
                self.wanted.add(url)
                return True
        return False

    def publish(self, event: dict[str, Any]) -> None:
        with self.lock:
            for loop, queue in list(self.listeners):
                loop.call_soon_threadsafe(queue.put_nowait, event)

    def close_streams(self) -> None:
        """End every live-reload stream: a browser tab holds its stream open forever, and the
        server waits for open responses before it exits."""
        self.publish({"type": "closing"})


def _unchanged_until(old: dict[str, Any] | None, new: dict[str, Any]) -> float:
    """Seconds from the start of the new video that show and sound as before (0 = all changed)."""
    if not old or old.get("audio") == new.get("audio") and old.get("video_key") == new.get("video_key"):
        return new.get("duration", 0.0) if old else 0.0
    until = 0.0
    for a, b in zip(old.get("scenes", []), new.get("scenes", [])):
        same = (a.get("segment"), a.get("start_frame"), a.get("narration")) == (b.get("segment"), b.get("start_frame"), b.get("narration"))
        if not same:
            break
        until = b["end"]
    return until


def changed_pages(before: tuple[dict[str, str], dict[str, Any]], after: tuple[dict[str, str], dict[str, Any]]
                  ) -> dict[str, dict[str, float | None]]:
    """Which open pages must reload, and up to where each one's video is as before.

    A page reloads only when its own HTML or its own page manifest (which hashes its video,
    captions and poster) changed; an index only when its HTML (its listing) did. The index,
    feeds and sitemap are rewritten by every build, so "something was written" says nothing
    about the page a viewer has open. `unchanged_until` is None where the video did not change."""
    (old_hashes, old_pages), (new_hashes, new_pages) = before, after
    folders = set()
    for name in set(old_hashes) | set(new_hashes):
        folder, _, leaf = name.rpartition("/")
        own = leaf == "index.html" or (leaf == "manifest.json" and folder)  # not the site's manifest
        if own and old_hashes.get(name) != new_hashes.get(name):
            folders.add(folder)
    out: dict[str, dict[str, float | None]] = {}
    for folder in sorted(folders):
        old, new = old_pages.get(folder), new_pages.get(folder)
        same_video = old is not None and new is not None and old.get("files") == new.get("files")
        out[folder] = {"unchanged_until": None if same_video or new is None else _unchanged_until(old, new)}
    return out


class Builder:
    """Runs builds one at a time in a thread; a change during a build queues one more."""

    def __init__(self, root: Path, state: State, options: BuildOptions) -> None:
        self.root, self.state = root, state
        # this process has threads: never fork it; the preview is written where it is served, file by file
        self.options = replace(options, start_method="forkserver", in_place=True)
        self.out = self.options.output_for(root)
        self._manifests: dict[str, tuple[str, dict[str, Any]]] = {}  # page folder -> (hash, its manifest)
        self._pending = threading.Event()
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._loop, name="vidsite-builder", daemon=True)

    def start(self) -> None:
        """Build in the background from now on, whenever `request()` is called."""
        self._thread.start()

    def request(self) -> None:
        self._pending.set()

    def stop(self) -> None:
        self._stop.set()
        self._pending.set()
        self._thread.join(timeout=30)

    def _loop(self) -> None:
        while not self._stop.is_set():
            self._pending.wait()
            if self._stop.is_set():
                return
            settled = time.monotonic() + SETTLE
            while True:  # let bursts (editor saves, a git checkout) settle: build once they stop
                self._pending.clear()
                if not self._pending.wait(QUIET) or self._stop.is_set() or time.monotonic() > settled:
                    break
            if not self._stop.is_set():
                self.build_once()

    def _snapshot(self) -> tuple[dict[str, str], dict[str, dict[str, Any]]]:
        """The hashes the site manifest lists, and each page's manifest, as the browsers see them now. A
        page manifest is read again only when its hash changed: a 500-page preview reads one or two."""
        try:
            site = json.loads((self.out / "manifest.json").read_text(encoding="utf-8"))
            hashes = {name: entry.get("sha256", "") for name, entry in site.get("files", {}).items()}
        except (OSError, ValueError, AttributeError):
            hashes = {}
        pages = {}
        for name, sha in hashes.items():
            folder, _, leaf = name.rpartition("/")
            if leaf != "manifest.json" or not folder:
                continue
            known = self._manifests.get(folder)
            if known is None or known[0] != sha:
                try:
                    known = (sha, json.loads((self.out / name).read_text(encoding="utf-8")))
                except (OSError, ValueError):
                    continue
                self._manifests[folder] = known
            pages[folder] = known[1]
        return hashes, pages

    def build_once(self) -> None:
        """Build until every page is current, in passes: first the pages browsers asked for (on the first
        pass of a fresh preview, none: the index of what is built is served at once), then BATCH pages a
        pass, so a page asked for meanwhile waits one pass, not the whole site."""
        state = self.state
        state.stage, state.pages_done = "building", 0
        started = time.perf_counter()
        limit = 0 if state.builds == 0 else 1
        built: list[str] = []
        while True:
            with state.lock:
                wanted = frozenset(state.wanted)
            stats = self._pass(replace(self.options, first=wanted, limit=max(limit, len(wanted))))
            if stats is None:
                return
            built += stats.built
            with state.lock:
                state.waiting, state.discovered = set(stats.waiting), True
                state.wanted &= state.waiting
            if not stats.waiting:
                break
            limit = BATCH
        state.builds += 1
        state.stage, state.last_error = "idle", None
        state.last_build = {"pages": stats.pages, "pages_built": len(built), "built": built,
                            "clips_synthesised": stats.clips_synthesised, "segments_encoded": stats.segments_encoded,
                            "wall": round(time.perf_counter() - started, 3)}
        log.info("rebuilt %d page(s) in %.2fs%s", len(built), state.last_build["wall"],
                 (": " + ", ".join(built)) if built else "")

    def _pass(self, options: BuildOptions) -> Any:
        """One build of at most `options.limit` stale pages; tells the browsers what changed. None if it failed."""
        from vidsite.build import build
        from vidsite.options import load

        state = self.state
        before = self._snapshot()

        def progress(event: str, page: Any, stats: Any) -> None:
            state.pages_total, state.tasks_done, state.tasks = stats.pages, stats.tasks_done, stats.tasks
            if event == "page":
                state.pages_done += 1
            elif event != "task":
                state.stage = event

        try:
            stats = build(self.root, load(self.root, options), options, progress)  # config may have changed
        except VidsiteError as exc:
            state.stage, state.last_error = "failed", exc.format_message()
            log.error("build failed: %s", state.last_error)
            state.publish({"type": "error", "message": state.last_error})
            return None
        except Exception as exc:  # noqa: BLE001 - a crash in one rebuild must not stop the server
            log.exception("build crashed")
            state.stage, state.last_error = "failed", f"internal error: {type(exc).__name__}: {exc}"
            state.publish({"type": "error", "message": state.last_error})
            return None
        pages = changed_pages(before, self._snapshot())
        state.publish({"type": "built", "pages": pages, "built": stats.built, "files_written": stats.files_written})
        return stats


def watched_folders(root: Path, options: BuildOptions) -> list[Path]:
    """The folders whose changes rebuild: the configured content_dir and include_paths, layouts/, static/."""
    from vidsite.content.discover import includer_for
    from vidsite.options import load

    try:
        includer = includer_for(root, load(root, options))
        folders = [includer.content, *includer.include_paths]
    except VidsiteError:  # the first build says what is wrong with the config; until it is fixed, content/
        folders = [root / "content"]
    folders += [root / name for name in WATCHED_DIRS]
    return [f.resolve() for f in dict.fromkeys(folders) if f.is_dir()]


def watch_site(root: Path, builder: Builder, folders: list[Path]) -> Any:
    """A watchdog observer that requests a rebuild when a file in `folders` or the config changes. What
    vidsite writes itself (the output and preview folders, the cache) is not a change, should a folder
    hold it (`content_dir = "."`)."""
    from watchdog.events import FileSystemEventHandler
    from watchdog.observers import Observer

    ignored_suffixes = ("~", ".swp", ".swx", ".tmp", ".part")
    ours = (root / ".vidsite", builder.out, root / "output")

    def matters(path: Path) -> bool:
        if path.name.endswith(ignored_suffixes) or path.name.startswith((".#", ".~")):
            return False
        if path.parent == root and path.name in WATCHED_FILES:
            return True
        return any(path.is_relative_to(f) for f in folders) and not any(path.is_relative_to(o) for o in ours)

    class Handler(FileSystemEventHandler):
        def on_any_event(self, event: Any) -> None:
            if event.event_type in ("opened", "closed_no_write"):
                return
            if any(raw and matters(Path(raw)) for raw in (event.src_path, getattr(event, "dest_path", ""))):
                builder.request()

    observer = Observer()
    handler = Handler()
    observer.schedule(handler, str(root), recursive=root in folders)  # config.toml, or everything
    for folder in folders:
        if folder != root:
            observer.schedule(handler, str(folder), recursive=True)
    observer.start()
    return observer
