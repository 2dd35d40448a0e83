"""File-system primitives: replacing a file atomically, and the calendar's lock."""

from __future__ import annotations

import errno
import fcntl
import os
import stat
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from pathlib import Path

from .errors import PinplanError


def read_regular(path: Path) -> bytes:
    """The bytes of ``path`` when it is a regular file (a link to one is followed); for a
    folder, FIFO, socket or device an ``OSError``, without ever waiting on one to open."""
    fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK)
    if not stat.S_ISREG(os.fstat(fd).st_mode):
        os.close(fd)
        raise OSError(errno.EINVAL, "not a regular file", str(path))
    with os.fdopen(fd, "rb") as handle:
        return handle.read()


def write_bytes_atomic(path: Path, data: bytes, *, durable: bool = True) -> bool:
    """Replace ``path`` with ``data`` (temp file + ``os.replace``); False when unchanged.

    The new regular file keeps the old one's permissions (else the umask's); a file without any
    write permission bit is refused (``PermissionError``), even for root. ``durable`` flushes the
    bytes to disk before the rename (the calendar: a power cut must not leave it empty)."""
    old = None
    with suppress(FileNotFoundError):
        old = path.lstat()
    if old is None or not stat.S_ISREG(old.st_mode):
        # Nothing to compare: a link is replaced, not followed; a FIFO or device could block.
        umask = os.umask(0)
        os.umask(umask)
        mode = 0o666 & ~umask
    else:
        if old.st_size == len(data) and path.read_bytes() == data:
            return False
        mode = stat.S_IMODE(old.st_mode)
        if not mode & (stat.S_IWUSR | stat.S_IWGRP | stat.S_IWOTH):
            raise PermissionError(f"{path.name} is read-only; not replacing it")
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        os.chmod(tmp, mode)
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            if durable:
                handle.flush()
                os.fsync(handle.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return True


def write_site_file(path: str, data: bytes) -> None:
    """Write ``data`` to ``path`` in the built site: a new file in place (permissions from the
    umask), anything already there (a link is replaced, never followed) by
    :func:`write_bytes_atomic`."""
    flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL
    try:
        fd = os.open(path, flags, 0o666)
    except FileNotFoundError:
        os.makedirs(os.path.dirname(path), exist_ok=True)
        fd = os.open(path, flags, 0o666)
    except FileExistsError:
        write_bytes_atomic(Path(path), data, durable=False)
        return
    try:
        view = memoryview(data)
        while view:  # os.write, not a file object: this runs for every pin of a build
            view = view[os.write(fd, view) :]
    finally:
        os.close(fd)


@contextmanager
def calendar_lock(path: Path, timeout: float = 120.0, busy: str = "") -> Iterator[None]:
    """Hold an exclusive lock for a read → change → write of the calendar at ``path``.

    An OS file lock on a hidden sidecar (``.calendar.json.lock``) that exists only while held
    and is released by the OS even when a build is killed; without one (a read-only checkout,
    no file locks) this goes on unlocked. Raises :class:`PinplanError` (``busy``, if given)
    when another holder keeps it for ``timeout`` seconds."""
    sidecar = path.with_name(f".{path.name}.lock")
    deadline = time.monotonic() + timeout
    while True:
        try:
            sidecar.parent.mkdir(parents=True, exist_ok=True)
            fd = os.open(sidecar, os.O_RDWR | os.O_CREAT, 0o666)
        except OSError as exc:
            if exc.errno in (errno.EACCES, errno.EPERM, errno.EROFS):
                yield
                return
            raise PinplanError(
                str(path), None, f"cannot lock the calendar: {exc.strerror}"
            ) from None
        while not (locked := _try_lock(fd)) and time.monotonic() < deadline:
            time.sleep(0.02)
        # A holder removes the sidecar before releasing it: locking a removed file means
        # starting again on the new one.
        with suppress(FileNotFoundError):
            if locked and os.path.samestat(os.fstat(fd), sidecar.stat()):
                break
        os.close(fd)
        if time.monotonic() >= deadline:
            held = f"another build has held {sidecar.name} for {timeout:.0f} s; giving up"
            raise PinplanError(str(path), None, busy or held)
    try:
        yield
    finally:
        # Removed before closing (which releases the lock), see above.
        with suppress(OSError):
            sidecar.unlink(missing_ok=True)
        os.close(fd)


def _try_lock(fd: int) -> bool:
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        return False
    except OSError as exc:
        # File systems without flock support: carry on unlocked rather than fail.
        return exc.errno in (errno.ENOLCK, errno.EOPNOTSUPP, errno.ENOSYS)
    return True
