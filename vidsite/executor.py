"""Where tasks run: this process, a local process pool (`--jobs`), or (later) a Dask cluster."""

from __future__ import annotations

import multiprocessing
import os
import sys
from concurrent.futures import FIRST_COMPLETED, ProcessPoolExecutor, wait
from typing import Callable, Iterator, Sequence

from vidsite.tasks import AudioTask, Result, SegmentTask, run

Task = SegmentTask | AudioTask


def default_jobs() -> int:
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (os.cpu_count() or 1)


class LocalExecutor:
    """Runs tasks in `jobs` worker processes (in this process when jobs == 1 or there is one task)."""

    def __init__(self, jobs: int, start_method: str | None = None) -> None:
        self.jobs = max(1, jobs)
        # fork shares the already-imported media stack with workers; a threaded host (the dev
        # server) asks for forkserver instead, which never forks a process that has threads.
        self.start_method = start_method or ("fork" if sys.platform == "linux" else "spawn")

    def run(self, tasks: Sequence[Task]) -> Iterator[Result]:
        """Results as tasks finish (any order). Longest tasks start first."""
        ordered = sorted(tasks, key=_cost, reverse=True)
        if self.jobs == 1 or len(ordered) <= 1:
            yield from map(run, ordered)
            return
        context = multiprocessing.get_context(self.start_method)
        with ProcessPoolExecutor(max_workers=min(self.jobs, len(ordered)), mp_context=context) as pool:
            pending = {pool.submit(run, t) for t in ordered}
            while pending:
                done, pending = wait(pending, return_when=FIRST_COMPLETED)
                for future in done:
                    yield future.result()


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


Callback = Callable[[Result], None]
