"""A build never leaves output/ mixed or truncated, and two builds never run on one site at once.

- `build_lock`: a POSIX lock on `.vidsite/build.lock` (released by the kernel if the holder
  dies, so a stale lock cannot block anyone); the file names the holder for the error message.
- `Staging`: the build writes into a hard-linked clone of output/ beside it (cheap: no file
  is copied) and, when done, exchanges the two directories in one atomic rename
  (`renameat2(RENAME_EXCHANGE)` on Linux). A build killed at any point leaves output/ exactly
  as it was; the half-made clone is removed by the next build.
"""

from __future__ import annotations

import ctypes
import errno
import fcntl
import os
import shutil
from contextlib import contextmanager
from pathlib import Path
from typing import Iterator

from vidsite.errors import VidsiteError

_AT_FDCWD = -100
_RENAME_EXCHANGE = 2


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
    """Swap two directories atomically (Linux); elsewhere, as close as renames allow."""
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


class Staging:
    """A writable clone of `out` (hard links), committed with one atomic swap."""

    def __init__(self, out: Path) -> None:
        self.out = out
        self.path = out.with_name(f".{out.name}.staging")
        for stale in out.parent.glob(f".{out.name}.staging*"):  # left by a killed build (we hold the lock)
            shutil.rmtree(stale, ignore_errors=True)
        try:
            if out.is_dir():
                shutil.copytree(out, self.path, copy_function=_link, symlinks=True)
            else:
                self.path.mkdir(parents=True)
        except OSError as exc:
            shutil.rmtree(self.path, ignore_errors=True)
            raise VidsiteError(f"cannot write beside {out}: {exc.strerror or exc} (is the disk full or the "
                               "folder read-only?); output/ was not changed") from None

    def commit(self) -> None:
        if self.out.is_dir():
            exchange(self.path, self.out)
            shutil.rmtree(self.path, ignore_errors=True)  # the previous output
        else:
            os.rename(self.path, self.out)

    def discard(self) -> None:
        shutil.rmtree(self.path, ignore_errors=True)


def _link(src: str, dst: str) -> None:
    try:
        os.link(src, dst)
    except OSError:
        shutil.copy2(src, dst)
