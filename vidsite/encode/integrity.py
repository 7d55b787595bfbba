"""Media cache entries (segments, posters, audio tracks) are checked before they are reused.

A truncated or altered entry would otherwise end every later build in a demuxer traceback,
until someone deleted the cache by hand. The writer seals an entry with a sidecar,
`<entry>.sha256` (size and sha256, written atomically after the entry); the reader compares
them. An entry with no sidecar (an older cache, a kill between the two renames, a poster) gets
a structural check instead: MP4 top-level boxes must tile the file and hold `moov` and `mdat`;
a JPEG must start with SOI and end with EOI. A damaged entry is a miss, with one warning, and
is made again. Hashing costs about 1 ms per MB, and only stale pages are checked.
"""

from __future__ import annotations

import json
import logging
import struct
from pathlib import Path

from vidsite.fsutil import atomic_write, file_sha256

log = logging.getLogger(__name__)


def sidecar(path: Path) -> Path:
    return path.with_name(path.name + ".sha256")


def seal(path: Path) -> None:
    """Record `path`'s size and sha256 beside it; call after the entry itself is in place."""
    record = {"size": path.stat().st_size, "sha256": file_sha256(path)}
    atomic_write(sidecar(path), json.dumps(record, sort_keys=True))


def intact(path: Path) -> bool:
    """True when `path` can be reused. Missing is a quiet miss; damaged is a miss with a warning."""
    try:
        size = path.stat().st_size
    except FileNotFoundError:
        return False
    try:
        why = _damage(path, size)
    except (OSError, ValueError, KeyError, TypeError) as exc:
        why = f"{type(exc).__name__}: {exc}"
    if why:
        log.warning("cache entry %s is damaged (%s); making it again", path.name, why)
        return False
    return True


def _damage(path: Path, size: int) -> str:
    """Why `path` is not a whole entry, or ''."""
    if size == 0:
        return "empty"
    try:
        record = json.loads(sidecar(path).read_text(encoding="utf-8"))
    except FileNotFoundError:
        return _structure(path, size)
    if record["size"] != size:
        return f"{size} bytes, {record['size']} recorded"
    if file_sha256(path) != record["sha256"]:
        return "sha256 differs from the one recorded"
    return ""


def _structure(path: Path, size: int) -> str:
    if path.suffix in (".jpg", ".jpeg"):
        with open(path, "rb") as f:
            head = f.read(2)
            f.seek(max(0, size - 2))
            tail = f.read(2)
        return "" if head == b"\xff\xd8" and tail == b"\xff\xd9" else "not a whole JPEG"
    return _mp4_boxes(path, size)


def _mp4_boxes(path: Path, size: int) -> str:
    """Walk the top-level boxes: a cut-off file ends inside one (usually losing `moov`)."""
    seen: set[bytes] = set()
    at = 0
    with open(path, "rb") as f:
        while at < size:
            f.seek(at)
            header = f.read(16)
            if len(header) < 8:
                return f"cut off inside a box header at byte {at}"
            length, kind = struct.unpack(">I4s", header[:8])
            if length == 1 and len(header) == 16:
                length = struct.unpack(">Q", header[8:])[0]
            elif length == 0:
                length = size - at  # the last box runs to the end of the file
            if length < 8 or at + length > size:
                return f"box {kind!r} at byte {at} runs past the end ({size} bytes)"
            seen.add(kind)
            at += length
    missing = {b"ftyp", b"moov", b"mdat"} - seen
    return f"no {', '.join(sorted(m.decode() for m in missing))} box" if missing else ""
