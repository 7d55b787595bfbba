"""A build never leaves output/ mixed or truncated, never writes where an author's files live,
and two builds never run on one site at once.

- `check_output`: where the output folder may be (see its docstring), checked before anything
  is written, so a mistyped `-o content` or `-o .` is refused instead of cleaned out.
- `build_lock`: a POSIX lock on `.vidsite/build.lock` (released by the kernel if the holder
  dies, so a stale lock cannot block anyone); the file names the holder for the error message.
- `Staging`: the build writes into a hard-linked clone of output/ (cheap: no file is copied)
  and, when done, swaps it in. Normally the clone sits beside output/ and the two folders are
  exchanged in one atomic rename (`renameat2(RENAME_EXCHANGE)` on Linux). A mount point (a
  Docker volume) cannot be renamed, so there the clone sits inside output/ in a hidden folder
  and each top-level entry is exchanged instead: every page folder and file swaps atomically,
  pages first and the indexes and site manifest last. A build killed at any point before the
  swap leaves output/ exactly as it was; the half-made clone is removed by the next build.
"""

from __future__ import annotations

import ctypes
import errno
import fcntl
import json
import os
import re
import shutil
from contextlib import contextmanager
from pathlib import Path
from typing import Any, Iterator

from vidsite.errors import VidsiteError

_AT_FDCWD = -100
_RENAME_EXCHANGE = 2
GENERATOR = "vidsite"  # the site manifest's `generator`: a manifest.json without it is not vidsite's
INNER_STAGING = ".vidsite-staging"  # the clone inside a mount-point output folder (hidden: never published)


_LEGACY_KEYS = {"title", "base_url", "default_language", "languages", "pages", "static", "videos", "files"}


def is_site_manifest(data: Any) -> bool:
    """True for a site manifest vidsite wrote (marked by `generator`, or, from before the mark, with
    exactly the keys it had); any other manifest.json is an author's file, never a list to delete."""
    if not isinstance(data, dict) or not isinstance(data.get("files"), dict):
        return False
    return data.get("generator") == GENERATOR or set(data) == _LEGACY_KEYS


def read_site_manifest(out: Path) -> dict[str, Any] | None:
    """output/manifest.json if vidsite wrote it, else None."""
    try:
        data = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return data if is_site_manifest(data) else None


def check_output(root: Path, out: Path, *, force: bool = False, content: str = "content") -> None:
    """Refuse an output folder where publishing could overwrite or delete an author's files.

    The output folder may not be the site root, content/, layouts/ or static/, may not contain
    any of them, and may not lie inside layouts/ or static/. It may lie inside the site root or
    inside content/ (discovery skips it). A non-empty folder that holds no vidsite site manifest
    is refused unless `force`. `content`: the pages' folder ([content_dir], `docs` in a docs repo)."""
    root, out = root.resolve(), out.resolve()
    protected = {"the site folder": root, f"{content}/": root / content, "layouts/": root / "layouts",
                 "static/": root / "static", ".vidsite/": root / ".vidsite"}
    for name, folder in protected.items():
        if out == folder or folder.is_relative_to(out):
            what = "is" if out == folder else "contains"
            raise VidsiteError(f"the output folder {what} {name}: publishing there would replace and delete the "
                               f"site's own files. Choose an empty or new folder, e.g. -o {root / 'output'}",
                               path=out)
    for name in ("layouts/", "static/"):
        if out.is_relative_to(protected[name]):
            raise VidsiteError(f"the output folder lies inside {name}, whose files are read by every build; "
                               f"choose a folder outside it, e.g. -o {root / 'output'}", path=out)
    if out.exists() and not out.is_dir():
        raise VidsiteError("the output folder is a file; choose a folder", path=out)
    if force or not out.is_dir() or read_site_manifest(out) is not None:
        return
    if any(entry.name != INNER_STAGING for entry in out.iterdir()):
        raise VidsiteError("the output folder is not empty and holds no site built by vidsite (no vidsite "
                           "manifest.json); choose an empty or new folder, or pass --force to build into it "
                           "anyway (files with the names vidsite writes are replaced, nothing else is deleted)",
                           path=out)


@contextmanager
def build_lock(root: Path) -> Iterator[None]:
    path = root / ".vidsite" / "build.lock"
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
    except OSError as exc:
        raise VidsiteError(f"cannot create the build lock {path}: {exc.strerror} (is the site folder read-only "
                           "or the disk full?); nothing was changed") from None
    try:
        try:  # a POSIX lock belongs to this process alone: forked workers do not inherit it
            fcntl.lockf(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except (BlockingIOError, PermissionError):
            holder = os.pread(fd, 64, 0).decode(errors="replace").strip() or "?"
            raise VidsiteError(f"another vidsite build (pid {holder}) is running on {root}; wait for it to "
                               "finish, or stop it (a crashed build releases the lock by itself)") from None
        os.ftruncate(fd, 0)
        os.pwrite(fd, str(os.getpid()).encode(), 0)
        yield
    finally:
        os.close(fd)  # releases the lock


def exchange(a: Path, b: Path) -> None:
    """Swap two directory entries atomically (Linux); elsewhere, as close as renames allow."""
    libc = ctypes.CDLL(None, use_errno=True)
    renameat2 = getattr(libc, "renameat2", None)
    if renameat2 is not None:
        if renameat2(_AT_FDCWD, os.fsencode(a), _AT_FDCWD, os.fsencode(b), _RENAME_EXCHANGE) == 0:
            return
        if ctypes.get_errno() not in (errno.EINVAL, errno.ENOSYS):
            err = ctypes.get_errno()
            raise OSError(err, os.strerror(err), str(b))
    aside = b.with_name(b.name + ".old")
    os.rename(b, aside)
    os.rename(a, b)
    os.rename(aside, a)


def is_mount_point(path: Path) -> bool:
    """Also true for a bind mount from the same filesystem, which `os.path.ismount` misses."""
    if os.path.ismount(path):
        return True
    try:
        lines = Path("/proc/self/mountinfo").read_text(encoding="utf-8", errors="replace").splitlines()
    except OSError:
        return False
    target = str(path.resolve())
    unescape = lambda s: re.sub(r"\\([0-7]{3})", lambda m: chr(int(m.group(1), 8)), s)  # noqa: E731
    return any(len(f) > 4 and unescape(f[4]) == target for f in (line.split(" ") for line in lines))


class Staging:
    """A writable clone of `out` (hard links), committed with one atomic swap, or with one swap
    per top-level entry where `out` is a mount point."""

    def __init__(self, out: Path) -> None:
        self.out = out
        self.inside = out.is_dir() and is_mount_point(out)
        self.path = out / INNER_STAGING if self.inside else out.with_name(f".{out.name}.staging")
        stale = [self.path] if self.inside else list(out.parent.glob(f".{out.name}.staging*"))
        for folder in stale:  # left by a killed build (we hold the lock)
            shutil.rmtree(folder, ignore_errors=True)
        self.before = {e.name for e in out.iterdir() if e.name != INNER_STAGING} if out.is_dir() else set()
        try:
            if out.is_dir():
                skip = (lambda d, names: [INNER_STAGING] if Path(d) == out else []) if self.inside else None
                shutil.copytree(out, self.path, copy_function=_link, symlinks=True, ignore=skip)
            else:
                self.path.mkdir(parents=True)
        except OSError as exc:
            shutil.rmtree(self.path, ignore_errors=True)
            raise VidsiteError(f"cannot write beside {out}: {exc.strerror or exc} (is the disk full or the "
                               "folder read-only?); output/ was not changed") from None

    def commit(self) -> None:
        if not self.out.is_dir():
            os.rename(self.path, self.out)
            return
        if self.inside:
            self._commit_entries()
            return
        try:
            exchange(self.path, self.out)
        except OSError as exc:
            if exc.errno != errno.EBUSY:  # EBUSY: a mount point that is_mount_point did not see
                raise
            self._commit_entries()
        shutil.rmtree(self.path, ignore_errors=True)  # the previous output

    def _commit_entries(self) -> None:
        """Swap each top-level entry: page folders and media first, indexes and manifests last, so a
        visitor meets new pages before the links to them. Entries the build removed go with the clone."""
        made = sorted((e.name for e in self.path.iterdir()), key=lambda n: (n.endswith((".html", ".json", ".xml")),
                                                                          n == "manifest.json", n))
        for name in made:
            if os.path.lexists(self.out / name):
                exchange(self.path / name, self.out / name)
            else:
                os.rename(self.path / name, self.out / name)
        for name in sorted(self.before - set(made)):
            if os.path.lexists(self.out / name):
                os.rename(self.out / name, self.path / name)
        shutil.rmtree(self.path, ignore_errors=True)

    def discard(self) -> None:
        shutil.rmtree(self.path, ignore_errors=True)


class InPlace:
    """Staging's interface for the dev server's preview, written where it is served: each file is replaced
    atomically (a page's manifest after its media), and the build that follows an interrupted one
    rewrites what that one left stale. Cloning a 500-page output costs more than a one-page edit."""

    def __init__(self, out: Path) -> None:
        self.out = self.path = out
        out.mkdir(parents=True, exist_ok=True)

    def commit(self) -> None:
        pass

    def discard(self) -> None:
        pass


def _link(src: str, dst: str) -> None:
    try:
        os.link(src, dst)
    except OSError:
        shutil.copy2(src, dst)
