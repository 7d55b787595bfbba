"""When an online engine last failed or was probed, kept in the cache between builds.

Pages voiced by the offline fallback are re-voiced once the preferred engine speaks again. To
find that out costs one real synthesis (a TCP connect says nothing about a hung or failing
service), so it is made at most once per PROBE_EVERY and its verdict written to
`<cache>/speech/probe-<engine>.json`; a build whose synthesis timed out or got a 5xx writes the
same record. Offline no-op builds in between read one small file.
"""

from __future__ import annotations

import json
import logging
import time
from pathlib import Path
from typing import Any

from vidsite.cache import Cache
from vidsite.fsutil import atomic_write

log = logging.getLogger(__name__)

PROBE_EVERY = 600.0  # seconds between two "does it speak again?" syntheses
PROBE_DEADLINE = 3.0  # seconds one such synthesis may take, connection included


class Health:
    def __init__(self, cache_root: Path) -> None:
        self.cache = Cache(cache_root)

    def _path(self, engine: str) -> Path:
        return self.cache.speech(engine)

    def recent(self, engine: str, now: float | None = None) -> dict[str, Any] | None:
        """The last record for `engine` if it is younger than PROBE_EVERY; None otherwise (or unreadable)."""
        try:
            record = json.loads(self._path(engine).read_text(encoding="utf-8"))
            age = (time.time() if now is None else now) - float(record["checked"])
            answered = bool(record["answered"])
        except (OSError, ValueError, KeyError, TypeError):
            return None
        return {"answered": answered, "why": str(record.get("why", "")), "age": age} if 0 <= age < PROBE_EVERY else None

    def record(self, engine: str, why: str | None) -> None:
        """`why` None: the engine spoke; else why it did not."""
        data = {"engine": engine, "checked": time.time(), "answered": why is None, "why": why or ""}
        try:
            atomic_write(self._path(engine), json.dumps(data, sort_keys=True))
        except OSError as exc:  # a read-only cache only means asking again next time
            log.debug("cannot record %s's health: %s", engine, exc)
