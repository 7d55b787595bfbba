"""A cache shared between machines at an fsspec URL (`[cache] url = "s3://bucket/vidsite-cache"`).

The local cache folder stays the working copy; the shared store is consulted on a local miss
and receives every entry made here, so workers and CI runs reuse each other's clips, segments
and audio. Uploads go to a temporary name and are moved into place (one PUT on object stores),
and a clip's sidecar is uploaded after its audio, so a reader never sees half an entry.
"""

from __future__ import annotations

import logging
import os
from pathlib import Path
from typing import Any

from vidsite.fsutil import replacing

log = logging.getLogger(__name__)


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
