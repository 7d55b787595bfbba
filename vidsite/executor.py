"""Where tasks run: this process, a local process pool (`--jobs`), or a Dask cluster (`--scheduler`)."""

from __future__ import annotations

import multiprocessing
import os
import sys
from concurrent.futures import FIRST_COMPLETED, ProcessPoolExecutor, wait
from typing import TYPE_CHECKING, Callable, Iterator, Sequence

from vidsite.tasks import AudioTask, Result, SegmentTask, run

if TYPE_CHECKING:
    from vidsite.config import SiteConfig
    from vidsite.options import BuildOptions

Task = SegmentTask | AudioTask


def default_jobs() -> int:
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (os.cpu_count() or 1)


def jobs_for(options: BuildOptions, config: SiteConfig) -> int:
    """Local worker processes: --jobs, else [build] jobs, else one per core."""
    return options.jobs or config.build.jobs or default_jobs()


class LocalExecutor:
    """Runs tasks in `jobs` worker processes (in this process when jobs == 1 or there is one task)."""

    def __init__(self, jobs: int, start_method: str | None = None) -> None:
        self.jobs = max(1, jobs)
        # fork shares the already-imported media stack with workers; a threaded host (the dev
        # server) asks for forkserver instead, which never forks a process that has threads.
        self.start_method = start_method or ("fork" if sys.platform == "linux" else "spawn")

    def run(self, tasks: Sequence[Task], more: Callable[[], Sequence[Task]] | None = None) -> Iterator[Result]:
        """Results as tasks finish (any order). Longest tasks start first. `more`, if given, is called in
        this process while the workers run `tasks`, and returns tasks to run after them."""
        if more is not None and self.jobs == 1:  # no worker to keep busy meanwhile
            tasks, more = [*tasks, *more()], None
        ordered = sorted(tasks, key=_cost, reverse=True)
        if self.jobs == 1 or (len(ordered) <= 1 and more is None):
            yield from map(run, ordered)
            return
        if self.start_method == "fork":
            preload()
        context = multiprocessing.get_context(self.start_method)
        workers = self.jobs if more is not None else min(self.jobs, len(ordered))
        with ProcessPoolExecutor(max_workers=workers, mp_context=context, initializer=_die_with_parent) as pool:
            pending = {pool.submit(run, t) for t in ordered}
            try:
                if more is not None:
                    pending |= {pool.submit(run, t) for t in sorted(more(), key=_cost, reverse=True)}
                while pending:
                    done, pending = wait(pending, return_when=FIRST_COMPLETED)
                    for future in done:
                        yield future.result()
            except BaseException:
                for future in pending:  # what has not started never will: the build is over
                    future.cancel()
                raise


class DaskExecutor:
    """Runs tasks on a Dask cluster (`--scheduler tcp://host:8786`; pip install 'vidsite[distributed]').

    Workers need vidsite installed and the same cache folder (a shared path) as this machine:
    each task writes its result there atomically, and this process joins pages from it. A task
    on a worker that dies is rerun elsewhere (retries), and since tasks are pure functions of
    their inputs, the result is byte-identical to a local build."""

    def __init__(self, address: str, retries: int = 3) -> None:
        self.address, self.retries = address, retries

    def run(self, tasks: Sequence[Task], more: Callable[[], Sequence[Task]] | None = None) -> Iterator[Result]:
        if more is not None:  # the cluster works on its own: plan the rest first, then send everything
            tasks = [*tasks, *more()]
        try:
            from distributed import Client, as_completed
        except ImportError:
            from vidsite.errors import VidsiteError

            raise VidsiteError("--scheduler needs Dask: pip install 'vidsite[distributed]'") from None
        from vidsite.errors import VidsiteError
        from vidsite.fsutil import canonical_hash

        try:
            client = Client(self.address, timeout="10s")
        except (OSError, TimeoutError) as exc:
            raise VidsiteError(f"cannot reach the Dask scheduler at {self.address}: {exc}") from None
        with client:
            ordered = sorted(tasks, key=_cost, reverse=True)
            futures = [
                client.submit(run, t, key=f"vidsite-{canonical_hash(t.path)}", pure=False, retries=self.retries,
                              priority=int(_cost(t)))
                for t in ordered
            ]
            for future in as_completed(futures):
                yield future.result()


def executor_for(jobs: int, scheduler: str | None, start_method: str | None = None) -> LocalExecutor | DaskExecutor:
    return DaskExecutor(scheduler) if scheduler else LocalExecutor(jobs, start_method)


def _die_with_parent() -> None:
    """A worker ends when the build that started it is killed, instead of finishing on its own."""
    if sys.platform == "linux":
        import ctypes
        import signal

        ctypes.CDLL(None).prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG


def _cost(task: Task) -> float:
    if isinstance(task, AudioTask):
        return task.samples / task.rate  # AAC of a minute of audio costs more than any one slide
    return len(task.stills) + (task.fade[0] if task.fade else 0)


def preload() -> None:
    """Import the media stack once, before workers fork, so each does not pay for it."""
    import av  # noqa: F401
    import numpy  # noqa: F401
    from PIL import Image  # noqa: F401

    import vidsite.encode.segments  # noqa: F401
    import vidsite.render.slides  # noqa: F401

