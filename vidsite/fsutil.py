"""Small file helpers: atomic writes and canonical hashing."""

from __future__ import annotations

import hashlib
import json
import os
import tempfile
from contextlib import contextmanager
from pathlib import Path
from typing import Any, Iterator


_UMASK = os.umask(0)
os.umask(_UMASK)
FILE_MODE = 0o666 & ~_UMASK  # what open() would have given; mkstemp's 0600 is too tight to serve


def canonical_hash(data: Any, length: int = 16) -> str:
    """sha256 of canonical JSON (sorted keys, no spaces): the same inputs give the same key, everywhere."""
    blob = json.dumps(data, sort_keys=True, separators=(",", ":"), ensure_ascii=False, default=str)
    return hashlib.sha256(blob.encode("utf-8")).hexdigest()[:length]


def file_sha256(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def atomic_write(path: Path, data: bytes | str) -> None:
    """Write to a temp name beside `path`, then rename: readers see the old file or the new, never half."""
    path.parent.mkdir(parents=True, exist_ok=True)
    if isinstance(data, str):
        data = data.encode("utf-8")
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(data)
        os.chmod(tmp, FILE_MODE)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


@contextmanager
def replacing(path: Path) -> Iterator[Path]:
    """A temp name beside `path` for writers that need a file name (encoders, downloads): renamed
    onto `path` if the block completes, removed if it does not, so `path` is old or whole, never half."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, name = tempfile.mkstemp(dir=path.parent, prefix=f".{path.stem}.", suffix=path.suffix)
    os.close(fd)
    tmp = Path(name)
    try:
        os.chmod(tmp, FILE_MODE)
        yield tmp
        os.replace(tmp, path)
    finally:
        tmp.unlink(missing_ok=True)


def write_json(path: Path, data: Any) -> None:
    atomic_write(path, json.dumps(data, indent=2, ensure_ascii=False, sort_keys=False) + "\n")


def slugify(text: str, length: int = 32, default: str = "x") -> str:
    """A name that is safe as a folder and as a URL segment, in every script (as Hugo keeps them):
    NFC, lowercased where the script has case, letters, marks and digits kept and every other run
    one `-`, no `-` at either end. It can never hold `/`, `.`, `:`, `%` or a space, so it is never
    `..`, hidden, a scheme or a query; ASCII names slug exactly as before. At most `length`
    characters and 240 UTF-8 bytes (a folder name's limit is 255)."""
    import re
    import unicodedata

    text = unicodedata.normalize("NFC", unicodedata.normalize("NFC", text).lower())
    kept = "".join(c if unicodedata.category(c)[0] in "LMN" else "-" for c in text)
    slug = re.sub(r"-+", "-", kept).strip("-")[:length]
    while len(slug.encode("utf-8")) > 240:
        slug = slug[:-1]
    return slug.strip("-") or default


def read_text(path: Path, error: type[Exception]) -> str:
    """A UTF-8 text file (a leading byte-order mark dropped, CRLF as LF); anything else is `error`
    (a VidsiteError subclass) naming the line of the first bad byte, never a UnicodeDecodeError."""
    data = path.read_bytes().removeprefix(b"\xef\xbb\xbf")
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        column = exc.start - data.rfind(b"\n", 0, exc.start)
        raise error(f"not UTF-8 text (byte 0x{data[exc.start]:02x} at column {column}); save the file as UTF-8",
                    path=path, line=line) from None
    return text.replace("\r\n", "\n")
