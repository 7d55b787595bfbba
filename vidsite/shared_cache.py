"""A cache shared between machines at an fsspec URL (`[cache] url = "s3://bucket/vidsite-cache"`).

The local cache folder stays the working copy; the shared store is consulted on a local miss
and receives every entry made here, so workers and CI runs reuse each other's clips, segments
and audio. Uploads go to a temporary name and are moved into place (one PUT on object stores),
and a sidecar (a clip's `.json`, a segment's or track's `.sha256`) is uploaded after its entry,
so a reader never sees half an entry. What is fetched is checked like anything in the local cache.
"""

from __future__ import annotations

import logging
import os
from pathlib import Path
from typing import Any

from vidsite.encode.integrity import sidecar
from vidsite.fsutil import replacing

log = logging.getLogger(__name__)
SEALED = (".mp4", ".m4a")  # media entries that travel with their `.sha256` sidecar


class SharedCache:
    def __init__(self, url: str, local: Path) -> None:
        import fsspec

        self.url, self.local = url.rstrip("/"), local
        options = {"auto_mkdir": True} if url.startswith("file://") else {}
        self.fs, self.root = fsspec.core.url_to_fs(self.url, **options)
        self.root = self.root.rstrip("/")

    def fetch(self, path: Path) -> bool:
        """Copy the shared entry for local `path` here, if the store has it. True when `path` now exists."""
        if path.exists():
            return True
        if not self._get(path):
            return False
        if path.suffix in SEALED:  # the local sidecar, if any, belonged to an entry that is gone
            sidecar(path).unlink(missing_ok=True)
            self._get(sidecar(path))  # none (an older writer): the entry gets a structural check
        return True

    def _get(self, path: Path) -> bool:
        rel = path.relative_to(self.local).as_posix()
        try:
            with replacing(path) as tmp:
                self.fs.get_file(f"{self.root}/{rel}", str(tmp))
            return True
        except FileNotFoundError:
            return False
        except Exception as exc:  # noqa: BLE001 - an unreachable store is a miss, not a failed build
            log.warning("shared cache %s: cannot read %s (%s)", self.url, rel, exc)
            return False

    def publish(self, path: Path) -> None:
        self._put(path)
        if path.suffix in SEALED and sidecar(path).exists():
            self._put(sidecar(path))  # after the entry: it marks the entry complete

    def _put(self, path: Path) -> None:
        rel = path.relative_to(self.local).as_posix()
        target = f"{self.root}/{rel}"
        try:
            if self.fs.exists(target):
                return  # content-addressed: the same key is the same bytes
            staging = f"{self.root}/{os.path.dirname(rel)}/.{path.name}.{os.getpid()}.part"
            self.fs.put_file(str(path), staging)
            self.fs.mv(staging, target)
        except Exception as exc:  # noqa: BLE001 - the local build goes on; the next one shares it
            log.warning("shared cache %s: cannot write %s (%s)", self.url, rel, exc)


def shared_for(url: str, local: Path) -> Any:
    return SharedCache(url, local) if url else None
